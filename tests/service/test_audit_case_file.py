"""The 案卷: a PDF whose text carries the case (CJK fonts embedded) and a bundle verified offline."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from flask import Flask

from tests.service.audit_case import PARTY, audited_case
from tests.service.test_audit_record import _auditor


def _run(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


@needs_poppler
def test_case_file_pdf_holds_cover_documents_evidence_and_record_in_embedded_cjk_fonts(
    app: Flask, login, tmp_path: Path
) -> None:
    case_id = audited_case(login)
    response = _auditor(app).get(f"/audit/cases/{case_id}/case-file.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    pdf = tmp_path / "case.pdf"
    pdf.write_bytes(response.data)
    text = _run("pdftotext", str(pdf), "-")
    compact = "".join(text.split())  # the cover spaces 案　　由 out with full-width spaces
    for expected in (
        "行政执法案卷",
        "案由",
        "当事人",
        PARTY,
        "目录",
        "证据清单",
        "执法全过程记录",
        "同意立案",
    ):
        assert expected in compact, expected
    assert f"#{case_id}" in text  # the case number (this test process issues none, so #id)
    fonts = _run("pdffonts", str(pdf))
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk, fonts
    assert all(" yes " in line for line in cjk)  # embedded


def _bundle(app: Flask, login) -> bytes:
    case_id = audited_case(login)
    response = _auditor(app).get(f"/audit/cases/{case_id}/bundle.zip")
    assert response.status_code == 200
    return response.data


def _rewrite(data: bytes, name: str, change) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.namelist():
            content = source.read(item)
            target.writestr(item, change(content) if item == name else content)
    return out.getvalue()


def _verify(app: Flask, runner_for, data: bytes, tmp_path: Path):
    path = tmp_path / "bundle.zip"
    path.write_bytes(data)
    return runner_for(app).invoke(args=["audit", "verify-bundle", str(path)])


def test_bundle_verifies_offline(app: Flask, login, runner_for, tmp_path: Path) -> None:
    data = _bundle(app, login)
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        manifest = json.loads(bundle.read("manifest.json"))
        assert any(name.startswith("files/") for name in bundle.namelist())
    assert len(manifest["events"]) >= 4
    result = _verify(app, runner_for, data, tmp_path)
    assert result.exit_code == 0, result.output
    assert "bundle intact" in result.output


def test_a_changed_file_in_the_bundle_is_named(app: Flask, login, runner_for, tmp_path: Path) -> None:
    data = _bundle(app, login)
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        member = next(n for n in bundle.namelist() if n.startswith("files/"))
    result = _verify(app, runner_for, _rewrite(data, member, lambda b: b + b"x"), tmp_path)
    assert result.exit_code == 1
    assert "the file was altered" in result.output


def test_an_edited_manifest_fails_its_signature(app: Flask, login, runner_for, tmp_path: Path) -> None:
    data = _bundle(app, login)
    edited = _rewrite(data, "manifest.json", lambda b: b.replace(PARTY.encode(), "某某公司".encode()))
    result = _verify(app, runner_for, edited, tmp_path)
    assert result.exit_code == 1
    assert "manifest was altered" in result.output


def test_an_event_rewritten_and_resigned_without_the_key_is_named(
    app: Flask, login, runner_for, tmp_path: Path
) -> None:
    data = _bundle(app, login)

    def forge(raw: bytes) -> bytes:
        manifest = json.loads(raw)
        manifest["events"][1]["actor"] = "mallory"
        return json.dumps(manifest, ensure_ascii=False, indent=1).encode()

    forged = _rewrite(data, "manifest.json", forge)
    # whoever forges also rewrites the signature, but only with a key of their own
    forged = _rewrite(
        forged, "signature.json", lambda b: b.replace(b'"hmac_sha256": "', b'"hmac_sha256": "0')
    )
    result = _verify(app, runner_for, forged, tmp_path)
    assert result.exit_code == 1
    assert "BROKEN" in result.output


def test_garbage_is_reported_not_a_traceback(app: Flask, runner_for, tmp_path: Path) -> None:
    result = _verify(app, runner_for, b"not a zip", tmp_path)
    assert result.exit_code == 1
    assert "cannot be read" in result.output

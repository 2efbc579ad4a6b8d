"""The 案卷 of a case: its PDF (rendered by WeasyPrint from the page layer's HTML) and a signed bundle.

The bundle is a zip an auditor can check offline with `zhifa audit verify-bundle FILE`: `manifest.json`
holds the case summary, the case's whole audit chain (every hashed field of every event) and the
SHA-256 of each attachment, which sits beside it under `files/`. `signature.json` is an HMAC of the
manifest with the audit key, naming the key by its public id. Any changed byte is named: the event
whose hash no longer matches, the file whose hash differs, or the manifest itself.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ..db import as_utc, utcnow
from ..jsonsafe import to_json_value
from ..models import Attachment, ProcessInstance
from . import attachments as attachment_ops
from .audit import GENESIS, HASHED_FIELDS, audit_key, events_of, hash_fields, key_id
from .evidence import case_attachments

FORMAT = "zhifa-case-bundle/1"
MAX_BUNDLE_FILE_BYTES = 2**31  # refuse to read a member larger than this from a bundle


def render_pdf(html: str, base_url: str | None = None) -> bytes:
    """Render the case file's HTML as PDF (fonts embedded and subset by WeasyPrint)."""
    from weasyprint import HTML  # imported late: loading Pango takes a moment and only exports need it

    pdf: bytes = HTML(string=html, base_url=base_url).write_pdf()
    return pdf


def build_bundle(session: Session, instance: ProcessInstance, summary: Mapping[str, Any]) -> bytes:
    """Return the signed zip of a case: summary, its whole audit chain, its attachments."""
    files = case_attachments(session, instance.id)
    manifest = {
        "format": FORMAT,
        "created_at": utcnow().isoformat(),
        "instance_id": instance.id,
        "case": to_json_value(dict(summary)),
        "events": [_event_fields(e) for e in events_of(session, instance.id)],
        "files": [_file_entry(a) for a in files],
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=1)
    key = audit_key()
    signature = {"key_id": key_id(key), "hmac_sha256": _sign(text.encode(), key)}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("manifest.json", text)
        bundle.writestr("signature.json", json.dumps(signature, indent=1))
        for attachment in files:
            path = attachment_ops.blob_path(attachment.sha256)
            if path.is_file():
                bundle.write(path, _member(attachment))
    return out.getvalue()


def _event_fields(event: Any) -> dict[str, Any]:
    fields = {name: getattr(event, name) for name in HASHED_FIELDS}
    fields["occurred_at"] = as_utc(event.occurred_at).isoformat(timespec="microseconds")
    return {**to_json_value(fields), "hash": event.hash}


def _file_entry(attachment: Attachment) -> dict[str, Any]:
    return {
        "id": attachment.id,
        "filename": attachment.filename,
        "sha256": attachment.sha256,
        "size": attachment.size,
        "content_type": attachment.content_type,
        "path": _member(attachment),
    }


def _member(attachment: Attachment) -> str:
    return f"files/{attachment.sha256}"


def _sign(data: bytes, key: bytes) -> str:
    return hmac.new(key, data, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class BundleProblem:
    """The first thing wrong with a bundle, in words an auditor understands."""

    kind: str  # unreadable | key_mismatch | signature | tampered | missing | file
    reason: str


@dataclass(frozen=True)
class BundleReport:
    """What checking a bundle found."""

    instance_id: int | None
    events: int
    files: int
    problem: BundleProblem | None


def verify_bundle(data: bytes, key: bytes | None = None) -> BundleReport:
    """Check a bundle offline: signature, every event's hash and link, every file's SHA-256."""
    key = key or audit_key()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as bundle:
            text = _read(bundle, "manifest.json")
            signature = json.loads(_read(bundle, "signature.json"))
            manifest = json.loads(text)
            members = {name: bundle for name in bundle.namelist()}
            problem = _signature_problem(text, signature, key) or _chain_problem(manifest, key)
            problem = problem or _files_problem(manifest, bundle, members)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, AttributeError) as exc:
        problem = BundleProblem("unreadable", f"案卷包无法读取 / the bundle cannot be read ({exc})")
        return BundleReport(None, 0, 0, problem)
    return BundleReport(
        manifest.get("instance_id"), len(manifest.get("events", [])), len(manifest.get("files", [])), problem
    )


def _read(bundle: zipfile.ZipFile, name: str) -> bytes:
    info = bundle.getinfo(name)
    if info.file_size > MAX_BUNDLE_FILE_BYTES:
        raise ValueError(f"{name} is too large")
    return bundle.read(name)


def _signature_problem(text: bytes, signature: Mapping[str, Any], key: bytes) -> BundleProblem | None:
    if signature.get("key_id") != key_id(key):
        return BundleProblem(
            "key_mismatch",
            f"审计密钥与案卷包不符 / the key does not match this bundle (signed with key id "
            f"{signature.get('key_id')}, this key is {key_id(key)})",
        )
    if not hmac.compare_digest(str(signature.get("hmac_sha256")), _sign(text, key)):
        return BundleProblem(
            "signature", "案卷包清单被改动 / the bundle's manifest was altered (signature differs)"
        )
    return None


def _chain_problem(manifest: Mapping[str, Any], key: bytes) -> BundleProblem | None:
    expected_prev = GENESIS
    for number, event in enumerate(manifest.get("events", []), 1):
        where = f"第 {number} 条记录（{event.get('kind')}） / event #{number} ({event.get('kind')})"
        if event.get("seq") != number:
            return BundleProblem("missing", f"{where}: 序号不连续 / sequence gap (an event was removed)")
        if event.get("prev_hash") != expected_prev:
            return BundleProblem("tampered", f"{where}: 与前一条记录的链接断开 / previous-hash link broken")
        fields = {name: event.get(name) for name in HASHED_FIELDS}
        fields["occurred_at"] = datetime.fromisoformat(str(event.get("occurred_at")))
        if not hmac.compare_digest(hash_fields(fields, key), str(event.get("hash"))):
            return BundleProblem(
                "tampered", f"{where}: 记录内容与其签名不符 / content does not match its hash"
            )
        expected_prev = str(event.get("hash"))
    return None


def _files_problem(
    manifest: Mapping[str, Any], bundle: zipfile.ZipFile, members: Mapping[str, Any]
) -> BundleProblem | None:
    recorded = {
        str(ref.get("sha256"))
        for event in manifest.get("events", [])
        for ref in (event.get("attachments") or [])
        if isinstance(ref, dict)
    }
    for entry in manifest.get("files", []):
        name = f"「{entry.get('filename')}」"
        if entry.get("path") not in members:
            return BundleProblem("file", f"{name}: 文件缺失 / the file is missing from the bundle")
        digest = hashlib.sha256(_read(bundle, str(entry["path"]))).hexdigest()
        if digest != entry.get("sha256"):
            return BundleProblem("file", f"{name}: 文件内容被改动 / the file was altered (SHA-256 differs)")
        recorded.discard(digest)
    if recorded:
        return BundleProblem(
            "file", "记录中的证据文件不在包内 / evidence the record names is missing from the bundle"
        )
    return None

"""The form registry: shipped forms, deployed overrides, hashes, lookups and the validation budget."""

from __future__ import annotations

import hashlib
import textwrap
import timeit
from datetime import datetime
from pathlib import Path

import pytest
from marshmallow import ValidationError

from forms import (
    CHINA_TZ,
    FormDefinitionError,
    FormRegistry,
    FormRegistryError,
    UnknownForm,
    default_registry,
)
from forms.registry import DEFINITIONS_DIR

APPROVE_OVERRIDE = """\
key: approve_generic
title: {zh: 审批意见（试行）, en: Approval (trial)}
fields:
  - name: decision
    type: choice
    label: {zh: 审批结果, en: Decision}
    required: true
    choices:
      - {value: approve, label: {zh: 同意, en: Approve}}
      - {value: reject, label: {zh: 不同意, en: Reject}}
"""

NEW_FORM = """\
key: record_payment
title: {zh: 缴款登记, en: Payment}
fields:
  - {name: paid_on, type: date, label: {zh: 缴款日期, en: Paid on}, required: true, not_future: true}
  - {name: amount, type: money, label: {zh: 金额（元）, en: Amount (yuan)}, required: true}
  - {name: receipt_no, type: string, label: {zh: 票据号, en: Receipt number}, max_length: 50}
  - {name: receipt, type: attachment, label: {zh: 缴款票据, en: Receipt}, min_files: 1, max_files: 2}
"""

BROKEN = "key: broken\ntitle: {zh: 坏}\nfields:\n  - {name: a, type: txt, label: {zh: 甲}}\n"


EXAMPLES = Path(__file__).parent / "data"


@pytest.fixture
def registry() -> FormRegistry:
    return FormRegistry.from_directory(EXAMPLES)


def test_default_registry_holds_every_shipped_definition() -> None:
    shipped = sorted(path.stem for path in Path(DEFINITIONS_DIR).glob("*.yaml"))
    assert default_registry().keys() == shipped
    assert default_registry() is default_registry()


def test_get_returns_the_form_and_unknown_keys_raise_a_key_error(registry: FormRegistry) -> None:
    form = registry.get("approve_generic")
    assert (form.key, form.title(), form.title("en")) == ("approve_generic", "审批意见", "Approval")
    assert "approve_generic" in registry
    with pytest.raises(UnknownForm) as caught:
        registry.get("no_such_form")
    assert isinstance(caught.value, KeyError)
    assert str(caught.value) == "no form with key 'no_such_form'"


def test_deployed_overrides_win_and_leave_the_original_registry_alone(registry: FormRegistry) -> None:
    deployed = registry.with_overrides(
        {"approve_generic.yaml": APPROVE_OVERRIDE, "record_payment.yaml": NEW_FORM}
    )
    assert deployed.get("approve_generic").title() == "审批意见（试行）"
    assert deployed.get("record_payment").title("en") == "Payment"
    assert deployed.get("record_site_inspection") is registry.get("record_site_inspection")
    assert registry.get("approve_generic").title() == "审批意见"
    assert "record_payment" not in registry
    assert len(deployed) == len(registry) + 1


def test_overridden_form_validates_by_its_new_definition(registry: FormRegistry) -> None:
    deployed = registry.with_overrides({"approve_generic.yaml": APPROVE_OVERRIDE})
    assert deployed.get("approve_generic").validate({"decision": "reject"}) == {"decision": "reject"}


def test_broken_deployments_report_every_file_and_change_nothing(registry: FormRegistry) -> None:
    with pytest.raises(FormRegistryError) as caught:
        registry.with_overrides(
            {
                "broken.yaml": BROKEN,
                "record_payment.yaml": NEW_FORM,
                "wrong_name.yaml": NEW_FORM,
                "latin1.yaml": "key: x\ntitle: {zh: 样}\n".encode("gbk"),
            }
        )
    errors = caught.value.errors
    assert [(error.file_name, error.line) for error in errors] == [
        ("broken.yaml", 4),
        ("wrong_name.yaml", 1),
        ("latin1.yaml", None),
    ]
    assert "unknown field type 'txt'" in errors[0].message
    assert "broken.yaml:4: " in str(caught.value)


def test_two_files_with_one_key_are_refused() -> None:
    with pytest.raises(FormRegistryError, match="is also in record_payment.yaml"):
        FormRegistry().with_overrides({"record_payment.yaml": NEW_FORM, "record_payment.yml": NEW_FORM})


def test_from_directory_collects_errors_with_file_names(tmp_path: Path) -> None:
    (tmp_path / "record_payment.yaml").write_text(NEW_FORM, encoding="utf-8")
    (tmp_path / "broken.yaml").write_text(BROKEN, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a form", encoding="utf-8")
    with pytest.raises(FormRegistryError) as caught:
        FormRegistry.from_directory(tmp_path)
    assert [error.file_name for error in caught.value.errors] == ["broken.yaml"]
    assert isinstance(caught.value.errors[0], FormDefinitionError)
    (tmp_path / "broken.yaml").unlink()
    assert FormRegistry.from_directory(tmp_path).keys() == ["record_payment"]


def test_from_directory_refuses_a_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        FormRegistry.from_directory(tmp_path / "missing")


def test_content_hash_is_the_sha256_of_the_canonical_definition(registry: FormRegistry) -> None:
    form = registry.get("approve_generic")
    expected = hashlib.sha256(form.definition.canonical_text().encode()).hexdigest()
    assert registry.content_hash("approve_generic") == expected
    reformatted = Path(EXAMPLES, "approve_generic.yaml").read_text(encoding="utf-8") + "\n# 备注\n"
    same = registry.with_overrides({"approve_generic.yaml": reformatted})
    assert same.content_hash("approve_generic") == expected
    assert same.get("approve_generic") is form  # compiled schemas are kept
    changed = registry.with_overrides({"approve_generic.yaml": APPROVE_OVERRIDE})
    assert changed.content_hash("approve_generic") != expected


def test_schemas_are_compiled_once_per_language(registry: FormRegistry) -> None:
    form = registry.get("approve_generic")
    assert form.schema("zh") is form.schema("zh_Hans_CN")
    assert form.schema("en") is form.schema("en-GB")
    assert form.schema("zh") is not form.schema("en")


def test_attachment_fields_list_nested_paths(registry: FormRegistry) -> None:
    nested = """\
    key: nested
    title: {zh: 嵌套}
    fields:
      - {name: photos, type: attachment, label: {zh: 照片}}
      - name: damages
        type: group
        label: {zh: 损坏}
        repeat: {max: 5}
        fields:
          - {name: photos, type: attachment, label: {zh: 照片}}
      - name: house
        type: group
        label: {zh: 房屋}
        fields:
          - {name: deed, type: attachment, label: {zh: 权证}}
    """
    form = registry.with_overrides({"nested.yaml": textwrap.dedent(nested)}).get("nested")
    assert form.attachment_fields() == ["photos", "damages[].photos", "house.deed"]
    data = form.validate({"photos": ["a"], "damages": [{"photos": ["b", "c"]}, {}], "house": {"deed": ["d"]}})
    assert form.attachment_ids(data) == ["a", "b", "c", "d"]
    assert registry.get("record_site_inspection").attachment_fields() == ["photos"]


def test_shipped_approval_form_accepts_a_decision_and_refuses_a_future_date(registry: FormRegistry) -> None:
    form = registry.get("approve_generic")
    now = datetime(2024, 5, 1, 9, 0, tzinfo=CHINA_TZ)
    data = {"decision": "return", "opinion": "补充检测报告", "approved_at": "2024-05-01"}
    assert form.validate(data, now=now)["decision"] == "return"
    with pytest.raises(ValidationError) as caught:
        form.validate({"decision": "approve", "approved_at": "2024-05-02"}, now=now)
    assert caught.value.messages == {"approved_at": ["不能晚于今天。"]}


def test_validating_a_ten_field_form_stays_well_under_the_budget() -> None:
    fields = "\n".join(
        f"  - {{name: f{index}, type: string, label: {{zh: 字段{index}}}, max_length: 20}}"
        for index in range(6)
    )
    form = FormRegistry().with_overrides({"record_payment.yaml": NEW_FORM + fields}).get("record_payment")
    data = {"paid_on": "2024-05-01", "amount": "200.00", "receipt_no": "No.1", "receipt": ["r1"]}
    data |= {f"f{index}": "文本" for index in range(6)}
    form.validate(data)
    seconds = min(timeit.repeat(lambda: form.validate(data), number=200, repeat=5)) / 200
    assert seconds < 0.0002

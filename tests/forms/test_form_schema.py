"""Validating task data against a form: Python values out, localized field errors in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from form_helpers import make_id_card, make_uscc
from marshmallow import ValidationError

from forms import CHINA_TZ, Form

CASE_FORM = """\
key: record_case
title: {zh: 案件信息, en: Case}
fields:
  - {name: title, type: string, label: {zh: 案由, en: Title}, required: true, max_length: 10}
  - {name: notes, type: text, label: {zh: 备注, en: Notes}}
  - {name: floors, type: integer, label: {zh: 层数, en: Floors}, min: 1, max: 60}
  - {name: area, type: decimal, label: {zh: 面积, en: Area}, places: 2}
  - {name: fine, type: money, label: {zh: 罚款金额, en: Fine}, max: 200000}
  - {name: confirmed, type: boolean, label: {zh: 已确认, en: Confirmed}, default: false}
  - {name: found_on, type: date, label: {zh: 发现日期, en: Found on}, not_future: true}
  - {name: inspected_at, type: datetime, label: {zh: 检查时间, en: Inspected at}, not_future: true}
  - name: decision
    type: choice
    label: {zh: 审批结果, en: Decision}
    required: true
    choices:
      - {value: approve, label: {zh: 同意, en: Approve}}
      - {value: reject, label: {zh: 不同意, en: Reject}}
  - name: measures
    type: multichoice
    label: {zh: 约束措施, en: Measures}
    choices:
      - {value: annotation, label: {zh: 房屋注记, en: Annotation}}
      - {value: credit, label: {zh: 征信措施, en: Credit}}
  - {name: id_number, type: id_card, label: {zh: 身份证号, en: ID number}}
  - {name: credit_code, type: uscc, label: {zh: 信用代码, en: Credit code}}
  - {name: phone, type: phone, label: {zh: 电话, en: Phone}}
  - {name: code, type: string, label: {zh: 编号, en: Code}, pattern: "[A-Z]{2}-[0-9]{4}"}
  - name: damages
    type: group
    label: {zh: 损坏部位, en: Damaged parts}
    repeat: {min: 1, max: 3}
    required: true
    fields:
      - {name: part, type: string, label: {zh: 部位, en: Part}, required: true}
      - {name: area_m2, type: decimal, label: {zh: 面积, en: Area}, min: 0, places: 2}
      - {name: photos, type: attachment, label: {zh: 照片, en: Photos}, max_files: 2}
  - name: house
    type: group
    label: {zh: 房屋, en: House}
    fields:
      - {name: address, type: string, label: {zh: 坐落, en: Address}, required: true}
  - {name: evidence, type: attachment, label: {zh: 证据, en: Evidence}, min_files: 1, max_files: 3}
"""

NOW = datetime(2024, 5, 1, 10, 0, tzinfo=CHINA_TZ)


@pytest.fixture
def form(make_form: Callable[[str], Form]) -> Form:
    return make_form(CASE_FORM)


def _valid(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "损坏承重墙",
        "decision": "approve",
        "damages": [{"part": "客厅承重墙", "area_m2": "3.5"}],
        "evidence": ["att-1"],
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not ...}


def _errors(form: Form, data: Any, *, locale: str = "zh", now: datetime = NOW) -> dict[Any, Any]:
    with pytest.raises(ValidationError) as caught:
        form.validate(data, now=now, locale=locale)
    return caught.value.messages  # type: ignore[return-value]


def test_valid_data_comes_back_as_python_values(form: Form) -> None:
    data = _valid(
        floors="6",
        area=12.25,
        fine="5000",
        found_on="2024-04-30",
        inspected_at="2024-05-01T09:30",
        measures=["credit"],
        id_number="11010519491231002x",
        credit_code="91350100m000100y43",
        phone="138 1234 5678",
        house={"address": "嘉定区某路 1 号"},
    )
    result = form.validate(data, now=NOW)
    assert result["floors"] == 6
    assert result["area"] == Decimal("12.25")
    assert result["fine"] == Decimal("5000.00")
    assert result["found_on"] == date(2024, 4, 30)
    assert result["inspected_at"] == datetime(2024, 5, 1, 9, 30, tzinfo=CHINA_TZ)
    assert result["inspected_at"].utcoffset() == timedelta(hours=8)
    assert result["measures"] == ["credit"]
    assert (result["id_number"], result["credit_code"]) == ("11010519491231002X", "91350100M000100Y43")
    assert result["phone"] == "13812345678"
    assert result["damages"] == [{"part": "客厅承重墙", "area_m2": Decimal("3.50"), "photos": []}]
    assert result["house"] == {"address": "嘉定区某路 1 号"}


def test_optional_fields_missing_null_or_blank_get_their_default(form: Form) -> None:
    result = form.validate(_valid(notes="  ", floors=None), now=NOW)
    assert result["notes"] is None
    assert result["floors"] is None
    assert result["confirmed"] is False
    assert result["measures"] == []
    assert result["house"] is None
    assert set(result) == set(form.schema().fields)


def test_validation_does_not_change_the_input(form: Form) -> None:
    data = _valid(floors="6")
    form.validate(data, now=NOW)
    assert data["floors"] == "6"


def test_missing_required_fields_are_reported_in_chinese_by_default(form: Form) -> None:
    errors = _errors(form, {"damages": [{}], "evidence": ["a"]})
    assert errors == {
        "title": ["此项为必填项。"],
        "decision": ["此项为必填项。"],
        "damages": {0: {"part": ["此项为必填项。"]}},
    }


def test_messages_are_english_when_asked(form: Form) -> None:
    errors = _errors(form, _valid(title=..., decision="maybe", extra=1), locale="en")
    assert errors == {
        "title": ["This field is required."],
        "decision": ["Must be one of: Approve, Reject."],
        "extra": ["Unknown field."],
    }


def test_locale_tags_are_understood_and_other_languages_refused(form: Form) -> None:
    assert _errors(form, _valid(title=...), locale="zh_Hans_CN") == {"title": ["此项为必填项。"]}
    assert _errors(form, _valid(title=...), locale="en-US") == {"title": ["This field is required."]}
    with pytest.raises(ValueError, match="unsupported locale"):
        form.validate(_valid(), locale="fr")


def test_unknown_fields_are_refused_at_every_level(form: Form) -> None:
    errors = _errors(form, _valid(surprise=None, damages=[{"part": "墙", "colour": "red"}]))
    assert errors == {"surprise": ["表单中没有此字段。"], "damages": {0: {"colour": ["表单中没有此字段。"]}}}


def test_choices_are_listed_by_label_when_refused(form: Form) -> None:
    assert _errors(form, _valid(decision="maybe")) == {"decision": ["请从以下选项中选择：同意、不同意。"]}
    errors = _errors(form, _valid(measures=["credit", "credit", "jail"]))
    assert errors == {"measures": {2: ["请从以下选项中选择：房屋注记、征信措施。"]}}
    assert _errors(form, _valid(measures=["credit", "credit"])) == {"measures": ["不能有重复项。"]}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"title": "这个案由实在是太长了一点点"}, {"title": ["长度不能超过 10 个字符。"]}),
        ({"title": 12}, {"title": ["应为文本。"]}),
        ({"floors": 0}, {"floors": ["不能小于 1。"]}),
        ({"floors": 61}, {"floors": ["不能大于 60。"]}),
        ({"floors": 2.5}, {"floors": ["应为整数。"]}),
        ({"area": "1.234"}, {"area": ["最多保留 2 位小数。"]}),
        ({"fine": "12.345"}, {"fine": ["最多保留 2 位小数。"]}),
        ({"fine": -1}, {"fine": ["不能小于 0.00。"]}),
        ({"fine": "200000.01"}, {"fine": ["不能大于 200000.00。"]}),
        ({"confirmed": "maybe"}, {"confirmed": ["应为“是”或“否”。"]}),
        ({"found_on": "2024/05/01"}, {"found_on": ["日期无效，格式应为 YYYY-MM-DD。"]}),
        ({"code": "ab-1234"}, {"code": ["格式不正确。"]}),
        ({"id_number": "110105194912310021"}, {"id_number": ["居民身份证号码校验位不正确。"]}),
        ({"credit_code": "91350100M000100Y44"}, {"credit_code": ["统一社会信用代码校验位不正确。"]}),
        ({"house": "嘉定"}, {"house": {"_schema": ["应为一组字段。"]}}),
    ],
    ids=lambda value: next(iter(value)) if isinstance(value, dict) else None,
)
def test_invalid_values_are_reported_per_field(form: Form, changes: dict[str, Any], expected: Any) -> None:
    assert _errors(form, _valid(**changes)) == expected


def test_bad_phone_numbers_are_explained_with_examples(form: Form) -> None:
    message = _errors(form, _valid(phone="12345"))["phone"][0]
    assert message.startswith("电话号码格式不正确")
    assert "13812345678" in message
    assert "021-12345678" in message


def test_money_with_three_decimals_is_refused_in_english_too(form: Form) -> None:
    assert _errors(form, _valid(fine=0.125), locale="en") == {
        "fine": ["At most 2 decimal places are allowed."]
    }


def test_not_future_date_compares_with_the_china_date_of_the_pinned_clock(form: Form) -> None:
    late_evening_utc = datetime(2024, 5, 1, 17, 0, tzinfo=CHINA_TZ) + timedelta(hours=8)  # 2 May 01:00 China
    assert form.validate(_valid(found_on="2024-05-02"), now=late_evening_utc)["found_on"] == date(2024, 5, 2)
    assert form.validate(_valid(found_on="2024-05-01"), now=NOW)["found_on"] == date(2024, 5, 1)
    assert _errors(form, _valid(found_on="2024-05-02")) == {"found_on": ["不能晚于今天。"]}
    assert _errors(form, _valid(found_on="2024-05-02"), locale="en") == {
        "found_on": ["Must not be later than today."]
    }


def test_not_future_datetime_allows_a_few_minutes_of_clock_drift(form: Form) -> None:
    form.validate(_valid(inspected_at=(NOW + timedelta(minutes=4)).isoformat()), now=NOW)
    later = (NOW + timedelta(minutes=30)).isoformat()
    assert _errors(form, _valid(inspected_at=later)) == {"inspected_at": ["不能晚于当前时间。"]}


def test_naive_now_is_china_time(form: Form) -> None:
    assert form.validate(_valid(found_on="2024-05-01"), now=datetime(2024, 5, 1, 0, 30))["found_on"]
    assert _errors(form, _valid(found_on="2024-05-01"), now=datetime(2024, 4, 30, 23, 30)) == {
        "found_on": ["不能晚于今天。"]
    }


def test_id_card_birth_date_is_checked_against_the_pinned_clock(form: Form) -> None:
    born_tomorrow = make_id_card("31011420240502001")
    assert _errors(form, _valid(id_number=born_tomorrow)) == {
        "id_number": ["居民身份证号码中的出生日期无效。"]
    }
    data = _valid(id_number=born_tomorrow, credit_code=make_uscc("91310114MA1GT3XK2"))
    assert form.validate(data, now=NOW + timedelta(days=1))["id_number"] == born_tomorrow


def test_repeatable_group_enforces_its_minimum_and_maximum(form: Form) -> None:
    row = {"part": "墙"}
    assert _errors(form, _valid(damages=[])) == {"damages": ["至少填写 1 条。"]}
    assert _errors(form, _valid(damages=[row] * 4)) == {"damages": ["最多填写 3 条。"]}
    assert _errors(form, _valid(damages=[row] * 4), locale="en") == {
        "damages": ["At most 3 entries are allowed."]
    }
    assert len(form.validate(_valid(damages=[row] * 3), now=NOW)["damages"]) == 3


def test_repeatable_group_errors_are_keyed_by_row_and_field(form: Form) -> None:
    errors = _errors(form, _valid(damages=[{"part": "墙"}, {"part": "", "area_m2": "-1"}, "墙"]))
    assert errors == {
        "damages": {
            1: {"part": ["此项为必填项。"], "area_m2": ["不能小于 0.00。"]},
            2: {"_schema": ["应为一组字段。"]},
        }
    }
    assert _errors(form, _valid(damages={"part": "墙"})) == {"damages": ["应为列表。"]}


def test_attachment_slots_check_count_shape_and_repeats(form: Form) -> None:
    assert _errors(form, _valid(evidence=[])) == {"evidence": ["至少上传 1 个文件。"]}
    assert _errors(form, _valid(evidence=["a", "b", "c", "d"])) == {"evidence": ["最多上传 3 个文件。"]}
    assert _errors(form, _valid(evidence=["a", "a"])) == {"evidence": ["不能有重复项。"]}
    assert _errors(form, _valid(evidence=["../etc/passwd"])) == {"evidence": {0: ["附件编号无效。"]}}
    assert _errors(form, _valid(evidence="a")) == {"evidence": ["应为列表。"]}
    nested = _valid(damages=[{"part": "墙", "photos": ["p1", "p2", "p3"]}])
    assert _errors(form, nested) == {"damages": {0: {"photos": ["最多上传 2 个文件。"]}}}


def test_form_data_that_is_not_an_object_is_refused(form: Form) -> None:
    assert _errors(form, ["title"]) == {"_schema": ["提交的表单数据格式无效。"]}


def test_required_multichoice_needs_at_least_one_option(make_form: Callable[[str], Form]) -> None:
    form = make_form(
        """\
        key: pick
        title: {zh: 选择}
        fields:
          - name: measures
            type: multichoice
            label: {zh: 措施}
            required: true
            choices: [{value: a, label: {zh: 甲}}]
        """
    )
    assert _errors(form, {"measures": []}) == {"measures": ["至少选择 1 项。"]}
    assert form.validate({"measures": ["a"]}) == {"measures": ["a"]}


def test_a_slot_needing_a_file_reports_a_missing_value_as_required(make_form: Callable[[str], Form]) -> None:
    form = make_form(
        """\
        key: photos
        title: {zh: 照片}
        fields:
          - {name: photos, type: attachment, label: {zh: 照片}, min_files: 1}
        """
    )
    assert _errors(form, {}) == {"photos": ["此项为必填项。"]}
    assert _errors(form, {"photos": []}) == {"photos": ["至少上传 1 个文件。"]}


def test_checkbox_spellings_are_read_as_booleans(form: Form) -> None:
    assert form.validate(_valid(confirmed="on"), now=NOW)["confirmed"] is True
    assert form.validate(_valid(confirmed="false"), now=NOW)["confirmed"] is False

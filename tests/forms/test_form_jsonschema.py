"""Describing a form to clients: JSON Schema for the API, field specs for HTML pages."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from forms import Form

FORM = """\
key: record_repair
title: {zh: 修复情况, en: Repair}
help: {zh: 整改期限届满后填写。, en: Fill in after the deadline.}
fields:
  - name: result
    type: choice
    label: {zh: 复查结果, en: Result}
    required: true
    choices:
      - {value: not_started, label: {zh: 未整改, en: Not started}}
      - {value: done, label: {zh: 已完成, en: Done}}
  - name: measures
    type: multichoice
    label: {zh: 约束措施, en: Measures}
    choices:
      - {value: annotation, label: {zh: 房屋注记, en: Annotation}}
  - {name: checked_on, type: date, label: {zh: 复查日期, en: Checked on}, required: true, not_future: true}
  - name: checked_at
    type: datetime
    label: {zh: 复查时间, en: Checked at}
    min: "2024-01-01T00:00:00+08:00"
  - {name: cost, type: money, label: {zh: 修复费用, en: Cost}, max: 100000, help: {zh: 单位：元, en: Yuan}}
  - {name: floors, type: integer, label: {zh: 层数, en: Floors}, min: 1, default: 6}
  - {name: notes, type: text, label: {zh: 备注, en: Notes}, max_length: 500}
  - {name: phone, type: phone, label: {zh: 电话, en: Phone}}
  - {name: photos, type: attachment, label: {zh: 照片, en: Photos}, required: true, max_files: 9}
  - name: repairs
    type: group
    label: {zh: 修复部位, en: Repairs}
    repeat: {min: 1, max: 20}
    fields:
      - {name: part, type: string, label: {zh: 部位, en: Part}, required: true}
      - {name: photos, type: attachment, label: {zh: 照片, en: Photos}}
  - name: contractor
    type: group
    label: {zh: 施工单位, en: Contractor}
    fields:
      - {name: credit_code, type: uscc, label: {zh: 信用代码, en: Credit code}}
      - {name: licence, type: attachment, label: {zh: 资质证书, en: Licence}}
"""


@pytest.fixture
def form(make_form: Callable[[str], Form]) -> Form:
    return make_form(FORM)


def test_json_schema_is_a_draft_2020_12_object_schema_titled_in_chinese_by_default(form: Form) -> None:
    schema = form.json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "修复情况"
    assert schema["description"] == "整改期限届满后填写。"
    assert schema["x-label"] == {"zh": "修复情况", "en": "Repair"}
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["result", "checked_on", "photos", "repairs"]  # repeat min 1 implies it
    assert list(schema["properties"]) == [
        "result",
        "measures",
        "checked_on",
        "checked_at",
        "cost",
        "floors",
        "notes",
        "phone",
        "photos",
        "repairs",
        "contractor",
    ]
    json.dumps(schema)  # plain JSON data all the way down


def test_json_schema_titles_follow_the_locale_and_keep_both_labels(form: Form) -> None:
    result = form.json_schema("en")["properties"]["result"]
    assert result["title"] == "Result"
    assert result["x-label"] == {"zh": "复查结果", "en": "Result"}


def test_choices_become_enums_with_labels(form: Form) -> None:
    properties = form.json_schema("en")["properties"]
    assert properties["result"]["type"] == "string"
    assert properties["result"]["enum"] == ["not_started", "done"]
    assert properties["result"]["x-enum-labels"] == {"not_started": "Not started", "done": "Done"}
    assert properties["measures"]["type"] == ["array", "null"]
    assert properties["measures"]["items"] == {"type": "string", "enum": ["annotation"]}
    assert properties["measures"]["uniqueItems"] is True


def test_dates_and_times_carry_formats_and_bounds(form: Form) -> None:
    properties = form.json_schema()["properties"]
    assert properties["checked_on"] == {
        "title": "复查日期",
        "x-label": {"zh": "复查日期", "en": "Checked on"},
        "x-field-type": "date",
        "type": "string",
        "format": "date",
        "x-not-future": True,
    }
    assert properties["checked_at"]["format"] == "date-time"
    assert properties["checked_at"]["x-minimum"] == "2024-01-01T00:00:00+08:00"


def test_numbers_carry_bounds_places_and_defaults(form: Form) -> None:
    properties = form.json_schema()["properties"]
    cost = properties["cost"]
    assert cost["type"] == ["number", "string", "null"]
    assert (cost["minimum"], cost["maximum"], cost["x-decimal-places"]) == (0, 100000, 2)
    assert cost["description"] == "单位：元"
    assert properties["floors"]["type"] == ["integer", "null"]
    assert (properties["floors"]["minimum"], properties["floors"]["default"]) == (1, 6)
    assert properties["notes"]["maxLength"] == 500
    assert properties["phone"]["pattern"].startswith("^(?:")


def test_attachment_slots_are_marked_arrays_of_ids(form: Form) -> None:
    photos = form.json_schema()["properties"]["photos"]
    assert photos["type"] == "array"
    assert photos["x-attachment"] is True
    assert (photos["minItems"], photos["maxItems"]) == (1, 9)
    assert photos["items"]["type"] == "string"
    assert photos["uniqueItems"] is True


def test_repeatable_groups_are_arrays_of_objects_and_plain_groups_are_objects(form: Form) -> None:
    properties = form.json_schema()["properties"]
    repairs = properties["repairs"]
    assert repairs["type"] == "array"
    assert (repairs["minItems"], repairs["maxItems"]) == (1, 20)
    assert repairs["items"]["required"] == ["part"]
    assert repairs["items"]["additionalProperties"] is False
    assert repairs["items"]["properties"]["photos"]["x-attachment"] is True
    contractor = properties["contractor"]
    assert contractor["type"] == ["object", "null"]
    assert contractor["properties"]["credit_code"]["x-format"] == "uscc"


def test_field_specs_give_a_page_everything_it_renders(form: Form) -> None:
    specs = {spec["name"]: spec for spec in form.field_specs("zh")}
    result = specs["result"]
    assert result["label"] == "复查结果"
    assert result["widget"] == "select"
    assert result["required"] is True
    assert result["choices"] == [("not_started", "未整改"), ("done", "已完成")]
    assert specs["checked_on"]["not_future"] is True
    assert specs["cost"]["help"] == "单位：元"
    assert (specs["floors"]["min"], specs["floors"]["default"]) == (1, 6)
    assert specs["repairs"]["repeat"] == {"min": 1, "max": 20}
    assert [child["name"] for child in specs["repairs"]["fields"]] == ["part", "photos"]
    assert specs["photos"]["max_files"] == 9
    assert all(spec.keys() == result.keys() for spec in specs.values())


def test_field_specs_speak_english_when_asked(form: Form) -> None:
    result = form.field_specs("en")[0]
    assert (result["label"], result["choices"][1]) == ("Result", ("done", "Done"))


def test_json_schema_accepts_what_validation_returns_after_json_encoding(form: Form) -> None:
    data: dict[str, Any] = {
        "result": "done",
        "checked_on": "2024-05-01",
        "photos": ["a"],
        "repairs": [{"part": "墙"}],
    }
    loaded = form.validate(data)
    assert loaded["checked_on"] == date(2024, 5, 1)
    assert set(loaded) == set(form.json_schema()["properties"])

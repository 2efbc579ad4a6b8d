"""`prefill`: a field starts from earlier case data (the notice's fine from the proposed fine)."""

from __future__ import annotations

import pytest

from forms import FormDefinitionError, parse_form
from forms.jsonschema import field_specs, json_schema

FORM = """key: notice
title: {zh: 告知书}
fields:
  - {name: notified_fine, type: money, label: {zh: 告知的罚款}, required: true%s}
  - {name: note, type: text, label: {zh: 备注}}
"""


def test_prefill_names_the_case_data_the_input_starts_from() -> None:
    form = parse_form(FORM % ", prefill: proposed_fine", "notice.yaml")
    assert form.fields[0].prefill == "proposed_fine"
    assert json_schema(form, "zh")["properties"]["notified_fine"]["x-prefill"] == "proposed_fine"
    assert [s["prefill"] for s in field_specs(form, "zh")] == ["proposed_fine", None]


def test_a_form_without_prefill_keeps_its_hash_basis() -> None:
    assert "prefill" not in parse_form(FORM % "", "notice.yaml").canonical_text()
    assert "prefill" in parse_form(FORM % ", prefill: proposed_fine", "notice.yaml").canonical_text()


@pytest.mark.parametrize("value", ["Proposed", "1fine"])
def test_prefill_must_be_a_snake_case_name(value: str) -> None:
    with pytest.raises(FormDefinitionError):
        parse_form(FORM % f", prefill: {value}", "notice.yaml")


def test_prefill_is_refused_inside_a_group() -> None:
    text = """key: notice
title: {zh: 告知书}
fields:
  - name: rows
    type: group
    label: {zh: 明细}
    fields:
      - {name: fine, type: money, label: {zh: 罚款}, prefill: proposed_fine}
"""
    with pytest.raises(FormDefinitionError) as info:
        parse_form(text, "notice.yaml")
    assert "top-level" in str(info.value)

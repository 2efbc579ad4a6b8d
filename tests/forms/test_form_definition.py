"""Parsing YAML form definitions: the shipped ones load, and mistakes are reported at their line."""

from __future__ import annotations

import dataclasses
import textwrap
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from forms import FieldType, LocalizedText, parse_form
from forms.registry import DEFINITIONS_DIR

SHIPPED = sorted(Path(DEFINITIONS_DIR).glob("*.yaml")) + sorted(
    (Path(__file__).parent / "data").glob("*.yaml")
)

# The example from docs/conventions.md, "Forms".
CONVENTIONS_EXAMPLE = """\
key: inspect_site
title: {zh: 现场检查, en: On-site inspection}
fields:
  - name: inspected_at
    type: datetime
    label: {zh: 检查时间, en: Inspection time}
    required: true
    not_future: true
  - name: entry_result
    type: choice
    label: {zh: 入户结果, en: Entry result}
    required: true
    choices:
      - {value: entered, label: {zh: 已入户, en: Entered}}
      - {value: refused, label: {zh: 拒绝入户, en: Refused}}
  - name: damages
    type: group
    label: {zh: 损坏部位, en: Damaged parts}
    repeat: {min: 1, max: 50}
    fields:
      - {name: part, type: string, label: {zh: 部位, en: Part}, required: true, max_length: 100}
      - {name: area_m2, type: decimal, label: {zh: 面积（㎡）, en: Area (m²)}, min: 0, places: 2}
  - name: photos
    type: attachment
    label: {zh: 现场照片/视频, en: Photos / video}
    min_files: 1
"""

HEADER = """\
key: sample
title: {zh: 样例, en: Sample}
fields:
"""


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.name)
def test_every_shipped_definition_loads(path: Path) -> None:
    definition = parse_form(path.read_text(encoding="utf-8"), path.name)
    assert definition.key == path.stem
    assert definition.title.zh
    assert all(item.label.zh and item.label.en for item in definition.fields)


def test_shipped_definitions_include_the_generic_approval_and_site_inspection() -> None:
    assert {"approve_generic", "record_site_inspection"} <= {path.stem for path in SHIPPED}


def test_conventions_example_parses_into_typed_definitions() -> None:
    definition = parse_form(CONVENTIONS_EXAMPLE, "inspect_site.yaml")
    inspected_at, entry_result, damages, photos = definition.fields
    assert inspected_at.type is FieldType.DATETIME
    assert inspected_at.not_future
    assert [choice.value for choice in entry_result.choices] == ["entered", "refused"]
    assert entry_result.choices[1].label == LocalizedText(zh="拒绝入户", en="Refused")
    assert damages.repeat is not None
    assert (damages.repeat.min, damages.repeat.max) == (1, 50)
    assert damages.fields[1].min == Decimal(0)
    assert damages.fields[1].places == 2
    assert (photos.min_files, photos.max_files) == (1, 50)


def test_definitions_are_frozen() -> None:
    definition = parse_form(CONVENTIONS_EXAMPLE, "inspect_site.yaml")
    with pytest.raises(dataclasses.FrozenInstanceError):
        definition.fields[0].required = False  # type: ignore[misc]


def test_english_falls_back_to_chinese_when_missing() -> None:
    definition = parse_form(HEADER + "  - {name: note, type: text, label: {zh: 备注}}\n", "sample.yaml")
    assert definition.fields[0].label == LocalizedText(zh="备注", en="备注")


def test_line_numbers_count_from_one_in_the_file() -> None:
    definition = parse_form(CONVENTIONS_EXAMPLE, "inspect_site.yaml")
    assert [item.line for item in definition.fields] == [4, 9, 16, 23]
    assert definition.fields[2].fields[1].line == 22


def test_bounds_and_defaults_become_python_values() -> None:
    definition = parse_form(
        HEADER
        + textwrap.dedent(
            """\
              - {name: since, type: date, label: {zh: 起}, min: 2024-01-01, default: "2024-06-01"}
              - {name: fine, type: money, label: {zh: 罚款}, max: 200000}
              - name: tags
                type: multichoice
                label: {zh: 标签}
                default: [a]
                choices: [{value: a, label: {zh: 甲}}]
            """
        ),
        "sample.yaml",
    )
    since, fine, tags = definition.fields
    assert (since.min, since.default) == (date(2024, 1, 1), date(2024, 6, 1))
    assert (fine.min, fine.max, fine.places) == (Decimal("0.00"), Decimal("200000.00"), 2)
    assert tags.default == ("a",)


def test_canonical_text_ignores_comments_layout_and_line_numbers() -> None:
    compact = parse_form(CONVENTIONS_EXAMPLE, "inspect_site.yaml")
    spaced = parse_form(
        "# 说明\n\n" + CONVENTIONS_EXAMPLE.replace("required: true", "required: yes"), "inspect_site"
    )
    assert compact == spaced
    assert compact.canonical_text() == spaced.canonical_text()
    assert '"label":{"en":"Inspection time","zh":"检查时间"}' in compact.canonical_text()


def test_needing_at_least_one_file_or_row_makes_the_field_required() -> None:
    definition = parse_form(CONVENTIONS_EXAMPLE, "inspect_site.yaml")
    damages, photos = definition.fields[2:]
    assert damages.required
    assert photos.required
    optional = parse_form(HEADER + "  - {name: photos, type: attachment, label: {zh: 照片}}\n", "sample.yaml")
    assert not optional.fields[0].required
    assert (optional.fields[0].min_files, optional.fields[0].max_files) == (0, 50)

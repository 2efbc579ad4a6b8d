"""Mistakes in form definitions are reported with the file and the line to fix."""

from __future__ import annotations

import textwrap

import pytest

from forms import FormDefinitionError, parse_form

HEADER = """\
key: sample
title: {zh: 样例, en: Sample}
fields:
"""


def _parse_error(fields_yaml: str, *, file_name: str = "sample.yaml") -> FormDefinitionError:
    with pytest.raises(FormDefinitionError) as caught:
        parse_form(HEADER + textwrap.dedent(fields_yaml), file_name)
    assert caught.value.file_name == file_name
    return caught.value


@pytest.mark.parametrize(
    ("fields_yaml", "line", "fragment"),
    [
        pytest.param(
            """\
              - name: opinion
                type: text
                label: {zh: 意见}
                colour: red
            """,
            7,
            "unknown key 'colour'",
            id="unknown key",
        ),
        pytest.param(
            """\
              - name: amount
                type: integer
                label: {zh: 数额}
                max_length: 5
            """,
            7,
            "unknown key 'max_length'",
            id="key of another type",
        ),
        pytest.param(
            """\
              - name: opinion
                type: txt
                label: {zh: 意见}
            """,
            5,
            "unknown field type 'txt'",
            id="unknown type",
        ),
        pytest.param(
            """\
              - name: opinion
                type: text
              - name: other
                type: text
                label: {zh: 其他}
            """,
            4,
            "'label' is required",
            id="missing label",
        ),
        pytest.param(
            """\
              - name: opinion
                type: text
                label: {en: Opinion}
            """,
            6,
            "'zh' is required",
            id="label without Chinese",
        ),
        pytest.param(
            """\
              - {name: opinion, type: text, label: {zh: 意见}}
              - {name: other, type: text, label: {zh: 其他}}
              - {name: opinion, type: string, label: {zh: 又一个}}
            """,
            6,
            "duplicate field name 'opinion' (first on line 4)",
            id="duplicate name",
        ),
        pytest.param(
            """\
              - name: amount
                type: integer
                label: {zh: 数额}
                min: 10
                max: 5
            """,
            7,
            "min (10) is greater than max (5)",
            id="min above max",
        ),
        pytest.param(
            """\
              - name: amount
                type: integer
                label: {zh: 数额}
                min: ten
            """,
            7,
            "min 'ten'",
            id="bound of wrong type",
        ),
        pytest.param(
            """\
              - name: fine
                type: money
                label: {zh: 罚款}
                min: -1
            """,
            7,
            "money cannot be negative",
            id="negative money",
        ),
        pytest.param(
            """\
              - name: decision
                type: choice
                label: {zh: 结果}
            """,
            4,
            "'choices' must be a non-empty list",
            id="choices missing",
        ),
        pytest.param(
            """\
              - name: decision
                type: choice
                label: {zh: 结果}
                choices:
                  - {value: yes, label: {zh: 是}}
            """,
            8,
            "'value' must be non-blank text",
            id="unquoted yes as choice value",
        ),
        pytest.param(
            """\
              - name: inspectedAt
                type: date
                label: {zh: 日期}
            """,
            4,
            "name 'inspectedAt' must be snake_case",
            id="name not snake_case",
        ),
        pytest.param(
            """\
              - name: code
                type: string
                label: {zh: 编号}
                pattern: "[A-Z"
            """,
            7,
            "pattern is not a valid regular expression",
            id="bad pattern",
        ),
        pytest.param(
            """\
              - name: decision
                type: choice
                label: {zh: 结果}
                default: maybe
                choices:
                  - {value: approve, label: {zh: 同意}}
            """,
            7,
            "default 'maybe' is not one of the choices",
            id="default outside choices",
        ),
        pytest.param(
            """\
              - name: opinion
                type: text
                label: {zh: 意见}
                required: true
                default: 同意
            """,
            8,
            "a required field cannot have a default",
            id="required with default",
        ),
        pytest.param(
            """\
              - name: photos
                type: attachment
                label: {zh: 照片}
                min_files: 3
                max_files: 2
            """,
            7,
            "min_files (3) is greater than max_files (2)",
            id="attachment bounds",
        ),
        pytest.param(
            """\
              - name: damages
                type: group
                label: {zh: 损坏部位}
                repeat: {min: 1, max: 0}
                fields:
                  - {name: part, type: string, label: {zh: 部位}}
            """,
            7,
            "repeat max must be at least 1",
            id="repeat bounds",
        ),
        pytest.param(
            """\
              - name: damages
                type: group
                label: {zh: 损坏部位}
                fields:
                  - {name: part, type: string, label: {zh: 部位}}
                  - {name: area, type: decimal, label: {zh: 面积}, places: 2, min: 0.005}
            """,
            9,
            "min 0.005",
            id="error inside a group",
        ),
        pytest.param(
            """\
              - name: approved_at
                type: date
                label: {zh: 日期}
                min: 2024-02-30
            """,
            7,
            "min '2024-02-30'",
            id="impossible date bound",
        ),
    ],
)
def test_definition_errors_carry_the_line_of_the_offending_field(
    fields_yaml: str, line: int, fragment: str
) -> None:
    error = _parse_error(fields_yaml)
    assert error.line == line
    assert fragment in error.message
    assert str(error).startswith(f"sample.yaml:{line}: ")


def test_yaml_syntax_errors_carry_their_line() -> None:
    error = _parse_error("  - {name: a, type: text, label: {zh: 甲}\n  - {name: b}\n")
    assert error.line == 5
    assert error.message.startswith("invalid YAML")


def test_duplicate_yaml_keys_are_refused_at_the_second_key() -> None:
    error = _parse_error("  - name: a\n    type: text\n    label: {zh: 甲}\n    type: string\n")
    assert (error.line, error.message) == (7, "invalid YAML: duplicate key 'type'")


def test_yaml_aliases_are_refused() -> None:
    error = _parse_error("  - &a {name: a, type: text, label: {zh: 甲}}\n  - *a\n")
    assert error.line == 5
    assert "aliases" in error.message


def test_unknown_form_level_key_is_refused() -> None:
    with pytest.raises(FormDefinitionError) as caught:
        parse_form("key: sample\ntitle: {zh: 样例}\nversion: 2\nfields: []\n", "sample.yaml")
    assert (caught.value.line, caught.value.message.split(" (")[0]) == (
        3,
        "unknown key 'version' in the form",
    )


def test_form_key_must_be_snake_case_and_match_the_file_name() -> None:
    with pytest.raises(FormDefinitionError, match="must be snake_case") as caught:
        parse_form("key: Sample-Form\ntitle: {zh: 样例}\nfields: []\n", "Sample-Form.yaml")
    assert caught.value.line == 1
    with pytest.raises(FormDefinitionError, match="must match the file name 'other.yaml'"):
        parse_form(HEADER + "  - {name: a, type: text, label: {zh: 甲}}\n", "other.yaml")


def test_a_definition_must_be_a_mapping() -> None:
    with pytest.raises(FormDefinitionError, match="must be a mapping"):
        parse_form("- just\n- a list\n", "sample.yaml")
    with pytest.raises(FormDefinitionError, match="must be a mapping"):
        parse_form("", "sample.yaml")


def test_groups_nest_at_most_two_deep() -> None:
    error = _parse_error(
        """\
          - name: a
            type: group
            label: {zh: 甲}
            fields:
              - name: b
                type: group
                label: {zh: 乙}
                fields:
                  - name: c
                    type: group
                    label: {zh: 丙}
                    fields:
                      - {name: d, type: text, label: {zh: 丁}}
        """
    )
    assert (error.line, error.message) == (12, "groups may be nested at most 2 deep")

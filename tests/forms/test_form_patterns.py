"""Form patterns cannot hang a worker: catastrophic shapes are refused at deploy, matching is linear."""

from __future__ import annotations

import time

import pytest
from marshmallow import ValidationError

from forms import Form, FormDefinitionError, parse_form
from forms.patterns import PatternError, compile_pattern

HEADER = "key: sample\ntitle: {zh: 样例}\nfields:\n"


def _form(pattern: str, max_length: int | None = None) -> str:
    limit = f", max_length: {max_length}" if max_length else ""
    return HEADER + f"  - {{name: code, type: string, label: {{zh: 编号}}, pattern: '{pattern}'{limit}}}\n"


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        ("(a+)+$", "exponential time"),
        ("(a*)*b", "exponential time"),
        ("([a-z]+[0-9]*)+", "exponential time"),
        ("(\\w+\\s?)*$", "exponential time"),
        ("(a|aa)+$", "exponential time"),
        ("(x?)*y", "exponential time"),
        ("(a)\\1", "linear-time matcher does not support"),
        ("(?=a)a", "linear-time matcher does not support"),
        ("[A-Z", "not a valid regular expression"),
    ],
)
def test_patterns_that_can_backtrack_or_need_backtracking_are_refused_at_deploy(
    pattern: str, words: str
) -> None:
    with pytest.raises(FormDefinitionError) as refused:
        parse_form(_form(pattern), "sample.yaml")
    assert words in refused.value.message
    assert refused.value.line == 4


@pytest.mark.parametrize(
    ("pattern", "good", "bad"),
    [
        ("[0-9A-Za-z-]{4,30}", "AB-12", "a b"),
        ("[A-Z]{2}-[0-9]{4}", "ZF-2026", "zf-2026"),
        ("[\\u4e00-\\u9fa5]{2,4}", "张三丰", "Zhang"),
        ("(\\d{3}-)?\\d{8}", "021-12345678", "021-1234"),
        ("(ab|cd)+", "abcdab", "abc"),
    ],
)
def test_ordinary_patterns_keep_working(pattern: str, good: str, bad: str) -> None:
    form = Form(parse_form(_form(pattern), "sample.yaml"))
    assert form.validate({"code": good}) == {"code": good}
    with pytest.raises(ValidationError) as refused:
        form.validate({"code": bad})
    assert refused.value.messages == {"code": ["格式不正确。"]}


def test_text_over_the_maximum_length_never_reaches_the_pattern() -> None:
    form = Form(parse_form(_form("[a-z]+", max_length=50), "sample.yaml"))
    with pytest.raises(ValidationError) as refused:
        form.validate({"code": "a" * 1_000_000})
    assert len(refused.value.messages["code"]) == 1  # the length message only
    assert "格式" not in refused.value.messages["code"][0]


def test_a_pattern_that_python_would_backtrack_on_is_matched_in_linear_time() -> None:
    # Refused in forms, but even if one slipped through, RE2 answers at once.
    import re2

    hostile = re2.compile("(a+)+$")
    started = time.perf_counter()
    assert hostile.fullmatch("a" * 5000 + "b") is None
    assert time.perf_counter() - started < 0.5


def test_overlong_patterns_are_refused() -> None:
    with pytest.raises(PatternError, match="longer than"):
        compile_pattern("a" * 1001)

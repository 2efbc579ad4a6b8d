"""Masking of published enforcement information (行政执法公示, domain notes §7.1).

Pure functions, exposed to diagrams as helpers. Which field gets which rule is configuration: the
`publicity_masking` DMN table maps the party type to (field, rule) rows, and a diagram script calls
`mask_record(source, policy)`. What the policy does not name is not published.

Rules:

| rule | effect | example |
|---|---|---|
| `full` | published as is | 上海某某装饰工程有限公司 |
| `surname_only` | surname kept, given name replaced | 张三 → 张某某; 欧阳娜娜 → 欧阳某某 |
| `id_partial` | first 6 and last 4 characters kept | 310114198503152410 → 310114********2410 |
| `hidden` | not published | — |
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

FULL = "full"
SURNAME_ONLY = "surname_only"
ID_PARTIAL = "id_partial"
HIDDEN = "hidden"
MASKING_RULES = (FULL, SURNAME_ONLY, ID_PARTIAL, HIDDEN)

NAME_PLACEHOLDER = "某某"
ID_MASK_CHAR = "*"
ID_KEEP_HEAD = 6
ID_KEEP_TAIL = 4
AGE_OF_MAJORITY = 18

# Two-character surnames (复姓) still in use; a name starting with one keeps both characters.
COMPOUND_SURNAMES = frozenset(
    {
        *("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙"),
        *("宇文", "司徒", "夏侯", "轩辕", "令狐", "钟离", "端木", "独孤", "南宫", "西门"),
        *("百里", "呼延", "澹台", "公冶", "太史", "申屠", "闻人", "万俟", "赫连", "东郭"),
    }
)

_ID_CARD_LENGTH = 18
_OLD_ID_CARD_LENGTH = 15


def mask_record(record: Mapping[str, object], policy: Mapping[str, str]) -> dict[str, object]:
    """Return the publishable record: each field the policy names, masked by its rule, in policy order.

    Fields the policy does not name, fields ruled `hidden` and empty values are left out, so a
    field added to the source is not published until the policy says how.

    Raises:
        ValueError: a rule is not one of `MASKING_RULES`.
    """
    published: dict[str, object] = {}
    for name, rule in policy.items():
        _check_rule(rule)
        value = record.get(name)
        if rule == HIDDEN or value is None or value == "":
            continue
        published[name] = mask_value(value, rule)
    return published


def mask_value(value: object, rule: str) -> object:
    """Return `value` masked by `rule` (None for `hidden`).

    Raises:
        ValueError: the rule is unknown.
        TypeError: a text rule is applied to something that is not text.
    """
    _check_rule(rule)
    if rule == FULL:
        return value
    if rule == HIDDEN:
        return None
    if not isinstance(value, str):
        raise TypeError(f"rule {rule!r} applies to text, got {type(value).__name__}")
    return mask_name(value) if rule == SURNAME_ONLY else mask_id_number(value)


def mask_name(name: str) -> str:
    """Return a natural person's name as surname + 某某 (张三 → 张某某, 欧阳娜娜 → 欧阳某某)."""
    text = name.strip()
    if not text:
        return text
    surname = text[:2] if text[:2] in COMPOUND_SURNAMES and len(text) > 2 else text[0]
    return surname + NAME_PLACEHOLDER


def mask_id_number(number: str) -> str:
    """Keep the first 6 and last 4 characters of an ID number; mask it wholly if that would show it all."""
    text = number.strip()
    hidden = len(text) - ID_KEEP_HEAD - ID_KEEP_TAIL
    if hidden <= 0:
        return ID_MASK_CHAR * len(text)
    return text[:ID_KEEP_HEAD] + ID_MASK_CHAR * hidden + text[-ID_KEEP_TAIL:]


def is_minor(id_number: str | None, on: date) -> bool:
    """Return whether the holder of a 居民身份证号 is under 18 on day `on`.

    The birth date is read from the number (digits 7-14 of 18, or 7-12 of a 15-digit number,
    which are 19YYMMDD). Age in 周岁 counts from the day after the birthday, so a person is
    still a minor on the 18th birthday itself (the 最高人民法院 reading of 周岁, applied here
    by analogy). An empty number (an organization) is no minor.

    Raises:
        ValueError: the number is not 15 or 18 characters with a valid birth date.
    """
    text = (id_number or "").strip()
    if not text:
        return False
    born = _birth_date(text)
    birthday_passed = (on.month, on.day) > (born.month, born.day)
    age = on.year - born.year - (0 if birthday_passed else 1)
    return age < AGE_OF_MAJORITY


def _birth_date(number: str) -> date:
    if len(number) == _ID_CARD_LENGTH:
        digits = number[6:14]
    elif len(number) == _OLD_ID_CARD_LENGTH:
        digits = "19" + number[6:12]
    else:
        raise ValueError(f"ID number {mask_id_number(number)} has neither 15 nor 18 characters")
    if not digits.isdigit():
        raise ValueError(f"ID number {mask_id_number(number)} has no birth date in digits")
    return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))


def _check_rule(rule: str) -> None:
    if rule not in MASKING_RULES:
        raise ValueError(f"unknown masking rule {rule!r}; expected one of {', '.join(MASKING_RULES)}")

"""Masking rules for published enforcement information, and the minor check behind the exemption."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from workflows.masking import is_minor, mask_id_number, mask_name, mask_record, mask_value

PERSON_ID = "310114198503152410"


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张某某"),
        ("李小龙", "李某某"),
        ("欧阳娜娜", "欧阳某某"),
        ("欧阳", "欧某某"),
        (" 王五 ", "王某某"),
    ],
)
def test_surname_only_keeps_the_surname_and_replaces_the_given_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_id_partial_keeps_the_first_six_and_last_four_characters() -> None:
    assert mask_id_number(PERSON_ID) == "310114********2410"
    assert mask_id_number("91310114MA1GT3XK0K") == "913101********XK0K"


def test_id_partial_hides_a_number_too_short_to_keep_anything_secret() -> None:
    assert mask_id_number("1234567890") == "**********"


def test_full_keeps_any_value_and_hidden_drops_it() -> None:
    assert mask_value(Decimal("50000.00"), "full") == Decimal("50000.00")
    assert mask_value(date(2025, 9, 28), "full") == date(2025, 9, 28)
    assert mask_value("张三", "hidden") is None


def test_a_text_rule_on_a_number_is_refused() -> None:
    with pytest.raises(TypeError, match="surname_only"):
        mask_value(Decimal(1), "surname_only")


def test_an_unknown_rule_is_refused_even_for_an_empty_field() -> None:
    with pytest.raises(ValueError, match="initials"):
        mask_record({}, {"party_name": "initials"})


def test_record_publishes_only_the_fields_the_policy_names_in_policy_order() -> None:
    source = {
        "party_address": "嘉定区叶城路1号301室",
        "party_id_number": PERSON_ID,
        "party_name": "张三",
        "decision_no": "嘉城管罚决字〔2025〕第0123号",
        "party_phone": "13812345678",
        "fine_amount": None,
    }
    policy = {
        "decision_no": "full",
        "party_name": "surname_only",
        "party_id_number": "id_partial",
        "party_address": "hidden",
        "fine_amount": "full",
    }
    assert list(mask_record(source, policy).items()) == [
        ("decision_no", "嘉城管罚决字〔2025〕第0123号"),
        ("party_name", "张某某"),
        ("party_id_number", "310114********2410"),
    ]


def test_record_leaves_the_source_untouched() -> None:
    source = {"party_name": "张三"}
    mask_record(source, {"party_name": "surname_only"})
    assert source == {"party_name": "张三"}


@pytest.mark.parametrize(
    ("born", "on", "minor"),
    [
        ("20070928", date(2025, 9, 28), True),  # the 18th birthday itself: 周岁 counts from the next day
        ("20070928", date(2025, 9, 29), False),
        ("20091231", date(2025, 9, 28), True),
        ("19850315", date(2025, 9, 28), False),
    ],
)
def test_minor_is_read_from_the_birth_date_in_the_id_number(born: str, on: date, minor: bool) -> None:
    assert is_minor(f"310114{born}2410", on) is minor


def test_old_fifteen_digit_numbers_carry_a_twentieth_century_birth_date() -> None:
    assert is_minor("310114850315241", date(2025, 9, 28)) is False
    assert is_minor("310114850315241", date(2000, 1, 1)) is True


def test_no_id_number_is_no_minor() -> None:
    assert is_minor(None, date(2025, 9, 28)) is False
    assert is_minor("", date(2025, 9, 28)) is False


@pytest.mark.parametrize("number", ["31011419851315241X", "3101141985", "310114ABCDEFGH2410"])
def test_a_number_without_a_valid_birth_date_is_refused(number: str) -> None:
    with pytest.raises(ValueError, match=r"month|characters|digits"):
        is_minor(number, date(2025, 9, 28))

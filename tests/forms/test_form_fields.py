"""Identity numbers, phones and the value converters behind every form field."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from form_helpers import make_id_card, make_uscc

from forms import (
    CHINA_TZ,
    InvalidValueError,
    id_card_check_char,
    is_valid_id_card,
    is_valid_phone,
    is_valid_uscc,
    normalize_id_card,
    normalize_phone,
    normalize_uscc,
    uscc_check_char,
)
from forms.fields import MAX_SAFE_INTEGER, to_date, to_datetime, to_decimal, to_integer


def _code(call: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(InvalidValueError) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    return caught.value.code


@pytest.mark.parametrize(
    "first17", ["11010519491231002", "31011419900307123", "44030420001129876", "31011420240229001"]
)
def test_id_card_with_computed_check_character_is_valid(first17: str) -> None:
    number = make_id_card(first17)
    assert id_card_check_char(first17) == number[-1]
    assert normalize_id_card(number, today=date(2025, 1, 1)) == number


def test_known_id_card_sample_is_valid() -> None:
    assert is_valid_id_card("11010519491231002X")


def test_id_card_with_lower_case_x_full_width_digits_or_spaces_is_normalized() -> None:
    assert normalize_id_card(" 11010519491231002x ") == "11010519491231002X"
    assert normalize_id_card("１１０１０５１９４９１２３１００２Ｘ") == "11010519491231002X"


def test_id_card_with_wrong_check_character_is_refused() -> None:
    assert _code(normalize_id_card, "110105194912310021") == "id_card_checksum"


def test_id_card_with_impossible_birth_date_is_refused() -> None:
    number = make_id_card("11010519490231002")  # 31 February, with a correct check character
    assert _code(normalize_id_card, number) == "id_card_birth_date"


def test_id_card_born_after_today_is_refused() -> None:
    number = make_id_card("11010520250102001")
    assert is_valid_id_card(number, today=date(2025, 1, 2))
    assert _code(normalize_id_card, number, today=date(2025, 1, 1)) == "id_card_birth_date"


def test_id_card_born_before_1900_is_refused() -> None:
    assert not is_valid_id_card(make_id_card("11010518991231002"))


@pytest.mark.parametrize(
    "value",
    ["1101051949123100", "11010519491231002X1", "110105194912310A2X", "110105491231002", "", None, 110105],
)
def test_id_card_of_wrong_shape_is_refused(value: object) -> None:
    assert _code(normalize_id_card, value) == "id_card_format"


def test_known_uscc_sample_is_valid() -> None:
    assert is_valid_uscc("91350100M000100Y43")
    assert uscc_check_char("91350100M000100Y4") == "3"


def test_uscc_with_computed_check_character_is_valid() -> None:
    code = make_uscc("91310114MA1GT3XK2")
    assert normalize_uscc(code.lower()) == code


def test_uscc_check_character_is_zero_when_the_sum_is_a_multiple_of_31() -> None:
    prefixes = ("9131011" + "".join(tail) for tail in itertools.product("0123456789", repeat=3))
    first17 = next(p + "MA1GT3X" for p in prefixes if make_uscc(p + "MA1GT3X").endswith("0"))
    assert uscc_check_char(first17) == "0"
    assert is_valid_uscc(first17 + "0")


def test_uscc_with_wrong_check_character_is_refused() -> None:
    assert _code(normalize_uscc, "91350100M000100Y44") == "uscc_checksum"


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_uscc_with_letters_outside_the_code_set_is_refused(letter: str) -> None:
    assert _code(normalize_uscc, f"91350100M000100{letter}43") == "uscc_format"


def test_uscc_with_letters_in_the_region_code_is_refused() -> None:
    assert not is_valid_uscc(make_uscc("9135A100M000100Y4"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13812345678", "13812345678"),
        ("199 1234 5678", "19912345678"),
        ("021-12345678", "021-12345678"),
        ("02112345678", "02112345678"),
        ("0571-8765432", "0571-8765432"),
        ("021-12345678-801", "021-12345678-801"),
        ("021-12345678转801", "021-12345678转801"),
        ("１３８１２３４５６７８", "13812345678"),
    ],
)
def test_mobile_and_landline_numbers_are_accepted(value: str, expected: str) -> None:
    assert normalize_phone(value) == expected


@pytest.mark.parametrize(
    "value",
    ["12812345678", "1381234567", "138123456789", "21-12345678", "021-123456", "12345", "电话", 13812345678],
)
def test_malformed_phone_numbers_are_refused(value: object) -> None:
    assert not is_valid_phone(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12.3", Decimal("12.30")),
        (12, Decimal("12.00")),
        (0.1, Decimal("0.10")),
        ("12.300", Decimal("12.30")),
    ],
)
def test_money_values_are_exact_decimals_with_two_places(value: object, expected: Decimal) -> None:
    result = to_decimal(value, 2)
    assert result == expected
    assert str(result) == str(expected)


@pytest.mark.parametrize("value", ["12.345", 12.345, Decimal("0.001")])
def test_money_with_three_decimals_is_refused(value: object) -> None:
    with pytest.raises(InvalidValueError) as caught:
        to_decimal(value, 2)
    assert caught.value.code == "places"
    assert caught.value.values == {"places": 2}


@pytest.mark.parametrize("value", ["1e5", "NaN", float("inf"), True, "12,5", "", [1]])
def test_non_numbers_are_refused_as_decimals(value: object) -> None:
    assert _code(to_decimal, value) == "number"


def test_integers_accept_whole_numbers_only() -> None:
    assert to_integer("12") == 12
    assert to_integer(12.0) == 12
    assert _code(to_integer, 12.5) == "integer"
    assert _code(to_integer, True) == "integer"
    assert _code(to_integer, MAX_SAFE_INTEGER + 1) == "too_large"


def test_dates_must_be_real_iso_dates() -> None:
    assert to_date("2024-02-29") == date(2024, 2, 29)
    assert _code(to_date, "2023-02-29") == "date"
    assert _code(to_date, "20240101") == "date"
    assert _code(to_date, datetime(2024, 1, 1)) == "date"


def test_naive_datetimes_are_china_time_and_aware_ones_are_converted_to_it() -> None:
    assert to_datetime("2024-05-01T09:30") == datetime(2024, 5, 1, 9, 30, tzinfo=CHINA_TZ)
    converted = to_datetime("2024-05-01T01:30:00Z")
    assert converted == datetime(2024, 5, 1, 9, 30, tzinfo=CHINA_TZ)
    assert converted.utcoffset() == timedelta(hours=8)
    assert to_datetime(datetime(2024, 5, 1, 1, 30, tzinfo=UTC)).hour == 9


def test_datetimes_need_a_time_of_day() -> None:
    assert _code(to_datetime, "2024-05-01") == "datetime"
    assert _code(to_datetime, "2024-05-01T25:00") == "datetime"


@pytest.mark.parametrize("value", ["0001-01-01", "1899-12-31", "2200-01-01", date(1, 1, 1)])
def test_dates_outside_the_accepted_years_are_refused_with_the_form(value: object) -> None:
    with pytest.raises(InvalidValueError) as refused:
        to_date(value)
    assert refused.value.code == "date_range"


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59"])
def test_datetimes_outside_the_accepted_years_are_refused_with_the_form(value: str) -> None:
    with pytest.raises(InvalidValueError) as refused:
        to_datetime(value)
    assert refused.value.code == "date_range"

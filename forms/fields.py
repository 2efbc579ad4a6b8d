"""Value checks for Chinese identity numbers, phones, numbers and dates, and the marshmallow fields.

The plain functions (`normalize_id_card`, `to_decimal`, ...) raise `InvalidValueError(code)`, where `code`
is a key of the message catalog; the field classes turn that into a localized `ValidationError`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Final, TypeVar

from marshmallow import ValidationError, fields

from forms.clock import current_date
from forms.messages import CHINA_TZ, Locale, message, messages

ID_CARD_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CARD_CHECK_CHARS: Final = "10X98765432"
USCC_CHARSET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS: Final = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# Integers travel to browsers as JSON numbers; beyond 2**53 JavaScript silently loses digits.
MAX_SAFE_INTEGER: Final = 2**53 - 1
# Large enough for any fine, fee or repair cost; fits NUMERIC(12, 2).
MONEY_MAX: Final = Decimal("9999999999.99")
_DECIMAL_LIMIT: Final = Decimal(10) ** 18

# Patterns are ASCII-only on purpose: `\d` would also accept Arabic-Indic and other Unicode digits.
ID_CARD_PATTERN: Final = r"[0-9]{17}[0-9X]"
USCC_PATTERN: Final = r"[0-9A-HJ-NP-RTUW-Y]{2}[0-9]{6}[0-9A-HJ-NP-RTUW-Y]{10}"
# Mobile 1[3-9]xxxxxxxxx, or landline: area code 0xx(x), optional dash, 7-8 digits, optional extension.
PHONE_PATTERN: Final = r"1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8}(?:(?:-|转|#)[0-9]{1,6})?"
ATTACHMENT_ID_PATTERN: Final = r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}"
_ID_CARD_RE: Final = re.compile(ID_CARD_PATTERN)
_USCC_RE: Final = re.compile(USCC_PATTERN)
_PHONE_RE: Final = re.compile(PHONE_PATTERN)
_ATTACHMENT_ID_RE: Final = re.compile(ATTACHMENT_ID_PATTERN)
_INTEGER_RE: Final = re.compile(r"[+-]?[0-9]{1,18}")
_DECIMAL_RE: Final = re.compile(r"[+-]?[0-9]{1,20}(?:\.[0-9]{1,20})?")
_DATE_RE: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME_RE: Final = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}"  # date and time to the minute
    r"(?::[0-9]{2}(?:\.[0-9]{1,6})?)?"  # optional seconds and fraction
    r"(?:Z|[+-][0-9]{2}:?[0-9]{2})?"  # optional offset; without one it is China time
)

# A case's dates lie in this span; anything outside is a typing slip (0001-01-01, 20260-…) that would only
# fail later in a deadline computation, so it is refused with the form.
_YEARS: Final = range(1900, 2200)
_T = TypeVar("_T")


class InvalidValueError(ValueError):
    """A value failed a check; `code` names the catalog message, `values` fill it in."""

    def __init__(self, code: str, **values: object) -> None:
        self.code = code
        self.values = values
        super().__init__(code)


def _ascii_text(value: object, code: str) -> str:
    """Return `value` with full-width digits and letters (typed with a Chinese IME) made ASCII."""
    if not isinstance(value, str):
        raise InvalidValueError(code)
    return unicodedata.normalize("NFKC", value).strip()


def id_card_check_char(first17: str) -> str:
    """Return the GB 11643 check character for the first 17 digits of a resident ID number."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, ID_CARD_WEIGHTS, strict=True))
    return ID_CARD_CHECK_CHARS[total % 11]


def normalize_id_card(value: object, *, today: date | None = None) -> str:
    """Return an 18-digit 居民身份证 number in canonical form (upper-case X), or raise InvalidValueError."""
    number = _ascii_text(value, "id_card_format").upper()
    if not _ID_CARD_RE.fullmatch(number):
        raise InvalidValueError("id_card_format")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidValueError("id_card_birth_date") from None
    if born.year < 1900 or born > (today or current_date()):
        raise InvalidValueError("id_card_birth_date")
    if number[17] != id_card_check_char(number[:17]):
        raise InvalidValueError("id_card_checksum")
    return number


def is_valid_id_card(value: object, *, today: date | None = None) -> bool:
    """Tell whether `value` is a valid 18-digit resident ID number."""
    try:
        normalize_id_card(value, today=today)
    except InvalidValueError:
        return False
    return True


def uscc_check_char(first17: str) -> str:
    """Return the GB 32100-2015 check character for the first 17 characters of a credit code."""
    total = sum(USCC_CHARSET.index(char) * weight for char, weight in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def normalize_uscc(value: object) -> str:
    """Return a 统一社会信用代码 in canonical (upper-case) form, or raise InvalidValueError."""
    code = _ascii_text(value, "uscc_format").upper()
    if not _USCC_RE.fullmatch(code):
        raise InvalidValueError("uscc_format")
    if code[17] != uscc_check_char(code[:17]):
        raise InvalidValueError("uscc_checksum")
    return code


def is_valid_uscc(value: object) -> bool:
    """Tell whether `value` is a valid unified social credit code."""
    try:
        normalize_uscc(value)
    except InvalidValueError:
        return False
    return True


def normalize_phone(value: object) -> str:
    """Return a mainland mobile or landline number without spaces, or raise InvalidValueError."""
    number = _ascii_text(value, "phone").replace(" ", "")
    if not _PHONE_RE.fullmatch(number):
        raise InvalidValueError("phone")
    return number


def is_valid_phone(value: object) -> bool:
    """Tell whether `value` is a mainland mobile or landline number."""
    try:
        normalize_phone(value)
    except InvalidValueError:
        return False
    return True


def to_integer(value: object) -> int:
    """Return `value` as an int (from int, integral float or digit text), or raise InvalidValueError."""
    if isinstance(value, bool):
        raise InvalidValueError("integer")
    if isinstance(value, int):
        number = value
    elif (isinstance(value, float) and value.is_integer()) or (
        isinstance(value, str) and _INTEGER_RE.fullmatch(value.strip())
    ):
        number = int(value)
    else:
        raise InvalidValueError("integer")
    if abs(number) > MAX_SAFE_INTEGER:
        raise InvalidValueError("too_large")
    return number


def _decimal(value: object) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, float) and math.isfinite(value):
        return Decimal(repr(value))  # repr, not the binary expansion: 0.1 stays 0.1
    if isinstance(value, str) and _DECIMAL_RE.fullmatch(value.strip()):
        return Decimal(value.strip())
    raise InvalidValueError("number")


def to_decimal(value: object, places: int | None = None) -> Decimal:
    """Return `value` as a Decimal with at most `places` decimals (quantized to them), or raise."""
    number = _decimal(value)
    if not number.is_finite():
        raise InvalidValueError("number")
    if abs(number) >= _DECIMAL_LIMIT:
        raise InvalidValueError("too_large")
    if places is None:
        return number
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        raise InvalidValueError("places", places=places)
    try:
        return number.quantize(Decimal(1).scaleb(-places))
    except InvalidOperation:
        raise InvalidValueError("too_large") from None


def to_date(value: object) -> date:
    """Return `value` as a date (from a date or YYYY-MM-DD text), or raise InvalidValueError."""
    if isinstance(value, datetime):
        raise InvalidValueError("date")
    if isinstance(value, date):
        day = value
    elif isinstance(value, str) and _DATE_RE.fullmatch(value.strip()):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            raise InvalidValueError("date") from None
    else:
        raise InvalidValueError("date")
    if day.year not in _YEARS:
        raise InvalidValueError("date_range")
    return day


def to_datetime(value: object) -> datetime:
    """Return `value` as an aware datetime in China time (naive input is China time), or raise."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and _DATETIME_RE.fullmatch(value.strip()):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise InvalidValueError("datetime") from None
    else:
        raise InvalidValueError("datetime")
    if moment.year not in _YEARS:
        raise InvalidValueError("date_range")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=CHINA_TZ)
    return moment.astimezone(CHINA_TZ)


def to_text(value: object) -> str:
    """Return `value` if it is text, or raise InvalidValueError."""
    if not isinstance(value, str):
        raise InvalidValueError("string")
    return value


def to_attachment_id(value: object) -> str:
    """Return `value` if it has the shape of an attachment id (the service checks it exists)."""
    if not isinstance(value, str) or not _ATTACHMENT_ID_RE.fullmatch(value):
        raise InvalidValueError("attachment_id")
    return value


class FormField(fields.Field[_T]):
    """Base of form fields, with messages in the schema's locale."""

    error_keys: ClassVar[Mapping[str, str]] = {
        "required": "required",
        "null": "required",
        "validator_failed": "invalid_value",
    }

    def __init__(self, *args: Any, locale: Locale = "zh", **kwargs: Any) -> None:
        self.locale = locale
        error_messages: dict[str, Any] = messages(self.error_keys, locale)
        super().__init__(*args, error_messages=error_messages, **kwargs)


class ConvertingField(FormField[_T]):
    """A form field whose value is checked and converted by one plain function."""

    def convert(self, value: object) -> _T:
        """Return the converted value or raise InvalidValueError."""
        raise NotImplementedError

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> _T:
        try:
            return self.convert(value)
        except InvalidValueError as exc:
            raise ValidationError(message(exc.code, self.locale, **exc.values)) from None


class TextField(ConvertingField[str]):
    """Text (`string`, `text`, `choice` items)."""

    def convert(self, value: object) -> str:
        """Return the text unchanged."""
        return to_text(value)


class IntegerField(ConvertingField[int]):
    """A whole number within JavaScript's safe range."""

    def convert(self, value: object) -> int:
        """Return the value as an int."""
        return to_integer(value)


class DecimalField(ConvertingField[Decimal]):
    """An exact decimal (`decimal`, `money`), refused when it has more than `places` decimals."""

    def __init__(self, *, places: int | None = None, **kwargs: Any) -> None:
        self.places = places
        super().__init__(**kwargs)

    def convert(self, value: object) -> Decimal:
        """Return the value as a Decimal quantized to `places`."""
        return to_decimal(value, self.places)


class BooleanField(FormField[bool], fields.Boolean):
    """Yes or no (true/false, and the usual form spellings such as "on" or "1")."""

    error_keys = {**FormField.error_keys, "invalid": "boolean"}


class DateField(ConvertingField[date]):
    """A calendar date."""

    def convert(self, value: object) -> date:
        """Return the value as a date."""
        return to_date(value)


class DateTimeField(ConvertingField[datetime]):
    """An aware date and time, in China time."""

    def convert(self, value: object) -> datetime:
        """Return the value as an aware datetime."""
        return to_datetime(value)


class IdCardField(ConvertingField[str]):
    """An 18-digit 居民身份证 number."""

    def convert(self, value: object) -> str:
        """Return the canonical ID number."""
        return normalize_id_card(value, today=current_date())


class UsccField(ConvertingField[str]):
    """A 统一社会信用代码."""

    def convert(self, value: object) -> str:
        """Return the canonical credit code."""
        return normalize_uscc(value)


class PhoneField(ConvertingField[str]):
    """A mainland mobile or landline number."""

    def convert(self, value: object) -> str:
        """Return the number without spaces."""
        return normalize_phone(value)


class AttachmentIdField(ConvertingField[str]):
    """One attachment id inside an attachment slot."""

    def convert(self, value: object) -> str:
        """Return the id unchanged."""
        return to_attachment_id(value)


class ListField(FormField[list[Any]], fields.List[Any]):
    """A list (`multichoice`, `attachment`)."""

    error_keys = {**FormField.error_keys, "invalid": "list"}


class GroupField(FormField[Any], fields.Nested):
    """A group of fields, or a list of such groups when repeatable."""

    error_keys = {**FormField.error_keys, "type": "list"}

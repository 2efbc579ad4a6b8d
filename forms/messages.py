"""Validation messages in Chinese (the UI's first language) and English."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Final, Literal

Locale = Literal["zh", "en"]
LOCALES: Final[tuple[Locale, ...]] = ("zh", "en")
CHINA_TZ: Final = timezone(timedelta(hours=8), "Asia/Shanghai")

_CATALOG: Final[Mapping[str, tuple[str, str]]] = {
    # Each entry holds the Chinese message, then the English one.
    "required": ("此项为必填项。", "This field is required."),
    "unknown_field": ("表单中没有此字段。", "Unknown field."),
    "form_type": ("提交的表单数据格式无效。", "Invalid input type: the form data must be an object."),
    "group_type": ("应为一组字段。", "Must be an object."),
    "invalid_value": ("值无效。", "Invalid value."),
    "string": ("应为文本。", "Not a valid string."),
    "integer": ("应为整数。", "Not a valid integer."),
    "number": ("应为数字。", "Not a valid number."),
    "too_large": ("数值过大。", "Number too large."),
    "places": ("最多保留 {places} 位小数。", "At most {places} decimal places are allowed."),
    "boolean": ("应为“是”或“否”。", "Not a valid boolean."),
    "date": ("日期无效，格式应为 YYYY-MM-DD。", "Not a valid date (expected YYYY-MM-DD)."),
    "datetime": (
        "时间无效，格式应为 YYYY-MM-DDTHH:MM[:SS][+08:00]。",
        "Not a valid date and time (expected YYYY-MM-DDTHH:MM[:SS][+08:00]).",
    ),
    "date_range": (
        "日期超出可受理的范围（1900 年至 2199 年）。",
        "The date is outside the accepted range (years 1900 to 2199).",
    ),
    "list": ("应为列表。", "Not a valid list."),
    "choice": ("请从以下选项中选择：{choices}。", "Must be one of: {choices}."),
    "unique": ("不能有重复项。", "Items must not repeat."),
    "pattern": ("格式不正确。", "Invalid format."),
    "length_min": ("长度不能少于 {min} 个字符。", "Must be at least {min} characters long."),
    "length_max": ("长度不能超过 {max} 个字符。", "Must be at most {max} characters long."),
    "range_min": ("不能小于 {min}。", "Must be greater than or equal to {min}."),
    "range_max": ("不能大于 {max}。", "Must be less than or equal to {max}."),
    "time_min": ("不能早于 {min}。", "Must not be earlier than {min}."),
    "time_max": ("不能晚于 {max}。", "Must not be later than {max}."),
    "rows_min": ("至少填写 {min} 条。", "At least {min} entries are required."),
    "rows_max": ("最多填写 {max} 条。", "At most {max} entries are allowed."),
    "files_min": ("至少上传 {min} 个文件。", "At least {min} files are required."),
    "files_max": ("最多上传 {max} 个文件。", "At most {max} files are allowed."),
    "items_min": ("至少选择 {min} 项。", "Choose at least {min} options."),
    "items_max": ("最多选择 {max} 项。", "Choose at most {max} options."),
    "not_future_date": ("不能晚于今天。", "Must not be later than today."),
    "not_future_datetime": ("不能晚于当前时间。", "Must not be later than the current time."),
    "id_card_format": (
        "居民身份证号码应为 18 位：前 17 位为数字，末位为数字或 X。",
        "A resident ID number has 18 characters: 17 digits, then a digit or X.",
    ),
    "id_card_checksum": ("居民身份证号码校验位不正确。", "The check character of the ID number is wrong."),
    "id_card_birth_date": (
        "居民身份证号码中的出生日期无效。",
        "The birth date in the ID number is not valid.",
    ),
    "uscc_format": (
        "统一社会信用代码应为 18 位数字或大写字母（不含 I、O、Z、S、V）。",
        "A unified social credit code has 18 digits or capital letters (no I, O, Z, S, V).",
    ),
    "uscc_checksum": ("统一社会信用代码校验位不正确。", "The check character of the credit code is wrong."),
    "phone": (
        "电话号码格式不正确，请填写手机号码（如 13812345678）或固定电话（如 021-12345678）。",
        "Not a valid phone number: use a mobile (13812345678) or landline number (021-12345678).",
    ),
    "attachment_id": ("附件编号无效。", "Not a valid attachment id."),
}


def normalize_locale(locale: str) -> Locale:
    """Map a locale tag ("zh", "zh_Hans_CN", "en-US") to "zh" or "en"; refuse other languages."""
    if locale in ("zh", "en"):  # the hot path: validation on every task completion
        return "zh" if locale == "zh" else "en"
    language = locale.replace("-", "_").split("_", 1)[0].lower()
    if language == "zh":
        return "zh"
    if language == "en":
        return "en"
    raise ValueError(f"unsupported locale {locale!r}: forms speak zh and en")


def message(key: str, locale: Locale, **values: object) -> str:
    """Return the catalog message `key` in `locale`, with `values` shown for people."""
    zh, en = _CATALOG[key]
    template = zh if locale == "zh" else en
    return template.format(**{name: display(value) for name, value in values.items()}) if values else template


def messages(keys: Mapping[str, str], locale: Locale) -> dict[str, str]:
    """Return marshmallow `error_messages` for a field: {marshmallow key: catalog message}."""
    return {name: message(key, locale) for name, key in keys.items()}


def join(labels: Iterable[str], locale: Locale) -> str:
    """Join labels the way each language lists them."""
    return ("、" if locale == "zh" else ", ").join(labels)


def display(value: object) -> str:
    """Render a bound or value for people: China-time minutes for datetimes, plain text otherwise."""
    if isinstance(value, datetime):
        return value.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)

"""User-task forms: YAML definitions turned into validation, JSON Schema and page field specs.

Depends on marshmallow, PyYAML and the standard library only (never on workflows, service or Flask).
"""

from forms.definition import parse_form
from forms.errors import FormDefinitionError, FormError, FormRegistryError, UnknownForm
from forms.fields import (
    MONEY_MAX,
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
from forms.messages import CHINA_TZ, LOCALES, Locale, normalize_locale
from forms.model import Choice, FieldDefinition, FieldType, FormDefinition, LocalizedText, Repeat
from forms.registry import Form, FormRegistry, default_registry
from forms.sample import sample_input

__all__ = [
    "CHINA_TZ",
    "LOCALES",
    "MONEY_MAX",
    "Choice",
    "FieldDefinition",
    "FieldType",
    "Form",
    "FormDefinition",
    "FormDefinitionError",
    "FormError",
    "FormRegistry",
    "FormRegistryError",
    "InvalidValueError",
    "Locale",
    "LocalizedText",
    "Repeat",
    "UnknownForm",
    "default_registry",
    "id_card_check_char",
    "is_valid_id_card",
    "is_valid_phone",
    "is_valid_uscc",
    "normalize_id_card",
    "normalize_locale",
    "normalize_phone",
    "normalize_uscc",
    "parse_form",
    "sample_input",
    "uscc_check_char",
]

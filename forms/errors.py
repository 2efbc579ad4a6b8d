"""Errors raised while loading form definitions or looking forms up."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar


class FormError(Exception):
    """Base of every error the forms package raises (validation uses marshmallow's ValidationError)."""

    code: ClassVar[str] = "form_error"


class FormDefinitionError(FormError):
    """A form definition file is invalid, located by file name and YAML line (1-based)."""

    code = "form_definition_invalid"

    def __init__(self, file_name: str, line: int | None, message: str) -> None:
        self.file_name = file_name
        self.line = line
        self.message = message
        super().__init__(file_name, line, message)

    def as_dict(self) -> dict[str, Any]:
        """Return the problem as a JSON-safe dict."""
        return {"file": self.file_name, "line": self.line, "message": self.message}

    def __str__(self) -> str:
        where = f"{self.file_name}:{self.line}" if self.line else self.file_name
        return f"{where}: {self.message}"


class FormRegistryError(FormError):
    """One or more definition files failed to load; `errors` holds every finding."""

    code = "form_definitions_invalid"

    def __init__(self, errors: Sequence[FormDefinitionError]) -> None:
        self.errors = tuple(errors)
        super().__init__("\n".join(str(error) for error in self.errors))


class UnknownForm(FormError, KeyError):  # noqa: N818 - the name callers catch is part of the API
    """No form is registered under the requested key."""

    code = "form_unknown"

    def __init__(self, key: str) -> None:
        self.key = key
        super().__init__(key)

    def __str__(self) -> str:
        return f"no form with key {self.key!r}"

"""Fixtures for form tests."""

from __future__ import annotations

import textwrap
from collections.abc import Callable

import pytest

from forms import Form, parse_form


@pytest.fixture
def make_form() -> Callable[[str], Form]:
    """Return a function building a `Form` from inline YAML (file name without suffix: no stem check)."""

    def make(text: str) -> Form:
        return Form(parse_form(textwrap.dedent(text), "inline"))

    return make

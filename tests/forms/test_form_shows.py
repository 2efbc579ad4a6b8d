"""`shows`: a form names earlier case data to display read-only beside its inputs."""

from __future__ import annotations

import pytest

from forms import FormDefinitionError, parse_form

BASE = "key: approve\ntitle: {zh: 审批}\n%sfields:\n  - {name: ok, type: boolean, label: {zh: 同意}}\n"


def test_shows_lists_field_names_in_order() -> None:
    form = parse_form(BASE % "shows: [party_name, address]\n", "approve.yaml")
    assert form.shows == ("party_name", "address")


def test_a_form_without_shows_keeps_its_hash_basis() -> None:
    form = parse_form(BASE % "", "approve.yaml")
    assert form.shows == ()
    assert "shows" not in form.canonical_text()


@pytest.mark.parametrize("shows", ["shows: [Party]\n", "shows: [a, a]\n", "shows: []\n", "shows: name\n"])
def test_bad_shows_are_refused_at_their_line(shows: str) -> None:
    with pytest.raises(FormDefinitionError) as info:
        parse_form(BASE % shows, "approve.yaml")
    assert info.value.line == 3

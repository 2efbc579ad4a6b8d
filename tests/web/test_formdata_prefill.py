"""The task page starts a `prefill` field from the case data it names (the notice's fine)."""

from __future__ import annotations

from forms import default_registry
from service.web.formdata import prefilled


def test_the_notice_form_starts_from_the_proposed_fine() -> None:
    specs = default_registry().get("penalty_prior_notice").field_specs("zh")
    assert prefilled(specs, {"proposed_fine": "30000.00", "notice_content": "x"}) == {
        "notified_fine": "30000.00"
    }
    assert prefilled(specs, {"proposed_fine": None}) == {}

"""The case page offers both diagram layouts; each is served from the definition's template."""

from __future__ import annotations

import shutil

import pytest
from flask import Flask

from tests.web.conftest import signed_in_client
from tests.web.test_pages import _started_case, app, deployed  # noqa: F401  (fixtures)
from workflows import template_cache_stats

pytestmark = pytest.mark.skipif(shutil.which("neato") is None, reason="Graphviz is not installed")


def test_the_case_page_offers_the_bpmn_layout_and_draws_it(app: Flask, deployed: None) -> None:  # noqa: F811
    officer = signed_in_client(app, "officer1")
    case_id = _started_case(officer)
    page = officer.get(f"/cases/{case_id}?layout=bpmn").get_data(as_text=True)
    assert f"/cases/{case_id}/diagram?layout=bpmn" in page

    drawn = officer.get(f"/cases/{case_id}/diagram?layout=bpmn")
    assert drawn.status_code == 200
    assert 'id="node-register_case" class="node zf-ready" data-bpmn-id="register_case"' in drawn.get_data(
        as_text=True
    )


def test_a_second_case_of_the_same_version_reuses_the_layout(app: Flask, deployed: None) -> None:  # noqa: F811
    officer = signed_in_client(app, "officer1")
    first, second = _started_case(officer), _started_case(officer)
    assert officer.get(f"/cases/{first}/diagram?layout=bpmn").status_code == 200
    before = template_cache_stats()
    assert officer.get(f"/cases/{second}/diagram?layout=bpmn").status_code == 200
    after = template_cache_stats()
    assert after["misses"] == before["misses"]  # no second layout for the same definition version
    assert after["size"] == before["size"]

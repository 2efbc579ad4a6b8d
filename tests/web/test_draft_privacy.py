"""Drafts are one user's scratch pad: saving one is not a change of the case (no audit event), and no
one else ever sees it — not a colleague of the same role, not a leader, not the API, not the history."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tests.web import test_pages
from tests.web.conftest import signed_in_client
from tests.web.test_pages import _first_task, _started_case, _token

app = test_pages.app  # the fixture: the acceptance process, which officers may start from a page
deployed = test_pages.deployed

SECRET = "草稿中的当事人王某某"


def test_a_draft_is_seen_only_by_the_user_who_typed_it(app: Flask, deployed: None, login: Any) -> None:
    officer1 = signed_in_client(app, "officer1")
    case_id = _started_case(officer1)
    task_id = _first_task(officer1)
    saved = officer1.post(
        f"/tasks/{task_id}/draft", data={"party_name": SECRET, "csrf_token": _token(officer1)}
    )
    assert saved.status_code == 204
    assert SECRET in officer1.get(f"/tasks/{task_id}").get_data(as_text=True)  # read back on reload

    officer2 = signed_in_client(app, "officer2")  # same role: may take the task, sees its own empty form
    page = officer2.get(f"/tasks/{task_id}")
    assert page.status_code == 200
    assert SECRET not in page.get_data(as_text=True)
    assert SECRET not in signed_in_client(app, "squad_leader").get(f"/tasks/{task_id}").get_data(as_text=True)
    assert SECRET not in signed_in_client(app, "auditor").get(f"/cases/{case_id}").get_data(as_text=True)

    # Another user's draft does not replace it.
    other = officer2.post(
        f"/tasks/{task_id}/draft", data={"party_name": "别人", "csrf_token": _token(officer2)}
    )
    assert other.status_code == 204
    assert SECRET in officer1.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert SECRET not in officer2.get(f"/tasks/{task_id}").get_data(as_text=True)

    for username in ("officer1", "auditor"):
        api = login(username)
        assert SECRET not in str(api.get(f"/tasks/{task_id}").json)
        assert SECRET not in str(api.get(f"/process-instances/{case_id}").json)
    events = login("auditor").get(f"/process-instances/{case_id}/events").json["items"]
    assert SECRET not in str(events)
    assert [e["kind"] for e in events] == ["instance_started"]  # saving drafts changed nothing

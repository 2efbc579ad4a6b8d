"""Migrating 20 running complaint cases over HTTP onto a real change of the complaint process.

The cases wait in five places: 职责审核 (a user task whose form the change makes incompatible),
先行联系 (a user task with its deadline timer), the contact escalation (removed by the change),
现场核查 inside the 限时办结 sub-process, and the message from the case a complaint turned into.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from forms import default_registry
from tests.conftest import DATA, Api, deploy_dir, make_test_app
from tests.service.walk import USER_OF_ROLE, task_input

BPMN = Path(__file__).parents[2] / "bpmn"
CHANGE = DATA / "migration"
TODAY = date(2025, 9, 26)
ANSWERS: dict[str, dict[str, Any]] = {
    "review_remit": {"remit_decision": "accept"},
    "decide_handling": {"handling_method": "dissuade", "needs_extension": False},
    "choose_case_type": {"case_type": "load_bearing"},
    "inspect_site": {"entry_result": "entered"},
    "record_appraisal_result": {"is_load_bearing": False, "hazard_grade": None},
    "determine_violation": {"determination": "not_load_bearing"},
    "close_lead": {"lead_closure_reason": "not_load_bearing", "lead_closure_summary": "经检测为非承重墙"},
    "approve_lead_closure": {"lead_closure_decision": "approve"},
    "visit_reporter": {"satisfaction": "satisfied"},
}
TO_CASE = ANSWERS | {"decide_handling": {"handling_method": "to_case", "needs_extension": False}}
MIGRATIONS = "/process-definitions/complaint_handling/migrations"


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The service with the bureau's own forms, its clock pinned to a Friday before National Day."""
    app = make_test_app(database_url, tmp_path, FIXED_NOW="2025-09-26T15:00:00+08:00")
    yield app
    app.extensions["zhifa.engine"].dispose()


class Cases:
    """Start complaints and move them along through the API, each task done by a user of its role."""

    def __init__(self, login: Any) -> None:
        self.login = login
        self.auditor: Api = login("auditor")

    def start(self) -> int:
        response = self.login("hotline_liaison").post(
            "/process-instances", json={"process_key": "complaint_handling"}
        )
        assert response.status_code == 201, response.json
        return int(response.json["id"])

    def show(self, instance_id: int) -> dict[str, Any]:
        body: dict[str, Any] = self.auditor.get(f"/process-instances/{instance_id}").json
        return body

    def step(self, task: dict[str, Any], answers: dict[str, dict[str, Any]]) -> None:
        api = self.login(USER_OF_ROLE[task["role"]])
        data = task_input(api, task["id"], default_registry(), answers.get(task["bpmn_id"], {}), TODAY)
        response = api.post(f"/tasks/{task['id']}/complete", json={"data": data})
        assert response.status_code == 200, (task["bpmn_id"], response.json)

    def drive(
        self, instance_id: int, stop_at: str | None, answers: dict[str, dict[str, Any]] = ANSWERS
    ) -> None:
        """Complete tasks until `stop_at` is open (None: until no task is open)."""
        for _ in range(30):
            tasks = self.show(instance_id)["tasks"]
            if not tasks or stop_at in {t["bpmn_id"] for t in tasks}:
                return
            self.step(tasks[0], answers)
        raise AssertionError(f"case {instance_id} never reached {stop_at}")

    def at(self, stop_at: str | None, count: int, answers: dict[str, dict[str, Any]] = ANSWERS) -> list[int]:
        ids = [self.start() for _ in range(count)]
        for instance_id in ids:
            self.drive(instance_id, stop_at, answers)
        return ids

    def finish_all(self) -> None:
        """Walk every running case (complaints and the cases they started) until none has a task."""
        for _ in range(6):
            running = self.auditor.get("/process-instances?status=running&per_page=100").json["items"]
            with_tasks = [i["id"] for i in running if self.show(i["id"])["tasks"]]
            if not with_tasks:
                return
            for instance_id in with_tasks:
                self.drive(instance_id, None)


def _deploy_change(owner: Api) -> None:
    response = deploy_dir(owner, CHANGE)
    assert response.status_code == 201, response.json
    assert {i["key"]: i["version"] for i in response.json["items"] if i["created"]} == {
        "complaint_handling": 2
    }


def _twenty_cases(cases: Cases, runner: Any) -> dict[str, list[int]]:
    places = {"escalation": cases.at("first_contact", 4)}
    fired = runner.invoke(["timers", "run", "--now", "2025-09-29T09:00:00+08:00"])
    assert fired.exit_code == 0, fired.output
    places["remit"] = cases.at("review_remit", 4)
    places["contact"] = cases.at("first_contact", 4)
    places["site_check"] = cases.at("on_site_check", 4)
    places["message"] = cases.at(None, 4, TO_CASE)
    assert all(
        "escalate_contact_overdue" in {t["bpmn_id"] for t in cases.show(i)["tasks"]}
        for i in places["escalation"]
    )
    assert all(cases.show(i)["tasks"] == [] for i in places["message"])
    return places


def test_dry_run_then_migration_moves_those_that_can_and_they_finish_on_the_new_version(
    app: Flask, login: Any, runner_for: Any
) -> None:
    owner, cases = login("process_owner"), Cases(login)
    assert deploy_dir(owner, BPMN).status_code == 201
    places = _twenty_cases(cases, runner_for(app))
    _deploy_change(owner)

    dry = owner.post(MIGRATIONS, json={"from": 1, "to": 2, "dry_run": True})
    assert dry.status_code == 200, dry.json
    by_id = {c["instance_id"]: c for c in dry.json["cases"]}
    assert (len(by_id), dry.json["movable"], dry.json["blocked"], dry.json["moved"]) == (20, 12, 8, 0)
    movable = {p for p, ids in places.items() if all(by_id[i]["can_move"] for i in ids)}
    assert movable == {"contact", "site_check", "message"}
    assert "review_remit" in by_id[places["remit"][0]]["reasons"][0]
    assert "remit_checked_by" in by_id[places["remit"][0]]["reasons"][0]
    assert "escalate_contact_overdue" in by_id[places["escalation"][0]]["reasons"][0]
    assert {"first_contact", "timer_contact_overdue"} <= set(by_id[places["contact"][0]]["at"])
    assert "catch_case_closed" in by_id[places["message"][0]]["at"]
    assert {cases.show(i)["definition"]["version"] for i in by_id} == {1}  # a dry run changes nothing

    done = owner.post(MIGRATIONS, json={"from": 1, "to": 2, "dry_run": False})
    assert (done.json["moved"], done.json["blocked"]) == (12, 8)
    versions = {i: cases.show(i)["definition"]["version"] for i in by_id}
    assert {i for i, v in versions.items() if v == 2} == {
        i for p in ("contact", "site_check", "message") for i in places[p]
    }
    contact = cases.show(places["contact"][0])
    assert [t["name"] for t in contact["tasks"]] == ["先行联系诉求人（电话或上门）"]
    assert [t["bpmn_id"] for t in contact["timers"]] == ["timer_contact_overdue"]
    events = cases.auditor.get(f"/process-instances/{places['contact'][0]}/events").json["items"]
    assert events[-1]["kind"] == "instance_migrated"

    cases.finish_all()
    for place, ids in places.items():
        for instance_id in ids:
            body = cases.show(instance_id)
            assert body["status"] == "completed", (place, instance_id, body["tasks"])
            assert body["definition"]["version"] == versions[instance_id]
    assert cases.auditor.get("/audit/verify").json["ok"] is True


def test_diff_names_the_changed_elements_and_refuses_bad_input(login: Any) -> None:
    owner = login("process_owner")
    assert deploy_dir(owner, BPMN).status_code == 201
    _deploy_change(owner)
    diff = owner.get("/process-definitions/complaint_handling/diff?from=1&to=2")
    assert diff.status_code == 200, diff.json
    changes = {e["element_id"]: e["change"] for e in diff.json["elements"]}
    assert changes["escalate_contact_overdue"] == "removed"
    assert changes["supervise_contact_overdue"] == "added"
    assert changes["first_contact"] == "changed"
    assert {f["flow_id"] for f in diff.json["flows_rewired"]} == {
        "flow_contact_overdue",
        "flow_contact_escalated",
    }
    forms = {f["key"]: f["change"] for f in diff.json["forms"]}
    assert forms == {"complaint_remit_review_v2": "added", "complaint_remit_review": "removed"}
    missing = owner.get("/process-definitions/complaint_handling/diff?from=1")
    assert (missing.status_code, list(missing.json["details"])) == (422, ["to"])
    unknown = owner.get("/process-definitions/complaint_handling/diff?from=1&to=9")
    assert (unknown.status_code, list(unknown.json["details"])) == (422, ["to"])
    assert owner.get("/process-definitions/no_such/diff?from=1&to=2").status_code == 404


def test_only_process_owners_migrate_and_bad_requests_name_the_field(login: Any) -> None:
    owner = login("process_owner")
    assert deploy_dir(owner, BPMN).status_code == 201
    _deploy_change(owner)
    assert login("officer1").post(MIGRATIONS, json={"from": 1, "to": 2}).status_code == 403
    assert login("auditor").post(MIGRATIONS, json={"from": 1, "to": 2}).status_code == 403
    same = owner.post(MIGRATIONS, json={"from": 2, "to": 2})
    assert (same.status_code, list(same.json["details"])) == (422, ["to"])
    text = owner.post(MIGRATIONS, json={"from": "one", "to": 2})
    assert (text.status_code, list(text.json["details"])) == (422, ["from"])
    assert "Traceback" not in text.get_data(as_text=True)


def test_diff_of_a_changed_form_names_its_changed_fields(login: Any, tmp_path: Path) -> None:
    owner = login("process_owner")
    assert deploy_dir(owner, BPMN).status_code == 201
    form = (BPMN.parent / "forms" / "definitions" / "complaint_remit_review.yaml").read_text(encoding="utf-8")
    changed = tmp_path / "forms" / "complaint_remit_review.yaml"
    changed.parent.mkdir()
    changed.write_text(
        form.replace("    max_length: 200", "    max_length: 200\n    required: true"), "utf-8"
    )
    # The form goes with the diagram that uses it (a form upload alone makes no new version yet).
    assert deploy_dir(owner, changed.parent, BPMN / "complaint_handling.bpmn").status_code == 201
    diff = owner.get("/process-definitions/complaint_handling/diff?from=1&to=2").json
    assert diff["elements"] == []
    assert diff["forms"] == [
        {
            "key": "complaint_remit_review",
            "change": "changed",
            "fields": [{"name": "remit_basis", "old": "string", "new": "string required"}],
        }
    ]

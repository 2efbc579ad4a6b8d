"""A case of the acceptance process taken through its first steps, for the audit tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from forms import FormRegistry
from tests.conftest import DATA, Api, deploy_dir
from tests.service.walk import USER_OF_ROLE, task_input

ACCEPTANCE = DATA / "acceptance"
FORMS = FormRegistry.from_directory(ACCEPTANCE / "forms")
TODAY = date(2026, 10, 9)
PARTY = "上海审计测试装饰有限公司"
ADDRESS = "叶城路 88 号 1201 室"
ANSWERS: dict[str, dict[str, Any]] = {
    "register_case": {"party_name": PARTY, "address": ADDRESS, "received_on": "2026-09-29"},
    "approve_filing": {"filing_decision": "approve", "filing_opinion": "同意立案"},
    "inspect_site": {"damaged_area": "35.50"},
    "review_evidence": {"evidence_sufficient": True},
    "draft_decision": {"decision_text": "责令当事人限期恢复承重结构，并处罚款人民币伍万元整"},
}
DECISION_TEXT = ANSWERS["draft_decision"]["decision_text"]


def audited_case(login: Callable[[str], Api], steps: int = 3) -> int:
    """Deploy the acceptance process, start a case and complete its first `steps` tasks; return its id."""
    assert deploy_dir(login("process_owner"), ACCEPTANCE).status_code in {200, 201}  # 200: already there
    response = login("officer1").post("/process-instances", json={"process_key": "case_flow", "data": {}})
    assert response.status_code == 201, response.json
    instance_id: int = response.json["id"]
    viewer = login("auditor")
    for _ in range(steps):
        tasks = viewer.get(f"/process-instances/{instance_id}").json["tasks"]
        task = next((t for t in tasks if t["bpmn_id"] == "draft_decision"), tasks[0])
        api = login(USER_OF_ROLE[task["role"]])
        data = task_input(api, task["id"], FORMS, ANSWERS.get(task["bpmn_id"], {}), TODAY)
        done = api.post(f"/tasks/{task['id']}/complete", json={"data": data})
        assert done.status_code == 200, done.json
    return instance_id

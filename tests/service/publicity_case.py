"""A published 行政执法公示 record of a natural person, for the public page tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from forms import default_registry
from tests.conftest import Api, deploy_dir
from tests.service.walk import USER_OF_ROLE, task_input

BPMN = Path(__file__).parents[2] / "bpmn"
NOW = "2026-12-01T10:00:00+08:00"
TODAY = date(2026, 12, 1)
PERSON_ID = "310114198503152413"  # a valid number (check digit), born 1985-03-15
ADDRESS = "嘉定区叶城路1号301室"
DECISION = {
    "case_no": "嘉城管案〔2026〕第0321号",
    "case_type": "load_bearing",
    "decision_no": "嘉城管罚决字〔2026〕第0321号",
    "decided_on": "2026-11-27",
    "party_type": "individual",
    "party_name": "张三丰",
    "party_id_number": PERSON_ID,
    "legal_representative": None,
    "party_address": ADDRESS,
    "violation_facts": f"当事人在{ADDRESS}装修时擅自拆除承重墙",
    "penalty_kind": "fine",
    "legal_basis": "《上海市住宅物业管理规定》第五十六条第二款第一项、第八十三条",
    "fine_amount": "50000.00",
    "performance_method": "自收到决定书之日起十五日内缴纳罚款",
    "deciding_organ": "上海市嘉定区城市管理行政执法局",
}
PUBLISHED_FACTS = "当事人在嘉定区某小区住宅装修时擅自拆除承重墙"
ANSWERS: dict[str, dict[str, Any]] = {
    "prepare_publicity_record": {"published_facts": PUBLISHED_FACTS, "exemption": "none"},
    "review_publicity_record": {"review_result": "approve", "review_opinion": "同意公示"},
    "publish_publicity_record": {
        "published_on": TODAY.isoformat(),
        "publicity_channels": ["district_portal"],
    },
}
UNMASKED = ("张三丰", PERSON_ID, ADDRESS, "叶城路1号")


def published_record(login: Callable[[str], Api], data: dict[str, Any] | None = None) -> int:
    """Deploy the bureau's processes, start a publicity case and take it to publication; return its id."""
    assert deploy_dir(login("process_owner"), BPMN).status_code in {200, 201}
    started = login("clerk").post(
        "/process-instances",
        json={"process_key": "enforcement_publicity", "data": {**DECISION, **(data or {})}},
    )
    assert started.status_code == 201, started.json
    instance_id: int = started.json["id"]
    viewer = login("auditor")
    for bpmn_id, answers in ANSWERS.items():
        task = next(
            t
            for t in viewer.get(f"/process-instances/{instance_id}").json["tasks"]
            if t["bpmn_id"] == bpmn_id
        )
        api = login(USER_OF_ROLE[task["role"]])
        answer = task_input(api, task["id"], default_registry(), answers, TODAY)
        done = api.post(f"/tasks/{task['id']}/complete", json={"data": answer})
        assert done.status_code == 200, done.json
    return instance_id

"""诉转案 chooses the case type from the catalogue (issue 9 item 10).

损坏承重结构 starts a load-bearing case as before; any other type of the catalogue
(`bpmn/penalty_case_types.dmn`) starts a standalone `penalty_procedure` with its start data, and the
complaint records which case, of which process, was started.
"""

from __future__ import annotations

import re
from datetime import date

from forms import default_registry
from tests.bpmn.steps_complaint import BPMN, at, end_of, fill, open_case, router_starts_case, send, work_order
from tests.workflows.scenario import Scenario, load_files
from workflows import InstanceStatus

DAY = date(2025, 9, 26)
PENALTY_INSTANCE_ID = 815
FILING = {
    "case_type": "illegal_construction",
    "case_no": "嘉城管立〔2025〕0107号",
    "filed_on": DAY,
    "party_type": "individual",
    "party_name": "赵某",
    "party_id_number": "11010519491231002X",
    "party_address": "嘉定区叶城路1号301室",
    "violation_facts": "在屋顶平台擅自搭建彩钢板房约20㎡",
    "discretion": {"band_low": "5000", "band_high": "50000", "score": 40},
}


def _order() -> dict[str, object]:
    return work_order(at(DAY), content="楼顶违法搭建彩钢板房")


def test_the_conversion_form_offers_the_case_types_of_the_catalogue() -> None:
    text = (BPMN / "penalty_case_types.dmn").read_text(encoding="utf-8")
    catalogue = re.findall(r'<inputEntry id="rule_\w+_case_type">\s*<text>"(\w+)"</text>', text)
    (case_type,) = [
        f
        for f in default_registry().get("complaint_case_conversion").definition.fields
        if f.name == "case_type"
    ]
    assert [c.value for c in case_type.choices] == catalogue
    assert "load_bearing" in catalogue


def test_a_load_bearing_conversion_still_starts_a_load_bearing_case() -> None:
    s = open_case(_order(), DAY, {"case_type": "load_bearing"})
    assert router_starts_case(s)["complaint_no"] == "2025092612345001"


def test_another_case_type_starts_a_penalty_procedure_with_its_start_data_and_is_recorded() -> None:
    s = open_case(_order(), DAY, FILING)
    (message,) = s.instance.thrown_messages()
    assert message.name == "start.penalty_procedure"
    payload = message.payload
    assert isinstance(payload, dict)
    assert {k: payload[k] for k in ("case_no", "filed_on", "case_type", "party_name", "violation_facts")} == {
        "case_no": "嘉城管立〔2025〕0107号",
        "filed_on": "2025-09-26",
        "case_type": "illegal_construction",
        "party_name": "赵某",
        "violation_facts": "在屋顶平台擅自搭建彩钢板房约20㎡",
    }
    assert (payload["complaint_no"], payload["address"]) == ("2025092612345001", "嘉定区叶城路1号301室")
    assert payload["legal_basis"] is None  # the catalogue fills it in

    # What the router does with it: the penalty procedure runs on that data alone.
    penalty = Scenario(load_files(BPMN), "penalty_procedure", dict(payload), now=at(DAY, 15, 11))
    assert set(penalty.open()) == {"draft_investigation_report"}
    assert penalty.data["case_type_name"] == "违法搭建"
    assert penalty.data["legal_basis"] == "《上海市拆除违法建筑若干规定》（条款待局确认）"

    send(
        s, "started.penalty_procedure", {"instance_id": PENALTY_INSTANCE_ID, "case_no": None}, at(DAY, 15, 12)
    )
    assert (s.data["linked_case_instance_id"], s.data["linked_case_no"], s.data["linked_case_process"]) == (
        PENALTY_INSTANCE_ID,
        "嘉城管立〔2025〕0107号",
        "penalty_procedure",
    )
    # The reporter is told of the filing; the complaint does not wait for the penalty case to end.
    feedback = s.task("give_final_feedback")
    assert feedback.due_at == end_of(date(2025, 10, 10))  # 5 working days; National Day in between
    fill(
        s,
        "give_final_feedback",
        {
            "feedback_at": at(DAY, 16),
            "feedback_method": "phone",
            "feedback_content": "已立案查处",
            "reporter_reached": True,
        },
        at(DAY, 16),
    )
    assert s.instance.status() is InstanceStatus.COMPLETED


def test_an_other_type_without_its_filing_data_comes_back_to_the_officer() -> None:
    s = open_case(_order(), DAY, {"case_type": "street_vending", "party_name": "赵某"})
    assert s.instance.thrown_messages() == []
    assert set(s.open()) == {"choose_case_type"}
    fill(s, "choose_case_type", FILING | {"case_type": "street_vending"}, at(DAY, 15, 30))
    (message,) = s.instance.thrown_messages()
    assert (message.name, message.payload["case_type"]) == ("start.penalty_procedure", "street_vending")

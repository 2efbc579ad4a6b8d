"""Every user task in bpmn/ either carries its due date, its warning and the rule behind them, or says
why it has no time limit (issue 9 item 10; docs/legal.md, “Deadlines and their legal basis”).

A task with a time limit has `dueDate`, `warnBefore` (working days before the due date that it shows
as due soon; 0 = no advance warning) and a non-empty `legalBasis`: the law, or “局内规定 [?]” naming the
DMN setting that holds the value. A task without one has `noTimeLimit` = the reason, and no `dueDate`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

BPMN = Path(__file__).parents[2] / "bpmn"
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "s": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}
DIAGRAMS = sorted(BPMN.glob("*.bpmn"))
DMN_TEXT = "".join(p.read_text(encoding="utf-8") for p in BPMN.glob("*.dmn"))


def _tasks(path: Path) -> list[tuple[str, dict[str, str]]]:
    root = etree.parse(str(path)).getroot()
    return [
        (
            task.get("id"),
            {
                p.get("name"): p.get("value")
                for p in task.xpath("bpmn:extensionElements/s:properties/s:property", namespaces=NS)
            },
        )
        for task in root.iter(f"{{{NS['bpmn']}}}userTask")
    ]


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.name)
def test_every_user_task_has_a_due_date_with_its_basis_or_says_why_not(path: Path) -> None:
    tasks = _tasks(path)
    assert tasks
    neither = [t for t, props in tasks if "dueDate" not in props and "noTimeLimit" not in props]
    both = [t for t, props in tasks if "dueDate" in props and "noTimeLimit" in props]
    assert (neither, both) == ([], [])
    unexplained = [t for t, props in tasks if "noTimeLimit" in props and not props["noTimeLimit"].strip()]
    assert unexplained == []
    for task, props in tasks:
        if "dueDate" in props:
            assert (props.get("legalBasis") or "").strip(), f"{task}: dueDate without legalBasis"
            assert (props.get("warnBefore") or "").isdigit(), f"{task}: dueDate without warnBefore"


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.name)
def test_every_legal_basis_is_non_empty(path: Path) -> None:
    root = etree.parse(str(path)).getroot()
    bases = root.xpath("//s:property[@name='legalBasis']/@value", namespaces=NS)
    assert [b for b in bases if not b.strip()] == []


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.name)
def test_a_bureau_rule_names_a_setting_the_bureau_can_change(path: Path) -> None:
    """“局内规定 [?]” with a DMN setting in brackets: that setting exists in a decision table."""
    for task, props in _tasks(path):
        basis = props.get("legalBasis") or ""
        if "局内规定 [?]（" not in basis:
            continue
        names = re.findall(r"\b([a-z]+(?:_[a-z]+)+)\b(?!\.dmn)", basis)
        assert names, f"{task}: {basis}"
        assert all(f'name="{n}"' in DMN_TEXT for n in names), f"{task}: {basis}"

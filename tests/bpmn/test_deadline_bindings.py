"""Every working-day computation in the bureau's diagrams says whom the deadline binds (issue 6)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

BPMN = Path(__file__).parents[2] / "bpmn"
HELPERS = {"add_workdays", "workdays_between", "calendar_deadline", "is_workday"}
# Expressions live in property values, timer and condition bodies and scripts; unescaped by the XML parser.
_SOURCES = re.compile(
    r'value="([^"]*)"|<bpmn:(?:script|timeDate|conditionExpression)[^>]*>(.*?)</bpmn:', re.S
)


def _calls(text: str) -> list[ast.Call]:
    found = []
    for match in _SOURCES.finditer(text):
        source = (match.group(1) or match.group(2) or "").replace("&gt;", ">").replace("&lt;", "<")
        source = source.replace("&quot;", '"').replace("&amp;", "&")
        try:
            tree = ast.parse(source.strip())
        except SyntaxError:
            continue  # plain property values such as form keys
        found += [
            n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", None) in HELPERS
        ]
    return found


@pytest.mark.parametrize(
    "path", sorted(BPMN.glob("*.bpmn")) + sorted(BPMN.glob("*.dmn")), ids=lambda p: p.name
)
def test_each_calendar_helper_call_names_bureau_or_party(path: Path) -> None:
    for call in _calls(path.read_text(encoding="utf-8")):
        binds = [k.value for k in call.keywords if k.arg == "binds"]
        assert len(binds) == 1, f"{path.name}: {ast.unparse(call)} does not say binds='bureau' or 'party'"
        assert isinstance(binds[0], ast.Constant), ast.unparse(call)
        assert binds[0].value in ("bureau", "party"), ast.unparse(call)


def test_the_party_rights_of_the_penalty_procedure_bind_the_party() -> None:
    text = (BPMN / "penalty_procedure.bpmn").read_text(encoding="utf-8")
    party = {ast.unparse(c.args[0]) for c in _calls(text) if ast.unparse(c.keywords[0].value) == "'party'"}
    # hearing request, statement period, hearing notice, payment and remedies, the 催告 period
    assert {"notice_served_on", "hearing_notice_served_on", "served_on", "reminder_served_on"} <= party

"""The studio modeler in Chromium: bpmn-js opens every bureau diagram and saves it keeping every
extension element; the page shows Chinese palette labels and the bpmn.io watermark."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from lxml import etree

from tests.web.test_studio_done_browser import _select, _set_field
from workflows import load_definitions

BPMN = Path(__file__).parents[2] / "bpmn"
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
# Attributes bpmn-js leaves out on save because they hold the BPMN default.
DEFAULTS = {("cancelActivity", "true"), ("isInterrupting", "true"), ("isImmediate", "true")}
KEPT = ("conditionExpression", "script", "timeDate", "timeDuration", "timeCycle", "documentation")


def _essentials(xml: str) -> dict[str, Any]:
    """Map element id -> what the service reads: Spiff extensions, scripts, conditions, timers, refs."""
    root = etree.fromstring(xml.encode())
    found: dict[str, Any] = {}
    for node in root.iter():
        if not isinstance(node.tag, str) or not node.get("id"):
            continue
        spiff = sorted(
            (etree.QName(x).localname, tuple(sorted(x.attrib.items())), (x.text or "").strip())
            for x in node.iter()
            if isinstance(x.tag, str) and x.tag.startswith(SPIFF) and _owner(x) is node
        )
        texts = sorted(
            (etree.QName(x).localname, "".join(x.itertext()).strip())
            for x in node
            if isinstance(x.tag, str) and etree.QName(x).localname in KEPT
        )
        attrs = {k: v for k, v in node.attrib.items() if "}" not in k and (k, v) not in DEFAULTS}
        found[node.get("id")] = (etree.QName(node).localname, attrs, spiff, texts)
    return found


def _owner(node: Any) -> Any:
    current = node.getparent()
    while current is not None and not current.get("id"):
        current = current.getparent()
    return current


def test_saving_through_bpmn_js_keeps_every_extension_of_every_bureau_diagram(
    open_page: Callable[..., Any],
) -> None:
    page = open_page("process_owner")
    page.goto("/studio/complaint_handling/edit")
    page.wait_for_selector("#zf-canvas .djs-container svg")
    originals = {p.name: p.read_text(encoding="utf-8") for p in sorted(BPMN.glob("*.bpmn"))}
    saved = {
        name: page.evaluate("xml => window.zfStudio.roundTrip(xml)", text) for name, text in originals.items()
    }
    for name, text in originals.items():
        kept, had = _essentials(saved[name]), _essentials(text)
        assert kept == had, (
            name,
            [(k, had.get(k), kept.get(k)) for k in had.keys() | kept.keys() if had.get(k) != kept.get(k)][:3],
        )
    dmn = {p.name: p.read_text(encoding="utf-8") for p in BPMN.glob("*.dmn")}
    before = load_definitions({**originals, **dmn})
    after = load_definitions({**saved, **dmn})
    assert sorted(after) == sorted(before)
    for key, definition in before.items():
        assert after[key].user_tasks == definition.user_tasks
        assert after[key].external_messages == definition.external_messages


def test_the_modeler_page_is_in_chinese_and_keeps_the_bpmn_io_watermark(
    open_page: Callable[..., Any],
) -> None:
    page = open_page("process_owner")
    page.goto("/studio/complaint_handling/edit")
    page.wait_for_selector("#zf-canvas .djs-container svg")
    assert page.locator(".bjs-powered-by").is_visible()
    assert page.locator(".djs-palette [aria-label='添加任务']").count() == 1
    tabs = page.locator("#zf-files button").all_inner_texts()
    assert tabs == ["complaint_handling.bpmn", "complaint_handling_rules.dmn", "complaint_time_limits.dmn"]
    page.locator("#zf-canvas [data-element-id='review_remit']").click()
    assert page.locator("#zf-panel [data-field='formKey']").input_value() == "complaint_remit_review"


def test_a_forbidden_expression_in_a_decision_table_is_marked_in_the_table(
    open_page: Callable[..., Any],
) -> None:
    page = open_page("process_owner")
    page.goto("/studio/complaint_handling/edit")
    page.wait_for_selector("#zf-canvas .djs-container svg")
    page.locator("#zf-files button[data-file='complaint_time_limits.dmn']").click()
    page.locator("td[data-element-id='rule_critical_first_contact_hours']").click()
    page.keyboard.press("Control+A")
    page.keyboard.type("__import__('os')")
    page.locator("td[data-element-id='rule_critical_reply_workdays']").click()
    page.get_by_test_id("validate").click()
    page.wait_for_selector("#zf-status.alert-danger")
    assert "complaint_time_limits.dmn" in page.get_by_test_id("problems").inner_text()
    assert page.locator("#zf-canvas .zf-invalid-cell").count() >= 1


def _check_forbidden_condition(page: Any) -> str:
    page.wait_for_selector("#zf-canvas .djs-container svg")
    _select(page, "flow_remit_accept")
    _set_field(page, "condition", "open('x') == 1")
    page.get_by_test_id("validate").click()
    page.wait_for_selector(".zf-problem-badge[data-element='flow_remit_accept']")
    return str(page.get_by_test_id("problems").inner_text())


def test_validation_problems_show_in_the_page_language(open_page: Callable[..., Any]) -> None:
    page = open_page("process_owner")
    page.goto("/studio/complaint_handling/edit")
    chinese = _check_forbidden_condition(page)
    assert "条件表达式：不允许调用 open" in chinese
    assert "is not allowed" not in chinese
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.lang") == "en"
    english = _check_forbidden_condition(page)
    assert "condition: calling 'open' is not allowed" in english
    assert "不允许" not in english

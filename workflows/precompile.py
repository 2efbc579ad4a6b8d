"""Every expression and script of a definition, so they can be compiled before their first run.

The sandbox checks and compiles each source once per process (`sandbox_check.compile_checked`,
cached), but only when a case first runs it: the first 合议 of a process after a restart compiled
the ~40 cells of its discretion tables inside that officer's request. `sources` lists what a
definition will evaluate, spelled exactly as the engine will pass it; `WorkflowEngine.precompile`
fills the cache with them (service: when definitions are warmed at start-up).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import Any, Literal

from .loader import ProcessDefinition

Mode = Literal["eval", "exec"]
# SpiffWorkflow's DMN engine turns `?` outside quotes into this name (DMNEngine.evaluate).
_DMN_INPUT = re.compile(r"(\?)(?=(?:[^'\"]|['\"][^'\"]*['\"])*$)")


def sources(definition: ProcessDefinition) -> Iterator[tuple[str, Mode]]:
    """Yield (source, mode) for every script, condition, timer, DMN cell and due-date expression."""
    for spec in [definition.spec, *definition.subprocess_specs.values()]:
        for task_spec in spec.task_specs.values():
            yield from _of_task(task_spec)
    for meta in definition.user_tasks.values():
        if meta.due_expression:
            yield meta.due_expression, "eval"


def _of_task(task_spec: Any) -> Iterator[tuple[str, Mode]]:
    for name in ("script", "prescript", "postscript"):
        if text := getattr(task_spec, name, None):
            yield text, "exec"
    for condition, _ in getattr(task_spec, "cond_task_specs", None) or ():
        text = (getattr(condition, "args", None) or [None])[0]  # a gateway's flow condition
        if isinstance(text, str) and text:
            yield text, "eval"
    for name in ("condition", "cardinality"):  # multi-instance completion condition and count
        if isinstance(text := getattr(task_spec, name, None), str) and text:
            yield text, "eval"
    event = getattr(task_spec, "event_definition", None)
    if isinstance(text := getattr(event, "expression", None), str) and text:
        yield text, "eval"
    engine = getattr(task_spec, "dmnEngine", None)
    if engine is not None:
        yield from _of_decision_table(engine.decision_table)


def _of_decision_table(table: Any) -> Iterator[tuple[str, Mode]]:
    for rule in table.rules:
        for entry in rule.inputEntries:
            input_expr = entry.input.expression
            for cell in entry.lhs:
                if cell is None or not input_expr:
                    continue
                match = _DMN_INPUT.sub("dmninputexpr", cell)
                if "dmninputexpr" in match:
                    yield input_expr, "eval"
                    yield match, "eval"
                else:
                    yield (f"({input_expr}) == ({match})" if _parses(match) else input_expr + match), "eval"
        for entry in rule.outputEntries:
            if getattr(entry, "text", None):
                yield entry.text, "eval"


def _parses(text: str) -> bool:
    try:
        ast.parse(text)
    except SyntaxError:
        return False
    return True

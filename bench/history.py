"""Completion cost along one long case: a load-bearing case looping in its rectification review.

The case is driven over the API to its rectification stage (an embedded sub-process) with the
ordinary answers and a rectification deadline 30 days away (no timer fires meanwhile); then the
officer records follow-up visits, "still in progress, no extension asked", again and again: each
round completes `record_followup` and runs the diagram's script that appends the visit to the
case's list.
"""

from __future__ import annotations

import random
import statistics
from datetime import date, timedelta
from typing import Any

from bench.setup import users_by_role
from bench.walks import Walker
from forms import default_registry

LOOP_TASK = "record_followup"
WINDOW = 5  # rounds either side of a checkpoint whose median is reported


def history_curve(api: Any, today: date, checkpoints: list[int]) -> dict[int, float]:
    """Return the median completion milliseconds around each checkpoint round of the loop."""
    walker = Walker(api, default_registry(), users_by_role(), today)
    walker.explore = False
    rng = random.Random(7)
    answers = {
        "record_interview": {"more_interviews": False},
        # Within the case's time limit (filing + 90 days less the penalty lead), or it is returned.
        "draft_rectification_order": {"rectification_deadline": (today + timedelta(days=30)).isoformat()},
        LOOP_TASK: {"rect_followup_result": "in_progress", "rect_extension_requested": False},
    }
    case = walker.start("load_bearing_case", rng, "case_lead")
    while not any(t["bpmn_id"] == LOOP_TASK for t in case.open or walker.open_tasks(case)):
        if walker.step(case, rng, answers) is None or len(case.steps) > 100:
            raise RuntimeError(f"the case did not reach {LOOP_TASK}: {[s.bpmn_id for s in case.steps][-5:]}")
    rounds: list[float] = []
    loop_answer = dict(answers[LOOP_TASK])
    for _ in range(max(checkpoints) + WINDOW):
        step = walker.step(case, rng, {LOOP_TASK: loop_answer})
        if step is not None and "rect_followup_files" not in loop_answer:
            # Later rounds cite the first round's record: a case holds at most 1,000 files (quota).
            loop_answer["rect_followup_files"] = step.data["rect_followup_files"]
        if step is None or step.bpmn_id != LOOP_TASK:
            raise RuntimeError(
                f"loop stopped after {len(rounds)} rounds ({walker.refused} refused, {walker.errors} errors)"
            )
        rounds.append(step.ms)
    return {k: statistics.median(rounds[max(0, k - WINDOW - 1) : k + WINDOW - 1]) for k in checkpoints}

"""Drive the bureau's processes over HTTP: demo users of each role complete every open task with
generated form data (plus routing answers); when only timers remain, the clock moves to the next one
and `zhifa timers run --now` fires it, exactly as the worker would.

A task may be pinned to the instant it is done at (`clock`): pinned tasks are done in time order, and
a timer due before a task's instant fires first (a task pinned after its own deadline is left for
its timer). Answers may put `UPLOAD` where an attachment id goes, for example inside a group."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from flask import Flask

from forms import default_registry
from service.cli import main
from tests.conftest import Api
from tests.service.walk import USER_OF_ROLE, task_input, upload
from workflows import CHINA_TZ

UPLOAD = "<upload>"  # in an answer: upload a file for the task and put its attachment id here


def _in_turn(table: Mapping[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, list) else v for k, v in table.items()}


def _peek(table: dict[str, Any], bpmn_id: str, default: Any = None) -> Any:
    """A task's entry: a list gives one item per occurrence, then repeats its last item."""
    entry = table.get(bpmn_id, default)
    return entry[0] if isinstance(entry, list) else entry


def _take(table: dict[str, Any], bpmn_id: str, default: Any = None) -> Any:
    entry = table.get(bpmn_id)
    if isinstance(entry, list) and len(entry) > 1:
        return entry.pop(0)
    return _peek(table, bpmn_id, default)


def _uploaded(value: Any, upload_one: Callable[[], str]) -> Any:
    if value == UPLOAD:
        return upload_one()
    if isinstance(value, dict):
        return {k: _uploaded(v, upload_one) for k, v in value.items()}
    if isinstance(value, list):
        return [_uploaded(v, upload_one) for v in value]
    return value


class BureauWalk:
    """Completes tasks as each role's demo user; answers (and clock pins) may be a dict (an ISO
    instant), or a list used in turn, one per occurrence of the task."""

    def __init__(
        self,
        app: Flask,
        login: Any,
        answers: Mapping[str, Any],
        clock: Mapping[str, str | list[str]] | None = None,
    ) -> None:
        self.app, self.login = app, login
        self.answers = _in_turn(answers)
        self.clock = _in_turn(clock or {})
        self.steps: list[tuple[str, str, str]] = []
        self.completed: list[dict[str, Any]] = []  # the tasks done, as listed (with their due dates)
        self.auditor: Api = login("auditor")

    @property
    def now(self) -> datetime:
        """The request clock: the pinned instant, else the real one."""
        pinned = self.app.config.get("FIXED_NOW")
        return datetime.fromisoformat(pinned) if pinned else datetime.now(UTC)

    def today(self) -> date:
        """Today in China on the pinned clock."""
        return self.now.astimezone(CHINA_TZ).date()

    def _answer(self, bpmn_id: str) -> dict[str, Any]:
        return dict(_take(self.answers, bpmn_id, {}))

    def _pinned(self, task: dict[str, Any]) -> datetime | None:
        instant = _peek(self.clock, task["bpmn_id"])
        return datetime.fromisoformat(instant) if instant else None

    def _running(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self.auditor.get("/process-instances?status=running&per_page=200").json[
            "items"
        ]
        return items

    def _open_tasks(self) -> list[dict[str, Any]]:
        return [
            t
            for i in self._running()
            for t in self.auditor.get(f"/process-instances/{i['id']}").json["tasks"]
        ]

    def complete(self, task: dict[str, Any]) -> None:
        """Complete one task as the demo user of its role (at its pinned instant, if it has one)."""
        if instant := _take(self.clock, task["bpmn_id"]):
            self.app.config["FIXED_NOW"] = instant
        username = USER_OF_ROLE[task["role"]]
        api = self.login(username)
        answer = _uploaded(self._answer(task["bpmn_id"]), lambda: upload(api, task["id"]))
        data = task_input(api, task["id"], default_registry(), answer, self.today())
        response = api.post(f"/tasks/{task['id']}/complete", json={"data": data})
        assert response.status_code == 200, (task["bpmn_id"], response.json)
        self.steps.append((task["process_id"], task["bpmn_id"], username))
        self.completed.append(task)

    def next_timer(self) -> datetime | None:
        """When the next timer of any running instance is due."""
        due = [i["next_timer_due_at"] for i in self._running() if i["next_timer_due_at"]]
        return min((datetime.fromisoformat(d) for d in due), default=None)

    def advance_clock(self) -> bool:
        """Move the clock to the next due timer and fire it; False when nothing waits on time."""
        instant = self.next_timer()
        if instant is None:
            return False
        self.app.config["FIXED_NOW"] = instant.isoformat()
        result = self.app.test_cli_runner().invoke(main, ["timers", "run", "--now", instant.isoformat()])
        assert result.exit_code == 0, result.output
        return True

    def _step(self, advance_time: bool) -> bool:
        """Do the next thing in time order: a task, or a timer due before it; False when idle."""
        tasks = self._open_tasks()
        if not tasks:
            return advance_time and self.advance_clock()
        task = min(tasks, key=lambda t: self._pinned(t) or self.now)
        pinned, due = self._pinned(task), self.next_timer() if advance_time else None
        if pinned and due and due < pinned:
            return self.advance_clock()
        self.complete(task)
        return True

    def run(
        self,
        max_steps: int = 200,
        *,
        advance_time: bool = True,
        until: Callable[[], bool] | None = None,
    ) -> list[tuple[str, str, str]]:
        """Work until nothing is left to do (without `advance_time`: until only waits remain) or `until()`."""
        for _ in range(max_steps):
            if (until is not None and until()) or not self._step(advance_time):
                return self.steps
        raise AssertionError(f"cases still open after {max_steps} steps: {self.steps[-5:]}")

    def ids(self, process: str) -> list[int]:
        """Ids of the instances of one process, oldest first."""
        items = self.auditor.get(f"/process-instances?process={process}&per_page=200").json["items"]
        return sorted(i["id"] for i in items)

    def instance(self, instance_id: int) -> dict[str, Any]:
        """The instance as the auditor sees it."""
        body: dict[str, Any] = self.auditor.get(f"/process-instances/{instance_id}").json
        return body

"""Drive the bureau's processes over HTTP: demo users of each role complete every open task with
generated form data (plus routing answers); when only timers remain, the clock moves to the next one
and `zhifa timers run --now` fires it, exactly as the worker would. A task may also pin the clock to
the instant it is done at (`clock`), and an answer may be a function of the day it is given on."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from flask import Flask

from forms import default_registry
from service.cli import main
from tests.conftest import Api
from tests.service.walk import USER_OF_ROLE, task_input
from workflows import CHINA_TZ


def _in_turn(table: Mapping[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, list) else v for k, v in table.items()}


def _next(table: dict[str, Any], bpmn_id: str, default: Any = None) -> Any:
    """The entry for a task: a list gives one item per occurrence and then repeats its last item."""
    entry = table.get(bpmn_id, default)
    if isinstance(entry, list):
        return entry.pop(0) if len(entry) > 1 else entry[0]
    return entry


class BureauWalk:
    """Completes tasks as each role's demo user.

    `answers` per BPMN id: a dict, or a function of the China date the task is done on returning
    one; a list of these is used in turn. `clock` per BPMN id: the ISO instant to pin the request
    clock to before doing the task (a list: one per occurrence).
    """

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
        self.auditor: Api = login("auditor")

    @property
    def now(self) -> datetime:
        """The pinned request clock."""
        return datetime.fromisoformat(self.app.config["FIXED_NOW"])

    def today(self) -> date:
        """Today in China on the pinned clock."""
        return self.now.astimezone(CHINA_TZ).date()

    def _answer(self, bpmn_id: str) -> dict[str, Any]:
        answer: Mapping[str, Any] | Callable[[date], Mapping[str, Any]] = _next(self.answers, bpmn_id, {})
        return dict(answer(self.today()) if callable(answer) else answer)

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
        if instant := _next(self.clock, task["bpmn_id"]):
            self.app.config["FIXED_NOW"] = instant
        username = USER_OF_ROLE[task["role"]]
        api = self.login(username)
        data = task_input(api, task["id"], default_registry(), self._answer(task["bpmn_id"]), self.today())
        response = api.post(f"/tasks/{task['id']}/complete", json={"data": data})
        assert response.status_code == 200, (task["bpmn_id"], response.json)
        self.steps.append((task["process_id"], task["bpmn_id"], username))

    def advance_clock(self) -> bool:
        """Move the clock to the next due timer and fire it; False when nothing waits on time."""
        due = [i["next_timer_due_at"] for i in self._running() if i["next_timer_due_at"]]
        if not due:
            return False
        instant = min(datetime.fromisoformat(d) for d in due)
        self.app.config["FIXED_NOW"] = instant.isoformat()
        result = self.app.test_cli_runner().invoke(main, ["timers", "run", "--now", instant.isoformat()])
        assert result.exit_code == 0, result.output
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
            if until is not None and until():
                return self.steps
            tasks = self._open_tasks()
            if tasks:
                self.complete(tasks[0])
            elif not (advance_time and self.advance_clock()):
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

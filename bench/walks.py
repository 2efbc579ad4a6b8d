"""Seeded random walks of the bureau's processes through the API, recording what each step sent.

Each case is started with its start form's sample input and driven by the users of each role:
every step takes one open task (chosen at random), fills its form with generated input (choices
and yes/no answers drawn from the seeded generator, attachments uploaded first) and completes it.
A case ends when nothing is open (finished, or waiting on a timer or a message) or after
`max_steps`. Only the completion request is timed.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from forms import FormRegistry, sample_input
from forms.model import FieldType

PROCESSES = (
    "complaint_handling",
    "load_bearing_case",
    "penalty_procedure",
    "major_decision_review",
    "enforcement_publicity",
)
# Started by people; the other two run as a called process (major_decision_review) or are started
# by a message from another case (enforcement_publicity): walks reach them from these.
STARTED_BY_PEOPLE = ("complaint_handling", "load_bearing_case", "penalty_procedure")
CHOICE_TYPES = (FieldType.CHOICE,)
MAX_WAKES = 6  # timer firings per walked case (a retry loop on a timer must end)


@dataclass
class Step:
    """One completed task: which, what was sent, how long the request took."""

    process: str  # the case's process
    scope: str  # the (sub-)process the task belongs to
    bpmn_id: str
    data: dict[str, Any]
    ms: float


@dataclass
class Case:
    """One walked case: its start data and its steps in order."""

    process: str
    instance_id: int
    start_data: dict[str, Any]
    steps: list[Step] = field(default_factory=list)
    by_message: bool = False  # started by another case's message: start data is the payload, no form
    open: list[dict[str, Any]] | None = None  # open tasks from the last answer (None: ask)
    walked_at: datetime | None = None  # when the walk began (the floor replays at that instant)
    wakes: dict[int, datetime] = field(default_factory=dict)  # steps done -> instant timers fired at


class Walker:
    """Drive cases through an API object (`post`, `get`, `upload`) as the demo user of each role."""

    def __init__(self, api: Any, forms: FormRegistry, users: Mapping[str, str], today: date) -> None:
        self.api, self.forms, self.users, self.today = api, forms, users, today
        self.refused = 0  # generated answers the service refused (422): the case stops there
        self.errors = 0  # any other failure (5xx, 409): counted, the case stops there
        self.explore = True  # draw choices at random; False: the first (ordinary) choice, yes to yes/no
        self._starters: dict[str, str] = {}
        # Fire due timers at an instant (the timer worker, untimed): a case waiting on a timer (a
        # statement period, a hearing window) goes on instead of ending there. None: walks stop.
        self.fire_timers: Callable[[datetime], Any] | None = None

    def start(self, process: str, rng: random.Random, form_key: str | None) -> Case:
        """Start a case of `process` with its start form's sample input."""
        data = self._sample(form_key, rng, {}) if form_key else {}
        for user in self._starter_candidates(process):
            status, body = self.api.request(
                "POST", user, "/process-instances", {"process_key": process, "data": data}
            )
            if status == 201:
                self._starters[process] = user
                return Case(process, body["id"], data, open=self._ours(body["tasks"]))
        raise RuntimeError(f"nobody could start {process}: {status} {body}")

    def _starter_candidates(self, process: str) -> list[str]:
        known = self._starters.get(process)
        return [known] if known else list(dict.fromkeys(self.users.values()))

    def open_tasks(self, case: Case) -> list[dict[str, Any]]:
        """Open tasks of a case."""
        body = self.api.get(self.users["auditor"], f"/process-instances/{case.instance_id}")
        return self._ours(body["tasks"])

    def _ours(self, tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [t for t in tasks if t["role"] in self.users]

    def step(
        self, case: Case, rng: random.Random, answers: Mapping[str, Mapping[str, Any]] | None = None
    ) -> Step | None:
        """Complete one open task of the case; None when nothing is open or the answer was refused."""
        tasks = case.open if case.open is not None else self.open_tasks(case)
        if not tasks:
            return None
        preferred = [t for t in tasks if answers and t["bpmn_id"] in answers]
        task = (preferred or tasks)[rng.randrange(len(preferred or tasks))]
        user = self.users[task["role"]]
        overrides = {**self._as_people_answer(task["bpmn_id"]), **(answers or {}).get(task["bpmn_id"], {})}
        data = self._sample(task["form_key"], rng, overrides, lambda: self.api.upload(user, task["id"]))
        t0 = time.perf_counter()
        status, body = self.api.request("POST", user, f"/tasks/{task['id']}/complete", {"data": data})
        ms = (time.perf_counter() - t0) * 1000
        case.open = self._ours(body["tasks"]) if status == 200 else None
        if status != 200:
            if status == 422:
                self.refused += 1
            else:
                self.errors += 1
            return None
        step = Step(case.process, task["process_id"], task["bpmn_id"], data, ms)
        case.steps.append(step)
        return step

    def spawned(self, known: set[int]) -> list[Case]:
        """Running cases started by other cases' messages (not by this walker) that have open tasks."""
        auditor = self.users["auditor"]
        body = self.api.get(auditor, "/process-instances?status=running&per_page=100")
        found = []
        for item in body["items"]:
            if item["id"] in known:
                continue
            events = self.api.get(auditor, f"/process-instances/{item['id']}/events")["items"]
            started = next((e["data"] for e in events if e["kind"] == "instance_started"), None) or {}
            case = Case(
                item["process_key"], item["id"], dict(started.get("start_data") or {}), by_message=True
            )
            case.walked_at = datetime.fromisoformat(item["started_at"]) if item.get("started_at") else None
            found.append(case)
        return found

    def _as_people_answer(self, bpmn_id: str) -> dict[str, Any]:
        """Answers a generated value gets wrong every time, as the people doing the step give them.

        A hearing is set at least 7 working days after its notice is served: the generated date
        (today) is always too early and the diagram asks for a new date for ever.
        """
        if bpmn_id == "notify_hearing" and self.explore:
            return {"hearing_date": (self.today + timedelta(days=21)).isoformat()}
        return {}

    def walk(self, case: Case, rng: random.Random, max_steps: int) -> Case:
        """Step the case until nothing is open, an answer is refused or `max_steps` are done.

        A case with nothing open that waits on a timer has its next timer fired (`fire_timers`, at
        its due instant) and goes on, up to MAX_WAKES times.
        """
        case.walked_at = case.walked_at or datetime.now(UTC)
        for _ in range(max_steps):
            if self.step(case, rng) is None and not self._wake(case):
                break
        return case

    def _wake(self, case: Case) -> bool:
        """Fire the case's next timer when it waits on nothing else; False when it cannot go on."""
        if self.fire_timers is None or len(case.wakes) >= MAX_WAKES:
            return False
        body = self.api.get(self.users["auditor"], f"/process-instances/{case.instance_id}")
        if body["status"] != "running" or self._ours(body["tasks"]) or not body.get("timers"):
            return False
        due = min(datetime.fromisoformat(t["due_at"]) for t in body["timers"])
        self.fire_timers(due)
        case.wakes[len(case.steps)] = due
        case.open = None
        return True

    def _sample(
        self, form_key: str | None, rng: random.Random, overrides: Mapping[str, Any], upload: Any = None
    ) -> dict[str, Any]:
        if not form_key:
            return dict(overrides)
        definition = self.forms.get(form_key).definition
        drawn = {
            f.name: rng.choice(f.choices).value
            for f in definition.fields
            if self.explore
            and f.type in CHOICE_TYPES
            and f.choices
            and f.default is None
            and rng.random() < 0.3
        }

        def attachment(name: str) -> str:  # a file named in the answer is not uploaded again
            given = overrides.get(name)
            return str(given[0]) if isinstance(given, list) and given else upload()

        data = sample_input(
            definition,
            today=self.today,
            overrides={**drawn, **overrides},
            attachment=attachment if upload else None,
            rng=rng,
            vary=self.explore,
        )
        if self.explore:
            self._more_rows(definition.fields, data, overrides, rng)
        return data

    @staticmethod
    def _more_rows(
        fields: Any, data: dict[str, Any], overrides: Mapping[str, Any], rng: random.Random
    ) -> None:
        """Give repeatable groups 1 to 5 rows (within their limits), as people fill them.

        The sample input has the minimum (one row); a diagram that needs more (the collective
        discussion's quorum of members' opinions) would otherwise loop on that step for ever.
        """
        for f in fields:
            rows = data.get(f.name)
            if f.type is not FieldType.GROUP or f.repeat is None or f.name in overrides:
                continue
            if isinstance(rows, list) and rows:
                wanted = rng.randint(len(rows), max(len(rows), min(f.repeat.max, 5)))
                data[f.name] = rows + [dict(rows[-1]) for _ in range(wanted - len(rows))]

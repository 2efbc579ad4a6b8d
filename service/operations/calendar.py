"""Enter a year's official holiday schedule and recompute the provisional deadlines it settles.

Until the State Council publishes a year's schedule, deadlines in that year are provisional
(workflows/workcalendar.py). `set_year_schedule` validates the schedule, stores it (every app
process and timer worker loads it: calendar_sync.py), and recomputes each running case's
provisional deadlines, one audited `deadlines_recomputed` event per case; a task whose deadline
moved to before now is flagged on the task and in a `deadline_moved_earlier` event for its holder
and the squad leader. With `dry_run` it reports the same effect and changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib.metadata import version

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflows import CHINA_TZ, WorkCalendar
from workflows.calendar_schedule import YearSchedule, schedule_problems
from workflows.deadlines import DeadlineChange
from workflows.workcalendar import YearSource

from ..db import utcnow
from ..errors import Invalid
from ..models import CalendarYear, HumanTask, ProcessInstance, User
from ..models.instances import InstanceStatusColumn
from ..runtime import get_runtime
from .audit import Actor, record_instance_event, record_system_event
from .calendar_sync import sync_calendar
from .live_instances import LiveInstance, load_live, save

PACKAGE = "chinesecalendar"
LAST_LUNAR_YEAR = 2099  # lunardate's range: statutory holidays cannot be checked past it
LEADER_ROLE = "squad_leader"


@dataclass(frozen=True)
class MovedDeadline:
    """One deadline of one case that the schedule moved."""

    instance_id: int
    title: str
    change: DeadlineChange
    holder: str | None  # the assignee, or the role that may take the task
    before_now: bool  # it now lies in the past: the holder and the leader must be told

    @property
    def days(self) -> int:
        """Return how many calendar days it moved (negative: earlier)."""
        return (_day(self.change.new) - _day(self.change.old)).days


@dataclass
class ScheduleEffect:
    """What entering a schedule does (or, in a dry run, would do)."""

    year: int | None
    dry_run: bool
    cases_checked: int = 0
    moved: list[MovedDeadline] = field(default_factory=list)

    @property
    def cases_changed(self) -> int:
        """Return how many cases had a deadline moved."""
        return len({m.instance_id for m in self.moved})


@dataclass(frozen=True)
class YearInfo:
    """Where one year's working days come from."""

    first_year: int
    last_year: int
    source: YearSource
    detail: str


def set_year_schedule(
    session: Session,
    year: int,
    holidays: Iterable[date],
    workdays: Iterable[date],
    actor: Actor,
    *,
    source: str = "",
    dry_run: bool = False,
    now: datetime | None = None,
) -> ScheduleEffect:
    """Validate and store a year's official schedule, then recompute the deadlines it settles."""
    schedule = YearSchedule(year, frozenset(holidays), frozenset(workdays))
    problems = _year_problems(year) or schedule_problems(schedule)
    if problems:
        raise Invalid("节假日安排有误 / invalid holiday schedule", {"schedule": problems})
    sync_calendar(session)
    calendar = get_runtime().engine.calendar
    if dry_run:
        with calendar.trial({year: schedule}):
            return _recompute_all(session, actor, now or utcnow(), ScheduleEffect(year, dry_run=True))
    _store(session, schedule, actor, source)
    calendar.set_entered({**calendar.entered(), year: schedule})
    get_runtime().calendar_signature = None  # reload from the database on the next step, whatever happens
    effect = _recompute_all(session, actor, now or utcnow(), ScheduleEffect(year, dry_run=False))
    record_system_event(
        session,
        actor,
        "calendar_year_set",
        data={
            "year": year,
            "holidays": sorted(schedule.holidays),
            "workdays": sorted(schedule.workdays),
            "source": source,
            "cases_changed": effect.cases_changed,
            "deadlines_moved": len(effect.moved),
        },
    )
    return effect


def recompute_provisional(
    session: Session, actor: Actor, *, dry_run: bool = False, now: datetime | None = None
) -> ScheduleEffect:
    """Recompute every running case's provisional deadlines against the calendar as it stands.

    For a schedule entered in the overrides file (read when the service starts): restart the
    service with the file, then run this once.
    """
    sync_calendar(session)
    return _recompute_all(session, actor, now or utcnow(), ScheduleEffect(None, dry_run=dry_run))


def calendar_overview(session: Session) -> list[YearInfo]:
    """List the years the calendar answers for, grouped by where their days come from."""
    sync_calendar(session)
    calendar = get_runtime().engine.calendar
    rows = {row.year: row for row in session.scalars(select(CalendarYear))}
    first = _first_package_year(calendar)
    infos: list[YearInfo] = []
    for year in range(first, calendar.provisional_until().year + 1):
        source = calendar.source(year)
        assert source is not None  # every year from the package's first to the horizon is answered
        detail = _detail(source, rows.get(year))
        if (
            infos
            and infos[-1].source is source
            and infos[-1].detail == detail
            and source is not YearSource.ENTERED
        ):
            infos[-1] = YearInfo(infos[-1].first_year, year, source, detail)
        else:
            infos.append(YearInfo(year, year, source, detail))
    return infos


def _recompute_all(session: Session, actor: Actor, now: datetime, effect: ScheduleEffect) -> ScheduleEffect:
    ids = session.scalars(
        select(ProcessInstance.id)
        .where(
            ProcessInstance.status == InstanceStatusColumn.RUNNING,
            ProcessInstance.provisional_deadlines.is_(True),
        )
        .order_by(ProcessInstance.id)
    ).all()
    for instance_id in ids:
        live = load_live(session, instance_id, for_update=not effect.dry_run)
        holders = {task.id: _holder(session, task) for task in live.row.tasks}
        changes = live.engine.recompute_deadlines(now)
        effect.cases_checked += 1
        moved = [
            MovedDeadline(live.row.id, live.row.title, c, holders.get(c.task_id), c.new < now)
            for c in changes
        ]
        effect.moved += moved
        if not effect.dry_run:
            save(session, live)
            _record(session, live, actor, effect.year, moved)
    return effect


def _record(
    session: Session, live: LiveInstance, actor: Actor, year: int | None, moved: list[MovedDeadline]
) -> None:
    if not moved:
        return
    changes = [
        {
            "kind": m.change.kind,
            "bpmn_id": m.change.bpmn_id,
            "name": m.change.name,
            "from": m.change.old,
            "to": m.change.new,
            "days": m.days,
            "provisional": m.change.provisional,
        }
        for m in moved
    ]
    record_instance_event(
        session, live.row, actor, "deadlines_recomputed", data={"year": year, "changes": changes}
    )
    for m in moved:
        if m.before_now and m.change.moved_earlier and m.change.kind == "task":
            record_instance_event(
                session,
                live.row,
                actor,
                "deadline_moved_earlier",
                task_id=m.change.task_id,
                task_bpmn_id=m.change.bpmn_id,
                task_name=m.change.name,
                data={"from": m.change.old, "to": m.change.new, "notify": [m.holder, LEADER_ROLE]},
            )


def _holder(session: Session, task: HumanTask) -> str | None:
    if task.assignee_id is not None:
        user = session.get(User, task.assignee_id)
        return user.username if user is not None else None
    return task.role


def _store(session: Session, schedule: YearSchedule, actor: Actor, source: str) -> None:
    row = session.get(CalendarYear, schedule.year) or CalendarYear(year=schedule.year)
    row.holidays = [d.isoformat() for d in sorted(schedule.holidays)]
    row.workdays = [d.isoformat() for d in sorted(schedule.workdays)]
    row.source, row.entered_by, row.entered_at = source[:300], actor.username, utcnow()
    session.add(row)
    session.flush()  # the calendar signature other steps compare is read from this table


def _year_problems(year: int) -> list[str]:
    calendar = get_runtime().engine.calendar
    if calendar.source(year) is YearSource.PACKAGE or year < _first_package_year(calendar):
        return [f"{year} 年已由 {PACKAGE} 覆盖，不能录入 / {year} is covered by the {PACKAGE} package"]
    if year > LAST_LUNAR_YEAR:
        return [f"{year} 年超出可核对范围 / {year} is past {LAST_LUNAR_YEAR}"]
    return []


def _detail(source: YearSource, row: CalendarYear | None) -> str:
    if source is YearSource.PACKAGE:
        return f"{PACKAGE} {version(PACKAGE)}"
    if source is YearSource.ENTERED and row is not None:
        entered = row.entered_at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")
        return f"{row.entered_by} {entered} {row.source}".strip()
    if source is YearSource.FILE:
        return "calendar overrides file"
    return "weekends + statutory holidays only / 仅周末与法定节假日，未含调休"


def _first_package_year(calendar: WorkCalendar) -> int:
    year = calendar.covered_until().year
    while calendar.source(year - 1) is not None:
        year -= 1
    return year


def _day(instant: datetime) -> date:
    return instant.astimezone(CHINA_TZ).date()

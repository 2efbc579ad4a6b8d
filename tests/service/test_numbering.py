"""Case and document numbers: configured pattern, yearly series, no gaps or duplicates under concurrency."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask

from service.db import session_scope
from service.numbering import load_numbering
from service.operations.numbers import allocate, current_value
from service.runtime import get_runtime


def test_numbers_follow_the_pattern_and_restart_each_year(app: Flask) -> None:
    with app.app_context(), session_scope(app) as session:
        numbering = get_runtime().numbering
        first = allocate(session, numbering, "case", datetime(2025, 12, 31, 15, 59, tzinfo=UTC))
        second = allocate(session, numbering, "case", datetime(2025, 12, 31, 15, 59, tzinfo=UTC))
        # 16:00 UTC on 31 December is already New Year's Day in Shanghai.
        new_year = allocate(session, numbering, "case", datetime(2025, 12, 31, 16, 0, tzinfo=UTC))
        session.commit()
    assert (first, second, new_year) == (
        "嘉城管立〔2025〕0001号",
        "嘉城管立〔2025〕0002号",
        "嘉城管立〔2026〕0001号",
    )


def test_a_rolled_back_step_takes_no_number(app: Flask) -> None:
    moment = datetime(2026, 3, 1, tzinfo=UTC)
    with app.app_context(), session_scope(app) as session:
        allocate(session, get_runtime().numbering, "penalty_decision", moment)
        session.rollback()
        taken = allocate(session, get_runtime().numbering, "penalty_decision", moment)
        session.commit()
    assert taken.endswith("〔2026〕0001号")


def test_concurrent_allocations_never_duplicate_or_skip(app: Flask) -> None:
    moment = datetime(2026, 5, 1, tzinfo=UTC)
    results: list[str] = []
    errors: list[BaseException] = []

    def take() -> None:
        try:
            with app.app_context(), session_scope(app) as session:
                results.append(allocate(session, get_runtime().numbering, "case", moment))
                session.commit()
        except BaseException as exc:  # noqa: BLE001  (reported by the assertion below)
            errors.append(exc)

    threads = [threading.Thread(target=take) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(results) == [f"嘉城管立〔2026〕{n:04d}号" for n in range(1, 13)]
    with app.app_context(), session_scope(app) as session:
        assert current_value(session, "case", 2026) == 12


def test_a_bad_pattern_is_refused_at_start_up(tmp_path: Path) -> None:
    config = tmp_path / "numbering.yaml"
    config.write_text(
        "organ: 嘉城管\nseries:\n  case: {kind: 立, pattern: '{organ}{typo}'}\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match="bad pattern"):
        load_numbering(config)

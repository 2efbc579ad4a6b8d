"""Restored cases in a web worker's memory: the per-process cache frees what it drops, and the
garbage collector's full passes run between requests (service/gc_policy.py)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from service import gc_policy
from service.runtime import InstanceCache
from tests.workflows.scenario import Scenario, load_files
from tests.workflows.test_engine import DATA
from workflows import WorkflowInstance

START = datetime(2025, 9, 26, 1, 0, tzinfo=UTC)


def _engine() -> WorkflowInstance:
    s = Scenario(load_files(DATA / "acceptance"), "case_flow", {"party_name": "张三"}, now=START)
    s.complete("register_case", {"received_on": date(2025, 9, 26), "damaged_area": Decimal("20.5")})
    return s.instance


@pytest.fixture
def no_collector() -> Iterator[None]:
    gc.collect()
    gc.disable()
    yield
    gc.enable()


def _tree_of(engine: WorkflowInstance) -> weakref.ref[object]:
    return weakref.ref(engine._wf)  # the SpiffWorkflow workflow: freed only with its task tree


def test_a_released_instance_is_freed_without_the_cyclic_collector(no_collector: None) -> None:
    kept, released = _engine(), _engine()
    kept_tree, released_tree = _tree_of(kept), _tree_of(released)
    released.release()
    del kept, released
    assert released_tree() is None  # freed by reference counting alone
    assert kept_tree() is not None  # tasks and workflows refer to each other: waits for the collector


def test_the_cache_releases_stale_versions_and_what_it_pushes_out(no_collector: None) -> None:
    cache = InstanceCache(size=2)
    cache.put(1, 1, _engine())
    stale = _tree_of(cache._items[(1, 1)])
    cache.put(1, 2, _engine())  # version 1 is stale now
    assert cache.take(1, 1) is None
    assert stale() is None
    pushed_out = _tree_of(cache._items[(1, 2)])
    cache.put(2, 1, _engine())
    cache.put(3, 1, _engine())  # over the size: the least recently used (case 1) goes
    assert cache.take(1, 2) is None
    assert pushed_out() is None
    assert [t.bpmn_id for t in cache.take(3, 1).open_tasks()] == ["approve_filing"]  # type: ignore[union-attr]


def test_an_engine_dropped_while_someone_holds_it_stays_usable() -> None:
    cache = InstanceCache(size=1)
    engine = _engine()
    cache.put(1, 1, engine)
    cache.put(2, 1, _engine())  # pushes out case 1, which `engine` still refers to
    assert [t.bpmn_id for t in engine.open_tasks()] == ["approve_filing"]


def test_full_collections_wait_for_the_end_of_a_request() -> None:
    thresholds = gc.get_threshold()
    try:
        gc_policy.tune_for_requests()
        assert gc.get_threshold() == (*gc_policy.YOUNG_THRESHOLDS, gc_policy.NEVER)
        assert not gc_policy.collect_after_request()  # nothing due yet
        gc.set_threshold(1, 1, gc_policy.NEVER)  # make young passes frequent to reach the mark
        junk = [[n] for n in range(20 * gc_policy.FULL_AFTER)]
        assert gc.get_count()[2] >= gc_policy.FULL_AFTER  # the collector itself did not run a full pass
        assert gc_policy.collect_after_request()
        assert gc.get_count()[2] == 0
        del junk
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


def test_gunicorn_runs_the_policy_in_its_worker_hooks(monkeypatch: pytest.MonkeyPatch) -> None:
    from service import gunicorn_conf

    calls: list[str] = []
    monkeypatch.setattr(gunicorn_conf, "tune_for_requests", lambda: calls.append("tune"))
    monkeypatch.setattr(gunicorn_conf, "collect_after_request", lambda: calls.append("collect"))
    gunicorn_conf.post_worker_init(object())
    gunicorn_conf.post_request(object(), object(), {}, object())
    assert calls == ["tune", "collect"]

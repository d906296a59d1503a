"""Races between separate runtimes (separate connection pools), as between two server processes."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import pytest

from orgflow.errors import Conflict, WorkItemNotOpen
from orgflow.ids import SequentialIds
from orgflow.runtime import CompleteWorkItem, StartProcess, open_runtime
from orgflow.runtime.executor import default_interceptors

from .conftest import SIMPLE, TWO_STEPS, deploy


class MeetingIds(SequentialIds):
    """Ids whose first use waits for the other thread: both commands have loaded the instance by then."""

    def __init__(self, prefix: str, barrier: threading.Barrier | None) -> None:
        super().__init__(prefix)
        self._barrier = barrier

    def new_id(self) -> str:
        barrier, self._barrier = self._barrier, None
        if barrier is not None:
            barrier.wait(timeout=10)
        return super().new_id()


def race(url: str, clock, work_item_id: str, *, meet: bool, **options) -> list[object]:
    """Complete one work item from two runtimes at once; each result is a view or the Conflict raised.

    With ``meet`` both commands have loaded the instance before either saves (PostgreSQL only:
    on SQLite BEGIN IMMEDIATE makes the second wait for the first, so they could never meet).
    """
    barrier = threading.Barrier(2) if meet else None
    runtimes = [
        open_runtime(url, clock=clock, ids=MeetingIds(f"r{n}-", barrier), **options) for n in range(2)
    ]
    start = threading.Barrier(2)

    def complete(n: int) -> object:
        start.wait(timeout=10)
        try:
            return runtimes[n].execute(
                CompleteWorkItem(work_item_id, actor="u1")
            )  # one person, two browser tabs
        except Conflict as error:
            return error

    try:
        with ThreadPoolExecutor(2) as pool:
            return list(pool.map(complete, range(2)))
    finally:
        for opened in runtimes:
            opened.close()


def test_two_completions_of_one_work_item_exactly_one_wins(runtime, migrated_url, clock) -> None:
    deploy(runtime, TWO_STEPS)
    item = runtime.execute(StartProcess("complaint", {}, initiator="zhang")).work_items[0]

    results = race(migrated_url, clock, item.id, meet=runtime.database.dialect == "postgresql")

    errors = [r for r in results if isinstance(r, Exception)]
    wins = [r for r in results if not isinstance(r, Exception)]
    assert len(wins) == 1 and len(errors) == 1, results
    assert isinstance(errors[0], WorkItemNotOpen)
    history = runtime.queries.instance(wins[0].id).history
    assert len([h for h in history if h.kind == "work_item_completed"]) == 1
    assert len(runtime.queries.work_items(department="客服部")) == 1


def test_without_retries_a_lost_race_is_a_conflict(runtime, migrated_url, clock) -> None:
    """The version check itself, seen through the executor with retrying switched off."""
    if runtime.database.dialect != "postgresql":
        pytest.skip("on SQLite BEGIN IMMEDIATE serialises writers, so no update can be lost")
    deploy(runtime, TWO_STEPS)
    item = runtime.execute(StartProcess("complaint", {}, initiator="zhang")).work_items[0]

    no_retry = partial(default_interceptors, retry_attempts=1)
    results = race(migrated_url, clock, item.id, meet=True, interceptors=no_retry)

    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1, results
    assert type(errors[0]) is Conflict
    assert "刚被他人修改" in str(errors[0])


def test_concurrent_starts_get_distinct_consecutive_business_keys(runtime, migrated_url, clock) -> None:
    deploy(runtime, SIMPLE)
    runtimes = [open_runtime(migrated_url, clock=clock, ids=SequentialIds(f"r{n}-")) for n in range(4)]

    def start(n: int) -> list[str]:
        return [runtimes[n].execute(StartProcess("t", {}, initiator="x")).business_key for _ in range(5)]

    try:
        with ThreadPoolExecutor(4) as pool:
            keys = [key for batch in pool.map(start, range(4)) for key in batch]
    finally:
        for opened in runtimes:
            opened.close()

    assert sorted(keys) == [f"T20261122{n:03d}" for n in range(1, 21)]

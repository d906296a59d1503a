"""What a process remembers of its own last writes: the next command sees exactly what a read would.

The memory (``store.known_writes``) is used on SQLite only, and only while no other
connection and no other kind of transaction has written since; these tests write
behind its back both ways and check that the next command sees the database.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import update

from orgflow.engine.state import TrailEntry
from orgflow.errors import WorkItemNotOpen
from orgflow.ids import SequentialIds
from orgflow.runtime import CompleteWorkItem, StartProcess, open_runtime
from orgflow.store import instances
from orgflow.store.database import create_database
from orgflow.store.tables import instances as instances_table

from .conftest import SIMPLE, TWO_STEPS, deploy


def test_a_completion_by_another_process_is_seen_not_the_remembered_state(migrated_url, clock) -> None:
    first = open_runtime(migrated_url, clock=clock, ids=SequentialIds("a"))
    second = open_runtime(migrated_url, clock=clock, ids=SequentialIds("b"))
    try:
        deploy(first, TWO_STEPS)
        view = first.execute(StartProcess("complaint", {}, initiator="u1"))
        item = view.work_items[0].id
        second.execute(CompleteWorkItem(item, actor="u1"))
        with pytest.raises(WorkItemNotOpen):
            first.execute(CompleteWorkItem(item, actor="u1"))
    finally:
        first.close()
        second.close()


def test_a_write_by_another_connection_is_seen_by_the_next_command(runtime, migrated_url) -> None:
    deploy(runtime, TWO_STEPS)
    view = runtime.execute(StartProcess("complaint", {"amount": 1}, initiator="u1"))
    other = create_database(migrated_url)
    try:
        with other.transaction() as connection:
            connection.execute(
                update(instances_table)
                .where(instances_table.c.id == view.id)
                .values(data={"amount": 2}, version=instances_table.c.version + 1)
            )
    finally:
        other.dispose()
    done = runtime.execute(CompleteWorkItem(view.work_items[0].id, actor="u1"))
    assert done.data["amount"] == 2


def test_a_write_in_another_transaction_of_this_process_is_seen(runtime) -> None:
    deploy(runtime, TWO_STEPS)
    view = runtime.execute(StartProcess("complaint", {"amount": 1}, initiator="u1"))
    with runtime.database.transaction() as connection:  # as a job or the audit trail would
        connection.execute(
            update(instances_table)
            .where(instances_table.c.id == view.id)
            .values(data={"amount": 3}, version=instances_table.c.version + 1)
        )
    done = runtime.execute(CompleteWorkItem(view.work_items[0].id, actor="u1"))
    assert done.data["amount"] == 3


def test_a_refused_command_leaves_the_next_one_reading_the_database(runtime) -> None:
    deploy(runtime, TWO_STEPS)
    view = runtime.execute(StartProcess("complaint", {}, initiator="u1"))
    item = view.work_items[0].id
    runtime.execute(CompleteWorkItem(item, actor="u1"))
    with pytest.raises(WorkItemNotOpen):
        runtime.execute(CompleteWorkItem(item, actor="u1"))
    after = runtime.execute(StartProcess("complaint", {}, initiator="u1"))
    assert after.status == "running"


#: start → 提交 (u1) → 复核 (u1) → end.
TWO_FOR_ONE = """\
key: twice
name: 两步
business_key_prefix: TW
nodes:
  - {id: start, type: start, next: submit}
  - {id: submit, type: user_task, name: 提交, assignee: {user: u1}, next: check}
  - {id: check, type: user_task, name: 复核, assignee: {user: u1}, next: end}
  - {id: end, type: end}
"""


def test_the_next_command_sees_data_as_stored_not_as_given(runtime) -> None:
    """A tuple comes back a list and a date its ISO text, whether read or remembered."""
    deploy(runtime, TWO_FOR_ONE)
    view = runtime.execute(StartProcess("twice", {"xs": (1, 2), "on": date(2026, 1, 2)}, initiator="u1"))
    submitted = runtime.execute(CompleteWorkItem(view.work_items[0].id, actor="u1", data={"ys": (3,)}))
    done = runtime.execute(CompleteWorkItem(submitted.work_items[0].id, actor="u1"))
    assert done.status == "completed"
    assert done.data["xs"] == [1, 2]
    assert done.data["on"] == "2026-01-02"
    assert done.data["ys"] == [3]


def test_what_is_remembered_equals_what_is_loaded(runtime, migrated_url, clock) -> None:
    """``as_loaded`` gives exactly what ``load`` reads back, times in another zone included (SQLite)."""
    if not migrated_url.startswith("sqlite"):
        pytest.skip("remembered on SQLite only (PostgreSQL's JSONB orders keys its own way)")
    deploy(runtime, TWO_STEPS)
    clock.set(datetime(2026, 3, 4, 9, 30, tzinfo=timezone(timedelta(hours=8))))
    view = runtime.execute(StartProcess("complaint", {"b": 1, "a": (1,)}, initiator="u1"))
    database = create_database(migrated_url)
    try:
        with database.transaction() as connection:
            before = instances.load(connection, view.id)
            assert before is not None
            state = before.state
            moved = state.evolve(
                data={**state.data, "c": {"d": date(2026, 1, 1)}},
                trail=(*state.trail, TrailEntry("submit", "u1", "approve")),
            )
            now = datetime(2026, 3, 4, 10, tzinfo=timezone(timedelta(hours=8)))
            saved = instances.update_state(connection, before, moved, now)
            remembered = instances.as_loaded(saved, before)
            loaded = instances.load(connection, view.id)
        assert remembered == loaded
        assert remembered.updated_at.tzinfo is UTC
        assert remembered.state.data["c"] == {"d": "2026-01-01"}
    finally:
        database.dispose()


def test_a_simple_instance_runs_to_its_end_on_remembered_states(runtime) -> None:
    deploy(runtime, SIMPLE)
    for _ in range(3):
        view = runtime.execute(StartProcess("t", {}, initiator="u2"))
        done = runtime.execute(CompleteWorkItem(view.work_items[0].id, actor="u1"))
        assert done.status == "completed"
        assert runtime.queries.instance(view.id).instance.status == "completed"

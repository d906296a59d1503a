"""The instance store on its own: round trips, the optimistic version check, business keys."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orgflow.engine.state import Caller, InstanceState, InstanceStatus, Token, TokenStatus
from orgflow.errors import Conflict
from orgflow.runtime import StartProcess
from orgflow.store import business_keys, instances
from orgflow.store.database import create_database
from orgflow.store.tables import instances as instances_table

from .conftest import SIMPLE, TWO_STEPS, deploy


@pytest.fixture
def database(migrated_url):
    opened = create_database(migrated_url)
    yield opened
    opened.dispose()


def test_load_returns_what_was_saved(runtime, database) -> None:
    deploy(runtime, TWO_STEPS)
    view = runtime.execute(StartProcess("complaint", {"n": 1, "名字": "张三"}, initiator="zhang"))

    with database.reading() as connection:
        by_id = instances.load(connection, view.id)
        by_key = instances.load_by_business_key(connection, view.business_key)
        by_item = instances.load_by_work_item(connection, view.work_items[0].id)
        missing = instances.load(connection, "nope")

    assert by_id == by_key == by_item
    assert missing is None
    state = by_id.state
    assert (state.id, state.business_key, state.definition_id) == (view.id, view.business_key, "complaint:1")
    assert state.data == {"n": 1, "名字": "张三"}
    assert [(t.node_id, t.status) for t in state.tokens] == [("submit", TokenStatus.TASK)]
    assert [w.id for w in state.work_items] == [w.id for w in view.work_items]
    assert state.started_at == view.started_at
    assert by_id.version == 1


def test_token_changes_are_saved_by_difference(runtime, database, clock) -> None:
    deploy(runtime, SIMPLE)
    view = runtime.execute(StartProcess("t", {}, initiator="zhang"))
    with database.reading() as connection:
        before = instances.load(connection, view.id)
    (token,) = before.state.tokens
    after = before.state.evolve(
        tokens=(
            token._replace(outcome="approve"),
            Token(id="t9", node_id="a", status=TokenStatus.JOIN, scope=None, arrived_by="f1"),
            Token(id="t10", node_id="a", status=TokenStatus.JOIN),
        ),
        next_token=10,
    )
    with database.transaction() as connection:
        saved = instances.update_state(connection, before, after, clock.now() + timedelta(minutes=1))
    with database.reading() as connection:
        reloaded = instances.load(connection, view.id)

    assert saved.version == reloaded.version == 2
    assert reloaded.state.tokens == after.tokens
    assert reloaded.state.next_token == 10
    assert reloaded.updated_at == clock.now() + timedelta(minutes=1)

    fewer = after.evolve(tokens=(after.tokens[2],))
    with database.transaction() as connection:
        instances.update_state(connection, reloaded, fewer, clock.now())
    with database.reading() as connection:
        assert instances.load(connection, view.id).state.tokens == fewer.tokens


def test_a_stale_state_cannot_be_saved(runtime, database, clock) -> None:
    deploy(runtime, SIMPLE)
    view = runtime.execute(StartProcess("t", {}, initiator="zhang"))
    with database.reading() as connection:
        stale = instances.load(connection, view.id)
    with database.transaction() as connection:
        instances.update_state(connection, stale, stale.state.evolve(data={"first": True}), clock.now())

    with pytest.raises(Conflict, match=view.business_key), database.transaction() as connection:
        instances.update_state(connection, stale, stale.state.evolve(data={"second": True}), clock.now())

    with database.reading() as connection:
        current = instances.load(connection, view.id)
    assert current.state.data == {"first": True}
    assert current.version == 2


def test_the_version_check_sees_rows_moved_by_other_connections(
    runtime, database, migrated_url, clock
) -> None:
    deploy(runtime, SIMPLE)
    view = runtime.execute(StartProcess("t", {}, initiator="zhang"))
    other = create_database(migrated_url)
    try:
        with database.reading() as connection:
            mine = instances.load(connection, view.id)
        with other.transaction() as connection:
            theirs = instances.load(connection, view.id)
            instances.update_state(connection, theirs, theirs.state.evolve(data={"by": "them"}), clock.now())
        with pytest.raises(Conflict), database.transaction() as connection:
            instances.update_state(connection, mine, mine.state.evolve(data={"by": "me"}), clock.now())
    finally:
        other.dispose()


def _child(instance_id: str, caller: Caller, started_at) -> InstanceState:
    """A child instance of definition ``t:1`` (SIMPLE), as a call activity starts it."""
    return InstanceState(
        id=instance_id,
        definition_id="t:1",
        business_key=f"B{instance_id}",
        status=InstanceStatus.RUNNING,
        data={},
        tokens=(),
        work_items=(),
        next_token=1,
        initiator=None,
        started_at=started_at,
        caller=caller,
    )


def test_a_childs_caller_is_written_once_in_its_columns_and_kept_by_saves(runtime, database, clock) -> None:
    deploy(runtime, SIMPLE)
    parent = runtime.execute(StartProcess("t", {}, initiator="zhang"))
    caller = Caller(parent.id, "t1", "a")
    with database.transaction() as connection:
        inserted = instances.insert_new(
            connection, _child("c1", caller, clock.now()), definition_key="t", now=clock.now()
        )
        instances.update_state(connection, inserted, inserted.state.evolve(data={"n": 2}), clock.now())
    with database.reading() as connection:
        reloaded = instances.load(connection, "c1")
        columns = instances_table.c
        row = connection.execute(
            instances_table.select()
            .with_only_columns(
                columns.parent_instance_id, columns.parent_token_id, columns.parent_node_id, columns.signoffs
            )
            .where(columns.id == "c1")
        ).one()
        top_level = instances.load(connection, parent.id)

    assert reloaded.version == 2 and reloaded.state.data == {"n": 2}
    assert reloaded.state.caller == caller and reloaded.state.signoffs == ()
    assert tuple(row) == (parent.id, "t1", "a", [])
    assert top_level.state.caller is None


def test_children_are_listed_by_the_parent_index_in_start_order(runtime, database, clock) -> None:
    deploy(runtime, SIMPLE)
    parent = runtime.execute(StartProcess("t", {}, initiator="zhang"))
    other = runtime.execute(StartProcess("t", {}, initiator="zhang"))
    with database.transaction() as connection:
        for instance_id, node_id, minutes in (("c2", "b", 5), ("c1", "a", 1), ("o1", "a", 0)):
            owner = other.id if instance_id == "o1" else parent.id
            started = clock.now() + timedelta(minutes=minutes)
            state = _child(instance_id, Caller(owner, "t1", node_id), started)
            instances.insert_new(connection, state, definition_key="t", now=started)
    with database.reading() as connection:
        listed = instances.children(connection, parent.id)
        none = instances.children(connection, "c1")
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        sql = instances.CHILDREN.params(parent=parent.id).compile(
            dialect=connection.dialect, compile_kwargs={"literal_binds": True}
        )
        explain = "EXPLAIN QUERY PLAN" if connection.dialect.name == "sqlite" else "EXPLAIN"
        plan = " ".join(str(row[-1]) for row in connection.exec_driver_sql(f"{explain} {sql}"))

    assert [(row["id"], row["parent_node_id"], row["status"]) for row in listed] == [
        ("c1", "a", "running"),
        ("c2", "b", "running"),
    ]
    assert none == []
    assert "ix_instances_parent_instance_id" in plan, plan


def test_business_key_sequences_are_per_prefix_and_day(database, clock) -> None:
    today = clock.now()
    tomorrow = today + timedelta(days=1)
    with database.transaction() as connection:
        keys = [
            business_keys.next_business_key(connection, "PROJ", today),
            business_keys.next_business_key(connection, "PROJ", today),
            business_keys.next_business_key(connection, "ABN", today),
            business_keys.next_business_key(connection, "PROJ", tomorrow),
        ]
    with pytest.raises(RuntimeError), database.transaction() as connection:
        business_keys.next_business_key(connection, "PROJ", today)
        raise RuntimeError("roll back")
    with database.transaction() as connection:
        keys.append(business_keys.next_business_key(connection, "PROJ", today))

    # SQLite takes the number in the start's transaction (rolled back with it); PostgreSQL in a
    # short one of its own, so the lock is not held for the whole start: a failed start leaves a gap.
    after_rollback = "PROJ20261122003" if database.dialect == "sqlite" else "PROJ20261122004"
    assert keys == [
        "PROJ20261122001",
        "PROJ20261122002",
        "ABN20261122001",
        "PROJ20261123001",
        after_rollback,
    ]


def test_business_keys_taken_on_postgresql_do_not_wait_for_the_start_to_commit(database, clock) -> None:
    if database.dialect != "postgresql":
        pytest.skip("SQLite serialises writers with its write lock: the number is taken in the start")
    today = clock.now()
    with database.transaction() as first:
        taken = business_keys.next_business_key(first, "PROJ", today)
        # A second start, in another transaction, while the first is still open: it gets the
        # next number at once (a row lock held until the first commits would block it here).
        with database.transaction() as second:
            following = business_keys.next_business_key(second, "PROJ", today)
    assert (taken, following) == ("PROJ20261122001", "PROJ20261122002")

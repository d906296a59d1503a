"""The instance store on its own: round trips, the optimistic version check, business keys."""

from __future__ import annotations

from datetime import timedelta

import pytest

from orgflow.engine.state import Token, TokenStatus
from orgflow.errors import Conflict
from orgflow.runtime import StartProcess
from orgflow.store import business_keys, instances
from orgflow.store.database import create_database

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

    assert keys == [
        "PROJ20261122001",
        "PROJ20261122002",
        "ABN20261122001",
        "PROJ20261123001",
        "PROJ20261122003",
    ]

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from orgflow.clock import FrozenClock
from orgflow.engine.state import Caller
from orgflow.store import definitions, migrate, org
from orgflow.store import instances as stored_instances
from orgflow.store.database import Database, create_database
from orgflow.store.tables import instances, metadata

#: A definition row as every revision's schema takes it, for instances to refer to.
INSERT_DEFINITION = (
    "INSERT INTO definitions (id, key, version, major, minor, label, name, source_format,"
    " source_text, content_hash, deployed_at) VALUES ('t:1', 't', 1, 1, 0, 'V1.0', 't', 'yaml',"
    " '', '', '2026-11-22 09:00:00')"
)


@contextmanager
def opened(database_url: str) -> Iterator[Database]:
    """The database at ``database_url``, disposed of afterwards."""
    database = create_database(database_url)
    try:
        yield database
    finally:
        database.dispose()


def test_fresh_database_has_no_revision(database_url: str) -> None:
    assert migrate.current_revision(database_url) is None


def test_upgrade_creates_exactly_the_tables_module(database_url: str) -> None:
    migrate.upgrade(database_url)

    assert migrate.current_revision(database_url) == migrate.head_revision()
    with opened(database_url) as database:
        with database.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []


def test_upgrading_twice_is_a_no_op(database_url: str) -> None:
    migrate.upgrade(database_url)
    migrate.upgrade(database_url)

    assert migrate.current_revision(database_url) == migrate.head_revision()


def test_0002_moves_each_instances_tokens_into_its_row_in_creation_order(database_url: str) -> None:
    migrate.upgrade(database_url, "0001")
    with opened(database_url) as database:
        with database.transaction() as connection:
            connection.exec_driver_sql(INSERT_DEFINITION)
            for instance_id in ("i1", "i2"):
                connection.exec_driver_sql(
                    "INSERT INTO instances (id, definition_id, definition_key, business_key, status, data,"
                    " next_token, started_at, version, updated_at) VALUES"
                    f" ('{instance_id}', 't:1', 't', 'B{instance_id}', 'running', '{{}}', 11,"
                    " '2026-11-22 09:00:00', 1, '2026-11-22 09:00:00')"
                )
            connection.exec_driver_sql(
                "INSERT INTO tokens (instance_id, id, node_id, status, scope, arrived_by, outcome) VALUES"
                " ('i1', 't10', 'b', 'join', NULL, 'f2', NULL), ('i1', 't2', 'a', 'task', 't1', NULL, 'ok')"
            )

    migrate.upgrade(database_url)

    with opened(database_url) as database:
        with database.reading() as connection:
            rows = {
                row.id: row.tokens
                for row in connection.execute(sa.select(instances.c.id, instances.c.tokens))
            }
    assert rows == {
        "i1": [["t2", "a", "task", "t1", None, "ok"], ["t10", "b", "join", None, "f2", None]],
        "i2": [],
    }


def test_0008_files_existing_work_items_under_their_groups_department(database_url: str) -> None:
    migrate.upgrade(database_url, "0007")
    with opened(database_url) as database:
        with database.transaction() as connection:
            connection.exec_driver_sql(INSERT_DEFINITION)
            connection.exec_driver_sql(
                "INSERT INTO instances (id, definition_id, definition_key, business_key, status, data,"
                " next_token, started_at, version, updated_at) VALUES ('i1', 't:1', 't', 'B1', 'running',"
                " '{}', 1, '2026-11-22 09:00:00', 1, '2026-11-22 09:00:00')"
            )
            for item_id, group in (
                ("w1", "'dept:yf'"),
                ("w2", "'role:财务审核员@cw'"),
                ("w3", "'role:总经理'"),
            ):
                connection.exec_driver_sql(
                    "INSERT INTO work_items (id, instance_id, node_id, token_id, name, candidate_group,"
                    f" status, created_at) VALUES ('{item_id}', 'i1', 'a', 't1', 'A', {group}, 'open',"
                    " '2026-11-22 09:00:00')"
                )

    migrate.upgrade(database_url)

    with opened(database_url) as database:
        with database.reading() as connection:
            rows = dict(connection.exec_driver_sql("SELECT id, department FROM work_items").fetchall())
    assert rows == {"w1": "yf", "w2": "cw", "w3": None}


def test_0017_adds_preferences_beside_an_existing_chart_which_it_keeps(
    database_url: str, clock: FrozenClock
) -> None:
    migrate.upgrade(database_url, "0016")
    with opened(database_url) as database:
        with database.transaction() as connection:
            connection.exec_driver_sql(
                "INSERT INTO org_users (id, name, email, active, position)"
                " VALUES ('li', '李研发', 'li@example.com', true, 0)"
            )
            connection.exec_driver_sql(
                "INSERT INTO org_meta (id, revision, updated_at) VALUES (1, 4, '2026-11-22 09:00:00')"
            )

    migrate.upgrade(database_url)

    with opened(database_url) as database:
        with database.transaction() as connection:
            assert org.load(connection).preferences == {}
            channels = ["inbox", "email"]
            moved = org.set_preference(connection, "li", "overdue", channels, now=clock.now(), actor="li")
        with database.reading() as connection:
            stored = org.load(connection)
    assert (moved, stored.revision) == (5, 5)
    assert stored.users["li"].email == "li@example.com"
    assert stored.preferences == {"li": {"overdue": ("inbox", "email")}}


def test_0019_keeps_deployed_definitions_with_no_change_note(database_url: str) -> None:
    migrate.upgrade(database_url, "0018")
    with opened(database_url) as database:
        with database.transaction() as connection:
            connection.exec_driver_sql(INSERT_DEFINITION)

    migrate.upgrade(database_url)

    with opened(database_url) as database:
        with database.reading() as connection:
            rows = connection.exec_driver_sql("SELECT id, label, change_note FROM definitions").fetchall()
            listed = definitions.listing(connection, key="t")
    assert [tuple(row) for row in rows] == [("t:1", "V1.0", None)]
    assert [(row["id"], row["change_note"], row["running"]) for row in listed] == [("t:1", None, 0)]


def test_0019_downgrades_to_definitions_without_notes_keeping_them(database_url: str) -> None:
    from alembic import command

    migrate.upgrade(database_url)
    with opened(database_url) as database:
        with database.transaction() as connection:
            connection.exec_driver_sql(INSERT_DEFINITION)

    command.downgrade(migrate.alembic_config(database_url), "0018")

    with opened(database_url) as database:
        with database.reading() as connection:
            columns = {column["name"] for column in sa.inspect(connection).get_columns("definitions")}
            ids = connection.exec_driver_sql("SELECT id FROM definitions").scalars().all()
    assert "change_note" not in columns and "deployed_by" in columns
    assert ids == ["t:1"]


#: A countersign in progress; "caller" is one of its signers, so only the JSON's shape tells it apart.
SIGNOFF = ["t2", "sign", "all", ["li", "caller"], [["li", "approve"]]]
#: How 0019 kept a child's caller: a tagged entry after the signoff arrays.
TAGGED = {"caller": ["p1", "t3", "call"]}


#: The columns 0020 adds, in the order of the tagged entry's array.
PARENT_COLUMNS = ("parent_instance_id", "parent_token_id", "parent_node_id")


def seed_a_call_at_0019(database_url: str) -> None:
    """Parent ``p1`` and its child ``c1`` as 0019 stored them, each with a work item and history."""
    migrate.upgrade(database_url, "0019")
    with opened(database_url) as database:
        with database.transaction() as connection:
            connection.exec_driver_sql(INSERT_DEFINITION)
            for instance_id, signoffs in (("p1", [SIGNOFF]), ("c1", [SIGNOFF, TAGGED])):
                connection.exec_driver_sql(
                    "INSERT INTO instances (id, definition_id, definition_key, business_key, status, data,"
                    " next_token, signoffs, started_at, version, updated_at) VALUES"
                    f" ('{instance_id}', 't:1', 't', 'B{instance_id}', 'running', '{{}}', 4,"
                    f" '{json.dumps(signoffs)}', '2026-11-22 09:00:00', 1, '2026-11-22 09:00:00')"
                )
                connection.exec_driver_sql(
                    "INSERT INTO work_items (id, instance_id, node_id, token_id, name, status, created_at)"
                    f" VALUES ('w{instance_id}', '{instance_id}', 'sign', 't2', 'S', 'open',"
                    " '2026-11-22 09:00:00')"
                )
                connection.exec_driver_sql(
                    "INSERT INTO history (instance_id, at, kind)"
                    f" VALUES ('{instance_id}', '2026-11-22 09:00:00', 'started')"
                )


def linked_rows(database_url: str) -> dict[str, tuple[object, ...]]:
    """Each instance's signoffs, and its parent columns when it has them."""
    with opened(database_url) as database:
        with database.reading() as connection:
            names = {column["name"] for column in sa.inspect(connection).get_columns("instances")}
            wanted = [instances.c.id, instances.c.signoffs]
            wanted += [instances.c[name] for name in PARENT_COLUMNS if name in names]
            return {row[0]: tuple(row[1:]) for row in connection.execute(sa.select(*wanted))}


def test_0020_moves_a_childs_tagged_caller_out_of_signoffs_into_its_columns(database_url: str) -> None:
    seed_a_call_at_0019(database_url)

    migrate.upgrade(database_url)

    assert linked_rows(database_url) == {
        "p1": ([SIGNOFF], None, None, None),
        "c1": ([SIGNOFF], "p1", "t3", "call"),
    }
    with opened(database_url) as database:
        with database.reading() as connection:
            child = stored_instances.load(connection, "c1")
            children = stored_instances.children(connection, "p1")
    assert child is not None and child.state.caller == Caller("p1", "t3", "call")
    assert [signoff.signers for signoff in child.state.signoffs] == [("li", "caller")]
    assert [row["id"] for row in children] == ["c1"]


def test_0020_downgrade_puts_the_caller_back_into_signoffs_keeping_every_row(database_url: str) -> None:
    from alembic import command

    seed_a_call_at_0019(database_url)
    before = linked_rows(database_url)
    migrate.upgrade(database_url)

    command.downgrade(migrate.alembic_config(database_url), "0019")

    assert linked_rows(database_url) == before == {"p1": ([SIGNOFF],), "c1": ([SIGNOFF, TAGGED],)}
    with opened(database_url) as database:
        with database.reading() as connection:
            items = connection.exec_driver_sql("SELECT id FROM work_items ORDER BY id").scalars().all()
            events = connection.exec_driver_sql("SELECT count(*) FROM history").scalar()
            indexes = {index["name"] for index in sa.inspect(connection).get_indexes("instances")}
    assert (items, events) == (["wc1", "wp1"], 2)
    assert "ix_instances_parent_instance_id" not in indexes and "ix_instances_status_started_at" in indexes

    migrate.upgrade(database_url)
    assert linked_rows(database_url)["c1"] == ([SIGNOFF], "p1", "t3", "call")
    with opened(database_url) as database:
        with database.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []


def test_every_revision_downgrades_to_0003_and_upgrades_again(database_url: str) -> None:
    from alembic import command

    migrate.upgrade(database_url)
    command.downgrade(migrate.alembic_config(database_url), "0003")
    assert migrate.current_revision(database_url) == "0003"
    with opened(database_url) as database:
        with database.reading() as connection:
            columns = {column["name"] for column in sa.inspect(connection).get_columns("work_items")}
            tables = set(sa.inspect(connection).get_table_names())
    assert {"department", "due_at", "due_from", "on_behalf_of", "progress_percent"}.isdisjoint(columns)
    added = {
        "copies",
        "attachments",
        "org_delegations",
        "jobs",
        "anomalies",
        "notifications",
        "org_notification_preferences",
        "accounts",
        "api_tokens",
        "web_sessions",
        "audit_log",
        "audit_head",
        "sensitive_views",
    }
    assert added.isdisjoint(tables)

    migrate.upgrade(database_url)
    assert migrate.current_revision(database_url) == migrate.head_revision() == "0025"

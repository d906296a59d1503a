from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from orgflow.store import migrate
from orgflow.store.database import create_database
from orgflow.store.tables import metadata


def test_fresh_database_has_no_revision(database_url: str) -> None:
    assert migrate.current_revision(database_url) is None


def test_upgrade_creates_exactly_the_tables_module(database_url: str) -> None:
    migrate.upgrade(database_url)

    assert migrate.current_revision(database_url) == migrate.head_revision()
    database = create_database(database_url)
    try:
        with database.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []
    finally:
        database.dispose()


def test_upgrading_twice_is_a_no_op(database_url: str) -> None:
    migrate.upgrade(database_url)
    migrate.upgrade(database_url)

    assert migrate.current_revision(database_url) == migrate.head_revision()

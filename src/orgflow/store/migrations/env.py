"""Alembic environment: migrates the database given by the caller against ``orgflow.store.tables``.

Run programmatically by :mod:`orgflow.store.migrate` (no ``alembic.ini`` on
disk); the URL arrives in ``config.attributes["url"]``. SQLite uses batch mode
(table copies) for ALTERs it cannot do in place. On PostgreSQL an advisory
lock keeps two processes from migrating at once.
"""

from __future__ import annotations

from alembic import context

from orgflow.store.database import POSTGRESQL, create_database
from orgflow.store.tables import metadata

#: Arbitrary constant naming OrgFlow's migration lock (pg_advisory_xact_lock).
MIGRATION_LOCK_ID = 0x0F_10_77_01


def run_migrations_online() -> None:
    config = context.config
    database = create_database(config.attributes["url"])
    try:
        # One transaction for the whole upgrade (BEGIN IMMEDIATE on SQLite): all or nothing.
        with database.transaction() as connection:
            if database.dialect == POSTGRESQL:
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_ID})")
            context.configure(
                connection=connection,
                target_metadata=metadata,
                render_as_batch=True,
                compare_type=True,
                transactional_ddl=True,
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        database.dispose()


if context.is_offline_mode():
    raise SystemExit("OrgFlow migrations run online only: use `orgflow init`.")
run_migrations_online()

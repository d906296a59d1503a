"""Run the Alembic migrations from code: no ``alembic.ini`` needs to exist on disk.

``orgflow init`` and the test suite call :func:`upgrade`; both databases
use the same revisions.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import URL

from orgflow.store.database import Database, create_database, normalize_url, sqlite_file_missing

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str | URL) -> Config:
    """An Alembic configuration built in memory, pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = normalize_url(url)
    return config


def upgrade(url: str | URL, revision: str = "head") -> None:
    """Bring the database at ``url`` up to ``revision`` (the latest by default); a no-op when it is there.

    Raises:
        ConfigurationError: The database cannot be reached.
    """
    command.upgrade(alembic_config(url), revision)


def current_revision(url: str | URL) -> str | None:
    """The revision the database is at, or ``None`` for a database never migrated (or no file yet)."""
    if sqlite_file_missing(url):
        return None
    database = create_database(url, create=False)
    try:
        return revision_of(database)
    finally:
        database.dispose()


def revision_of(database: Database) -> str | None:
    """The revision an open database is at, or ``None`` if it was never migrated."""
    with database.reading() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """The newest revision this version of OrgFlow ships."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(config).get_current_head()
    if head is None:
        raise RuntimeError("OrgFlow ships no migrations")
    return head

"""Shared fixtures: a real database per test, on SQLite and on PostgreSQL.

``database_url`` is parametrised: ``sqlite`` (a WAL file in ``tmp_path``) and
``postgresql`` (the server at ``ORGFLOW_TEST_POSTGRES_URL``, default
``postgresql+psycopg://root@127.0.0.1:5432/test``). Each PostgreSQL test gets a
freshly created schema of its own (selected with ``-csearch_path`` in the URL,
so subprocesses see the same schema) that is dropped afterwards.

When the server cannot be reached the PostgreSQL cases are skipped, unless
``ORGFLOW_REQUIRE_POSTGRES=1`` (CI), which turns that into a failure.
Database libraries are imported inside the fixtures so pure unit tests never
pay for them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from orgflow.clock import FrozenClock

POSTGRES_URL = os.environ.get("ORGFLOW_TEST_POSTGRES_URL", "postgresql+psycopg://root@127.0.0.1:5432/test")
REQUIRE_POSTGRES = os.environ.get("ORGFLOW_REQUIRE_POSTGRES") == "1"

#: 2026-11-22 09:00 UTC, a Sunday: the instant every frozen clock starts at.
T0 = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def _libpq_url(url: str) -> str:
    """The URL psycopg itself understands (no SQLAlchemy driver suffix)."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The PostgreSQL server URL, once it has answered; skips (or fails in CI) when it does not."""
    import psycopg
    from sqlalchemy.engine import make_url

    try:
        psycopg.connect(_libpq_url(POSTGRES_URL), connect_timeout=3).close()
    except psycopg.OperationalError as error:
        shown = make_url(POSTGRES_URL).render_as_string(hide_password=True)
        reason = f"PostgreSQL at {shown} is unreachable ({str(error).strip().splitlines()[0]})"
        if REQUIRE_POSTGRES:
            pytest.fail(f"{reason}, and ORGFLOW_REQUIRE_POSTGRES=1 requires it", pytrace=False)
        pytest.skip(f"{reason}; set ORGFLOW_TEST_POSTGRES_URL or start the server")
    return POSTGRES_URL


@pytest.fixture(
    params=[pytest.param("sqlite"), pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def database_url(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]) -> Iterator[str]:
    """An empty database: a SQLite file, or a fresh PostgreSQL schema dropped after the test."""
    import psycopg
    from sqlalchemy.engine import make_url

    if request.param == "sqlite":
        yield f"sqlite:///{os.path.join(tmp_path, 'orgflow.db')}"
        return
    server: str = request.getfixturevalue("postgres_server")
    schema = f"orgflow_test_{uuid.uuid4().hex[:12]}"
    admin = _libpq_url(server)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield (
            make_url(server)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def migrated_url(database_url: str) -> str:
    """``database_url`` with the schema created by the migrations."""
    from orgflow.store.migrate import upgrade

    upgrade(database_url)
    return database_url


@pytest.fixture
def clock() -> FrozenClock:
    """A clock frozen at :data:`T0`."""
    return FrozenClock(T0)

"""A process keeps as many database connections as requests it serves at once (no churn under load)."""

from __future__ import annotations

from contextlib import ExitStack

from orgflow.store.database import REQUEST_THREADS, create_database


def test_connections_returned_after_a_busy_moment_are_kept_for_the_next(migrated_url: str) -> None:
    database = create_database(migrated_url)
    try:
        busy = REQUEST_THREADS if database.dialect == "sqlite" else 10
        with ExitStack() as stack:
            for _ in range(busy):
                stack.enter_context(database.engine.connect())
        pool = database.engine.pool
        assert pool.checkedin() == busy, pool.status()  # type: ignore[attr-defined]
        assert pool.checkedout() == 0  # type: ignore[attr-defined]
    finally:
        database.dispose()

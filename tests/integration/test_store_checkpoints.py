"""SQLite's write-ahead log is copied into the database file by a background thread, not by commands."""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time
from pathlib import Path

from orgflow.store.checkpoints import CHECKPOINT_EVERY_COMMITS
from orgflow.store.database import SQLITE_PAGE_SIZE, WAL_BACKSTOP_BYTES, Database, create_database


def checkpoint_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("sqlite-checkpoint:") and t.is_alive()]


def write(database: Database, commits: int) -> None:
    for n in range(commits):
        with database.transaction() as connection:
            connection.exec_driver_sql(f"INSERT INTO c VALUES ({n})")


def fresh(path: Path) -> Database:
    database = create_database(f"sqlite:///{path}")
    with database.transaction() as connection:
        connection.exec_driver_sql("CREATE TABLE c (n INTEGER)")
    return database


def test_commands_checkpoint_only_past_the_backstop(tmp_path: Path) -> None:
    database = fresh(tmp_path / "o.db")
    try:
        with database.reading() as connection:
            pages = connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
        assert pages == WAL_BACKSTOP_BYTES // SQLITE_PAGE_SIZE
    finally:
        database.dispose()


def test_a_few_commits_start_no_thread(tmp_path: Path) -> None:
    database = fresh(tmp_path / "o.db")
    try:
        write(database, CHECKPOINT_EVERY_COMMITS - 2)  # with the CREATE TABLE: one short of waking it
        assert database.checkpointer is not None and database.checkpointer.checkpoints == 0
        assert not any(t.name.endswith(":o.db") for t in checkpoint_threads())
    finally:
        database.dispose()


def test_enough_commits_have_the_log_copied_into_the_file(tmp_path: Path) -> None:
    path = tmp_path / "o.db"
    database = fresh(path)
    try:
        write(database, CHECKPOINT_EVERY_COMMITS - 1)  # with the CREATE TABLE: the last commit wakes it
        checkpointer = database.checkpointer
        assert checkpointer is not None
        deadline = time.monotonic() + 10
        while checkpointer.checkpoints == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert checkpointer.checkpoints >= 1
        assert (tmp_path / "o.db-wal").exists()  # the log is still in use: the rows are in both
        # The database file alone, without its log, already holds every committed row.
        shutil.copy(path, tmp_path / "alone.db")
        alone = sqlite3.connect(tmp_path / "alone.db")
        try:
            assert alone.execute("SELECT count(*) FROM c").fetchone() == (CHECKPOINT_EVERY_COMMITS - 1,)
        finally:
            alone.close()
    finally:
        database.dispose()


def test_disposing_stops_the_thread_and_leaves_no_log(tmp_path: Path) -> None:
    database = fresh(tmp_path / "o.db")
    write(database, CHECKPOINT_EVERY_COMMITS * 2 + 1)
    assert any(t.name.endswith(":o.db") for t in checkpoint_threads())
    database.dispose()
    database.dispose()  # a second time changes nothing
    assert not any(t.name.endswith(":o.db") for t in checkpoint_threads())
    assert not (tmp_path / "o.db-wal").exists()
    reopened = create_database(f"sqlite:///{tmp_path / 'o.db'}", create=False)
    try:
        with reopened.reading() as connection:
            assert (
                connection.exec_driver_sql("SELECT count(*) FROM c").scalar()
                == CHECKPOINT_EVERY_COMMITS * 2 + 1
            )
    finally:
        reopened.dispose()

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text

from orgflow.errors import ConfigurationError, Conflict, StorageError
from orgflow.store.database import create_database, normalize_url
from orgflow.store.tables import business_key_sequences


def test_sqlite_runs_in_wal_with_foreign_keys(tmp_path) -> None:
    database = create_database(f"sqlite:///{tmp_path / 'sub' / 'o.db'}")
    try:
        with database.reading() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0
    finally:
        database.dispose()


def test_sqlite_write_transactions_take_the_write_lock_at_begin(tmp_path) -> None:
    """A second writer waits at BEGIN (not at its first write), so reads inside a command are current."""
    url = f"sqlite:///{tmp_path / 'o.db'}"
    database = create_database(url)
    with database.transaction() as connection:
        connection.exec_driver_sql("CREATE TABLE c (n INTEGER)")
        connection.exec_driver_sql("INSERT INTO c VALUES (0)")
    order: list[str] = []
    first_has_lock = threading.Event()

    def first() -> None:
        with database.transaction() as connection:
            first_has_lock.set()
            order.append("first-begun")
            threading.Event().wait(0.2)
            connection.exec_driver_sql("UPDATE c SET n = n + 1")
            order.append("first-done")

    thread = threading.Thread(target=first)
    thread.start()
    first_has_lock.wait()
    with database.transaction() as connection:
        order.append("second-begun")
        assert connection.exec_driver_sql("SELECT n FROM c").scalar() == 1
    thread.join()
    assert order == ["first-begun", "first-done", "second-begun"]
    database.dispose()


def test_reading_does_not_block_on_a_writer(tmp_path) -> None:
    database = create_database(f"sqlite:///{tmp_path / 'o.db'}")
    with database.transaction() as connection:
        connection.exec_driver_sql("CREATE TABLE c (n INTEGER)")
    with database.transaction(), database.reading() as reader:
        assert reader.exec_driver_sql("SELECT count(*) FROM c").scalar() == 0
    database.dispose()


@pytest.mark.parametrize(
    "url",
    ["mysql://u@h/db", "sqlite://", "sqlite:///:memory:", "not a url"],
)
def test_unsupported_urls_are_configuration_errors(url: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        create_database(url)
    assert "Traceback" not in str(caught.value)


def test_plain_postgresql_urls_use_psycopg3() -> None:
    assert normalize_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert normalize_url("postgres://u@h/db").drivername == "postgresql+psycopg"


def test_unreachable_server_is_a_configuration_error_without_password() -> None:
    with pytest.raises(ConfigurationError) as caught:
        create_database("postgresql://someone:secret@127.0.0.1:1/nowhere?connect_timeout=2")
    message = str(caught.value)
    assert "无法连接数据库" in message
    assert "secret" not in message
    assert "\n" not in message


def test_missing_schema_is_reported_as_not_migrated(database_url: str) -> None:
    database = create_database(database_url)
    try:
        with pytest.raises(ConfigurationError, match="orgflow init"), database.reading() as connection:
            connection.execute(select(business_key_sequences))
    finally:
        database.dispose()


def test_duplicate_keys_become_conflicts(migrated_url: str) -> None:
    database = create_database(migrated_url)
    row = {"prefix": "P", "day": "20261122", "last": 1}
    try:
        with database.transaction() as connection:
            connection.execute(business_key_sequences.insert(), row)
        with pytest.raises(Conflict), database.transaction() as connection:
            connection.execute(business_key_sequences.insert(), row)
    finally:
        database.dispose()


def test_other_failures_are_storage_errors(database_url: str) -> None:
    database = create_database(database_url)
    try:
        with pytest.raises(StorageError), database.transaction() as connection:
            connection.execute(text("SELEC 1"))
    finally:
        database.dispose()


def test_times_come_back_aware_in_utc(migrated_url: str) -> None:
    from orgflow.store.tables import definitions

    database = create_database(migrated_url)
    beijing = timezone(timedelta(hours=8))
    deployed = datetime(2026, 11, 22, 17, 30, 15, 123456, tzinfo=beijing)
    try:
        with database.transaction() as connection:
            connection.execute(
                definitions.insert(),
                {
                    "id": "k:1",
                    "key": "k",
                    "version": 1,
                    "major": 1,
                    "minor": 0,
                    "label": "V1.0-202611-k",
                    "name": "k",
                    "source_format": "yaml",
                    "source_text": "",
                    "content_hash": "",
                    "deployed_at": deployed,
                },
            )
        with database.reading() as connection:
            stored = connection.execute(select(definitions.c.deployed_at)).scalar_one()
        assert stored == deployed
        assert stored.tzinfo == UTC
        with pytest.raises(ValueError, match="naive"), database.transaction() as connection:
            connection.execute(definitions.update().values(deployed_at=datetime(2026, 1, 1)))
    finally:
        database.dispose()


def test_a_sqlite_file_under_a_file_is_a_configuration_error(tmp_path) -> None:
    (tmp_path / "a_file").write_text("x")
    with pytest.raises(ConfigurationError, match="a_file"):
        create_database(f"sqlite:///{tmp_path / 'a_file' / 'sub' / 'o.db'}")


def test_a_new_sqlite_file_uses_small_pages_and_an_old_one_keeps_its_own(tmp_path) -> None:
    fresh = create_database(f"sqlite:///{tmp_path / 'new.db'}")
    with fresh.transaction() as connection:
        connection.exec_driver_sql("CREATE TABLE t (n INTEGER)")
        assert connection.exec_driver_sql("PRAGMA page_size").scalar() == 1024
    fresh.dispose()
    import sqlite3

    old_path = tmp_path / "old.db"
    old = sqlite3.connect(old_path)
    old.execute("CREATE TABLE t (n INTEGER)")
    old.commit()
    old.close()
    existing = create_database(f"sqlite:///{old_path}")
    with existing.reading() as connection:
        assert connection.exec_driver_sql("PRAGMA page_size").scalar() == 4096
    existing.dispose()


def test_after_a_failed_statement_the_next_write_works(tmp_path) -> None:
    database = create_database(f"sqlite:///{tmp_path / 'o.db'}")
    with database.transaction() as connection:
        connection.exec_driver_sql("CREATE TABLE c (n INTEGER)")
    with pytest.raises(StorageError), database.transaction() as connection:
        connection.exec_driver_sql("INSERT INTO c VALUES (1)")
        connection.exec_driver_sql("SELEC 1")
    with database.transaction() as connection:
        connection.exec_driver_sql("INSERT INTO c VALUES (2)")
    with database.reading() as connection:
        assert [row[0] for row in connection.exec_driver_sql("SELECT n FROM c")] == [2]
    database.dispose()


def test_a_block_that_raises_rolls_back_skips_on_commit_and_frees_the_writer(tmp_path) -> None:
    database = create_database(f"sqlite:///{tmp_path / 'o.db'}")
    committed: list[str] = []
    with database.transaction(on_commit=lambda: committed.append("first")) as connection:
        connection.exec_driver_sql("CREATE TABLE c (n INTEGER)")
    with (
        pytest.raises(Conflict),
        database.transaction(on_commit=lambda: committed.append("no")) as connection,
    ):
        connection.exec_driver_sql("INSERT INTO c VALUES (1)")
        raise Conflict("someone else")
    with (
        pytest.raises(KeyError),
        database.transaction(on_commit=lambda: committed.append("no")) as connection,
    ):
        connection.exec_driver_sql("INSERT INTO c VALUES (2)")
        raise KeyError("a bug")
    with database.transaction(on_commit=lambda: committed.append("last")) as connection:
        connection.exec_driver_sql("INSERT INTO c VALUES (3)")
    with database.reading() as connection:
        assert [row[0] for row in connection.exec_driver_sql("SELECT n FROM c")] == [3]
    assert committed == ["first", "last"]
    database.dispose()


def test_two_openers_of_one_sqlite_file_take_turns_at_begin(tmp_path) -> None:
    """Two processes (here: two Database objects) never interleave write transactions."""
    url = f"sqlite:///{tmp_path / 'o.db'}"
    one, two = create_database(url), create_database(url)
    with one.transaction() as connection:
        connection.exec_driver_sql("CREATE TABLE c (n INTEGER)")
        connection.exec_driver_sql("INSERT INTO c VALUES (0)")
    order: list[str] = []
    holding = threading.Event()

    def first() -> None:
        with one.transaction() as connection:
            holding.set()
            threading.Event().wait(0.2)
            connection.exec_driver_sql("UPDATE c SET n = n + 1")
            order.append("one-done")

    thread = threading.Thread(target=first)
    thread.start()
    holding.wait()
    with two.transaction() as connection:
        order.append("two-begun")
        assert connection.exec_driver_sql("SELECT n FROM c").scalar() == 1
    thread.join()
    assert order == ["one-done", "two-begun"]
    one.dispose()
    two.dispose()

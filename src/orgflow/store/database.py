"""Opening the database: SQLite (WAL, ``BEGIN IMMEDIATE``) or PostgreSQL (psycopg 3), one interface.

SQLite is the embedded default: one file, one writer at a time. Write
transactions start with ``BEGIN IMMEDIATE`` so a command takes the write lock
before it reads the state it will change; two writers never both read and then
collide at commit. Read-only work starts a deferred ``BEGIN`` and runs beside a
writer thanks to WAL. PostgreSQL runs at READ COMMITTED; lost races are caught
by the instance version check.

Database failures leave this module as :mod:`orgflow.errors` types, never as
SQLAlchemy or driver exceptions.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import date, datetime
from decimal import Decimal
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    IntegrityError,
    NoSuchModuleError,
    OperationalError,
    StatementError,
)

from orgflow.errors import ConfigurationError, Conflict, OrgFlowError, StorageError
from orgflow.store.checkpoints import Checkpointer

__all__ = [
    "INIT_COMMAND",
    "POSTGRESQL",
    "SQLITE",
    "Connection",
    "Database",
    "create_database",
    "database_error",
    "display_url",
    "dump_json",
    "load_json",
    "normalize_url",
    "sqlite_file_missing",
    "translate_errors",
]

SQLITE = "sqlite"
POSTGRESQL = "postgresql"

#: Requests one process serves at once: Starlette's thread pool for handlers (AnyIO's default).
REQUEST_THREADS = 40

#: How long a SQLite writer waits for the write lock before giving up (milliseconds).
SQLITE_BUSY_TIMEOUT_MS = 10_000

#: Page size of a new SQLite file (bytes); see ``_configure_sqlite``.
SQLITE_PAGE_SIZE = 1024
#: Write-ahead log size past which a committing command checkpoints itself (bytes).
WAL_BACKSTOP_BYTES = 16 * 1024 * 1024

#: PostgreSQL SQLSTATEs that mean "another transaction got there first": retrying may succeed.
_PG_CONTENTION = {"40001", "40P01", "55P03"}
#: PostgreSQL SQLSTATEs that mean the schema is missing.
_PG_NO_SCHEMA = {"42P01", "3F000"}

#: The command that creates or upgrades the schema, named in hints.
INIT_COMMAND = "orgflow init"

_NOT_MIGRATED = f"数据库尚未初始化或结构不是最新版本，请先运行 {INIT_COMMAND}。"


class Database:
    """An open database: the SQLAlchemy engine plus the transaction styles OrgFlow uses.

    On SQLite, write transactions share one connection kept open for the
    purpose, behind a lock: SQLite admits one writer at a time anyway, and
    checking a connection out of the pool for every command cost more than
    the command's own statements. Reads use pooled connections and run beside
    the writer thanks to WAL.

    Attributes:
        engine: The pooled SQLAlchemy engine.
        checkpointer: SQLite's background checkpoint thread (``None`` on PostgreSQL).
        dialect: ``sqlite`` or ``postgresql``.
        url: The URL with the password hidden, for messages and logs.
    """

    __slots__ = ("_serial", "_write_lock", "_writer", "checkpointer", "dialect", "engine", "url")

    def __init__(
        self, *, engine: Engine, dialect: str, url: str, checkpointer: Checkpointer | None = None
    ) -> None:
        self.engine = engine
        self.dialect = dialect
        self.url = url
        self.checkpointer = checkpointer
        self._write_lock = threading.Lock()
        self._writer: tuple[Connection, sqlite3.Connection] | None = None
        #: SQLite write transactions begun so far by this process (see :attr:`serial`).
        self._serial = 0

    @property
    def serial(self) -> int:
        """How many SQLite write transactions this object has begun; inside one, that one's number.

        What a process remembers of its own writes (:mod:`orgflow.store.known_writes`) is
        trusted only by the transaction that directly follows the one that wrote it.
        """
        return self._serial

    def transaction(
        self, *, on_commit: Callable[[], None] | None = None
    ) -> AbstractContextManager[Connection]:
        """One write transaction: commits when the block ends, rolls back if it raises.

        On SQLite it starts with ``BEGIN IMMEDIATE``: the write lock is taken
        before the first read, so what a command reads is what it overwrites.
        The SQLite writer's transaction is begun and ended on the driver itself:
        going through SQLAlchemy's transaction objects cost more than a small
        command's statements (and, every command being one, so did a generator-based
        context manager: see :class:`_WriteTransaction`).

        ``on_commit`` is called once the transaction has committed, on SQLite while the
        write lock is still held (so no other writer comes in between).
        """
        if self.dialect != SQLITE:
            return self._pooled_transaction(on_commit)
        return _WriteTransaction(self, on_commit)

    @contextmanager
    def _pooled_transaction(self, on_commit: Callable[[], None] | None) -> Iterator[Connection]:
        """PostgreSQL's write transaction: a pooled connection, SQLAlchemy's own BEGIN and COMMIT."""
        with translate_errors(), self.engine.connect() as connection, connection.begin():
            yield connection
        if on_commit is not None:
            on_commit()

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read-only transaction: a consistent snapshot that never takes SQLite's write lock."""
        with translate_errors(), self.engine.connect() as connection, connection.begin():
            if self.dialect == SQLITE:
                _begin_sqlite(connection, "BEGIN")
            yield connection

    def writer_version(self, connection: Connection) -> tuple[object, int] | None:
        """Inside a SQLite write transaction: its driver connection and ``PRAGMA data_version``.

        The number moves whenever another connection (another process, a migration)
        has committed since this connection last looked; it is the writer's own, so it
        is compared only with what the same driver connection said. ``None`` on PostgreSQL.
        """
        if self.dialect != SQLITE:
            return None
        driver = connection.connection.dbapi_connection
        if driver is None:
            return None
        try:
            row = driver.execute("PRAGMA data_version").fetchone()
        except sqlite3.Error:
            return None  # not knowing only means not trusting what this process remembers
        return driver, int(row[0])

    def ping(self) -> None:
        """Ask the database one trivial question (``SELECT 1``): raises when it does not answer."""
        with self.reading() as connection:
            connection.exec_driver_sql("SELECT 1")

    def dispose(self) -> None:
        """Close every connection (at shutdown, or in tests before deleting the file)."""
        if self.checkpointer is not None:
            self.checkpointer.stop()
        with self._write_lock:
            self._close_writer()
        self.engine.dispose()

    def _open_writer(self) -> tuple[Connection, sqlite3.Connection]:
        """Open the SQLite writer; its driver connection is kept beside it, looked up once."""
        connection = self.engine.connect()
        driver = connection.connection.driver_connection
        assert isinstance(driver, sqlite3.Connection)
        self._writer = (connection, driver)
        return self._writer

    def _close_writer(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            try:
                writer[0].close()
            except DBAPIError:
                pass


class _WriteTransaction(AbstractContextManager[Connection]):
    """The SQLite writer's transaction (see :meth:`Database.transaction`), as a plain class.

    Entered once per command: a ``@contextmanager`` generator cost a generator, a
    wrapper object and a ``StopIteration`` each time. What it does, in order: take the
    write lock, ``BEGIN IMMEDIATE`` on the driver, hand out the connection; at the end
    commit (or roll back), call ``on_commit``, tell the checkpointer, translate driver
    failures (see :func:`translate_errors`), and close the writer after a failure that
    is not OrgFlow's own, so the next command starts on a fresh connection.
    """

    __slots__ = ("_connection", "_database", "_driver", "_on_commit")

    def __init__(self, database: Database, on_commit: Callable[[], None] | None) -> None:
        self._database = database
        self._on_commit = on_commit
        self._connection: Connection | None = None
        self._driver: sqlite3.Connection | None = None

    def __enter__(self) -> Connection:
        database = self._database
        database._write_lock.acquire()
        try:
            writer = database._writer
            try:
                connection, driver = writer if writer is not None else database._open_writer()
            except BaseException as failure:
                _TRANSLATE_ERRORS.__exit__(type(failure), failure, failure.__traceback__)
                raise
            self._connection, self._driver = connection, driver
            database._serial += 1
            try:
                _begin_on_driver(driver, "BEGIN IMMEDIATE")
            except BaseException as failure:
                self._failed(database, connection, failure)
                raise
        except BaseException:
            database._write_lock.release()
            raise
        return connection

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        database = self._database
        connection, driver = self._connection, self._driver
        assert connection is not None and driver is not None
        try:
            if error is None:
                self._commit(database, connection, driver)
                return
            try:
                driver.rollback()
            except BaseException as failure:
                self._failed(database, connection, failure)
                raise
            if not isinstance(error, OrgFlowError):
                database._close_writer()  # after a driver failure, start the next command afresh
            _settle(connection)
            _TRANSLATE_ERRORS.__exit__(kind, error, traceback)  # raises the translation, if there is one
        finally:
            database._write_lock.release()

    def _commit(self, database: Database, connection: Connection, driver: sqlite3.Connection) -> None:
        try:
            driver.commit()
            if self._on_commit is not None:
                self._on_commit()
            if database.checkpointer is not None:
                database.checkpointer.committed()
        except BaseException as failure:
            self._failed(database, connection, failure)
            raise
        _settle(connection)

    @staticmethod
    def _failed(database: Database, connection: Connection, failure: BaseException) -> None:
        """After ``failure`` ended the transaction: drop the writer unless OrgFlow raised it; translate."""
        if not isinstance(failure, OrgFlowError):
            database._close_writer()
        _settle(connection)
        _TRANSLATE_ERRORS.__exit__(type(failure), failure, failure.__traceback__)


def create_database(url: str | URL, *, create: bool = True) -> Database:
    """Open the database at ``url`` and check that it answers.

    Args:
        url: ``sqlite:///path/to/file.db`` or ``postgresql://user@host/db``
            (``postgresql+psycopg://`` and ``postgres://`` are accepted too).
        create: Whether a missing SQLite file (and its folder) may be created;
            ``False`` for anything that only reads or expects an initialised
            database, so a mistyped path creates nothing.

    Raises:
        ConfigurationError: The URL is malformed, names an unsupported database,
            the database cannot be reached, or (``create=False``) the SQLite file
            does not exist.
    """
    parsed = normalize_url(url)
    shown = display_url(parsed)
    options: dict[str, Any] = {"json_serializer": dump_json, **_pool_options(parsed.get_backend_name())}
    checkpointer = None
    if parsed.get_backend_name() == SQLITE:
        path = Path(parsed.database or "")
        if not create and not path.is_file():
            raise ConfigurationError(
                f"数据库文件 {path} 不存在（尚未初始化）：请检查路径，或先运行 {INIT_COMMAND} 创建。"
            )
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ConfigurationError(
                f"无法创建数据库所在目录 {path.parent}：{error.strerror or error}"
            ) from None
        engine = create_engine(parsed, **options)
        _configure_sqlite(engine)
        checkpointer = Checkpointer(path)
    else:
        engine = create_engine(parsed, **options)
    try:
        with engine.connect():
            pass
    except (DBAPIError, NoSuchModuleError) as error:
        engine.dispose()
        raise ConfigurationError(f"无法连接数据库 {shown}：{_first_line(error)}") from None
    return Database(engine=engine, dialect=parsed.get_backend_name(), url=shown, checkpointer=checkpointer)


def sqlite_file_missing(url: str | URL) -> bool:
    """Whether ``url`` names a SQLite file that does not exist (yet)."""
    parsed = normalize_url(url)
    return parsed.get_backend_name() == SQLITE and not Path(parsed.database or "").is_file()


def display_url(url: str | URL) -> str:
    """The URL as messages and logs show it: normalised, password hidden."""
    return normalize_url(url).render_as_string(hide_password=True)


def normalize_url(url: str | URL) -> URL:
    """Parse ``url`` and pick the driver OrgFlow uses (psycopg 3 for PostgreSQL).

    Raises:
        ConfigurationError: The URL is malformed or names an unsupported database.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ConfigurationError(
            f"数据库地址 {url!r} 无法解析，示例：sqlite:///orgflow.db 或 postgresql://user@host/db"
        ) from None
    shown = parsed.render_as_string(hide_password=True)
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg"):
        return parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername in ("sqlite", "sqlite+pysqlite"):
        if not parsed.database or parsed.database == ":memory:":
            raise ConfigurationError(
                f"数据库地址 {shown} 是内存数据库，不支持；请指定文件，例如 sqlite:///orgflow.db"
            )
        return parsed
    raise ConfigurationError(
        f"不支持的数据库 {shown}：仅支持 SQLite（sqlite:///文件）和 PostgreSQL（postgresql://…）"
    )


def _pool_options(backend: str) -> dict[str, int]:
    """How many connections a process keeps: as many as requests it serves at once.

    The API runs its handlers on a pool of :data:`REQUEST_THREADS` threads. With SQLAlchemy's
    default (5 kept, 10 more opened when needed and closed when returned) a busy service
    waited for a connection or opened and set up a new one for a request in two; a SQLite
    connection costs little to keep. PostgreSQL keeps fewer, since several ``serve`` and
    ``worker`` processes share the server's connection limit (100 by default).
    """
    if backend == SQLITE:
        return {"pool_size": REQUEST_THREADS, "max_overflow": 10}
    return {"pool_size": 10, "max_overflow": REQUEST_THREADS - 10}


def _configure_sqlite(engine: Engine) -> None:
    """Put the driver in autocommit mode so OrgFlow, not pysqlite, decides how transactions begin.

    pysqlite would otherwise start its own deferred transaction only before the
    first INSERT/UPDATE, after a command has already read. See ``_begin_sqlite``.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            # Small pages for a new file (ignored for an existing one): a command dirties a
            # dozen pages, and every dirty page is written whole to the WAL at commit.
            cursor.execute(f"PRAGMA page_size = {SQLITE_PAGE_SIZE}")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            # Checkpoints are copied on a thread of their own (see ``checkpoints``); a command
            # checkpoints only past 16 MiB of WAL, the backstop. Keep a working set of 32 MiB in
            # memory (the default 2 MiB is a few hundred instances).
            cursor.execute(f"PRAGMA wal_autocheckpoint = {WAL_BACKSTOP_BYTES // SQLITE_PAGE_SIZE}")
            cursor.execute("PRAGMA cache_size = -32768")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()


def _settle(connection: Connection) -> None:
    """End SQLAlchemy's own bookkeeping transaction, if a statement run through it began one.

    The SQLite writer's transaction is begun and ended on the driver (see
    ``Database.transaction``); SQLAlchemy only records that a ``connection.execute``
    happened. Its commit here sends nothing: the driver has no transaction left.
    """
    if connection.in_transaction():
        connection.commit()


def _begin_sqlite(connection: Connection, statement: str) -> None:
    """Start SQLite's transaction ourselves (the driver is in autocommit mode, see ``_configure_sqlite``).

    SQLAlchemy's transaction is already open and will issue the COMMIT or
    ROLLBACK. Doing this here rather than in a ``begin`` event listener keeps
    the engine free of connection events, which SQLAlchemy would otherwise
    dispatch on every execute and commit (~25 µs a command).
    """
    driver = connection.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    _begin_on_driver(driver, statement)


def _begin_on_driver(driver: sqlite3.Connection, statement: str) -> None:
    """Run ``BEGIN …`` on pysqlite, failures wrapped as SQLAlchemy wraps them (see ``translate_errors``)."""
    try:
        driver.execute(statement)
    except sqlite3.Error as error:
        raise DBAPIError.instance(statement, None, error, sqlite3.Error) from error


class _ErrorTranslation(AbstractContextManager[None]):
    """The context manager behind :func:`translate_errors`.

    A class rather than a ``@contextmanager`` generator: every command enters
    it, and a generator-based one costs a generator and several calls each time.
    It keeps no state, so one instance serves every caller.
    """

    __slots__ = ()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if isinstance(error, DBAPIError):
            raise database_error(error) from error
        if isinstance(error, StatementError):
            if isinstance(error.orig, Exception):
                raise error.orig from error
            raise StorageError(f"数据库读写失败：{_first_line(error)}") from error


_TRANSLATE_ERRORS = _ErrorTranslation()


def translate_errors() -> AbstractContextManager[None]:
    """Turn database failures into :mod:`orgflow.errors` types a user can act on.

    A value SQLAlchemy could not bind (a naive datetime, something JSON cannot
    hold) is a programming error: the original exception is raised, unwrapped.
    """
    return _TRANSLATE_ERRORS


def database_error(error: DBAPIError) -> OrgFlowError:
    """The OrgFlow error for a driver failure: contention is a Conflict, a missing schema is configuration."""
    original = error.orig
    sqlstate = getattr(original, "sqlstate", None)
    text = str(original).lower()
    if isinstance(error, IntegrityError):
        return Conflict()
    if sqlstate in _PG_CONTENTION or (
        isinstance(error, OperationalError) and ("database is locked" in text or "database is busy" in text)
    ):
        return Conflict("数据库正忙或该数据刚被他人修改，请稍后重试。")
    if sqlstate in _PG_NO_SCHEMA or "no such table" in text:
        return ConfigurationError(_NOT_MIGRATED)
    return StorageError(f"数据库读写失败：{_first_line(error)}")


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, set | frozenset):
        return list(value)
    raise TypeError(f"无法保存为 JSON 的值：{type(value).__name__}")


#: One encoder for every JSON column (``json.dumps`` with options would build a new one per call).
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_json_default)
#: The C encoder behind ``_ENCODER``, built once: ``JSONEncoder.encode`` builds it again on every
#: call, which cost as much as encoding a command's small documents. (Without circular-reference
#: checks: column values are trees built from JSON.)
_C_ENCODE: Any = (
    None
    if c_make_encoder is None
    else c_make_encoder(None, _json_default, encode_basestring, None, ":", ",", False, False, True)
)
_DECODER = json.JSONDecoder()


def dump_json(value: Any) -> str:
    """Serialise a JSON column: Chinese stays readable, dates become ISO text, decimals numbers."""
    if _C_ENCODE is None:
        return _ENCODER.encode(value)
    return "".join(_C_ENCODE(value, 0))


def load_json(text: str) -> Any:
    """Parse a JSON column as :func:`dump_json` wrote it, skipping ``json.loads``'s wrappers.

    Text with anything around the document (whitespace, garbage) goes through
    ``json.loads``, which accepts the one and reports the other.
    """
    try:
        value, end = _DECODER.raw_decode(text)
    except ValueError:
        return json.loads(text)
    return value if end == len(text) else json.loads(text)


def _first_line(error: BaseException) -> str:
    original = getattr(error, "orig", None) or error
    lines = str(original).strip().splitlines()
    return lines[0] if lines else type(original).__name__

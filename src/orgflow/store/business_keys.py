"""Business keys (``PROJ20240301001``): prefix + day + a three-digit sequence counted per prefix and day.

The counter is one upsert that returns the new value
(``INSERT … ON CONFLICT (prefix, day) DO UPDATE SET last = last + 1 RETURNING last``).
Two transactions never get the same number; how the databases differ:

- **SQLite**: the upsert runs in the starting transaction. The write lock
  already serialises writers, so taking the number there costs nothing, and
  the counter moves only if the start commits: no gaps.
- **PostgreSQL**: the upsert's row lock would serialise every concurrent start
  of the same prefix for the whole start transaction (the engine run, the
  inserts, the commit). So the number is taken in a short transaction of its
  own, committed at once, on a connection each process keeps for that alone
  (:class:`_Allocator`; not a pooled one, so a full pool cannot deadlock a start
  waiting for a second connection). The lock is held for one statement. The
  price: a start that fails after taking its number leaves that number unused,
  a *gap* in the day's sequence. Keys stay unique and increasing in the order
  they were taken; they are not promised to be without gaps on PostgreSQL.
"""

from __future__ import annotations

import threading
import weakref
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError

from orgflow.ids import business_key
from orgflow.store.statements import NamedStatement
from orgflow.store.tables import business_key_sequences as sequences


def _next_value(dialect_insert: Any) -> Any:
    return (
        dialect_insert(sequences)
        .values(last=1)
        .on_conflict_do_update(
            index_elements=[sequences.c.prefix, sequences.c.day], set_={"last": sequences.c.last + 1}
        )
        .returning(sequences.c.last)
    )


#: ``NEXT_VALUE[dialect name]``: the upsert that takes the next number of a (prefix, day).
NEXT_VALUE = {
    dialect: NamedStatement(
        f"next business key ({dialect})", _next_value(insert), column_keys=("prefix", "day")
    )
    for dialect, insert in (("sqlite", sqlite.insert), ("postgresql", postgresql.insert))
}


def next_business_key(connection: Connection, prefix: str, moment: datetime) -> str:
    """Take the next business key for ``prefix`` on ``moment``'s calendar day (in ``moment``'s time zone).

    On SQLite in ``connection``'s transaction; on PostgreSQL in a short one of its own
    (see the module docstring).
    """
    day = f"{moment:%Y%m%d}"
    if connection.dialect.name == "postgresql":
        return business_key(prefix, moment, _allocator(connection.engine).take(prefix, day))
    row = NEXT_VALUE[connection.dialect.name].fetch_first(connection, {"prefix": prefix, "day": day})
    if row is None:
        raise RuntimeError("the business key upsert returned no row")
    return business_key(prefix, moment, row[0])


#: The same upsert as ``NEXT_VALUE["postgresql"]``, for the driver's cursor (pyformat parameters).
_PG_NEXT_VALUE = (
    f"INSERT INTO {sequences.name} (prefix, day, last) VALUES (%(prefix)s, %(day)s, 1) "
    f"ON CONFLICT (prefix, day) DO UPDATE SET last = {sequences.name}.last + 1 RETURNING last"
)


class _Allocator:
    """PostgreSQL: one autocommit driver connection of the process, taking numbers one at a time.

    Opened on first use with the engine's own connect arguments (the same server,
    user and ``search_path``), reopened after a failure, closed when the engine is disposed.
    """

    def __init__(self, engine: Engine) -> None:
        self._dialect = engine.dialect
        self._connect_args = engine.dialect.create_connect_args(engine.url)
        self._sql = _PG_NEXT_VALUE
        self._driver: Any = None
        self._lock = threading.Lock()

    def take(self, prefix: str, day: str) -> int:
        """The next number of ``(prefix, day)``, committed already.

        Raises:
            DBAPIError: The database refused or is unreachable (translated by the caller's
                ``translate_errors`` as any statement's error is).
        """
        with self._lock:
            try:
                if self._driver is None:
                    cargs, cparams = self._connect_args
                    self._driver = self._dialect.connect(*cargs, **cparams)
                    self._driver.autocommit = True
                with self._driver.cursor() as cursor:
                    cursor.execute(self._sql, {"prefix": prefix, "day": day})
                    row = cursor.fetchone()
            except self._dialect.loaded_dbapi.Error as error:
                self._close()
                dbapi_error = self._dialect.loaded_dbapi.Error
                raise DBAPIError.instance(self._sql, {"prefix": prefix}, error, dbapi_error) from error
        if row is None:
            raise RuntimeError("the business key upsert returned no row")
        return int(row[0])

    def close(self) -> None:
        """Close the connection (the engine was disposed); a later ``take`` opens a new one."""
        with self._lock:
            self._close()

    def _close(self) -> None:
        driver, self._driver = self._driver, None
        if driver is not None:
            try:
                driver.close()
            except self._dialect.loaded_dbapi.Error:
                pass


_ALLOCATORS: weakref.WeakKeyDictionary[Engine, _Allocator] = weakref.WeakKeyDictionary()
_ALLOCATORS_LOCK = threading.Lock()


def _allocator(engine: Engine) -> _Allocator:
    found = _ALLOCATORS.get(engine)
    if found is not None:
        return found
    with _ALLOCATORS_LOCK:
        found = _ALLOCATORS.get(engine)
        if found is None:
            made = found = _ALLOCATORS[engine] = _Allocator(engine)
            event.listen(engine, "engine_disposed", lambda _engine: made.close())
    return found

"""Named Core statements, compiled once per database and run straight on the driver's cursor.

Why: a command is a handful of tiny statements, and on this hot path
SQLAlchemy's per-call execution machinery (execution context, parameter
construction, result wrapping, events) costs several times what SQLite itself
spends on the statement (measured ~40 µs against ~7 µs). So the statements of
the command path are still written with SQLAlchemy Core — one definition,
compiled to each dialect's SQL with its own type conversions (UTC timestamps,
JSON) — but compiled once and executed on the DBAPI cursor of the connection
SQLAlchemy opened, inside SQLAlchemy's transaction. Queries and rarely-run
statements keep the ordinary ``connection.execute``.

Rows to insert can be given as plain tuples in ``column_keys`` order
(:meth:`NamedStatement.insert_rows`): building a dict per row and gathering
it back into parameters was most of the Python cost of writing history and
work items. On SQLite they go in as one multi-row ``INSERT … VALUES (…), (…)``,
one statement to run instead of one per row.

Driver errors are wrapped into SQLAlchemy's ``DBAPIError`` family, so
``database.translate_errors`` turns them into OrgFlow errors exactly as it does
for ordinary execution.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Dialect, Insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement

Processor = Callable[[Any], Any]

#: Parameters per multi-row INSERT at most (SQLite builds before 3.32 allow 999).
MAX_PARAMETERS = 999


def _keeps_null(process: Processor) -> bool:
    """Whether a bind converter gives ``None`` for ``None`` (asked once, when a statement is compiled)."""
    try:
        return process(None) is None
    except Exception:  # a converter that refuses None is always called
        return False


def _pick_each(picks: Sequence[int]) -> Callable[[Sequence[Any]], Sequence[Any]]:
    """What ``itemgetter(*picks)`` does, for zero or one index (which it would not return as a tuple)."""
    return lambda row: [row[index] for index in picks]


class _Compiled:
    """One statement's SQL for one dialect, with what turning values into parameters and back needs.

    Parameters are gathered with one ``itemgetter`` call (C speed) and only the
    columns whose type converts values (timestamps, JSON) go through Python.
    """

    __slots__ = (
        "constants",
        "converters",
        "gather",
        "in_order",
        "multi_row",
        "multi_sql",
        "names",
        "pick",
        "picks",
        "positional",
        "results",
        "row_converters",
        "sql",
    )

    def __init__(
        self,
        statement: ClauseElement,
        dialect: Dialect,
        column_keys: Sequence[str],
        row_keys: Sequence[str] | None = None,
    ) -> None:
        compiled = statement.compile(dialect=dialect, column_keys=list(column_keys) or None)
        if not isinstance(compiled, SQLCompiler):
            raise TypeError(f"not a SQL statement: {statement!r}")
        by_name = {name: bind for bind, name in compiled.bind_names.items()}
        positiontup = compiled.positiontup
        names = positiontup if dialect.positional and positiontup is not None else list(by_name)
        self.sql = compiled.string
        self.positional = dialect.positional
        self.names = tuple(names)
        #: Values of binds the caller does not give (literals written into the statement).
        self.constants: dict[str, Any] = {}
        self.converters: list[tuple[int, Processor]] = []
        keys = []
        for index, name in enumerate(names):
            bind = by_name[name]
            keys.append(bind.key)
            if bind.callable or not bind.required:
                self.constants[bind.key] = bind.effective_value
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                self.converters.append((index, process))
        #: The converters for rows, each with whether it turns ``None`` into ``None`` (then a
        #: ``None``, the usual value of most of a new row's columns, is not sent through it).
        self.row_converters = [(index, process, _keeps_null(process)) for index, process in self.converters]
        getter = itemgetter(*keys) if keys else (lambda _values: ())
        self.gather: Callable[[Mapping[str, Any]], Any] = (
            getter if len(keys) != 1 else (lambda values: (getter(values),))
        )
        #: Where each parameter comes from in a row given as a tuple in ``row_keys`` order
        #: (``None``: the statement needs values the row does not have).
        self.picks: tuple[int, ...] | None = None
        order = tuple(column_keys if row_keys is None else row_keys)
        if order and set(keys) <= set(order):
            self.picks = tuple(order.index(key) for key in keys)
        #: Whether rows are already in parameter order (then they are taken as they are).
        self.in_order = self.picks == tuple(range(len(order)))
        #: Takes a row's values in parameter order (one C call), when they are not in order already.
        self.pick: Callable[[Sequence[Any]], Sequence[Any]] = (
            itemgetter(*self.picks) if self.picks and len(self.picks) > 1 else _pick_each(self.picks or ())
        )
        #: ``(…, …)`` of a plain qmark INSERT, repeated for each further row of a multi-row one.
        self.multi_row = ""
        #: The SQL of a multi-row INSERT by its number of rows, made once each: the driver's
        #: statement cache is keyed by the text, and a string built anew is hashed anew.
        self.multi_sql: dict[int, str] = {}
        if self.positional and isinstance(statement, Insert) and self.sql.endswith(")"):
            self.multi_row = ", " + self.sql[self.sql.rindex(" VALUES ") + len(" VALUES ") :]
        self.results: list[tuple[int, Processor]] = []
        # A query's columns, or what an INSERT/UPDATE/DELETE … RETURNING returns.
        returned: Any = getattr(statement, "selected_columns", None)
        returned = returned or getattr(statement, "exported_columns", ())
        for index, column in enumerate(returned):
            process = column.type.dialect_impl(dialect).result_processor(dialect, None)
            if process is not None:
                self.results.append((index, process))

    def parameters(self, values: Mapping[str, Any]) -> Any:
        """Driver parameters for ``values``: a tuple (qmark) or a dict (pyformat), converted per type.

        Raises:
            KeyError: A parameter the statement needs is missing from ``values``.
        """
        gathered = self.gather({**self.constants, **values} if self.constants else values)
        if self.converters:
            gathered = list(gathered)
            for index, process in self.converters:
                gathered[index] = process(gathered[index])
        if self.positional:
            return tuple(gathered)
        return dict(zip(self.names, gathered, strict=True))

    def row_values(self, row: Sequence[Any]) -> list[Any]:
        """Driver values in parameter order for a row given in ``row_keys`` order, converted per type.

        A ``None`` is not sent through a converter that would only give ``None`` back.
        """
        if self.picks is None:
            raise TypeError("this statement needs named values, not rows")
        values = list(row) if self.in_order else list(self.pick(row))
        for index, process, keeps_null in self.row_converters:
            value = values[index]
            if value is not None or not keeps_null:
                values[index] = process(value)
        return values

    def flat_values(self, rows: Sequence[Sequence[Any]]) -> list[Any]:
        """:meth:`row_values` of several rows, one after the other (a multi-row INSERT's parameters).

        Converted column by column over the flat list: a call per row cost more than the conversions.
        """
        if self.picks is None:
            raise TypeError("this statement needs named values, not rows")
        if self.in_order:
            values = [value for row in rows for value in row]
        else:
            values = [row[index] for row in rows for index in self.picks]
        width = len(self.picks)
        for index, process, keeps_null in self.row_converters:
            for at in range(index, len(values), width):
                value = values[at]
                if value is not None or not keeps_null:
                    values[at] = process(value)
        return values

    def driver_values(self, row: Sequence[Any]) -> Any:
        """:meth:`row_values` as the driver takes them: a list (qmark) or a dict (pyformat)."""
        values = self.row_values(row)
        return values if self.positional else dict(zip(self.names, values, strict=True))

    def row(self, raw: Sequence[Any], start: int = 0) -> tuple[Any, ...]:
        """A result row's columns from ``start`` on, each converted back (timestamps, JSON)."""
        values = list(raw[start:]) if start else list(raw)
        for index, process in self.results:
            if index >= start:
                values[index - start] = process(values[index - start])
        return tuple(values)

    def rows(self, raws: Sequence[Sequence[Any]], repeated: int) -> list[tuple[Any, ...]]:
        """Rows converted; the first ``repeated`` columns only once, then shared (see ``fetch_all``)."""
        if not raws or not repeated:
            return [self.row(raw) for raw in raws]
        first = self.row(raws[0])
        head = first[:repeated]
        return [first, *(head + self.row(raw, repeated) for raw in raws[1:])]


class NamedStatement:
    """A Core statement with a name, executed without per-call SQLAlchemy overhead.

    Args:
        name: What it does (for error messages and reading the code).
        statement: The Core statement. Bind parameters are filled from the
            mapping given at execution by their key; for INSERT and UPDATE the
            columns to write are ``column_keys``.
        column_keys: The columns an INSERT or UPDATE writes from the parameters.
        row_keys: What the values of a row given as a tuple are, in order (:meth:`insert_rows`,
            :meth:`execute_rows`): ``column_keys`` unless said (an UPDATE's rows also give
            its WHERE clause's values).
    """

    __slots__ = ("_compiled", "_last", "column_keys", "name", "row_keys", "statement")

    def __init__(
        self,
        name: str,
        statement: ClauseElement,
        *,
        column_keys: Sequence[str] = (),
        row_keys: Sequence[str] | None = None,
    ) -> None:
        self.name = name
        self.statement = statement
        self.column_keys = tuple(column_keys)
        self.row_keys = None if row_keys is None else tuple(row_keys)
        self._compiled: weakref.WeakKeyDictionary[Dialect, _Compiled] = weakref.WeakKeyDictionary()
        #: The dialect last used and its compiled form: a process normally has one database.
        self._last: tuple[Dialect | None, _Compiled | None] = (None, None)

    def __repr__(self) -> str:
        return f"NamedStatement({self.name!r})"

    def execute(self, connection: Connection, values: Mapping[str, Any]) -> int:
        """Run once; return the number of rows it changed."""
        compiled, cursor = self._prepare(connection)
        try:
            cursor.execute(compiled.sql, compiled.parameters(values))
            return int(cursor.rowcount)
        except connection.dialect.loaded_dbapi.Error as error:
            raise self._wrap(compiled, error, connection.dialect) from error
        finally:
            cursor.close()

    def execute_many(self, connection: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run once per row, as one driver ``executemany`` (a single row as a plain execute)."""
        if not rows:
            return
        compiled, cursor = self._prepare(connection)
        try:
            if len(rows) == 1:
                cursor.execute(compiled.sql, compiled.parameters(rows[0]))
            else:
                cursor.executemany(compiled.sql, [compiled.parameters(row) for row in rows])
        except connection.dialect.loaded_dbapi.Error as error:
            raise self._wrap(compiled, error, connection.dialect) from error
        finally:
            cursor.close()

    def execute_rows(self, connection: Connection, rows: Sequence[Sequence[Any]]) -> int:
        """Run once per row given as a tuple in ``row_keys`` order; return the rows changed in all.

        For statements run per row (UPDATE); an INSERT's rows go in together with :meth:`insert_rows`.
        """
        if not rows:
            return 0
        compiled, cursor = self._prepare(connection)
        try:
            if len(rows) == 1:
                cursor.execute(compiled.sql, compiled.driver_values(rows[0]))
            else:
                cursor.executemany(compiled.sql, [compiled.driver_values(row) for row in rows])
            return max(int(cursor.rowcount), 0)
        except connection.dialect.loaded_dbapi.Error as error:
            raise self._wrap(compiled, error, connection.dialect) from error
        finally:
            cursor.close()

    def insert_rows(self, connection: Connection, rows: Sequence[Sequence[Any]]) -> int:
        """Insert rows given as tuples in ``column_keys`` order; return how many were written.

        On qmark drivers (SQLite) as one multi-row INSERT per :data:`MAX_PARAMETERS`
        values; elsewhere (psycopg's named parameters) as one executemany. The count
        leaves out rows an ``OR IGNORE`` / ``ON CONFLICT DO NOTHING`` statement skipped.
        """
        if not rows:
            return 0
        written = 0
        compiled, cursor = self._prepare(connection)
        try:
            if compiled.multi_row:
                per_statement = max(1, MAX_PARAMETERS // len(compiled.names))
                for start in range(0, len(rows), per_statement):
                    chunk = rows[start : start + per_statement]
                    sql = compiled.multi_sql.get(len(chunk))
                    if sql is None:
                        sql = compiled.multi_sql[len(chunk)] = compiled.sql + compiled.multi_row * (
                            len(chunk) - 1
                        )
                    cursor.execute(sql, compiled.flat_values(chunk))
                    written += max(cursor.rowcount, 0)
            else:
                cursor.executemany(compiled.sql, [compiled.driver_values(row) for row in rows])
                written = max(cursor.rowcount, 0)
        except connection.dialect.loaded_dbapi.Error as error:
            raise self._wrap(compiled, error, connection.dialect) from error
        finally:
            cursor.close()
        return written

    def fetch_all(
        self, connection: Connection, values: Mapping[str, Any], *, repeated: int = 0
    ) -> list[tuple[Any, ...]]:
        """Run a query (or a statement with RETURNING) and return every row, converted.

        ``repeated``: how many leading columns hold the same values in every row
        (the "one" side of a one-to-many join). They are converted from the first
        row only, and the other rows share those values: decoding an instance's
        JSON and timestamps once per open work item was a third of a load.
        """
        compiled, cursor = self._prepare(connection)
        try:
            cursor.execute(compiled.sql, compiled.parameters(values))
            return compiled.rows(cursor.fetchall(), repeated)
        except connection.dialect.loaded_dbapi.Error as error:
            raise self._wrap(compiled, error, connection.dialect) from error
        finally:
            cursor.close()

    def fetch_first(self, connection: Connection, values: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The first row of :meth:`fetch_all`, or ``None``."""
        rows = self.fetch_all(connection, values)
        return rows[0] if rows else None

    def _prepare(self, connection: Connection) -> tuple[_Compiled, Any]:
        dialect = connection.dialect
        last_dialect, compiled = self._last
        if last_dialect is not dialect or compiled is None:
            compiled = self._compiled.get(dialect)
            if compiled is None:
                compiled = self._compiled[dialect] = _Compiled(
                    self.statement, dialect, self.column_keys, self.row_keys
                )
            self._last = (dialect, compiled)
        # The driver's own connection, not SQLAlchemy's pool proxy: its cursor() wrapper costs a third more.
        driver = connection.connection.dbapi_connection
        if driver is None:
            raise RuntimeError(f"{self.name}: the connection is closed")
        return compiled, driver.cursor()

    def _wrap(self, compiled: _Compiled, error: Exception, dialect: Dialect) -> DBAPIError:
        wrapped = DBAPIError.instance(compiled.sql, None, error, dialect.loaded_dbapi.Error, dialect=dialect)
        if not isinstance(wrapped, DBAPIError):
            raise error
        return wrapped

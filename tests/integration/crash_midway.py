"""Run one work-item completion and SIGKILL this process right after its first write statement.

Used by ``test_runtime_crash.py`` in a subprocess: ``python crash_midway.py URL WORK_ITEM_ID``.
The hook sits at the driver (statements on the command path run straight on
the DBAPI cursor): SQLite's trace callback, psycopg's cursor class.
"""

from __future__ import annotations

import os
import signal
import sys

import psycopg
from sqlalchemy import event

from orgflow.runtime import CompleteWorkItem, open_runtime

WRITES = ("INSERT", "UPDATE", "DELETE")


def die(after: str) -> None:
    print(f"killed after: {after.split(chr(10))[0]}", file=sys.stderr, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)


class KillingCursor(psycopg.Cursor):
    def execute(self, query, params=None, **kwargs):
        result = super().execute(query, params, **kwargs)
        if str(query).lstrip().upper().startswith(WRITES):
            die(str(query))
        return result

    def executemany(self, query, params_seq, **kwargs):
        super().executemany(query, params_seq, **kwargs)
        if str(query).lstrip().upper().startswith(WRITES):
            die(str(query))


def install(dbapi_connection, _record) -> None:
    if isinstance(dbapi_connection, psycopg.Connection):
        dbapi_connection.cursor_factory = KillingCursor
        return
    first_write = ""

    def trace(statement: str) -> None:
        nonlocal first_write
        if first_write:
            die(first_write)  # the first write has finished: this is the next statement
        if statement.lstrip().upper().startswith(WRITES):
            first_write = statement

    dbapi_connection.set_trace_callback(trace)


def main(url: str, work_item_id: str) -> None:
    runtime = open_runtime(url)
    runtime.database.engine.dispose()
    event.listen(runtime.database.engine, "connect", install)
    runtime.execute(CompleteWorkItem(work_item_id, actor="u1"))
    print("completed without crashing")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

"""Copying SQLite's write-ahead log back into the database file, on a thread of its own.

Why: with SQLite's automatic checkpoint, the command whose commit crosses the
threshold copies the whole log into the file and waits for the disk
(``fsync``) before it returns: a sixth of the writer's SQLite time on the
approval benchmark, and a latency spike for whoever drew it. Here a background
thread runs ``PRAGMA wal_checkpoint(PASSIVE)`` on its own connection, woken
every :data:`CHECKPOINT_EVERY_COMMITS` commits or after
:data:`CHECKPOINT_IDLE_SECONDS` of quiet. A passive checkpoint never blocks
the writer or a reader; SQLite starts the log from the beginning again at the
next write once everything in it is copied. The connections keep a larger
automatic threshold (see ``database._configure_sqlite``) as a backstop for a
process that writes faster than its checkpointer copies, or has none (the
``alembic`` command line, another tool on the same file).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

__all__ = ["CHECKPOINT_EVERY_COMMITS", "CHECKPOINT_IDLE_SECONDS", "Checkpointer"]

log = logging.getLogger(__name__)

#: Commits after which the checkpointer is woken (a few hundred KiB of log at 1 KiB pages).
CHECKPOINT_EVERY_COMMITS = 64
#: How long the checkpointer sleeps when nothing wakes it: what is left in the log is copied then.
CHECKPOINT_IDLE_SECONDS = 1.0
#: How long a checkpoint waits for a lock it needs (milliseconds); a passive one rarely needs any.
_BUSY_TIMEOUT_MS = 1000


class Checkpointer:
    """One database file's checkpoint thread; :meth:`committed` is called after every write commit.

    ``committed`` is on the command path, so it only counts and, every so
    many commits, sets an event: no lock, no system call in between.
    """

    __slots__ = ("_connection", "_pending", "_stopping", "_thread", "_wake", "checkpoints", "path")

    def __init__(self, path: Path) -> None:
        self.path = path
        #: How many checkpoints have run (for tests and diagnostics).
        self.checkpoints = 0
        self._pending = 0
        self._wake = threading.Event()
        self._stopping = False
        self._connection: sqlite3.Connection | None = None
        self._thread: threading.Thread | None = None

    def committed(self) -> None:
        """Note a commit; wake the thread once enough of them have grown the log."""
        self._pending += 1
        if self._pending >= CHECKPOINT_EVERY_COMMITS:
            self._pending = 0
            if self._thread is None:
                self._start()
            self._wake.set()

    def stop(self) -> None:
        """Copy what is left, stop the thread and close its connection (idempotent)."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stopping = True
        self._wake.set()
        thread.join()

    def _start(self) -> None:
        self._stopping = False
        self._thread = threading.Thread(
            target=self._run, name=f"sqlite-checkpoint:{self.path.name}", daemon=True
        )
        self._thread.start()

    def _run(self) -> None:
        try:
            self._connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._connection.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            while not self._stopping:
                woken = self._wake.wait(CHECKPOINT_IDLE_SECONDS)
                self._wake.clear()
                if woken or self._pending:
                    self._pending = 0
                    self._checkpoint()
            self._checkpoint()
        except sqlite3.Error as error:  # the file is gone or unreadable: the automatic checkpoint remains
            log.warning("SQLite 检查点线程停止：%s", error)
        finally:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def _checkpoint(self) -> None:
        assert self._connection is not None
        try:
            self._connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.OperationalError as error:  # busy or locked: the next round copies it
            log.debug("SQLite 检查点推迟：%s", error)
            return
        self.checkpoints += 1

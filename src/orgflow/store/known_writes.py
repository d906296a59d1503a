"""What this process's own last commands wrote, so the next command need not read it back (SQLite).

Why: a command that completes a work item used to read its instance (one
SELECT joining the open work items, then decoding the row), the org chart's
revision and, to start one, the newest version of its definition, though this
process had written or read all of that itself a moment before. Reading it
was a sixth of such a command's time.

When it is trusted: only by the write transaction that directly follows the
one that left it (:attr:`Database.serial`), and only when SQLite's
``PRAGMA data_version`` on the writer connection has not moved, i.e. no other
connection (another process, a migration) has committed since. Any other
write transaction of this process (a job, the audit trail's own, a command
that writes outside ``UnitOfWork.save``) breaks the chain, and the next
trusting command starts afresh from the database. Only commands that write
instances solely through ``UnitOfWork.save`` and never change the org chart or
definitions leave anything behind (see ``runtime.executor``). On PostgreSQL
nothing is ever trusted: every command reads what it needs.

What is kept is the instance exactly as :func:`orgflow.store.instances.load`
would read it back (:func:`orgflow.store.instances.as_loaded`), so a command
sees the same state either way; the save still checks the instance's version,
as ever.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from orgflow.org.model import OrgSnapshot
from orgflow.store.instances import StoredInstance, as_loaded

if TYPE_CHECKING:
    from orgflow.store.database import Connection, Database

__all__ = ["KnownWrites", "Recording"]

#: Instances remembered at most (the least recently written are forgotten first).
CAPACITY = 2048


class KnownWrites:
    """The process-wide memory of the last trusting command's writes (one per runtime's caches)."""

    __slots__ = ("_by_item", "_instances", "_latest", "_lock", "_mark", "_org")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        #: Which transaction left the memory: (driver connection, its data_version, next serial).
        self._mark: tuple[object, int, int] | None = None
        self._instances: dict[str, StoredInstance] = {}
        #: Open work item id -> the id of the remembered instance it belongs to.
        self._by_item: dict[str, str] = {}
        self._org: OrgSnapshot | None = None
        #: Definition key -> the id of its newest version.
        self._latest: dict[str, str] = {}

    def recording(self) -> Recording:
        """A recording for one transaction of a trusting command (begin it inside the transaction)."""
        return Recording(self)

    def _resume(self, mark: tuple[object, int, int] | None) -> bool:
        """Whether the memory is current for the transaction marked ``mark``; forgets it if not."""
        with self._lock:
            current = self._mark
            if (
                mark is not None
                and current is not None
                and current[0] is mark[0]
                and current[1] == mark[1]
                and current[2] == mark[2]
            ):
                return True
            self._forget()
            return False

    def _settle(self, recording: Recording) -> None:
        """After ``recording``'s transaction committed: remember what it wrote and read."""
        mark = recording.mark
        with self._lock:
            if mark is None:
                self._forget()
                return
            for instance_id in recording.unknown:
                self._drop(instance_id)
            for stored in recording.saved.values():
                self._remember(stored)
            if recording.org is not None:
                self._org = recording.org
            self._latest.update(recording.latest)
            driver, version, serial = mark
            self._mark = (driver, version, serial + 1)

    def _remember(self, stored: StoredInstance) -> None:
        state = stored.state
        if not self._drop(state.id) and len(self._instances) >= CAPACITY:
            self._drop(next(iter(self._instances)))
        self._instances[state.id] = stored
        for item in state.work_items:
            self._by_item[item.id] = state.id

    def _drop(self, instance_id: str) -> bool:
        """Forget one instance; whether it was remembered."""
        previous = self._instances.pop(instance_id, None)
        if previous is None:
            return False
        for item in previous.state.work_items:
            self._by_item.pop(item.id, None)
        return True

    def _forget(self) -> None:
        self._mark = None
        self._instances.clear()
        self._by_item.clear()
        self._org = None
        self._latest.clear()


class Recording:
    """One trusting command's view of the memory: what it may reuse, and what it wrote.

    Attributes:
        trusted: Whether the memory may be read in this transaction (see :meth:`begin`).
        mark: This transaction's mark (``None``: it cannot leave anything behind).
        saved: The instances this transaction saved, as they will load, by id.
        org: The org chart the transaction read.
        latest: Newest definition versions the transaction looked up, by key.
        unknown: Instances it saved that are not to be remembered (they have sealed fields).
    """

    __slots__ = ("_known", "latest", "mark", "org", "saved", "trusted", "unknown")

    def __init__(self, known: KnownWrites) -> None:
        self._known = known
        self.trusted = False
        self.mark: tuple[object, int, int] | None = None
        self.saved: dict[str, StoredInstance] = {}
        self.org: OrgSnapshot | None = None
        self.latest: dict[str, str] = {}
        self.unknown: set[str] = set()

    def begin(self, database: Database, connection: Connection) -> None:
        """Right after the transaction began: mark it and see whether the memory is current."""
        version = database.writer_version(connection)
        self.mark = None if version is None else (version[0], version[1], database.serial)
        self.trusted = self._known._resume(self.mark)

    def instance_for_item(self, work_item_id: str) -> StoredInstance | None:
        """The remembered instance with this open work item, if trusted and known."""
        if not self.trusted:
            return None
        known = self._known
        instance_id = known._by_item.get(work_item_id)
        return None if instance_id is None else known._instances.get(instance_id)

    def known_org(self) -> OrgSnapshot | None:
        """The org chart as the last trusting command read it, if trusted (no one can have changed it)."""
        return self._known._org if self.trusted else None

    def latest_version(self, key: str) -> str | None:
        """The id of the newest version of ``key`` as last looked up, if trusted."""
        return self._known._latest.get(key) if self.trusted else None

    def saved_instance(self, before: StoredInstance | None, stored: StoredInstance) -> None:
        """Note an instance this transaction saved (``before``: as it was read, or saved earlier in it)."""
        self.saved[stored.state.id] = as_loaded(stored, self.saved.get(stored.state.id, before))

    def saved_unknown(self, instance_id: str) -> None:
        """Note an instance this transaction saved that is not to be remembered (it has sealed fields)."""
        self.saved.pop(instance_id, None)
        self.unknown.add(instance_id)

    def committed(self) -> None:
        """The transaction committed (called by ``Database.transaction`` under its write lock)."""
        self._known._settle(self)

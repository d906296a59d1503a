"""Writing the trail: one link per command inside its transaction, refusals in a short one of their own.

Where the pieces sit in the executor's chain::

    RecordRefusals             a refused command (PermissionDenied, NotSignedIn) → one "refused" link,
      LoggingInterceptor         in its own transaction, after the command's was rolled back
        RetryOnConflict
          TransactionInterceptor
            AuditInterceptor     the command's link, appended after the handler succeeded:
              handler            the last write before commit, so it commits (or not) with the command

A command refused for any other reason (bad form data, a work item already
done, a lost race) leaves no link: it changed nothing, and its transaction,
link included, rolled back. Refusals of permission and sign-in are kept
because they are what an auditor looks for (someone trying what they may not).

Commands run by background jobs do not pass through the executor (a job's
handler dispatches actions into the job's own transaction); :meth:`AuditTrail.dispatching`
wraps that dispatch so they are recorded too, with source ``worker`` and no actor.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from orgflow.audit.chain import AuditEntry, AuditRecord, Link
from orgflow.audit.postgres_link import append_sealed
from orgflow.audit.summary import REFUSED, Described, Loggable, describe, describe_refusal
from orgflow.clock import Clock
from orgflow.errors import NotSignedIn, OrgFlowError, PermissionDenied
from orgflow.runtime.executor import Invocation, Next
from orgflow.runtime.unit_of_work import UnitOfWork
from orgflow.store import audit as audit_rows
from orgflow.store.database import POSTGRESQL, SQLITE, Connection, Database

log = logging.getLogger("orgflow.audit")

#: The source of commands that background jobs run.
WORKER_SOURCE = "worker"

#: An action a dispatch runs.
A = TypeVar("A", bound=Loggable)


class AuditTrail:
    """Appends links: what a command did, or that it was refused.

    On SQLite it remembers the head its last append left, so the next append
    need not read it (see :mod:`orgflow.store.audit`): every write of the
    process is serialised by the database's write lock, and a guess made stale
    by another process only costs one statement. On PostgreSQL one statement
    locks the head, seals the link and moves the head
    (:mod:`orgflow.audit.postgres_link`), so the lock every writer queues for is
    held for that statement and the commit.

    Args:
        database: Where the trail is (refusals open their own transaction on it).
        clock: Where "now" comes from: a link's time is the runtime's time.
    """

    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock
        self._remember = database.dialect == SQLITE
        self._sealed_by_database = database.dialect == POSTGRESQL
        self._expected: Link | None = None

    def record(
        self, connection: Connection, action: Loggable, result: object, source: str | None
    ) -> AuditRecord:
        """Append the link of ``action``, which succeeded with ``result``, in the open transaction."""
        return self._append(connection, describe(action, result), action.name, source)

    def refused(self, action: Loggable, reason: str, source: str | None) -> AuditRecord | None:
        """Record in a transaction of its own that ``action`` was refused; ``None`` if that failed.

        Called after the command's own transaction was rolled back. A failure to
        record is logged, never raised: the caller must still get the refusal itself.
        """
        described = describe_refusal(action, reason)
        try:
            with self.database.transaction() as connection:
                return self._append(connection, described, REFUSED, source)
        except OrgFlowError:
            log.exception("refusal not recorded", extra={"action": "audit_refusal_lost"})
            return None

    def dispatching(
        self, dispatch: Callable[[A, UnitOfWork], object], source: str = WORKER_SOURCE
    ) -> Callable[[A, UnitOfWork], object]:
        """``dispatch`` (runs an action in an open unit of work), recording each action it runs.

        For jobs: their handlers dispatch actions into the job's transaction, past the executor.
        """

        def run(action: A, uow: UnitOfWork) -> object:
            result = dispatch(action, uow)
            self.record(uow.connection, action, result, source)
            return result

        return run

    def _append(
        self, connection: Connection, described: Described, action: str, source: str | None
    ) -> AuditRecord:
        entry = AuditEntry(
            at=self.clock.now(),
            actor=described.actor,
            source=source,
            action=action,
            summary=described.summary,
            details=described.details or None,
        )
        if self._sealed_by_database:
            sealed = append_sealed(connection, entry)
            if sealed is not None:
                return sealed
        record = audit_rows.append(connection, entry, expected=self._expected if self._remember else None)
        if self._remember:
            self._expected = record.link
        return record


class AuditInterceptor:
    """Innermost interceptor: after the handler succeeded, append the command's link in its transaction."""

    def __init__(self, trail: AuditTrail) -> None:
        self.trail = trail

    def __call__(self, invocation: Invocation, call_next: Next) -> object:
        """Run the handler, then record what it did."""
        result = call_next(invocation)
        if invocation.uow is None:
            raise RuntimeError("no unit of work: AuditInterceptor belongs inside the TransactionInterceptor")
        self.trail.record(invocation.uow.connection, invocation.action, result, invocation.source)
        return result


class RecordRefusals:
    """Outermost interceptor: a command refused for permission or sign-in leaves a ``refused`` link."""

    def __init__(self, trail: AuditTrail) -> None:
        self.trail = trail

    def __call__(self, invocation: Invocation, call_next: Next) -> object:
        """Run the rest of the chain; on a refusal, record it and pass the error on."""
        try:
            return call_next(invocation)
        except (PermissionDenied, NotSignedIn) as error:
            self.trail.refused(invocation.action, str(error), invocation.source)
            raise

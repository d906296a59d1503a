"""What runs a job: a handler per kind, given the job's own transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from orgflow.errors import UnknownJobKind
from orgflow.store.database import Connection
from orgflow.store.jobs import StoredJob


@dataclass(frozen=True, slots=True)
class JobContext:
    """What a handler gets: its writes go through ``connection`` and commit with the job's deletion.

    Attributes:
        connection: The job's open transaction.
        job: The job being run (``attempts`` includes this run).
        now: The worker's clock at the start of the run.
    """

    connection: Connection
    job: StoredJob
    now: datetime


#: Runs one job; raising makes the run a failure to retry later.
JobHandler = Callable[[JobContext], None]


class OutsideCall(Protocol):
    """A job whose work is a call outside the database (a network delivery), so it holds no transaction.

    The worker runs ``prepare`` in one transaction (``None``: nothing left to do,
    the job is finished), ``call`` with no transaction open (on SQLite the write
    lock is never held across the network), then ``record`` in a second
    transaction, fenced like any run. A worker dying between ``call`` and
    ``record`` makes the call happen again: such jobs are at least once, and
    what they call de-duplicates (an idempotency key).
    """

    def prepare(self, context: JobContext) -> Any | None:
        """Read what the call needs; ``None`` if there is nothing to do."""
        ...

    def call(self, prepared: Any) -> None:
        """Do the outside work; raising makes the run a failure to retry later."""
        ...

    def record(self, context: JobContext, prepared: Any) -> None:
        """Write that the call happened, with the job's deletion."""
        ...


class JobHandlers(Mapping[str, JobHandler]):
    """Job kinds and their handlers; parts of OrgFlow register theirs at start-up."""

    def __init__(self, handlers: Mapping[str, JobHandler] | None = None) -> None:
        self._handlers: dict[str, JobHandler] = dict(handlers or {})
        self._outside: dict[str, OutsideCall] = {}

    def register_outside(self, kind: str, handler: OutsideCall) -> None:
        """Add a kind whose work is an outside call (see :class:`OutsideCall`)."""
        if kind in self._handlers or kind in self._outside:
            raise ValueError(f"job kind {kind!r} already has a handler")
        self._outside[kind] = handler

    def outside(self, kind: str) -> OutsideCall | None:
        """The outside-call handler of ``kind``, if it is one."""
        return self._outside.get(kind)

    def register(self, kind: str, handler: JobHandler) -> None:
        """Add the handler for ``kind``; a kind has one handler, so registering it twice is a mistake."""
        if kind in self._outside or (kind in self._handlers and self._handlers[kind] is not handler):
            raise ValueError(f"job kind {kind!r} already has a handler")
        self._handlers[kind] = handler

    def handler(self, kind: str) -> JobHandler:
        """The handler for ``kind``.

        Raises:
            UnknownJobKind: None is registered; the job fails with this message and stays.
        """
        try:
            return self._handlers[kind]
        except KeyError:
            raise UnknownJobKind(kind) from None

    def __getitem__(self, kind: str) -> JobHandler:
        return self._handlers[kind]

    def __iter__(self) -> Iterator[str]:
        return iter(self._handlers)

    def __len__(self) -> int:
        return len(self._handlers)

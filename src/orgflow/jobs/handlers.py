"""What runs a job: a handler per kind, given the job's own transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime

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


class JobHandlers(Mapping[str, JobHandler]):
    """Job kinds and their handlers; parts of OrgFlow register theirs at start-up."""

    def __init__(self, handlers: Mapping[str, JobHandler] | None = None) -> None:
        self._handlers: dict[str, JobHandler] = dict(handlers or {})

    def register(self, kind: str, handler: JobHandler) -> None:
        """Add the handler for ``kind``; a kind has one handler, so registering it twice is a mistake."""
        if kind in self._handlers and self._handlers[kind] is not handler:
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

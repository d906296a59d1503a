"""Jobs in rows: schedule, cancel, list, retry in the caller's transaction; acquire, finish, fail for workers.

Every function runs on an open transaction, so a job is written together with
the state that caused it and vanishes with it on rollback. The statements a
worker races on are named, one each, and fenced by ``(id, lock_owner,
attempts)``: a worker whose lease expired and whose job was taken over finds
no row and changes nothing (procrastinate's and Camunda's shape).

Acquiring is one ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)
RETURNING``: on PostgreSQL concurrent workers skip each other's rows; SQLite
ignores the locking clause and relies on the write lock ``BEGIN IMMEDIATE``
takes (one writer at a time).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Integer, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from orgflow.clock import require_aware
from orgflow.errors import CommandRejected, LeaseLost, NotFound
from orgflow.ids import IdSource, TimeOrderedIds
from orgflow.store.database import POSTGRESQL
from orgflow.store.statements import NamedStatement
from orgflow.store.tables import FAILED_LITERAL, PENDING_LITERAL, jobs

__all__ = [
    "JobRequest",
    "JobStatus",
    "StoredJob",
    "acquire",
    "cancel",
    "claim",
    "count_jobs",
    "fail",
    "finish",
    "list_jobs",
    "renew",
    "retry",
    "schedule",
]

#: How much of a failure's text is kept (the full trace belongs in the log).
MAX_ERROR_LENGTH = 2000


class JobStatus(StrEnum):
    """Where a job stands. Done jobs are deleted, so there is no "done"."""

    PENDING = "pending"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class JobRequest:
    """A job to schedule.

    Attributes:
        kind: The registered handler that runs it.
        run_at: When it is due (timezone-aware).
        payload: JSON-compatible arguments for the handler.
        subject: What it is about (a work item or instance id), to cancel it with its siblings.
        key: Makes scheduling idempotent: a second request with the same key is dropped.
        instance_id: The process instance, for listings.
        max_attempts: Runs before the job is marked failed (at least 1).
    """

    kind: str
    run_at: datetime
    payload: dict[str, Any] = field(default_factory=dict)
    subject: str | None = None
    key: str | None = None
    instance_id: str | None = None
    max_attempts: int = 5

    def __post_init__(self) -> None:
        require_aware(self.run_at)
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, not {self.max_attempts}")


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredJob:
    """A job as stored; ``attempts`` counts runs begun, including the current one."""

    id: str
    kind: str
    payload: dict[str, Any]
    run_at: datetime
    subject: str | None
    key: str | None
    status: JobStatus
    attempts: int
    max_attempts: int
    #: The worker holding the job and until when (``None``: free).
    lock_owner: str | None
    locked_until: datetime | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime
    instance_id: str | None

    @classmethod
    def from_row(cls, row: tuple[Any, ...]) -> StoredJob:
        """Build from a row of :data:`COLUMNS` in that order."""
        values = dict(zip(_COLUMN_NAMES, row, strict=True))
        values["status"] = JobStatus(values["status"])
        return cls(**values)


COLUMNS = tuple(jobs.c)
_COLUMN_NAMES = tuple(column.key for column in COLUMNS)
#: Column order of a new row (see :func:`schedule`).
_INSERT_KEYS = _COLUMN_NAMES

_INSERT = NamedStatement("insert job", insert(jobs), column_keys=_INSERT_KEYS)
_INSERT_UNLESS_KEY = {
    POSTGRESQL: NamedStatement(
        "insert job unless its key exists",
        postgresql.insert(jobs).on_conflict_do_nothing(index_elements=[jobs.c.key]),
        column_keys=_INSERT_KEYS,
    ),
    "sqlite": NamedStatement(
        "insert job unless its key exists",
        sqlite.insert(jobs).on_conflict_do_nothing(index_elements=[jobs.c.key]),
        column_keys=_INSERT_KEYS,
    ),
}

_due = (
    select(jobs.c.id)
    .where(
        jobs.c.status == PENDING_LITERAL,
        jobs.c.run_at <= bindparam("now"),
        or_(jobs.c.locked_until.is_(None), jobs.c.locked_until <= bindparam("now")),
    )
    .order_by(jobs.c.run_at, jobs.c.id)
    .limit(bindparam("batch", type_=Integer))
    .with_for_update(skip_locked=True)
)
ACQUIRE = NamedStatement(
    "acquire due jobs",
    update(jobs)
    .where(jobs.c.id.in_(_due.scalar_subquery()))
    .values(
        lock_owner=bindparam("owner"),
        locked_until=bindparam("until"),
        attempts=jobs.c.attempts + 1,
        updated_at=bindparam("now"),
    )
    .returning(*COLUMNS),
)


def _fenced(statement: Any) -> Any:
    """``statement`` restricted to the job as this worker acquired it."""
    return statement.where(
        jobs.c.id == bindparam("job_id"),
        jobs.c.lock_owner == bindparam("owner"),
        jobs.c.attempts == bindparam("attempts"),
    )


CLAIM = NamedStatement(
    "renew the lease of one job held", _fenced(update(jobs)).values(locked_until=bindparam("until"))
)
FINISH = NamedStatement("delete a finished job", _fenced(delete(jobs)))
FAIL = NamedStatement(
    "record a failed run",
    _fenced(update(jobs)).values(
        status=bindparam("status"),
        run_at=bindparam("retry_at"),
        lock_owner=None,
        locked_until=None,
        last_error=bindparam("error"),
        updated_at=bindparam("now"),
    ),
)
RETRY = NamedStatement(
    "revive a failed job",
    update(jobs)
    .where(jobs.c.id == bindparam("job_id"), jobs.c.status == FAILED_LITERAL)
    .values(
        status=JobStatus.PENDING.value,
        attempts=0,
        run_at=bindparam("now"),
        lock_owner=None,
        locked_until=None,
        updated_at=bindparam("now"),
    )
    .returning(*COLUMNS),
)

_IDS = TimeOrderedIds()


def schedule(
    connection: Connection, request: JobRequest, *, now: datetime, ids: IdSource = _IDS
) -> str | None:
    """Write a pending job; return its id, or ``None`` when a job with the same key already exists."""
    job_id = ids.new_id()
    row = (
        job_id,
        request.kind,
        request.payload,
        request.run_at,
        request.subject,
        request.key,
        JobStatus.PENDING.value,
        0,
        request.max_attempts,
        None,
        None,
        None,
        now,
        now,
        request.instance_id,
    )
    if request.key is None:
        _INSERT.insert_rows(connection, [row])
        return job_id
    statement = _INSERT_UNLESS_KEY[connection.dialect.name]
    written = statement.execute(connection, dict(zip(_INSERT_KEYS, row, strict=True)))
    return job_id if written else None


def cancel(
    connection: Connection, *, subject: str, kinds: Collection[str] | None = None, keep: str | None = None
) -> int:
    """Delete every job about ``subject`` (only of ``kinds`` if given, never job ``keep``); return how many.

    A job running at that moment loses its row, so its worker's finish is
    refused and the handler's effect rolled back; ``keep`` is the job whose own
    handler cancels (it is deleted when it finishes).
    """
    statement = delete(jobs).where(jobs.c.subject == subject)
    if keep is not None:
        statement = statement.where(jobs.c.id != keep)
    if kinds is not None:
        statement = statement.where(jobs.c.kind.in_(list(kinds)))
    return int(connection.execute(statement).rowcount)


def list_jobs(
    connection: Connection,
    *,
    status: JobStatus | None = None,
    kind: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[StoredJob]:
    """Jobs in due order (failed ones: most recently failed first)."""
    query = select(*COLUMNS)
    if status is JobStatus.FAILED:
        query = query.where(jobs.c.status == FAILED_LITERAL).order_by(
            jobs.c.updated_at.desc(), jobs.c.id.desc()
        )
    else:
        if status is JobStatus.PENDING:
            query = query.where(jobs.c.status == PENDING_LITERAL)
        query = query.order_by(jobs.c.run_at, jobs.c.id)
    if kind is not None:
        query = query.where(jobs.c.kind == kind)
    rows = connection.execute(query.limit(limit).offset(offset))
    return [StoredJob.from_row(tuple(row)) for row in rows]


def count_jobs(connection: Connection, *, status: JobStatus | None = None, kind: str | None = None) -> int:
    """How many jobs :func:`list_jobs` would list with the same filters (for a page's total)."""
    query = select(func.count()).select_from(jobs)
    if status is not None:
        wanted = FAILED_LITERAL if status is JobStatus.FAILED else PENDING_LITERAL
        query = query.where(jobs.c.status == wanted)
    if kind is not None:
        query = query.where(jobs.c.kind == kind)
    return int(connection.execute(query).scalar_one())


def retry(connection: Connection, job_id: str, *, now: datetime) -> StoredJob:
    """Revive a failed job: pending again, due now, attempts from zero.

    Raises:
        NotFound: No such job.
        CommandRejected: The job has not failed (it is still pending or running).
    """
    row = RETRY.fetch_first(connection, {"job_id": job_id, "now": now})
    if row is not None:
        return StoredJob.from_row(row)
    if connection.execute(select(jobs.c.id).where(jobs.c.id == job_id)).first() is None:
        raise NotFound(f"后台任务 {job_id} 不存在（可能已执行完毕或已取消）")
    raise CommandRejected(f"后台任务 {job_id} 尚未失败，无需重试", reason="job_not_failed")


def acquire(
    connection: Connection, *, owner: str, now: datetime, lease: timedelta, batch: int
) -> list[StoredJob]:
    """Take up to ``batch`` due jobs whose lock is free or expired, in due order; each run counts."""
    rows = ACQUIRE.fetch_all(connection, {"owner": owner, "until": now + lease, "now": now, "batch": batch})
    return sorted((StoredJob.from_row(row) for row in rows), key=lambda job: (job.run_at, job.id))


def claim(connection: Connection, job: StoredJob, *, until: datetime) -> bool:
    """Extend the lease of a job still held as acquired; ``False`` if it was taken over or cancelled.

    Run first in the job's own transaction: on PostgreSQL it also locks the row
    until that transaction ends, so no other worker can take the job meanwhile.
    """
    return CLAIM.execute(connection, {**_fence(job), "until": until}) == 1


def renew(connection: Connection, held: Collection[StoredJob], *, until: datetime) -> int:
    """Extend the leases of jobs acquired but not yet run (a long batch); return how many are still held."""
    return sum(CLAIM.execute(connection, {**_fence(job), "until": until}) for job in held)


def finish(connection: Connection, job: StoredJob) -> None:
    """Delete a job that ran, in the transaction of its handler's writes.

    Raises:
        LeaseLost: The job is no longer held as acquired (its lease expired and
            another worker took it, or it was cancelled); the caller rolls back.
    """
    if FINISH.execute(connection, _fence(job)) != 1:
        raise LeaseLost(f"后台任务 {job.id}（{job.kind}）已被其他执行器接手或已取消，本次执行的结果已撤销")


def fail(
    connection: Connection, job: StoredJob, *, error: str, retry_at: datetime, now: datetime
) -> JobStatus:
    """Record a failed run: free the lock, due again at ``retry_at``, or ``failed`` after the last attempt.

    Returns the job's new status. A job no longer held is left alone.
    """
    status = JobStatus.FAILED if job.attempts >= job.max_attempts else JobStatus.PENDING
    values = {
        **_fence(job),
        "status": status.value,
        "retry_at": retry_at,
        "error": error[:MAX_ERROR_LENGTH],
        "now": now,
    }
    FAIL.execute(connection, values)
    return status


def _fence(job: StoredJob) -> dict[str, Any]:
    return {"job_id": job.id, "owner": job.lock_owner, "attempts": job.attempts}

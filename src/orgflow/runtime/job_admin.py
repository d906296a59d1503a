"""The administrator's view of background jobs: list them, and retry the failed ones (incidents)."""

from __future__ import annotations

from orgflow.clock import Clock
from orgflow.store import jobs
from orgflow.store.database import Database
from orgflow.store.jobs import JobStatus, StoredJob


class JobAdmin:
    """Listing and retrying jobs, each call its own transaction."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self._database = database
        self._clock = clock

    def list(
        self, *, status: JobStatus | None = None, kind: str | None = None, limit: int = 100, offset: int = 0
    ) -> list[StoredJob]:
        """Jobs in due order; failed ones most recently failed first."""
        with self._database.reading() as connection:
            return jobs.list_jobs(connection, status=status, kind=kind, limit=limit, offset=offset)

    def count(self, *, status: JobStatus | None = None, kind: str | None = None) -> int:
        """How many jobs :meth:`list` finds with the same filters."""
        with self._database.reading() as connection:
            return jobs.count_jobs(connection, status=status, kind=kind)

    def retry(self, job_id: str) -> StoredJob:
        """Make a failed job pending again, due now, its attempts from zero.

        Raises:
            NotFound: No such job.
            CommandRejected: The job has not failed.
        """
        with self._database.transaction() as connection:
            return jobs.retry(connection, job_id, now=self._clock.now())

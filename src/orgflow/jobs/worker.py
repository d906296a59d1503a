"""The worker loop: acquire due jobs, run each in its own transaction, record failures in another.

A run's writes and the job's deletion commit together, the deletion fenced by
the lease (:func:`orgflow.store.jobs.finish`): if another worker took the job
over, the run rolls back whole and its effect never applies twice. A failed run
is rolled back, then a second transaction records the error and the next
attempt (Camunda's failed-job listener); after ``max_attempts`` the job is
``failed``, an incident an administrator retries.

Leases: each run first renews its job's lease in its own transaction (on
PostgreSQL that also row-locks the job until the run ends, so a healthy long
job is never taken over); jobs of a batch still waiting are renewed whenever
half the lease has passed. Only a worker that stops renewing (crashed, hung)
loses its jobs, once ``lease`` has passed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from orgflow.clock import Clock
from orgflow.errors import LeaseLost
from orgflow.jobs.handlers import JobContext, JobHandlers, OutsideCall
from orgflow.jobs.retry import Backoff
from orgflow.store import jobs as job_rows
from orgflow.store.database import Database
from orgflow.store.jobs import StoredJob

log = logging.getLogger(__name__)


class Worker:
    """Runs due jobs from one database with the given handlers.

    Args:
        database: Where the jobs are.
        handlers: Job kinds and their handlers.
        clock: Where "now" comes from.
        owner: This worker's name in ``lock_owner`` (unique among running workers).
        lease: How long acquired jobs stay reserved without renewal.
        batch: Jobs acquired per round.
        backoff: When a failed job runs again.
    """

    def __init__(
        self,
        database: Database,
        handlers: JobHandlers,
        clock: Clock,
        *,
        owner: str,
        lease: timedelta = timedelta(minutes=5),
        batch: int = 20,
        backoff: Backoff | None = None,
    ) -> None:
        if lease <= timedelta(0) or batch < 1:
            raise ValueError("lease must be positive and batch at least 1")
        self.database = database
        self.handlers = handlers
        self.clock = clock
        self.owner = owner
        self.lease = lease
        self.batch = batch
        self.backoff = backoff or Backoff()

    def run_once(self) -> int:
        """Acquire one batch of due jobs and run them; return how many ran (successfully or not)."""
        held = self.acquire()
        renewed_at = self.clock.now()
        ran = 0
        for index, job in enumerate(held):
            now = self.clock.now()
            if now - renewed_at >= self.lease / 2:
                with self.database.transaction() as connection:
                    job_rows.renew(connection, held[index:], until=now + self.lease)
                renewed_at = now
            ran += self.run(job)
        return ran

    def run_forever(self, stop: threading.Event, idle_sleep: float = 1.0) -> None:
        """Run batches until ``stop`` is set, sleeping ``idle_sleep`` seconds when nothing is due."""
        while not stop.is_set():
            if self.run_once() == 0:
                stop.wait(idle_sleep)

    def acquire(self) -> list[StoredJob]:
        """Reserve up to ``batch`` due jobs for this worker (one transaction)."""
        now = self.clock.now()
        with self.database.transaction() as connection:
            return job_rows.acquire(connection, owner=self.owner, now=now, lease=self.lease, batch=self.batch)

    def run(self, job: StoredJob) -> bool:
        """Run one acquired job; ``False`` if it was no longer ours (taken over or cancelled)."""
        outside = self.handlers.outside(job.kind)
        try:
            if outside is None:
                with self._claimed(job) as context:
                    self.handlers.handler(job.kind)(context)
                    job_rows.finish(context.connection, job)
            else:
                self._run_outside(job, outside)
        except LeaseLost:
            log.info("job taken over, run rolled back", extra={"action": "job_lost", "job_id": job.id})
            return False
        except Exception as error:
            self._record_failure(job, error)
            return True
        log.debug("job done", extra={"action": "job_done", "job_id": job.id, "kind": job.kind})
        return True

    def _run_outside(self, job: StoredJob, outside: OutsideCall) -> None:
        """Prepare in one transaction, call outside any, record in a second (see :class:`OutsideCall`)."""
        with self._claimed(job) as context:
            prepared = outside.prepare(context)
            if prepared is None:
                job_rows.finish(context.connection, job)
                return
        outside.call(prepared)
        with self._claimed(job) as context:
            outside.record(context, prepared)
            job_rows.finish(context.connection, job)

    @contextmanager
    def _claimed(self, job: StoredJob) -> Iterator[JobContext]:
        """A transaction holding the job's renewed lease; ``LeaseLost`` if it is no longer ours.

        The clock is read after the transaction began (on SQLite, after the write lock was taken).
        """
        with self.database.transaction() as connection:
            now = self.clock.now()
            if not job_rows.claim(connection, job, until=now + self.lease):
                raise LeaseLost(f"后台任务 {job.id} 已被其他执行器接手或已取消")
            yield JobContext(connection, job, now)

    def _record_failure(self, job: StoredJob, error: Exception) -> None:
        """Write the failure in its own transaction (the run's was rolled back)."""
        now = self.clock.now()
        retry_at = now + self.backoff.delay(job.attempts)
        text = f"{type(error).__name__}: {error}"
        with self.database.transaction() as connection:
            status = job_rows.fail(connection, job, error=text, retry_at=retry_at, now=now)
        log.info(
            "job failed",
            extra={"action": "job_failed", "job_id": job.id, "kind": job.kind, "status": status.value},
        )

"""Durable jobs: timers and async work run by workers from the ``jobs`` table.

Other parts register job kinds on a :class:`JobHandlers` and schedule jobs
with :func:`orgflow.store.jobs.schedule` in the transaction that causes them.
"""

from __future__ import annotations

from orgflow.jobs.handlers import JobContext, JobHandler, JobHandlers, OutsideCall
from orgflow.jobs.retry import Backoff
from orgflow.jobs.worker import Worker
from orgflow.store.jobs import JobRequest, JobStatus, StoredJob

__all__ = [
    "Backoff",
    "JobContext",
    "JobHandler",
    "JobHandlers",
    "JobRequest",
    "JobStatus",
    "OutsideCall",
    "StoredJob",
    "Worker",
]

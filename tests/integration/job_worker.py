"""A worker process for ``test_jobs_processes.py``: ``python job_worker.py URL OWNER``.

It registers one handler, ``effect``, that writes one row into the test table
``effects`` in the job's transaction, and runs until the jobs table is empty
(jobs of a killed worker come back once their lease expires).
"""

from __future__ import annotations

import sys
import time
from datetime import timedelta

import sqlalchemy as sa

from orgflow.clock import SystemClock
from orgflow.jobs import JobContext, JobHandlers, Worker
from orgflow.store.database import create_database
from orgflow.store.tables import jobs

effects = sa.table("effects", sa.column("job_id"), sa.column("owner"))
#: Seconds after which the worker gives up (the test fails on the counts then).
DEADLINE = 240.0


def main(url: str, owner: str) -> None:
    database = create_database(url)

    def effect(context: JobContext) -> None:
        context.connection.execute(sa.insert(effects).values(job_id=context.job.id, owner=owner))

    handlers = JobHandlers({"effect": effect})
    worker = Worker(database, handlers, SystemClock(), owner=owner, lease=timedelta(seconds=2), batch=50)
    print("started", flush=True)
    ran = 0
    give_up = time.monotonic() + DEADLINE
    while time.monotonic() < give_up:
        done = worker.run_once()
        ran += done
        if done == 0:
            with database.reading() as connection:
                if connection.execute(sa.select(sa.func.count()).select_from(jobs)).scalar_one() == 0:
                    break
            time.sleep(0.05)
    print(f"ran {ran}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

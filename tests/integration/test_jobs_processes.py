"""Four worker processes on PostgreSQL, one killed midway: every job takes effect exactly once."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from orgflow.jobs import JobRequest
from orgflow.store import jobs
from orgflow.store.database import create_database

WORKER = Path(__file__).with_name("job_worker.py")
JOBS = 10_000


def done_by(database, owner: str) -> int:
    with database.reading() as connection:
        query = sa.text("SELECT count(*) FROM effects WHERE owner = :owner")
        return int(connection.execute(query, {"owner": owner}).scalar_one())


def test_four_workers_one_killed_midway_run_every_job_exactly_once(migrated_url, clock) -> None:
    if not migrated_url.startswith("postgresql"):
        pytest.skip("several worker processes race on PostgreSQL; SQLite has one embedded worker")
    database = create_database(migrated_url)
    try:
        with database.transaction() as connection:
            connection.execute(sa.text("CREATE TABLE effects (job_id text NOT NULL, owner text NOT NULL)"))
            for n in range(JOBS):
                jobs.schedule(connection, JobRequest("effect", clock.now(), {"n": n}), now=clock.now())

        workers = [
            subprocess.Popen(
                [sys.executable, str(WORKER), migrated_url, f"w{index}"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for index in range(4)
        ]
        victim = workers[0]
        deadline = time.monotonic() + 120
        while done_by(database, "w0") < 300 and time.monotonic() < deadline:
            time.sleep(0.02)
        victim.send_signal(signal.SIGKILL)
        outputs = [worker.communicate(timeout=300) for worker in workers]

        assert victim.returncode == -signal.SIGKILL
        for worker, (out, err) in zip(workers[1:], outputs[1:], strict=True):
            assert worker.returncode == 0, out + err
        with database.reading() as connection:
            total, distinct = connection.execute(
                sa.text("SELECT count(*), count(DISTINCT job_id) FROM effects")
            ).one()
            owners = {row[0] for row in connection.execute(sa.text("SELECT DISTINCT owner FROM effects"))}
            left = connection.execute(sa.text("SELECT count(*) FROM jobs")).scalar_one()
        assert (total, distinct, left) == (JOBS, JOBS, 0)
        assert owners == {"w0", "w1", "w2", "w3"}
    finally:
        database.dispose()

"""``orgflow worker``, ``orgflow jobs`` and ``orgflow jobs retry`` as an administrator types them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from orgflow.jobs import JobRequest
from orgflow.store import jobs

from .conftest import Orgflow


def test_a_job_nobody_handles_becomes_an_incident_that_retry_requeues(tmp_path: Path) -> None:
    orgflow = Orgflow(tmp_path / "home")
    orgflow.json("init")
    now = datetime.now(UTC)
    with orgflow.runtime() as runtime, runtime.database.transaction() as connection:
        due = JobRequest("sla_reminder", now - timedelta(minutes=1), {"n": 1}, subject="wi-1", max_attempts=1)
        job_id = jobs.schedule(connection, due, now=now)
        jobs.schedule(connection, JobRequest("timer", now + timedelta(days=1)), now=now)

    ran = orgflow.json("worker", "--once", "--owner", "cli-test")
    failed = orgflow.json("jobs", "--failed")["jobs"]
    listing = orgflow.run("jobs", "--failed")
    retried = orgflow.json("jobs", "retry", job_id)["job"]
    again = orgflow.run("jobs", "retry", job_id)
    everything = orgflow.json("jobs")["jobs"]
    timers = orgflow.json("jobs", "--kind", "timer")["jobs"]

    assert ran == {"ok": True, "owner": "cli-test", "ran": 1}
    assert [job["id"] for job in failed] == [job_id]
    assert failed[0]["status"] == "failed" and "sla_reminder" in failed[0]["last_error"]
    assert listing.code == 0 and "已失败" in listing.out and "sla_reminder" in listing.out
    assert retried["status"] == "pending" and retried["attempts"] == 0
    assert again.code == 1 and again.out == "" and "尚未失败" in again.err
    assert len(again.err.splitlines()) == 1
    assert sorted(job["kind"] for job in everything) == ["sla_reminder", "timer"]
    assert [job["kind"] for job in timers] == ["timer"]

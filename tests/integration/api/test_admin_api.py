"""Background jobs for administrators over the API: list them, find the failed ones, retry one.

A job of a kind nobody registered fails on its only attempt: that is the
incident an administrator sees under ``status=failed`` and retries. Nobody
but an administrator may list or retry jobs.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from orgflow.runtime import Runtime
from orgflow.store import jobs
from orgflow.store.jobs import JobRequest

from .conftest import HeadersFor


def schedule(runtime: Runtime, kind: str, *, max_attempts: int = 5) -> str:
    now = runtime.clock.now()
    with runtime.database.transaction() as connection:
        job_id = jobs.schedule(
            connection, JobRequest(kind=kind, run_at=now, subject="s1", max_attempts=max_attempts), now=now
        )
    assert job_id is not None
    return job_id


def test_a_failed_job_is_listed_and_retried(
    client: TestClient, headers_for: HeadersFor, company_runtime: Runtime
) -> None:
    failing = schedule(company_runtime, "no.such.kind", max_attempts=1)
    assert company_runtime.worker(owner="test").run_once() == 1
    waiting = schedule(company_runtime, "later.kind")
    admin = headers_for("admin")

    everything = client.get("/api/v1/admin/jobs", headers=admin).json()
    assert everything["total"] == 2
    failed = client.get("/api/v1/admin/jobs", params={"status": "failed"}, headers=admin).json()
    assert [(j["id"], j["status"], j["attempts"]) for j in failed["items"]] == [(failing, "failed", 1)]
    assert "no.such.kind" in failed["items"][0]["last_error"]
    assert "payload" not in failed["items"][0]
    pending = client.get("/api/v1/admin/jobs", params={"status": "pending", "limit": 1}, headers=admin).json()
    assert ([j["id"] for j in pending["items"]], pending["total"]) == ([waiting], 1)

    retried = client.post(f"/api/v1/admin/jobs/{failing}/retry", headers=admin)
    assert retried.status_code == 200
    assert (retried.json()["status"], retried.json()["attempts"]) == ("pending", 0)
    again = client.post(f"/api/v1/admin/jobs/{failing}/retry", headers=admin)
    assert again.status_code == 409
    assert "尚未失败" in again.json()["message"]
    assert client.post("/api/v1/admin/jobs/no-such-job/retry", headers=admin).status_code == 404
    assert client.get("/api/v1/admin/jobs", params={"status": "lost"}, headers=admin).status_code == 422


def test_only_administrators_see_jobs(
    client: TestClient, headers_for: HeadersFor, company_runtime: Runtime
) -> None:
    failing = schedule(company_runtime, "no.such.kind", max_attempts=1)
    company_runtime.worker(owner="test").run_once()
    callers = [headers_for(user) for user in ("mk1", "dev_head", "auditor", "owner")]
    callers.append(headers_for("admin", kind="integration", definitions=["purchase"]))
    for headers in callers:
        listing = client.get("/api/v1/admin/jobs", headers=headers)
        assert listing.status_code == 403
        assert "管理后台任务" in listing.json()["message"]
        assert client.post(f"/api/v1/admin/jobs/{failing}/retry", headers=headers).status_code == 403
    still = client.get("/api/v1/admin/jobs", params={"status": "failed"}, headers=headers_for("admin")).json()
    assert [j["id"] for j in still["items"]] == [failing]

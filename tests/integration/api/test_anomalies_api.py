"""异常 over the API: raise one on a blocked 研发评估 and close its loop; who sees it, who may take each step.

mk1's 采购申请 waits at 研发评估 (研发部). mk1 raises an anomaly on it; 研发部's
dev1 explains it, mk1 re-plans it with dev1 as handler, dev1 resolves it and
mk1 verifies it. fin1 has no part in it: the list leaves it out and the
detail is refused; administrators and auditors see every anomaly.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from orgflow.clock import FrozenClock
from orgflow.runtime import Runtime

from .conftest import HeadersFor
from .purchase import to_research


def raise_on_research(
    client: TestClient, headers_for: HeadersFor, runtime: Runtime
) -> tuple[str, dict[str, object]]:
    instance_id, research = to_research(client, headers_for, runtime)
    answer = client.post(
        "/api/v1/anomalies",
        json={"instance": instance_id, "description": "供应商样机延迟交付", "work_item_id": research},
        headers=headers_for("mk1"),
    )
    assert answer.status_code == 201, answer.text
    body: dict[str, object] = answer.json()
    return instance_id, body


def test_the_loop_closes_through_the_api(
    client: TestClient, headers_for: HeadersFor, company_runtime: Runtime, clock: FrozenClock
) -> None:
    _, raised = raise_on_research(client, headers_for, company_runtime)
    number = str(raised["number"])
    assert number.startswith("ABN")
    assert (raised["status"], raised["node_name"], raised["responsible_department"]) == (
        "found",
        "研发评估",
        "yf",
    )
    assert raised["is_open"] is True

    explained = client.post(
        f"/api/v1/anomalies/{number}/explain",
        json={"cause": "供应商延期", "category": "外部供应商延迟", "resources_needed": "采购部协调"},
        headers=headers_for("dev1"),
    )
    assert explained.status_code == 200, explained.text
    assert explained.json()["status"] == "reported"

    due = (clock.now() + timedelta(days=3)).isoformat()
    replanned = client.post(
        f"/api/v1/anomalies/{number}/replan",
        json={"new_due_at": due, "handler": "dev1", "plan": "更换供应商"},
        headers=headers_for("mk1"),
    )
    assert replanned.status_code == 200, replanned.text
    assert (replanned.json()["status"], replanned.json()["handler"]) == ("handling", "dev1")

    resolved = client.post(
        f"/api/v1/anomalies/{number}/resolve", json={"resolution": "新样机已到"}, headers=headers_for("dev1")
    )
    assert resolved.json()["status"] == "resolved"
    verified = client.post(
        f"/api/v1/anomalies/{number}/verify",
        json={"passed": True, "note": "已核对"},
        headers=headers_for("mk1"),
    )
    assert verified.status_code == 200
    assert (verified.json()["status"], verified.json()["is_open"]) == ("verified", False)

    detail = client.get(f"/api/v1/anomalies/{number}", headers=headers_for("mk1")).json()
    assert detail["anomaly"]["number"] == number
    assert [step["actor"] for step in detail["steps"]] == ["mk1", "dev1", "mk1", "dev1", "mk1"]


def test_someone_with_no_part_neither_sees_nor_acts(
    client: TestClient, headers_for: HeadersFor, company_runtime: Runtime
) -> None:
    _, raised = raise_on_research(client, headers_for, company_runtime)
    number = raised["number"]
    outsider = headers_for("fin1")

    assert client.get("/api/v1/anomalies", headers=outsider).json()["total"] == 0
    detail = client.get(f"/api/v1/anomalies/{number}", headers=outsider)
    assert detail.status_code == 403
    explain = client.post(
        f"/api/v1/anomalies/{number}/explain", json={"cause": "?", "category": "其他"}, headers=outsider
    )
    assert explain.status_code == 403
    raising = client.post(
        "/api/v1/anomalies", json={"instance": raised["instance_id"], "description": "?"}, headers=outsider
    )
    assert raising.status_code == 403

    for reader in ("mk1", "dev2", "admin", "auditor"):
        page = client.get("/api/v1/anomalies", headers=headers_for(reader)).json()
        assert [a["number"] for a in page["items"]] == [number], reader


def test_filters_unknown_numbers_and_bad_times(
    client: TestClient, headers_for: HeadersFor, company_runtime: Runtime
) -> None:
    _, raised = raise_on_research(client, headers_for, company_runtime)
    admin = headers_for("admin")
    assert client.get("/api/v1/anomalies", params={"status": "open"}, headers=admin).json()["total"] == 1
    assert client.get("/api/v1/anomalies", params={"status": "verified"}, headers=admin).json()["total"] == 0
    by_department = client.get("/api/v1/anomalies", params={"department": "研发部"}, headers=admin).json()
    assert by_department["total"] == 1
    bad_status = client.get("/api/v1/anomalies", params={"status": "lost"}, headers=admin)
    assert bad_status.status_code == 400
    assert "lost" in bad_status.json()["message"]

    assert client.get("/api/v1/anomalies/ABN19990101001", headers=admin).status_code == 404
    naive = client.post(
        f"/api/v1/anomalies/{raised['number']}/replan",
        json={"new_due_at": "2026-12-05T18:00:00", "handler": "dev1"},
        headers=headers_for("mk1"),
    )
    assert naive.status_code == 422
    assert naive.json()["details"]["fields"][0]["field"] == "new_due_at"
    empty = client.post(
        "/api/v1/anomalies",
        json={"instance": raised["instance_id"], "description": ""},
        headers=headers_for("mk1"),
    )
    assert empty.status_code == 422
    assert empty.json()["details"]["field"] == "description"


def test_an_integration_token_reads_no_anomalies(client: TestClient, headers_for: HeadersFor) -> None:
    answer = client.get(
        "/api/v1/anomalies", headers=headers_for("erp", kind="integration", definitions=["purchase"])
    )
    assert answer.status_code == 403

"""The audit trail over the API: auditors list and verify it; employees and administrators may not."""

from __future__ import annotations

from fastapi.testclient import TestClient

from orgflow.runtime import Runtime

from .conftest import HeadersFor


def test_an_auditor_sees_a_start_with_its_actor_the_client_address_and_a_summary(
    client: TestClient, headers_for: HeadersFor
) -> None:
    started = client.post(
        "/api/v1/instances",
        json={"definition_key": "purchase", "data": {"amount": 98000}},
        headers=headers_for("mk1"),
    )
    assert started.status_code == 201, started.text
    business_key = started.json()["business_key"]

    answer = client.get("/api/v1/audit", params={"action": "start_process"}, headers=headers_for("auditor"))

    assert answer.status_code == 200, answer.text
    page = answer.json()
    assert page["total"] == 1
    (item,) = page["items"]
    assert (item["actor"], item["source"], item["action"]) == ("mk1", "testclient", "start_process")
    assert item["summary"] == f"发起流程 purchase（{business_key}）"
    assert item["details"]["business_key"] == business_key
    assert "98000" not in answer.text
    assert len(item["hash"]) == 64 and len(item["prev_hash"]) == 64


def test_the_list_is_newest_first_paginated_and_filtered(client: TestClient, headers_for: HeadersFor) -> None:
    auditor = headers_for("auditor")

    everything = client.get("/api/v1/audit", headers=auditor).json()
    first_page = client.get("/api/v1/audit", params={"limit": 1}, headers=auditor).json()
    by_admin = client.get("/api/v1/audit", params={"actor": "admin"}, headers=auditor).json()
    future = client.get(
        "/api/v1/audit", params={"since": "2999-01-01T00:00:00+08:00"}, headers=auditor
    ).json()
    naive = client.get("/api/v1/audit", params={"since": "2026-12-03T09:00:00"}, headers=auditor)

    seqs = [item["seq"] for item in everything["items"]]
    assert seqs == sorted(seqs, reverse=True) and everything["total"] == len(seqs) >= 3
    assert [item["action"] for item in everything["items"]][-1] == "import_org"
    assert (first_page["total"], len(first_page["items"]), first_page["limit"]) == (everything["total"], 1, 1)
    assert {item["action"] for item in by_admin["items"]} == {"import_org", "deploy_definition"}
    assert future["items"] == [] and future["total"] == 0
    assert naive.status_code == 422


def test_an_auditor_verifies_the_chain(client: TestClient, headers_for: HeadersFor) -> None:
    answer = client.get("/api/v1/audit/verify", headers=headers_for("auditor"))

    assert answer.status_code == 200
    body = answer.json()
    assert body["ok"] is True and body["broken"] is None
    assert body["message"] == f"审计链完整：{body['records']} 条记录"
    assert body["head"]["seq"] == body["records"] >= 3


def test_an_employee_and_an_administrator_are_refused_and_the_refusals_are_recorded(
    client: TestClient, headers_for: HeadersFor, company_runtime: Runtime
) -> None:
    for user in ("mk1", "admin"):
        for path in ("/api/v1/audit", "/api/v1/audit/verify"):
            answer = client.get(path, headers=headers_for(user))
            assert answer.status_code == 403, (user, path)
            assert answer.json()["code"] == "permission_denied"
            assert "查看审计记录" in answer.json()["message"]

    refused = client.get("/api/v1/audit", params={"action": "refused"}, headers=headers_for("auditor")).json()

    assert refused["total"] == 4
    newest = refused["items"][0]
    assert (newest["actor"], newest["source"]) == ("admin", "testclient")
    assert newest["summary"].startswith("被拒绝：校验审计链（")
    assert company_runtime.audit.verify().intact


def test_an_integration_token_is_refused_even_for_an_auditors_user(
    client: TestClient, headers_for: HeadersFor
) -> None:
    answer = client.get(
        "/api/v1/audit", headers=headers_for("auditor", kind="integration", definitions=["leave"])
    )

    assert answer.status_code == 403

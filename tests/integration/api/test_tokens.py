"""API tokens through the API: one's own listed, created and revoked; administrators manage anyone's."""

from __future__ import annotations

from fastapi.testclient import TestClient

from orgflow.runtime import Runtime
from orgflow.runtime.actions import CreateApiToken

from .conftest import HeadersFor


def test_a_personal_token_is_shown_once_and_listed_without_the_secret(
    client: TestClient, headers_for: HeadersFor
) -> None:
    mk1 = headers_for("mk1")
    created = client.post("/api/v1/tokens", json={"name": "我的脚本", "expires_days": 30}, headers=mk1)

    assert created.status_code == 201
    body = created.json()
    assert body["token"].startswith(body["prefix"]) and body["kind"] == "personal"
    assert "只显示这一次" in body["warning"]
    works = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert works.json()["user_id"] == "mk1"

    listed = client.get("/api/v1/tokens", headers=mk1).json()
    assert listed["total"] == 2  # the fixture's and the new one
    assert body["token"] not in str(listed)
    mine = next(t for t in listed["items"] if t["id"] == body["id"])
    assert (mine["name"], mine["status"], mine["expires_at"]) == ("我的脚本", "active", body["expires_at"])


def test_the_list_is_paginated(client: TestClient, headers_for: HeadersFor, company_runtime: Runtime) -> None:
    for number in range(5):
        company_runtime.execute(CreateApiToken("mk1", f"t{number}"))
    page = client.get("/api/v1/tokens?limit=2&offset=1", headers=headers_for("mk1")).json()
    assert (page["total"], page["limit"], page["offset"], len(page["items"])) == (6, 2, 1, 2)


def test_only_administrators_list_someone_elses_tokens(client: TestClient, headers_for: HeadersFor) -> None:
    client.post("/api/v1/tokens", json={"name": "x"}, headers=headers_for("mk1"))

    refused = client.get("/api/v1/tokens?user=mk1", headers=headers_for("mk2"))
    allowed = client.get("/api/v1/tokens?user=mk1", headers=headers_for("admin"))

    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    assert allowed.status_code == 200 and {t["user_id"] for t in allowed.json()["items"]} == {"mk1"}


def test_nobody_creates_a_personal_token_for_someone_else(
    client: TestClient, headers_for: HeadersFor
) -> None:
    by_peer = client.post("/api/v1/tokens", json={"name": "x", "user_id": "mk1"}, headers=headers_for("mk2"))
    by_admin = client.post(
        "/api/v1/tokens", json={"name": "x", "user_id": "mk1"}, headers=headers_for("admin")
    )
    assert by_peer.status_code == 403
    assert by_admin.status_code == 403 and "只能由本人创建" in by_admin.json()["message"]


def test_an_administrator_creates_an_integration_token_limited_to_its_definitions(
    client: TestClient, headers_for: HeadersFor
) -> None:
    body = {"name": "ERP 对接", "kind": "integration", "user_id": "erp", "definitions": ["purchase"]}

    refused = client.post("/api/v1/tokens", json=body, headers=headers_for("mk1"))
    unknown = client.post(
        "/api/v1/tokens", json={**body, "definitions": ["no_such_process"]}, headers=headers_for("admin")
    )
    created = client.post("/api/v1/tokens", json=body, headers=headers_for("admin"))

    assert refused.status_code == 403
    assert unknown.status_code == 400 and "no_such_process" in unknown.json()["message"]
    assert created.status_code == 201
    assert (created.json()["user_id"], created.json()["definitions"]) == ("erp", ["purchase"])
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {created.json()['token']}"}).json()
    assert (me["roles"], me["definitions"]) == (["系统集成"], ["purchase"])


def test_an_integration_token_manages_no_tokens(client: TestClient, headers_for: HeadersFor) -> None:
    erp = headers_for("erp", kind="integration", definitions=["leave"])
    assert client.get("/api/v1/tokens", headers=erp).status_code == 403
    assert client.post("/api/v1/tokens", json={"name": "x"}, headers=erp).status_code == 403


def test_only_the_owner_or_an_administrator_revokes(
    client: TestClient, headers_for: HeadersFor, company_runtime: Runtime
) -> None:
    first = company_runtime.execute(CreateApiToken("mk1", "一"))
    second = company_runtime.execute(CreateApiToken("mk1", "二"))

    by_peer = client.delete(f"/api/v1/tokens/{first.id}", headers=headers_for("mk2"))
    by_owner = client.delete(f"/api/v1/tokens/{first.id}", headers=headers_for("mk1"))
    by_admin = client.delete(f"/api/v1/tokens/{second.id}", headers=headers_for("admin"))
    missing = client.delete("/api/v1/tokens/no-such-token", headers=headers_for("admin"))

    assert by_peer.status_code == 403
    assert (by_owner.status_code, by_owner.json()["status"]) == (200, "revoked")
    assert (by_admin.status_code, by_admin.json()["status"]) == (200, "revoked")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    for issued in (first, second):
        answer = client.get("/api/v1/me", headers={"Authorization": f"Bearer {issued.token}"})
        assert answer.status_code == 401

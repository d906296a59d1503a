"""The app's shared behaviour: sign-in required, one error shape, size limits, OpenAPI."""

from __future__ import annotations

from fastapi.testclient import TestClient

from orgflow.api.app import create_app
from orgflow.runtime import Runtime

from .conftest import HeadersFor


def test_health_answers_without_credentials(client: TestClient) -> None:
    answer = client.get("/api/v1/health")
    assert answer.status_code == 200
    assert answer.json()["status"] == "ok"


def test_no_token_is_401_in_the_one_error_shape(client: TestClient) -> None:
    answer = client.get("/api/v1/me")
    assert answer.status_code == 401
    body = answer.json()
    assert body["code"] == "not_signed_in"
    assert "登录" in body["message"]
    assert answer.headers["www-authenticate"] == "Bearer"


def test_an_unknown_token_is_401(client: TestClient) -> None:
    answer = client.get("/api/v1/me", headers={"Authorization": "Bearer oft_nonsense"})
    assert answer.status_code == 401
    assert answer.json()["message"] == "API 令牌无效"


def test_me_names_the_callers_roles_from_the_org_chart(client: TestClient, headers_for: HeadersFor) -> None:
    body = client.get("/api/v1/me", headers=headers_for("dev_head")).json()
    assert body["user_id"] == "dev_head"
    assert body["name"] == "研发部长"
    assert body["roles"] == sorted(["员工", "部门负责人"])
    assert "办理待办" in body["permissions"]
    assert "查看审计记录" not in body["permissions"]


def test_an_integration_token_has_the_integration_role_only(
    client: TestClient, headers_for: HeadersFor
) -> None:
    body = client.get(
        "/api/v1/me", headers=headers_for("admin", kind="integration", definitions=["leave"])
    ).json()
    assert body["roles"] == ["系统集成"]
    assert body["definitions"] == ["leave"]
    assert "管理后台任务" not in body["permissions"]


def test_an_unknown_path_is_404_in_the_one_error_shape(client: TestClient) -> None:
    answer = client.get("/api/v1/no-such-thing")
    assert answer.status_code == 404
    assert answer.json()["code"] == "not_found"


def test_a_body_over_the_limit_is_413_before_it_is_read(company_runtime: Runtime) -> None:
    with TestClient(create_app(company_runtime, max_body_bytes=1000)) as small:
        answer = small.post("/api/v1/me", content=b"x" * 5000)
    assert answer.status_code == 413
    assert answer.json()["code"] == "too_large"
    assert answer.json()["details"]["max_bytes"] == 1000


def test_openapi_is_served_with_the_docs(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert "/api/v1/me" in schema["paths"]
    assert client.get("/docs").status_code == 200

"""A NUL (``%00``, ``\\u0000``) in a parameter, a JSON body or a form is refused with 400, naming it.

PostgreSQL's text type cannot hold one, so before this check such a request
reached the database and came back as a 503; SQLite took it. Both now answer
the same, before any route reads the value.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from .conftest import HeadersFor


def test_a_nul_in_a_query_parameter_is_400_naming_it(client: TestClient, headers_for: HeadersFor) -> None:
    answer = client.get("/api/v1/instances?definition_key=%00", headers=headers_for("admin"))
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert body["code"] == "bad_request"
    assert body["message"] == "请求参数 definition_key 含有空字符（%00），未处理。"
    assert body["details"] == {"field": "definition_key"}


def test_a_nul_in_a_parameter_no_route_reads_is_refused_too(client: TestClient) -> None:
    answer = client.get("/api/v1/health?q=a%00b")
    assert answer.status_code == 400
    assert answer.json()["details"] == {"field": "q"}


def test_a_nul_in_a_path_parameter_is_400_naming_it(client: TestClient, headers_for: HeadersFor) -> None:
    answer = client.get("/api/v1/instances/CMP%00001", headers=headers_for("admin"))
    assert answer.status_code == 400, answer.text
    assert answer.json()["message"] == "请求参数 ref 含有空字符（%00），未处理。"


def test_the_check_comes_before_the_sign_in(client: TestClient) -> None:
    answer = client.get("/api/v1/inbox?view=todo&department=%00")
    assert answer.status_code == 400
    assert answer.json()["details"] == {"field": "department"}


def test_a_nul_in_a_parameters_name_is_shown_as_sent(client: TestClient) -> None:
    answer = client.get("/api/v1/health?x%00y=1")
    assert answer.status_code == 400
    assert answer.json()["message"] == "请求参数 x%00y 含有空字符（%00），未处理。"


def test_a_page_gets_the_error_page(client: TestClient) -> None:
    answer = client.get("/work?q=%00", follow_redirects=False)
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/html")
    assert "请求参数 q 含有空字符（%00），未处理。" in answer.text
    assert 'data-status="400"' in answer.text


def test_parameters_without_nul_answer_as_before(client: TestClient, headers_for: HeadersFor) -> None:
    answer = client.get("/api/v1/instances?definition_key=purchase", headers=headers_for("admin"))
    assert answer.status_code == 200
    assert client.get("/api/v1/instances/NOPE001", headers=headers_for("admin")).status_code == 404


def test_a_nul_in_a_json_body_is_400_naming_the_field_and_nothing_starts(
    client: TestClient, headers_for: HeadersFor
) -> None:
    before = client.get("/api/v1/instances", headers=headers_for("admin")).json()["total"]
    answer = client.post(
        "/api/v1/instances",
        json={"definition_key": "customer_complaint", "data": {"items": ["ok", "bad\u0000"]}},
        headers=headers_for("admin"),
    )
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert body["message"] == "请求内容中的 data.items[1] 含有空字符（\\u0000），未处理。"
    assert body["details"] == {"field": "data.items[1]"}
    assert client.get("/api/v1/instances", headers=headers_for("admin")).json()["total"] == before


def test_a_nul_in_a_json_key_or_the_sign_in_is_refused_before_anything_else(client: TestClient) -> None:
    answer = client.post("/api/v1/auth/login", json={"user_id": "admin\u0000", "password": "x"})
    assert answer.status_code == 400
    assert answer.json()["details"] == {"field": "user_id"}
    keyed = client.post("/api/v1/auth/login", json={"user\u0000id": "admin", "password": "x"})
    assert keyed.json()["details"] == {"field": "user%00id"}


def test_an_escaped_backslash_before_u0000_is_no_nul(client: TestClient) -> None:
    answer = client.post(
        "/api/v1/auth/login",
        content=b'{"user_id": "admin\\\\u0000", "password": "wrong"}',
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 401, answer.text  # a literal backslash-u: only a wrong password


def test_a_nul_in_a_posted_form_field_gets_the_error_page(client: TestClient) -> None:
    answer = client.post("/login", data={"user_id": "admin\u0000", "password": "x"}, follow_redirects=False)
    assert answer.status_code == 400
    assert "请求内容中的 user_id 含有空字符（\\u0000），未处理。" in answer.text

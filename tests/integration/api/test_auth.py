"""Signing in through the API: the session cookie, CSRF, signing out, throttling and lockout.

The clients here talk to ``https://testserver`` (so a ``Secure`` cookie comes
back to them) unless a test is about the plain-http cases.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from http.cookies import SimpleCookie

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from orgflow.api.app import create_app
from orgflow.auth.policy import LOCKOUT, MAX_FAILED_SIGN_INS, SESSION_IDLE, THROTTLE_ATTEMPTS
from orgflow.clock import FrozenClock
from orgflow.org.model import build_snapshot
from orgflow.runtime import Runtime
from orgflow.runtime.actions import AddAccount, CreateApiToken, ImportOrg

from .company import DEPARTMENTS, USERS
from .conftest import HeadersFor

PASSWORD = "市场部-secret-1"


@pytest.fixture
def accounts(company_runtime: Runtime) -> Runtime:
    """The company with accounts for mk1 and admin."""
    company_runtime.execute(AddAccount("mk1", PASSWORD))
    company_runtime.execute(AddAccount("admin", PASSWORD))
    return company_runtime


@pytest.fixture
def browser(accounts: Runtime) -> Iterator[TestClient]:
    """A browser on https: it keeps cookies and sends Secure ones back."""
    with TestClient(
        create_app(accounts), base_url="https://testserver", raise_server_exceptions=False
    ) as client:
        yield client


def login(client: TestClient, user: str = "mk1", password: str = PASSWORD) -> Response:
    return client.post("/api/v1/auth/login", json={"user_id": user, "password": password})


def session_cookie(answer: Response) -> SimpleCookie:
    cookie: SimpleCookie = SimpleCookie()
    cookie.load(answer.headers["set-cookie"])
    assert "orgflow_session" in cookie
    return cookie


# --- the cookie -------------------------------------------------------------------------------


def test_login_sets_an_httponly_samesite_secure_cookie_and_answers_the_csrf_token(
    browser: TestClient, clock: FrozenClock
) -> None:
    answer = login(browser)

    assert answer.status_code == 200
    body = answer.json()
    assert (body["user_id"], body["name"]) == ("mk1", "陈市场")
    assert len(body["csrf_token"]) >= 40
    assert body["expires_at"].startswith((clock.now() + SESSION_IDLE).strftime("%Y-%m-%dT%H:%M"))
    morsel = session_cookie(answer)["orgflow_session"]
    assert morsel["httponly"] is True
    assert morsel["secure"] is True
    assert morsel["samesite"].lower() == "lax"
    assert morsel["path"] == "/"
    assert morsel.value != body["csrf_token"]


def test_plain_http_on_loopback_gets_a_cookie_without_secure_for_the_demo(accounts: Runtime) -> None:
    with TestClient(create_app(accounts), base_url="http://127.0.0.1:8000") as local:
        answer = login(local)
        assert answer.status_code == 200
        assert session_cookie(answer)["orgflow_session"]["secure"] == ""
        assert local.get("/api/v1/me").json()["via"] == "session"


def test_plain_http_elsewhere_still_gets_secure_unless_the_setting_turns_it_off(accounts: Runtime) -> None:
    app = create_app(accounts)
    with TestClient(app, base_url="http://orgflow.example.com") as remote:
        assert session_cookie(login(remote))["orgflow_session"]["secure"] is True
        app.state.cookie_secure = False  # ORGFLOW_COOKIE_SECURE=0
        assert session_cookie(login(remote))["orgflow_session"]["secure"] == ""


def test_the_setting_can_force_secure_on_loopback_too(accounts: Runtime) -> None:
    app = create_app(accounts)
    app.state.cookie_secure = True
    with TestClient(app, base_url="http://127.0.0.1:8000") as local:
        assert session_cookie(login(local))["orgflow_session"]["secure"] is True


# --- the session and CSRF -----------------------------------------------------------------------


def test_the_session_signs_in_reads(browser: TestClient) -> None:
    login(browser)
    me = browser.get("/api/v1/me")
    assert me.status_code == 200
    assert (me.json()["user_id"], me.json()["via"]) == ("mk1", "session")


def test_a_change_on_a_session_needs_the_csrf_header(browser: TestClient) -> None:
    csrf = login(browser).json()["csrf_token"]

    missing = browser.post("/api/v1/tokens", json={"name": "脚本"})
    wrong = browser.post("/api/v1/tokens", json={"name": "脚本"}, headers={"X-CSRF-Token": "forged"})
    right = browser.post("/api/v1/tokens", json={"name": "脚本"}, headers={"X-CSRF-Token": csrf})

    assert (missing.status_code, missing.json()["code"]) == (403, "csrf")
    assert "X-CSRF-Token" in missing.json()["message"]
    assert (wrong.status_code, wrong.json()["code"]) == (403, "csrf")
    assert right.status_code == 201
    listed = browser.get("/api/v1/tokens").json()
    assert [t["name"] for t in listed["items"]] == ["脚本"]  # the refused ones made nothing


def test_a_bearer_token_needs_no_csrf_header(client: TestClient, headers_for: HeadersFor) -> None:
    answer = client.post("/api/v1/tokens", json={"name": "脚本"}, headers=headers_for("mk1"))
    assert answer.status_code == 201


def test_another_sessions_csrf_token_does_not_fit(accounts: Runtime) -> None:
    with (
        TestClient(create_app(accounts), base_url="https://testserver") as first,
        TestClient(create_app(accounts), base_url="https://testserver") as second,
    ):
        login(first)
        others = login(second).json()["csrf_token"]
        answer = first.post("/api/v1/tokens", json={"name": "x"}, headers={"X-CSRF-Token": others})
    assert (answer.status_code, answer.json()["code"]) == (403, "csrf")


def test_logout_ends_the_session_and_clears_the_cookie(browser: TestClient) -> None:
    answer = login(browser)
    stolen = answer.cookies["orgflow_session"]
    csrf = answer.json()["csrf_token"]

    without = browser.post("/api/v1/auth/logout")
    assert (without.status_code, without.json()["code"]) == (403, "csrf")
    out = browser.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf})

    assert out.status_code == 204
    assert 'orgflow_session=""' in out.headers["set-cookie"] or "Max-Age=0" in out.headers["set-cookie"]
    assert browser.get("/api/v1/me").status_code == 401
    replayed = browser.get("/api/v1/me", headers={"Cookie": f"orgflow_session={stolen}"})
    assert (replayed.status_code, replayed.json()["code"]) == (401, "not_signed_in")
    assert "登录会话无效" in replayed.json()["message"]


def test_logout_with_a_token_is_refused(client: TestClient, headers_for: HeadersFor) -> None:
    answer = client.post("/api/v1/auth/logout", headers=headers_for("mk1"))
    assert answer.status_code == 400


def test_an_expired_session_is_401_saying_so(browser: TestClient, clock: FrozenClock) -> None:
    login(browser)
    clock.advance(SESSION_IDLE)
    answer = browser.get("/api/v1/me")
    assert answer.status_code == 401
    assert "登录已过期" in answer.json()["message"]


def test_the_session_of_a_user_made_inactive_is_401(browser: TestClient, accounts: Runtime) -> None:
    login(browser)
    accounts.execute(ImportOrg(build_snapshot(DEPARTMENTS, tuple(u for u in USERS if u.id != "mk1"))))
    answer = browser.get("/api/v1/me")
    assert answer.status_code == 401
    assert "已停用" in answer.json()["message"]


# --- tokens that no longer work ---------------------------------------------------------------


def test_an_expired_token_is_401_saying_so(client: TestClient, accounts: Runtime, clock: FrozenClock) -> None:
    issued = accounts.execute(CreateApiToken("mk1", "一天", expires_at=clock.now() + timedelta(days=1)))
    bearer = {"Authorization": f"Bearer {issued.token}"}
    assert client.get("/api/v1/me", headers=bearer).status_code == 200

    clock.advance(timedelta(days=1))
    answer = client.get("/api/v1/me", headers=bearer)
    assert (answer.status_code, answer.json()["code"]) == (401, "not_signed_in")
    assert answer.json()["message"] == f"API 令牌 {issued.prefix}… 已过期"


def test_a_revoked_token_is_401_saying_so(client: TestClient, accounts: Runtime) -> None:
    issued = accounts.execute(CreateApiToken("mk1", "脚本"))
    bearer = {"Authorization": f"Bearer {issued.token}"}

    revoked = client.delete(f"/api/v1/tokens/{issued.id}", headers=bearer)
    answer = client.get("/api/v1/me", headers=bearer)

    assert (revoked.status_code, revoked.json()["status"]) == (200, "revoked")
    assert answer.status_code == 401
    assert answer.json()["message"] == f"API 令牌 {issued.prefix}… 已吊销"


# --- refusals, lockout and throttling ---------------------------------------------------------


def test_an_unknown_user_and_a_wrong_password_get_the_same_401(browser: TestClient) -> None:
    unknown = login(browser, user="nobody")
    no_account = login(browser, user="mk2")
    wrong = login(browser, password="wrong-password")

    assert unknown.status_code == no_account.status_code == wrong.status_code == 401
    assert unknown.json() == no_account.json() == wrong.json()
    assert wrong.json() == {"code": "not_signed_in", "message": "用户名或密码错误", "details": {}}
    assert "set-cookie" not in wrong.headers


def test_five_failures_lock_the_account(browser: TestClient, clock: FrozenClock) -> None:
    answers = [login(browser, password="wrong-password") for _ in range(MAX_FAILED_SIGN_INS)]

    assert [a.json()["code"] for a in answers] == ["not_signed_in"] * (MAX_FAILED_SIGN_INS - 1) + ["locked"]
    right = login(browser)
    assert (right.status_code, right.json()["code"]) == (401, "locked")
    assert "锁定" in right.json()["message"]

    clock.advance(LOCKOUT)
    assert login(browser).status_code == 200


def test_more_than_ten_attempts_a_minute_from_one_address_are_429(
    browser: TestClient, clock: FrozenClock
) -> None:
    for _ in range(THROTTLE_ATTEMPTS):
        assert login(browser, user="nobody").status_code == 401

    throttled = login(browser)  # even with the right password
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "too_many_attempts"
    assert throttled.json()["details"]["retry_after"] == 60
    assert throttled.headers["retry-after"] == "60"

    clock.advance(timedelta(minutes=1))
    assert login(browser).status_code == 200


def test_the_login_body_is_validated(browser: TestClient) -> None:
    answer = browser.post("/api/v1/auth/login", json={"user_id": "mk1"})
    assert (answer.status_code, answer.json()["code"]) == (422, "invalid_request")


def test_a_login_another_site_could_post_without_json_is_refused(browser: TestClient) -> None:
    """Only JSON signs in: a cross-site form (or text/plain) cannot sign a browser into someone's account."""
    form = browser.post("/api/v1/auth/login", data={"user_id": "mk1", "password": PASSWORD})
    text = browser.post(
        "/api/v1/auth/login",
        content=f'{{"user_id": "mk1", "password": "{PASSWORD}"}}'.encode(),
        headers={"Content-Type": "text/plain"},
    )
    assert form.status_code == text.status_code == 422
    assert "set-cookie" not in form.headers and "set-cookie" not in text.headers


def test_login_and_tokens_are_described_in_openapi(browser: TestClient) -> None:
    paths = browser.get("/openapi.json").json()["paths"]
    assert {
        "/api/v1/auth/login",
        "/api/v1/auth/logout",
        "/api/v1/tokens",
        "/api/v1/tokens/{token_id}",
    } <= set(paths)
    assert "429" in paths["/api/v1/auth/login"]["post"]["responses"]

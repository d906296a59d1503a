"""Signing in and out on pages, the language switch, and errors shown as pages."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from orgflow.auth.cookies import SESSION_COOKIE

from .conftest import Browser


def test_pages_send_anyone_not_signed_in_to_the_sign_in_page_and_back(web: TestClient) -> None:
    answer = web.get("/work?tab=done")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=%2Fwork%3Ftab%3Ddone"
    form = web.get("/login?next=/work?tab=done")
    assert form.status_code == 200
    assert '<label for="user_id">用户名</label>' in form.text
    assert 'name="next" value="/work?tab=done"' in form.text


def test_signing_in_sets_an_http_only_session_cookie_and_goes_on(web: TestClient) -> None:
    answer = web.post(
        "/login", data={"user_id": "li_yanfa", "password": "orgflow-li", "next": "/work?tab=cc"}
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/work?tab=cc"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    page = web.get("/work?tab=cc")
    assert page.status_code == 200
    assert 'data-user="li_yanfa"' in page.text


def test_a_wrong_password_is_refused_on_the_form_without_saying_which_part_was_wrong(web: TestClient) -> None:
    answer = web.post("/login", data={"user_id": "li_yanfa", "password": "wrong"})
    assert answer.status_code == 401
    assert "用户名或密码错误" in answer.text
    assert 'value="li_yanfa"' in answer.text  # the user id stays filled in
    assert SESSION_COOKIE not in answer.headers.get("set-cookie", "")
    unknown = web.post("/login", data={"user_id": "nobody", "password": "wrong"})
    assert unknown.status_code == 401
    assert "用户名或密码错误" in unknown.text


def test_an_empty_form_is_refused_with_a_message(web: TestClient) -> None:
    answer = web.post("/login", data={"user_id": " ", "password": ""})
    assert answer.status_code == 400
    assert "请输入用户名和密码" in answer.text


def test_next_never_leads_off_the_site(web: TestClient) -> None:
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        answer = web.post("/login", data={"user_id": "li_yanfa", "password": "orgflow-li", "next": target})
        assert answer.status_code == 303
        assert answer.headers["location"] == "/work", target


def test_signing_out_needs_the_form_token_and_ends_the_session(browser_for: Callable[[str], Browser]) -> None:
    li = browser_for("li_yanfa")
    refused = li.client.post("/logout", data={"csrf_token": "forged"})
    assert refused.status_code == 403
    assert "表单已过期" in refused.text
    assert li.get("/work").status_code == 200  # still signed in
    answer = li.post("/logout")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login"
    li.client.cookies.clear()
    assert li.get("/work").status_code == 303


def test_the_signed_out_session_cookie_no_longer_opens_pages(browser_for: Callable[[str], Browser]) -> None:
    li = browser_for("li_yanfa")
    session = li.client.cookies.get(SESSION_COOKIE)
    assert session
    li.post("/logout")
    li.client.cookies.set(SESSION_COOKIE, session)
    assert li.get("/work").status_code == 303


def test_the_language_switch_is_remembered_and_pages_speak_english(
    browser_for: Callable[[str], Browser],
) -> None:
    li = browser_for("li_yanfa")
    assert '<html lang="zh-CN">' in li.get("/work").text
    switched = li.get("/lang?to=en&next=/work?tab=done")
    assert switched.status_code == 303
    assert switched.headers["location"] == "/work?tab=done"
    page = li.get("/work?tab=done")
    assert '<html lang="en">' in page.text
    assert "My work" in page.text and "我的工作" not in page.text
    assert "简体中文" in page.text
    li.get("/lang?to=zh-CN&next=https://evil.example")
    assert "我的工作" in li.get("/work").text


def test_errors_on_pages_are_pages_and_the_api_keeps_json(browser_for: Callable[[str], Browser]) -> None:
    li = browser_for("li_yanfa")
    missing = li.get("/no-such-page")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    assert "找不到该地址" in missing.text
    assert 'data-user="li_yanfa"' in missing.text  # still shown as signed in
    api = li.get("/api/v1/no-such-thing")
    assert api.status_code == 404
    assert api.json()["code"] == "not_found"


def test_the_front_door_leads_to_my_work(web: TestClient) -> None:
    answer = web.get("/")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/work"

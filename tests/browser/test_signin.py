"""Signing in, in chromium: 我的工作 afterwards, a wrong password told, the keyboard alone enough."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from .conftest import LiveServer, sign_in


def test_an_employee_signs_in_and_sees_my_work_with_counts(page: Page, live_server: LiveServer) -> None:
    sign_in(page, "chen_yanfa")
    expect(page).to_have_url(live_server.url("/work"))
    expect(page.get_by_role("heading", level=1)).to_have_text("我的工作")
    expect(page.locator("[data-user]")).to_have_text(live_server.runtime.queries.org().name_of("chen_yanfa"))
    counts = live_server.runtime.queries.inbox_counts("chen_yanfa")
    assert counts.started >= 1, "the demo has chen_yanfa's 新品上市审批 running"
    for view in ("todo", "done", "started", "cc"):
        expect(page.locator(f'[data-count="{view}"]')).to_have_text(str(getattr(counts, view)))
    page.get_by_role("link", name="我发起的").click()
    expect(page.locator('[data-tab="started"]')).to_have_attribute("aria-current", "page")
    started = live_server.runtime.queries.inbox("chen_yanfa", "started").items
    expect(page.locator("tr[data-instance]")).to_have_count(len(started))
    first = started[0].summary.business_key
    expect(page.locator(f'tr[data-business-key="{first}"]').get_by_role("link", name=first)).to_be_visible()


def test_a_wrong_password_is_told_next_to_the_form(page: Page, live_server: LiveServer) -> None:
    page.goto("/login")
    page.get_by_label("用户名").fill("wang_shichang")
    page.get_by_label("密码").fill("not-her-password")
    page.get_by_role("button", name="登录").click()
    error = page.get_by_role("alert")
    expect(error).to_have_text("用户名或密码错误")
    expect(page.locator("form.form")).to_have_attribute("aria-describedby", "signin-error")
    expect(page.get_by_label("用户名")).to_have_value("wang_shichang")
    expect(page.get_by_label("密码")).to_have_value("")
    assert page.url.startswith(live_server.url("/login"))
    # she still signs in with the right one (one failure does not lock the account)
    sign_in(page, "wang_shichang")
    expect(page.get_by_role("heading", level=1)).to_have_text("我的工作")


def test_the_sign_in_form_works_with_the_keyboard_alone(page: Page, live_server: LiveServer) -> None:
    page.goto("/work")  # not signed in: off to the form, which comes back here
    expect(page).to_have_url(live_server.url("/login?next=%2Fwork"))
    expect(page.get_by_label("用户名")).to_be_focused()  # autofocus: no click needed
    page.keyboard.type("li_yanfa")
    page.keyboard.press("Tab")
    expect(page.get_by_label("密码")).to_be_focused()
    page.keyboard.type(live_server.password_of("li_yanfa"))
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="登录")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url("/work"))
    expect(page.locator("[data-user]")).to_have_attribute("data-user", "li_yanfa")


def test_people_sign_in_side_by_side(page_for: Callable[..., Page], live_server: LiveServer) -> None:
    li = page_for("li_yanfa")
    newcomer = page_for("li_kefu")  # no demo account: page_for adds one with the test password
    expect(li.locator("[data-user]")).to_have_attribute("data-user", "li_yanfa")
    expect(newcomer.locator("[data-user]")).to_have_text(live_server.runtime.queries.org().name_of("li_kefu"))
    li.reload()
    expect(li.locator("[data-user]")).to_have_attribute("data-user", "li_yanfa")  # each has their own cookies

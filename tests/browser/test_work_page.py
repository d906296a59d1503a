"""我的工作 in chromium: the language switch, the error page, and a phone-sized screen."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from .conftest import LiveServer


def test_switching_to_english_and_back_keeps_the_page(
    page_for: Callable[..., Page], live_server: LiveServer
) -> None:
    page = page_for("li_yanfa")
    page.goto("/work?tab=done")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(live_server.url("/work?tab=done"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    expect(page.locator('[data-tab="done"]')).to_contain_text("Done")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.goto("/work")  # the choice is remembered on other pages
    expect(page.get_by_role("heading", level=1)).to_have_text("My work")
    page.get_by_role("link", name="简体中文").click()
    expect(page).to_have_url(live_server.url("/work"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", level=1)).to_have_text("我的工作")
    expect(page.get_by_role("button", name="退出")).to_be_visible()


def test_an_unknown_address_shows_the_not_found_page(
    page_for: Callable[..., Page], live_server: LiveServer
) -> None:
    page = page_for("chen_yanfa")
    answer = page.goto("/no-such-page")
    assert answer is not None and answer.status == 404
    refusal = page.locator('section.refusal[data-status="404"]')
    expect(refusal.get_by_role("heading", level=1)).to_have_text("找不到页面")
    expect(refusal.locator(".message")).to_have_text("找不到该地址")
    expect(page.locator("[data-user]")).to_have_attribute("data-user", "chen_yanfa")  # still signed in
    refusal.get_by_role("link", name="返回我的工作").click()
    expect(page).to_have_url(live_server.url("/work"))
    expect(page.get_by_role("heading", level=1)).to_have_text("我的工作")


def test_my_work_fits_a_phone_screen(page_for: Callable[..., Page], live_server: LiveServer) -> None:
    page = page_for("li_yanfa", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    todo = live_server.runtime.queries.inbox("li_yanfa", "todo").items
    assert todo, "the demo has li_yanfa's 研发评审 waiting"
    rows = page.locator("tr[data-work-item]")
    expect(rows).to_have_count(len(todo))
    expect(rows.first.get_by_role("link", name=todo[0].name)).to_be_visible()
    expect(page.get_by_label("流程")).to_be_visible()
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, body: document.body.scrollWidth,"
        " inner: window.innerWidth})"
    )
    assert widths["inner"] == 390
    assert widths["scroll"] <= widths["inner"], f"the page scrolls sideways on a phone: {widths}"
    assert widths["body"] <= widths["inner"], f"the page body scrolls sideways on a phone: {widths}"

"""The main journeys of issue 8, in chromium: people of several departments walking processes through.

Each journey signs its people in through the form, acts only through pages
(links, fields, buttons), and checks the server's runtime afterwards, not only
what the page says.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from .conftest import LiveServer


def _business_key(page: Page) -> str:
    """The 任务ID of the instance page ``page`` shows."""
    key = page.locator("#instance").get_attribute("data-business-key")
    assert key, "the instance page names its business key"
    return key


def _open_from_todo(page: Page, business_key: str) -> None:
    """Open the work item of ``business_key`` from 我的工作 → 待办, as a person would."""
    page.goto("/work?tab=todo")
    row = page.locator(f'#work-list tr[data-business-key="{business_key}"]')
    expect(row).to_have_count(1)
    row.get_by_role("link", name=business_key).click()
    expect(page.locator("section.work-item[data-work-item]")).to_have_attribute("data-status", "open")


def _open_item_when_it_arrives(page: Page, business_key: str, attempts: int = 40) -> None:
    """Like :func:`_open_from_todo`, reloading while the worker still runs a service step before it."""
    for _ in range(attempts):
        page.goto("/work?tab=todo")
        if page.locator(f'#work-list tr[data-business-key="{business_key}"]').count():
            break
        page.wait_for_timeout(250)
    _open_from_todo(page, business_key)


def test_a_quality_complaint_crosses_departments_and_comes_back_answered(
    page_for: Callable[..., Page], live_server: LiveServer
) -> None:
    # An employee of 客服部 files the complaint: type 质量.
    employee = page_for("zhang_kefu")
    employee.get_by_role("link", name="发起流程").click()
    employee.locator('a[data-start="customer_complaint"]').click()
    employee.locator("#field-customer_name").fill("华东某连锁超市")
    employee.locator("#field-contact_phone").fill("13912345678")
    employee.locator("#field-order_no").fill("SO20261204")
    employee.locator("#field-complaint_type").select_option("质量")
    employee.locator("#field-severity").select_option("高")
    employee.locator("#field-description").fill("同一批次产品外壳开裂")
    employee.locator('button[data-action="start"]').click()
    expect(employee).to_have_url(re.compile(r"/instances/CMP\d+"))
    key = _business_key(employee)
    expect(employee.locator('#current-steps li[data-current-node="production_analysis"]')).to_have_count(1)

    # 生产部's head confirms receipt, then gives cause and solution.
    head = page_for("wang_shengchan")
    _open_from_todo(head, key)
    expect(head.locator("section.work-item[data-work-item]")).to_have_attribute(
        "data-node", "production_analysis"
    )
    head.locator('button[data-action="acknowledge"]').click()
    expect(head.locator("#acknowledged")).to_have_attribute("data-acknowledged", "true")
    head.locator("#field-cause").fill("注塑模具温度偏低")
    head.locator("#field-solution").fill("调整模温并对该批次全检")
    head.locator('button[data-action="done"]').click()
    expect(head.locator("#notice")).to_have_attribute("data-notice", "completed")

    # Back in 客服部, a colleague replies to the customer.
    service = page_for("zhao_kefu")
    _open_from_todo(service, key)
    expect(service.locator("section.work-item[data-work-item]")).to_have_attribute("data-node", "reply")
    service.locator("#field-reply_content").fill("已查明原因并为您更换同批次全部产品")
    service.locator("#field-customer_satisfied").select_option("true")
    service.locator('button[data-action="done"]').click()
    expect(service.locator("#notice")).to_have_attribute("data-notice", "completed")

    # The employee sees it completed, in 我发起的 and on the instance page.
    employee.goto("/work?tab=started")
    row = employee.locator(f'#work-list tr[data-business-key="{key}"]')
    expect(row).to_contain_text("已完成")
    row.get_by_role("link", name=key).click()
    expect(employee.locator("#instance")).to_have_attribute("data-status", "completed")

    detail = live_server.runtime.queries.instance(key)
    assert detail.instance.status == "completed"
    assert detail.instance.data["complaint_type"] == "质量"
    handled = [e for e in detail.history if e.kind == "work_item_completed"]
    assert [e.node_id for e in handled] == ["receive", "production_analysis", "reply"]
    assert [e.actor for e in handled] == ["zhang_kefu", "wang_shengchan", "zhao_kefu"]


def test_a_request_sent_back_to_its_initiator_is_revised_and_comes_round_again(
    page_for: Callable[..., Page], live_server: LiveServer
) -> None:
    initiator = page_for("wang_shichang")
    initiator.goto("/start/new_product_launch")
    initiator.locator("#field-task_name").fill("智能水杯上市")
    initiator.locator("#field-goal").fill("Q1 上市")
    initiator.locator("#field-partner_departments").fill("研发部、生产部、销售部")
    initiator.locator("#field-deadline").fill("2027-03-31")
    initiator.locator("#field-priority").select_option("高")
    initiator.locator('button[data-action="start"]').click()
    expect(initiator).to_have_url(re.compile(r"/instances/PROJ\d+"))
    key = _business_key(initiator)

    # The 分管领导 sends it back (驳回) with a reason.
    leader = page_for("wu_fenguan")
    _open_from_todo(leader, key)
    leader.locator("#comment").fill("目标不够具体，请写明销量目标")
    leader.locator('button[data-action="reject"]').click()
    expect(leader.locator("#notice")).to_have_attribute("data-notice", "completed")

    # The initiator finds it back in 待办 with the earlier values filled in, revises, resubmits.
    _open_from_todo(initiator, key)
    expect(initiator.locator("section.work-item[data-work-item]")).to_have_attribute("data-node", "submit")
    expect(initiator.locator("#field-task_name")).to_have_value("智能水杯上市")
    initiator.locator("#field-goal").fill("Q1 上市，首月销量 1 万台")
    initiator.locator('button[data-action="submit"]').click()
    expect(initiator.locator("#notice")).to_have_attribute("data-notice", "completed")

    detail = live_server.runtime.queries.instance(key)
    assert [item.node_id for item in detail.instance.work_items] == ["review"]
    assert detail.instance.data["goal"] == "Q1 上市，首月销量 1 万台"
    outcomes = [(e.node_id, e.outcome) for e in detail.history if e.kind == "work_item_completed"]
    assert outcomes == [("submit", "submit"), ("review", "reject"), ("submit", "submit")]


def test_a_budget_over_the_supervising_leaders_tier_reaches_the_general_manager(
    page_for: Callable[..., Page], live_server: LiveServer
) -> None:
    finance = page_for("sun_caiwu")
    finance.goto("/start/annual_budget")
    finance.locator("#field-fiscal_year").fill("2027")
    finance.locator("#field-submit_deadline").fill("2026-12-20")
    finance.locator('button[data-action="start"]').click()
    expect(finance).to_have_url(re.compile(r"/instances/BUD\d+"))
    key = _business_key(finance)

    contact = page_for("li_kefu")  # 客服部's 预算联络人
    _open_from_todo(contact, key)
    contact.locator("#field-budget_department").select_option("客服部")
    contact.locator("#field-amount").fill("800000")
    contact.locator("#field-budget_items").fill("呼叫中心扩容 80 万元")
    contact.locator('button[data-action="submit"]').click()
    expect(contact.locator("#notice")).to_have_attribute("data-notice", "completed")

    general_manager = page_for("zheng_zongjingli")
    _open_item_when_it_arrives(general_manager, key)  # after the worker's 预算校验汇总
    expect(general_manager.locator("section.work-item[data-work-item]")).to_have_attribute(
        "data-node", "ceo_approval"
    )
    general_manager.locator('button[data-action="approve"]').click()
    expect(general_manager.locator("#notice")).to_have_attribute("data-notice", "completed")

    detail = live_server.runtime.queries.instance(key)
    reached = {e.node_id for e in detail.history if e.kind == "work_item_completed"}
    assert "ceo_approval" in reached
    assert not reached & {"head_approval", "leader_approval"}


def test_a_field_out_of_range_is_shown_next_to_it_and_nothing_starts(
    page_for: Callable[..., Page], live_server: LiveServer
) -> None:
    before = len(live_server.runtime.queries.instances(definition_key="annual_budget", limit=500))
    finance = page_for("sun_caiwu")
    finance.goto("/start/annual_budget")
    finance.locator("#field-fiscal_year").fill("1999")
    finance.locator("#field-submit_deadline").fill("2026-12-20")
    finance.locator('button[data-action="start"]').click()
    message = finance.locator("#field-fiscal_year-error")
    expect(message).to_be_visible()
    expect(message).not_to_be_empty()
    expect(finance.locator("#field-fiscal_year")).to_have_attribute("aria-invalid", "true")
    expect(finance).to_have_url(re.compile(r"/start/annual_budget$"))
    assert len(live_server.runtime.queries.instances(definition_key="annual_budget", limit=500)) == before


def test_someone_outside_an_instance_gets_a_clear_refusal(
    page_for: Callable[..., Page], live_server: LiveServer
) -> None:
    initiator = page_for("zhang_kefu")
    initiator.goto("/start/customer_complaint")
    initiator.locator("#field-customer_name").fill("某客户")
    initiator.locator("#field-complaint_type").select_option("物流延迟")
    initiator.locator("#field-severity").select_option("中")
    initiator.locator("#field-description").fill("到货晚了三天")
    initiator.locator('button[data-action="start"]').click()
    key = _business_key(initiator)

    outsider = page_for("chen_yanfa")  # 研发部: neither takes part nor heads anyone who does
    answer = outsider.goto(f"/instances/{key}")
    assert answer is not None and answer.status == 403
    refusal = outsider.locator('section.refusal[data-status="403"]')
    expect(refusal.get_by_role("heading", level=1)).to_have_text("无权访问")
    expect(refusal.locator(".message")).to_contain_text(key)
    expect(outsider.locator("#instance")).to_have_count(0)
    expect(outsider.get_by_text("某客户")).to_have_count(0)

"""进度看板: columns by step and by department with counts and cards, scope, overdue cards, filters, caps.

Besides the demo's three running instances, 陈静 (研发部) starts 新品上市审批
instances and takes them to 方案提交 (hers), 研发评审 (李强's, 研发部) and
市场评估 (张敏's, 市场部). 李强 heads 研发部, so every instance 陈静 started is
his department's; 周杰 (研发部 employee) takes part in none.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient

from orgflow.access.scope import person_scope
from orgflow.clock import FrozenClock
from orgflow.runtime import Runtime
from orgflow.runtime.actions import CompleteWorkItem, InstanceView, StartProcess

from .conftest import Browser

PROPOSAL = {
    "product_name": "便携榨汁杯 J2",
    "target_market": "大学生",
    "launch_date": "2027-10-01",
    "estimated_cost": 300000,
    "proposal": "两档转速，USB-C 充电",
}


def npa(runtime: Runtime, to: str) -> InstanceView:
    """A 新品上市审批 started by chen_yanfa, taken to ``submit``, ``rd_review`` or ``market_review``."""
    view = runtime.execute(StartProcess(key="new_product_approval", initiator="chen_yanfa"))
    if to == "submit":
        return view
    view = runtime.execute(CompleteWorkItem(view.work_items[0].id, "chen_yanfa", "submit", PROPOSAL))
    if to == "rd_review":
        return view
    return runtime.execute(
        CompleteWorkItem(view.work_items[0].id, "li_yanfa", "approve", {"rd_opinion": "可行"})
    )


def columns(html: str) -> dict[str, int]:
    """Column key → the count it shows."""
    return {key: int(total) for key, total in re.findall(r'data-column="([^"]*)"\s+data-total="(\d+)"', html)}


def cards(html: str) -> list[str]:
    return re.findall(r'data-card="([^"]+)"', html)


def cards_in(html: str, column: str) -> list[str]:
    """The business keys of one column's cards."""
    start = html.index(f'data-column="{column}"')
    end = html.find('<section class="board-column"', start)
    return cards(html[start : end if end > 0 else len(html)])


def running_in_scope(runtime: Runtime, user: str) -> set[str]:
    """The business keys of the running instances the instance list shows ``user``."""
    scope = person_scope(user, runtime.queries.org())
    found = runtime.queries.instances_in_scope(scope, status="running", limit=500)
    return {summary.business_key for summary in found.items}


def test_a_department_head_sees_columns_by_step_with_counts_and_cards(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    submitted = npa(demo_runtime, "submit")
    reviewing = [npa(demo_runtime, "rd_review") for _ in range(2)]
    marketing = npa(demo_runtime, "market_review")
    page = browser_for("li_yanfa").get("/board")
    assert page.status_code == 200
    shown = columns(page.text)
    assert shown == {
        "new_product_approval/submit": 1,
        "new_product_approval/rd_review": 3,  # the demo's 研发评审 and two more
        "new_product_approval/market_review": 1,
    }
    assert set(cards(page.text)) == running_in_scope(demo_runtime, "li_yanfa")
    assert cards_in(page.text, "new_product_approval/submit") == [submitted.business_key]
    assert set(cards_in(page.text, "new_product_approval/rd_review")) >= {v.business_key for v in reviewing}
    assert cards_in(page.text, "new_product_approval/market_review") == [marketing.business_key]
    assert f'href="/instances/{marketing.business_key}"' in page.text
    assert "张敏" in page.text and "陈静" in page.text  # who has it, who started it
    assert 'data-cards="5"' in page.text
    # columns follow the flow: 方案提交, 研发评审, 市场评估
    order = re.findall(r'data-column="([^"]*)"', page.text)
    assert order == [
        "new_product_approval/submit",
        "new_product_approval/rd_review",
        "new_product_approval/market_review",
    ]


def test_the_board_by_department(browser_for: Callable[[str], Browser], demo_runtime: Runtime) -> None:
    npa(demo_runtime, "submit")
    npa(demo_runtime, "rd_review")
    marketing = npa(demo_runtime, "market_review")
    li = browser_for("li_yanfa")
    page = li.get("/board?by=department")
    assert 'data-by="department" aria-current="page"' in page.text
    assert columns(page.text) == {"研发部": 3, "市场部": 1}
    assert cards_in(page.text, "市场部") == [marketing.business_key]
    assert "市场评估" in page.text  # the step shows on the card
    admin = browser_for("admin").get("/board?by=department")
    everyone = columns(admin.text)
    assert sum(everyone.values()) == len(running_in_scope(demo_runtime, "admin"))
    assert everyone["研发部"] == 3 and everyone["市场部"] == 2  # the demo's returned 上市需求 too


def test_an_employee_sees_only_their_own_scope(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    npa(demo_runtime, "rd_review")
    outsider = browser_for("zhou_yanfa").get("/board")
    assert outsider.status_code == 200
    assert cards(outsider.text) == []
    assert "没有符合条件的进行中流程" in outsider.text
    wang = browser_for("wang_shichang").get("/board")
    mine = running_in_scope(demo_runtime, "wang_shichang")
    assert mine and set(cards(wang.text)) == mine
    assert not any(key.startswith("NPA") for key in cards(wang.text))


def test_overdue_cards_are_marked_in_words_and_filtered(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime, clock: FrozenClock
) -> None:
    npa(demo_runtime, "rd_review")
    npa(demo_runtime, "market_review")
    before = browser_for("li_yanfa").get("/board")
    assert 'data-due-state="overdue"' not in before.text
    assert "已超时" not in before.text.split('id="board"')[1]
    due = [
        item.due_at
        for item in demo_runtime.queries.work_items(status="open", limit=500)
        if item.due_at is not None
    ]
    clock.set(max(due) + timedelta(hours=1))
    li = browser_for("li_yanfa")  # days later: the first session has long ended
    after = li.get("/board")
    late = re.findall(r'<li class="card overdue" data-card="([^"]+)"', after.text)
    assert sorted(late) == sorted(cards(after.text))  # every card of his has a time limit
    assert after.text.count('<span class="badge overdue">已超时</span>') == len(late)
    assert f'data-overdue="{len(late)}"' in after.text
    only = li.get("/board?overdue=1")
    assert sorted(cards(only.text)) == sorted(late)
    assert 'id="b-overdue" name="overdue" value="1" data-field="overdue" checked' in only.text


def test_filters_by_process_department_and_step(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    reviewing = npa(demo_runtime, "rd_review")
    admin = browser_for("admin")
    npa_only = admin.get("/board?definition=new_product_approval")
    assert all(key.startswith("new_product_approval/") for key in columns(npa_only.text))
    assert '<option value="new_product_approval" selected>' in npa_only.text
    launch = admin.get("/board?definition=new_product_launch")
    assert not any(key.startswith("NPA") for key in cards(launch.text))
    assert cards(launch.text)
    marketing = admin.get("/board?department=市场部")
    assert set(columns(marketing.text)) == {"new_product_launch/submit"}
    step = admin.get("/board?definition=new_product_approval&node=rd_review")
    assert set(columns(step.text)) == {"new_product_approval/rd_review"}
    assert reviewing.business_key in cards(step.text)
    assert 'data-action="all-columns"' in step.text
    unknown = admin.get("/board?definition=no_such_process&by=sideways")
    assert unknown.status_code == 200  # unknown values are ignored, not errors
    assert 'data-by="node" aria-current="page"' in unknown.text


def test_a_full_column_shows_its_first_cards_and_pages_through_the_rest(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    for _ in range(22):
        npa(demo_runtime, "rd_review")
    admin = browser_for("admin")
    page = admin.get("/board")
    column = "new_product_approval/rd_review"
    assert columns(page.text)[column] == 23
    assert len(cards_in(page.text, column)) == 20
    assert 'data-more="3"' in page.text
    more = re.search(r'<a class="more" href="([^"]+)" data-more="3"', page.text)
    assert more is not None
    first = admin.get(more.group(1).replace("&amp;", "&"))
    assert len(cards(first.text)) == 20
    second = admin.get(more.group(1).replace("&amp;", "&") + "&page=2")
    rest = cards(second.text)
    assert len(rest) == 3 and not set(rest) & set(cards(first.text))
    everything = set(cards(first.text)) | set(rest)
    assert len(everything) == 23


def test_the_board_in_english_and_for_nobody_signed_in(
    browser_for: Callable[[str], Browser], web: TestClient
) -> None:
    li = browser_for("li_yanfa")
    li.get("/lang?to=en&next=/board")
    page = li.get("/board")
    assert page.status_code == 200
    assert '<html lang="en">' in page.text
    assert "Progress board" in page.text and "By department" in page.text
    assert "进度看板" not in page.text
    anonymous = web.get("/board")
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login")

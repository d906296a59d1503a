"""流程实例 page: who sees it, the current position, planned vs actual, history and 异常."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from orgflow.anomalies.lifecycle import STATUS_LABELS as ANOMALY_STATUS_LABELS
from orgflow.clock import FrozenClock
from orgflow.labels import EVENT_LABELS, OUTCOME_LABELS, STATUS_LABELS
from orgflow.runtime import Runtime
from orgflow.runtime.actions import CompleteWorkItem, InstanceView, StartProcess
from orgflow.runtime.actions.anomalies import RaiseAnomaly
from orgflow.runtime.actions.task_operations import TransferWorkItem
from orgflow.web.i18n import catalog
from orgflow.web.instance_timeline import HIDDEN_KINDS, SIGNER_CHANGES, TIMELINE_LABELS, TIMELINE_OUTCOMES
from orgflow.web.rendering import local_time

from .conftest import Browser

SVG = "{http://www.w3.org/2000/svg}"


def _business_key(runtime: Runtime, key: str, initiator: str) -> str:
    found = runtime.queries.instances(definition_key=key, initiator=initiator, limit=10)
    assert found, f"the demo has a {key} started by {initiator}"
    return found[0].business_key


def _approval(runtime: Runtime) -> str:
    """The demo's 新品上市审批 by 陈静, waiting at 研发评审 (李强, receipt confirmed)."""
    return _business_key(runtime, "new_product_approval", "chen_yanfa")


def _finished_complaint(runtime: Runtime) -> str:
    """The demo's quality complaint, closed."""
    return _business_key(runtime, "customer_complaint", "li_kefu")


def _logistics_complaint(runtime: Runtime) -> InstanceView:
    """张燕 (客服部) takes a late-delivery complaint; it goes to 物流部's head 周涛, who hands it to 吴军."""
    view = runtime.execute(StartProcess(key="customer_complaint", data={}, initiator="zhang_kefu"))
    view = runtime.execute(
        CompleteWorkItem(
            work_item_id=view.work_items[0].id,
            actor="zhang_kefu",
            outcome="done",
            comment="已受理 <script>alert(1)</script>",
            data={
                "customer_name": "华南某门店",
                "complaint_type": "物流延迟",
                "severity": "中",
                "description": "到货晚了三天",
            },
        )
    )
    (item,) = view.work_items
    assert item.node_id == "logistics_analysis" and item.assignee == "zhou_wuliu"
    return runtime.execute(
        TransferWorkItem(
            work_item_id=item.id, actor="zhou_wuliu", to_user="wu_wuliu", reason="由吴军跟进承运商"
        )
    )


def _all(html: str, attribute: str) -> list[str]:
    return re.findall(rf'{attribute}="([^"]*)"', html)


def _svg_states(svg: str) -> dict[str, str | None]:
    root = ET.fromstring(svg.split("\n", 1)[1])
    return {
        group.get("data-node-id", ""): group.get("data-state")
        for group in root.iter(f"{SVG}g")
        if group.get("data-node-id")
    }


def _gantt_row(html: str, work_item_id: str) -> str:
    found = re.search(rf'<tr data-gantt-item="{work_item_id}".*?</tr>', html, re.S)
    assert found, f"the Gantt table lists work item {work_item_id}"
    return found.group(0)


def _cell(row: str, field: str) -> str:
    found = re.search(rf'data-field="{field}">(.*?)</td>', row, re.S)
    assert found, field
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


# --- who sees it ------------------------------------------------------------------------------


def test_the_initiator_sees_where_it_stands(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    key = _approval(demo_runtime)
    view = demo_runtime.queries.instance(key).instance
    page = browser_for("chen_yanfa").get(f"/instances/{key}")
    assert page.status_code == 200
    html = page.text
    assert 'data-field="process">新品上市审批流程<' in html
    assert f'data-field="business-key">{key}<' in html
    assert f'data-field="version">{view.definition_label}<' in html
    assert '<span class="status status-running">进行中</span>' in html
    assert 'data-field="initiator">陈静<' in html
    assert _all(html, "data-waiting-item") == [item.id for item in view.work_items]
    assert re.search(
        r'data-waiting-item="[^"]+" data-node="rd_review">.*?data-field="holder">李强<', html, re.S
    )
    assert 'href="/static/instance.css"' in html
    assert f'<img src="/instances/{view.id}/diagram.svg"' in html
    # the initiator does not hold the waiting item, so it is not linked as theirs
    assert f'href="/work-items/{view.work_items[0].id}"' not in html


def test_the_participant_opens_their_work_item_from_the_page(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    key = _approval(demo_runtime)
    item = demo_runtime.queries.instance(key).instance.work_items[0]
    browser = browser_for("li_yanfa")
    page = browser.get(f"/instances/{key}")
    assert page.status_code == 200
    assert f'href="/work-items/{item.id}"' in page.text
    assert 'data-notice="urged"' in browser.get(f"/instances/{key}?notice=urged").text
    assert "data-notice=" not in browser.get(f"/instances/{key}?notice=%3Cb%3Ehi").text


def test_the_head_of_the_initiators_department_and_the_auditor_see_it(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    view = _logistics_complaint(demo_runtime)
    items = demo_runtime.queries.work_items(instance_id=view.id, status=None)
    assert all("li_kefu" not in (item.assignee, item.actor) for item in items), "李娜 takes no part"
    for user in ("li_kefu", "shen_shenji"):
        page = browser_for(user).get(f"/instances/{view.business_key}")
        assert page.status_code == 200, user
        assert f'data-business-key="{view.business_key}"' in page.text
        assert 'id="anomalies"' in page.text


def test_someone_of_another_department_is_refused_with_a_clear_message(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    key = _approval(demo_runtime)
    outsider = browser_for("gao_jishu")
    page = outsider.get(f"/instances/{key}")
    assert page.status_code == 403
    assert 'data-status="403"' in page.text
    assert f"用户 gao_jishu 无权查看流程实例 {key}" in page.text
    assert "只有发起人、经办人、被抄送人" in page.text
    assert "研发评审" not in page.text
    image = outsider.get(f"/instances/{key}/diagram.svg")
    assert image.status_code == 403
    assert "<svg" not in image.text


def test_an_unknown_instance_is_not_found(browser_for: Callable[[str], Browser]) -> None:
    browser = browser_for("shen_shenji")
    for path in ("/instances/NPA19990101999", "/instances/NPA19990101999/diagram.svg"):
        page = browser.get(path)
        assert page.status_code == 404, path
        assert "流程实例 NPA19990101999 不存在" in page.text


def test_someone_not_signed_in_is_sent_to_sign_in(web: TestClient, demo_runtime: Runtime) -> None:
    key = _approval(demo_runtime)
    answer = web.get(f"/instances/{key}")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login?next=%2Finstances%2F")


# --- the diagram ------------------------------------------------------------------------------


def test_the_diagram_marks_the_current_step(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    key = _approval(demo_runtime)
    view = demo_runtime.queries.instance(key).instance
    browser = browser_for("chen_yanfa")
    page = browser.get(f"/instances/{key}").text
    assert _all(page, "data-current-node") == ["rd_review"]
    assert 'data-current-node="rd_review" data-state="active"' in page
    assert 'alt="新品上市审批流程流程图，当前在：研发评审"' in page
    assert 'data-step-node="submit" data-state="done"' in page
    assert 'data-legend-department="研发部"' in page and 'data-legend-state="overdue"' in page
    image = browser.get(f"/instances/{view.id}/diagram.svg")
    assert image.status_code == 200
    assert image.headers["content-type"].startswith("image/svg+xml")
    assert "default-src 'none'" in image.headers["content-security-policy"]
    states = _svg_states(image.text)
    assert states["rd_review"] == "active"
    assert states["submit"] == "done"
    assert states["market_review"] is None
    assert "待办：李强" in image.text
    assert 'viewBox="0 0 ' in image.text


def test_an_overdue_step_shows_on_the_diagram_and_the_gantt(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime, clock: FrozenClock
) -> None:
    key = _approval(demo_runtime)
    item = demo_runtime.queries.work_items(instance_id=demo_runtime.queries.instance(key).instance.id)[0]
    assert item.node_id == "rd_review" and item.due_at is not None
    clock.set(item.due_at + timedelta(hours=3))
    browser = browser_for("li_yanfa")  # days later: the first session has long ended
    page = browser.get(f"/instances/{key}").text
    assert 'data-current-node="rd_review" data-state="overdue"' in page
    row = _gantt_row(page, item.id)
    assert 'data-gantt-state="overdue"' in row
    assert _cell(row, "planned-end") == local_time(item.due_at)
    assert _cell(row, "actual-end") == "未完成"
    assert _cell(row, "gantt-state") == "已超时 3 小时"
    bar = re.search(rf'data-gantt-row="{item.id}".*?</div>\s*</div>', page, re.S)
    assert bar and 'data-bar="late"' in bar.group(0)
    assert _svg_states(browser.get(f"/instances/{key}/diagram.svg").text)["rd_review"] == "overdue"


# --- the Gantt --------------------------------------------------------------------------------


def test_the_gantt_shows_planned_against_actual_for_finished_steps(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    key = _finished_complaint(demo_runtime)
    instance_id = demo_runtime.queries.instance(key).instance.id
    items = demo_runtime.queries.work_items(instance_id=instance_id, status=None)
    page = browser_for("shen_shenji").get(f"/instances/{key}").text
    assert _all(page, "data-gantt-item") == [
        item.id
        for item in sorted(items, key=lambda i: ["receive", "production_analysis", "reply"].index(i.node_id))
    ]
    for item in items:
        assert item.due_at is not None and item.completed_at is not None
        row = _gantt_row(page, item.id)
        assert _cell(row, "planned-start") == local_time(item.created_at)
        assert _cell(row, "planned-end") == local_time(item.due_at)
        assert _cell(row, "actual-end") == local_time(item.completed_at)
        assert _cell(row, "gantt-state") == "按时完成"
    assert "data-current-node" not in page
    assert "没有正在办理的步骤" in page


def test_a_step_finished_late_says_by_how_much(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime, clock: FrozenClock
) -> None:
    view = _logistics_complaint(demo_runtime)
    (item,) = demo_runtime.queries.work_items(instance_id=view.id, status="open")
    assert item.assignee == "wu_wuliu" and item.due_at is not None
    clock.set(item.due_at + timedelta(hours=4, minutes=30))
    demo_runtime.execute(
        CompleteWorkItem(
            work_item_id=item.id,
            actor="wu_wuliu",
            outcome="done",
            data={"cause": "承运商爆仓", "solution": "改用备用承运商"},
        )
    )
    page = browser_for("zhang_kefu").get(f"/instances/{view.business_key}").text
    row = _gantt_row(page, item.id)
    assert 'data-gantt-state="late"' in row
    assert _cell(row, "planned-end") == local_time(item.due_at)
    assert _cell(row, "actual-end") == local_time(clock.now())
    assert _cell(row, "gantt-state") == "延迟 5 小时完成"


# --- history and exceptions -------------------------------------------------------------------


def test_the_timeline_lists_the_history_in_order_with_names(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    view = _logistics_complaint(demo_runtime)
    history = demo_runtime.queries.instance(view.id).history
    page = browser_for("zhang_kefu").get(f"/instances/{view.business_key}").text
    timeline = page.split("data-timeline>", 1)[1].split("</ol>", 1)[0]
    assert _all(timeline, "data-history-kind") == [e.kind for e in history if e.kind not in HIDDEN_KINDS]
    actors = re.findall(r"<span data-actor>([^<]+)</span>", timeline)
    assert actors[:2] == ["张燕", "张燕"]  # started it, then took the complaint
    assert "周涛" in actors
    assert "周涛 转交给 吴军" in timeline
    assert "由吴军跟进承运商" in timeline
    assert "交给 部门：客服部" in timeline
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in timeline and "<script>alert" not in page
    kinds = _all(timeline, "data-history-kind")
    assert (
        kinds.index("instance_started")
        < kinds.index("work_item_completed")
        < kinds.index("work_item_transferred")
    )


def test_exceptions_on_the_instance_link_to_their_page(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    view = _logistics_complaint(demo_runtime)
    (item,) = view.work_items
    raised = demo_runtime.execute(
        RaiseAnomaly(
            instance=view.business_key,
            actor="zhang_kefu",
            description="承运商延误，等待到货证明",
            work_item_id=item.id,
        )
    )
    page = browser_for("li_kefu").get(f"/instances/{view.business_key}").text
    assert f'data-anomaly="{raised.number}" data-anomaly-status="found"' in page
    assert f'href="/anomalies/{raised.number}"' in page
    assert "承运商延误，等待到货证明" in page
    assert 'data-count="anomalies">1<' in page
    assert "data-abnormal" in page
    assert f'data-anomaly-link="{raised.number}"' in page  # the timeline's 发现异常 links to it too


# --- language ---------------------------------------------------------------------------------


def test_the_page_and_its_diagram_read_in_english(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    key = _approval(demo_runtime)
    browser = browser_for("li_yanfa")
    browser.get(f"/lang?to=en&next=/instances/{key}")
    page = browser.get(f"/instances/{key}").text
    assert '<html lang="en">' in page
    for text in ("Waiting now", "Process diagram", "Planned vs actual", "History", "Where it is now"):
        assert text in page, text
    timeline = page.split("data-timeline>", 1)[1]
    assert "<strong>Started</strong>" in timeline and "data-outcome>Submitted<" in timeline
    assert "to 李强" in timeline
    assert "Diagram of 新品上市审批流程, now at: 研发评审" in page
    assert "当前位置" not in page and "流转记录" not in page
    svg = browser.get(f"/instances/{key}/diagram.svg").text
    assert "With: 李强" in svg and "In progress" in svg and "待办" not in svg


def _shown(own: dict[str, str], borrowed: Mapping[str, str]) -> list[str]:
    """The words the timeline shows per key: its own where it has them, else the borrowed ones."""
    return [own.get(key) or text for key, text in borrowed.items()]


@pytest.mark.parametrize(
    "words",
    [
        _shown(TIMELINE_LABELS, EVENT_LABELS),
        _shown(TIMELINE_OUTCOMES, OUTCOME_LABELS),
        list(STATUS_LABELS.values()),
        list(SIGNER_CHANGES.values()),
    ],
    ids=["events", "outcomes", "statuses", "signers"],
)
def test_every_word_the_timeline_shows_has_an_english_entry(words: list[str]) -> None:
    english = catalog("en")
    assert [text for text in words if text not in english] == []


def test_every_exception_status_has_an_english_entry() -> None:
    english = catalog("en")
    assert [text for text in ANOMALY_STATUS_LABELS.values() if text not in english] == []

"""The work item page: what it shows whom, confirming receipt, completing, refused forms and refusals."""

from __future__ import annotations

import re
from collections.abc import Callable

from orgflow.runtime import Runtime
from orgflow.runtime.views import OpenWorkItem

from .conftest import Browser
from .test_starting import COMPLAINT


def _field(html: str, name: str) -> str:
    found = re.search(rf'<div class="field[^"]*" data-field="{name}".*?</div>', html, re.S)
    assert found, f"no field {name}"
    return found.group(0)


def _complaint_at_production(
    browser_for: Callable[[str], Browser], runtime: Runtime
) -> tuple[str, OpenWorkItem]:
    """A quality complaint started from the page by 客服部's 张燕, waiting for 生产部's head."""
    answer = browser_for("zhang_kefu").post("/start/customer_complaint", COMPLAINT)
    assert answer.status_code == 303, answer.text
    (summary,) = runtime.queries.instances(definition_key="customer_complaint", initiator="zhang_kefu")
    (item,) = runtime.queries.instance(summary.id).instance.work_items
    assert (item.node_id, item.assignee) == ("production_analysis", "wang_shengchan")
    return summary.id, item


def test_the_production_head_confirms_receipt_and_completes(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    instance_id, item = _complaint_at_production(browser_for, demo_runtime)
    head = browser_for("wang_shengchan")
    page = head.get(f"/work-items/{item.id}")
    assert page.status_code == 200
    assert f'data-work-item="{item.id}" data-status="open" data-node="production_analysis"' in page.text
    assert "质量原因分析" in page.text and "生产部" in page.text and "王建国" in page.text
    assert re.search(r'href="/instances/CMP\d+" id="instance-link"', page.text)
    assert "48 小时" in page.text
    # the complaint's data, customer details masked: 生产部 does not handle them
    assert "批次 B0312 外壳开裂" in _field(page.text, "description")
    assert "华东某经销商" not in page.text and "***" in _field(page.text, "customer_name")
    assert "139****5678" in _field(page.text, "contact_phone")
    assert 'data-action="acknowledge">确认接收</button>' in page.text
    assert 'data-acknowledged="false"' in page.text

    answer = head.post(f"/work-items/{item.id}/acknowledge")
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/work-items/{item.id}?notice=acknowledged"
    history = demo_runtime.queries.instance(instance_id).history
    assert [(e.kind, e.actor) for e in history if e.work_item_id == item.id and "ack" in e.kind] == [
        ("work_item_acknowledged", "wang_shengchan")
    ]
    page = head.get(answer.headers["location"])
    assert "已确认接收。" in page.text and 'data-acknowledged="true"' in page.text
    assert 'data-action="acknowledge"' not in page.text
    assert 'data-action="done">办理完成</button>' in page.text

    answer = head.post(
        f"/work-items/{item.id}/complete",
        {
            "editable": ["cause", "solution"],
            "field.cause": "注塑温度偏低",
            "field.solution": "调整工艺参数并为客户换货",
            "comment": "原因已查明",
            "outcome": "done",
        },
    )
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == f"/work-items/{item.id}?notice=completed"
    view = demo_runtime.queries.instance(instance_id).instance
    assert view.data["cause"] == "注塑温度偏低" and view.data["solution"] == "调整工艺参数并为客户换货"
    assert [(w.node_id, w.candidate_group) for w in view.work_items] == [("reply", "dept:客服部")]

    done = head.get(answer.headers["location"])
    assert done.status_code == 200
    assert "已办理完成，流程已转到下一步。" in done.text
    assert 'data-status="completed"' in done.text and 'id="complete-form"' not in done.text
    assert 'data-outcome="done">办理完成' in done.text and "原因已查明" in done.text
    assert "注塑温度偏低" in _field(done.text, "cause")
    assert 'href="/work"' in done.text


def test_a_missing_required_field_is_refused_by_the_runtime_next_to_it(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    instance_id, item = _complaint_at_production(browser_for, demo_runtime)
    head = browser_for("wang_shengchan")
    head.get(f"/work-items/{item.id}")
    answer = head.post(
        f"/work-items/{item.id}/complete",
        {"editable": ["cause", "solution"], "field.cause": "", "field.solution": "换货", "outcome": "done"},
    )
    assert answer.status_code == 422
    cause = _field(answer.text, "cause")
    assert 'id="field-cause-error">此项为必填项</p>' in cause and 'aria-invalid="true"' in cause
    assert ">换货</textarea>" in _field(answer.text, "solution")  # kept
    assert 'id="form-problem"' in answer.text
    view = demo_runtime.queries.instance(instance_id).instance
    assert [w.id for w in view.work_items] == [item.id]  # still waiting, nothing done
    assert "cause" not in view.data


def test_someone_from_another_department_is_refused(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    instance_id, item = _complaint_at_production(browser_for, demo_runtime)
    outsider = browser_for("feng_wuliu")  # 物流部
    page = outsider.get(f"/work-items/{item.id}")
    assert page.status_code == 403
    assert "无权访问" in page.text and "注塑" not in page.text and "B0312" not in page.text
    assert '<section class="refusal" role="alert" data-status="403">' in page.text
    assert "无权查看流程实例" in page.text and "只有发起人、经办人" in page.text
    outsider.get("/work")
    answer = outsider.post(
        f"/work-items/{item.id}/complete",
        {"editable": ["cause", "solution"], "field.cause": "x", "field.solution": "y", "outcome": "done"},
    )
    assert answer.status_code == 403
    answer = outsider.post(f"/work-items/{item.id}/acknowledge")
    assert answer.status_code == 403
    view = demo_runtime.queries.instance(instance_id).instance
    assert [w.id for w in view.work_items] == [item.id] and "cause" not in view.data


def test_the_initiator_sees_the_step_but_may_not_handle_it(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    _, item = _complaint_at_production(browser_for, demo_runtime)
    page = browser_for("zhang_kefu").get(f"/work-items/{item.id}")
    assert page.status_code == 200
    assert 'id="complete-form"' not in page.text and 'data-action="acknowledge"' not in page.text
    assert 'id="not-yours"' in page.text and "王建国" in page.text
    assert "华东某经销商" in page.text  # the initiator may see the customer's details


def test_an_unknown_work_item_is_not_found(browser_for: Callable[[str], Browser]) -> None:
    page = browser_for("wang_shengchan").get("/work-items/no-such-item")
    assert page.status_code == 404
    assert "no-such-item" in page.text


def test_a_budget_amount_is_checked_by_the_runtime_and_stored_as_a_number(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    sun = browser_for("sun_caiwu")
    answer = sun.post(
        "/start/annual_budget", {"field.fiscal_year": "2027", "field.submit_deadline": "2027-01-31"}
    )
    assert answer.status_code == 303
    (summary,) = demo_runtime.queries.instances(definition_key="annual_budget", initiator="sun_caiwu")
    (item,) = demo_runtime.queries.instance(summary.id).instance.work_items
    li = browser_for("li_yanfa")  # 研发部's 预算联络人
    page = li.get(f"/work-items/{item.id}")
    amount = _field(page.text, "amount")
    assert 'type="number"' in amount and 'min="0"' in amount and 'max="100000000"' in amount
    assert 'step="any"' in amount and 'data-sensitive="true"' in amount
    assert 'data-action="submit">提交</button>' in page.text
    form = {
        "editable": ["budget_department", "amount", "budget_items"],
        "field.budget_department": "研发部",
        "field.budget_items": "样机与测试费用",
        "outcome": "submit",
    }
    refused = li.post(f"/work-items/{item.id}/complete", {**form, "field.amount": "200000000"})
    assert refused.status_code == 422
    amount = _field(refused.text, "amount")
    assert 'id="field-amount-error"' in amount and "不能大于 100000000" in amount
    assert 'value="200000000"' in amount
    assert demo_runtime.queries.instance(summary.id).instance.work_items[0].id == item.id

    answer = li.post(f"/work-items/{item.id}/complete", {**form, "field.amount": "80000"})
    assert answer.status_code == 303, answer.text
    view = demo_runtime.queries.instance(summary.id, viewer="admin").instance
    assert view.data["amount"] == 80000 and isinstance(view.data["amount"], int)
    assert view.data["budget_department"] == "研发部"
    done = demo_runtime.queries.work_items(instance_id=summary.id, status="completed")
    assert [(w.node_id, w.actor, w.outcome) for w in done][-1] == ("department_submit", "li_yanfa", "submit")


def test_an_approval_step_offers_approve_and_reject(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    wu = browser_for("wu_fenguan")  # the demo's 需求审核 waits for him
    (item,) = [w for w in demo_runtime.queries.work_items(assignee="wu_fenguan") if w.node_id == "review"]
    page = wu.get(f"/work-items/{item.id}")
    assert 'name="outcome" value="approve" class="primary" data-action="approve">同意</button>' in page.text
    assert 'name="outcome" value="reject" class="danger" data-action="reject">驳回</button>' in page.text
    assert 'data-action="acknowledge"' in page.text and "请在到达后 24 小时 内确认接收。" in page.text
    answer = wu.post(
        f"/work-items/{item.id}/complete",
        {"editable": ["review_comment"], "field.review_comment": "请补充竞品分析", "outcome": "reject"},
    )
    assert answer.status_code == 303
    view = demo_runtime.queries.instance(item.instance_id).instance
    assert [w.node_id for w in view.work_items] == ["submit"]


def test_the_page_speaks_english(browser_for: Callable[[str], Browser], demo_runtime: Runtime) -> None:
    _, item = _complaint_at_production(browser_for, demo_runtime)
    head = browser_for("wang_shengchan")
    head.client.cookies.set("orgflow_lang", "en")
    page = head.get(f"/work-items/{item.id}")
    assert 'data-action="acknowledge">Confirm receipt</button>' in page.text
    assert 'data-action="done">Completed</button>' in page.text
    assert "48 hours" in page.text and "Process data" in page.text and "Comment" in page.text
    assert "<dt>Arrived</dt>" in page.text


def test_a_step_sent_back_shows_what_was_filled_in_and_goes_again(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    wang = browser_for("wang_shichang")  # the demo's 需求审核 sent his 上市需求 back
    (item,) = [
        w
        for w in demo_runtime.queries.work_items(department="市场部")
        if w.node_id == "submit"
        and demo_runtime.queries.instance(w.instance_id).instance.initiator == "wang_shichang"
    ]
    page = wang.get(f"/work-items/{item.id}")
    assert page.status_code == 200 and 'id="complete-form"' in page.text
    assert 'value="智能水杯C上市推进"' in _field(page.text, "task_name")
    assert '<option value="高" selected>' in _field(page.text, "priority")
    assert "缺少目标市场与竞品分析" in page.text  # the reviewer's comment is in the data
    answer = wang.post(
        f"/work-items/{item.id}/complete",
        {
            "editable": ["task_name", "goal", "partner_departments", "deadline", "priority", "deliverables"],
            "field.task_name": "智能水杯C上市推进",
            "field.goal": "618 前完成线上首发，目标市场一二线城市，已补充竞品分析",
            "field.partner_departments": "研发部、销售部",
            "field.deadline": "2027-05-31",
            "field.priority": "高",
            "field.deliverables": "",
            "outcome": "submit",
        },
    )
    assert answer.status_code == 303, answer.text
    view = demo_runtime.queries.instance(item.instance_id).instance
    assert [(w.node_id, w.assignee) for w in view.work_items] == [("review", "wu_fenguan")]
    assert view.data["goal"].endswith("已补充竞品分析")


def test_notices_are_fixed_codes(browser_for: Callable[[str], Browser], demo_runtime: Runtime) -> None:
    _, item = _complaint_at_production(browser_for, demo_runtime)
    head = browser_for("wang_shengchan")
    odd = head.get(f"/work-items/{item.id}?notice=<script>alert(1)</script>")
    assert odd.status_code == 200 and "<script>alert" not in odd.text and 'id="notice"' not in odd.text
    shown = head.get(f"/work-items/{item.id}?notice=acknowledged")
    assert 'id="notice" data-notice="acknowledged">已确认接收。</p>' in shown.text

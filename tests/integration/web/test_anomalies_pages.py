"""异常 pages: report one, close its loop through the forms, who may take which step, field errors, the list.

The demo's 新品上市审批 (陈静's) waits at 研发评审, held by 李强 (研发部 head).
陈静 reports it blocked; 研发部 explains (李强), 陈静 re-plans with 李强 as
handler, 李强 resolves and may not verify his own work; 陈静 verifies. 王磊's
returned 上市需求 (市场部) gets an anomaly of its own for the list's filters.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

from orgflow.clock import FrozenClock
from orgflow.model.iso_time import LOCAL_ZONE
from orgflow.runtime import Runtime
from orgflow.runtime.actions import RaiseAnomaly
from orgflow.runtime.views.anomalies import AnomalyView

from .conftest import Browser


def waiting(runtime: Runtime, initiator: str) -> tuple[str, str]:
    """(business key, open work item id) of the demo instance ``initiator`` started that waits on someone."""
    for summary in runtime.queries.instances(initiator=initiator, status="running"):
        view = runtime.queries.instance(summary.id).instance
        if view.work_items:
            return view.business_key, view.work_items[0].id
    raise AssertionError(f"no running demo instance of {initiator}")


def raised(
    runtime: Runtime, initiator: str = "chen_yanfa", description: str = "样机供应商延迟交付"
) -> AnomalyView:
    key, item = waiting(runtime, initiator)
    view = runtime.execute(
        RaiseAnomaly(instance=key, actor=initiator, description=description, work_item_id=item)
    )
    assert isinstance(view, AnomalyView)
    return view


def status_of(runtime: Runtime, number: str) -> str:
    return runtime.anomalies.get(number).anomaly.status


def listed(html: str) -> list[str]:
    return re.findall(r'data-anomaly="([^"]+)" data-status', html)


def local_input(moment: datetime) -> str:
    return moment.astimezone(LOCAL_ZONE).strftime("%Y-%m-%dT%H:%M")


def test_reporting_an_exception_through_the_form(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    key, item = waiting(demo_runtime, "chen_yanfa")
    chen = browser_for("chen_yanfa")
    listing = chen.get(f"/anomalies?instance={key}")
    assert f'href="/anomalies/new?instance={key}"' in listing.text
    form = chen.get(f"/anomalies/new?instance={key}")
    assert form.status_code == 200
    assert f'<option value="{item}" selected>研发评审' in form.text
    sent = chen.post(
        "/anomalies/new", {"instance": key, "work_item_id": item, "description": "样机未到", "category": ""}
    )
    assert sent.status_code == 303, sent.text
    number = sent.headers["location"].removeprefix("/anomalies/").split("?")[0]
    assert sent.headers["location"].endswith("?notice=raised")
    stored = demo_runtime.anomalies.get(number).anomaly
    assert (stored.status, stored.description, stored.raised_by, stored.node_name) == (
        "found",
        "样机未到",
        "chen_yanfa",
        "研发评审",
    )
    shown = chen.get(sent.headers["location"])
    assert 'id="notice"' in shown.text and "异常已上报" in shown.text
    assert 'data-history="anomaly_found"' in shown.text


def test_reporting_without_a_description_or_on_an_unknown_instance_is_refused_beside_the_field(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    key, item = waiting(demo_runtime, "chen_yanfa")
    chen = browser_for("chen_yanfa")
    chen.get(f"/anomalies/new?instance={key}")
    empty = chen.post("/anomalies/new", {"instance": key, "work_item_id": item, "description": "  "})
    assert empty.status_code == 422
    assert 'aria-invalid="true" aria-describedby="new-description-error"' in empty.text
    assert re.search(r'id="new-description-error">[^<]*异常描述不能为空', empty.text)
    assert f'<option value="{item}" selected>' in empty.text  # the choice is kept
    unknown = chen.get("/anomalies/new?instance=NOPE000")
    assert unknown.status_code == 404
    assert 'id="new-instance-error"' in unknown.text and "NOPE000" in unknown.text
    assert demo_runtime.anomalies.search(instance=key) == ()
    outsider = browser_for("zhu_caiwu").get(f"/anomalies/new?instance={key}")
    assert outsider.status_code == 403


def test_the_loop_closes_through_the_forms_and_the_handler_may_not_verify(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime, clock: FrozenClock
) -> None:
    number = raised(demo_runtime).number
    li = browser_for("li_yanfa")
    page = li.get(f"/anomalies/{number}")
    assert page.status_code == 200
    assert 'data-step="explain"' in page.text and 'id="explain-form"' in page.text
    expected = clock.now() + timedelta(days=2)
    explained = li.post(
        f"/anomalies/{number}/explain",
        {
            "category": "supplier_delay",
            "cause": "外部供应商延迟交付",
            "expected_resolution_at": local_input(expected),
            "resources_needed": "采购部协调备用供应商",
        },
    )
    assert explained.status_code == 303, explained.text
    assert explained.headers["location"] == f"/anomalies/{number}?notice=explained"
    stored = demo_runtime.anomalies.get(number).anomaly
    assert (stored.status, stored.cause_category, stored.reporter) == (
        "reported",
        "supplier_delay",
        "li_yanfa",
    )
    assert stored.expected_resolution_at == expected.replace(second=0, microsecond=0)

    chen = browser_for("chen_yanfa")
    chen.get(f"/anomalies/{number}")
    due = clock.now() + timedelta(days=3)
    replanned = chen.post(
        f"/anomalies/{number}/replan",
        {"new_due_at": local_input(due), "handler": "li_yanfa", "plan": "改用备用供应商的样机"},
    )
    assert replanned.status_code == 303, replanned.text
    stored = demo_runtime.anomalies.get(number).anomaly
    assert (stored.status, stored.handler, stored.new_due_at) == (
        "handling",
        "li_yanfa",
        due.replace(second=0, microsecond=0),
    )

    page = li.get(f"/anomalies/{number}")
    assert 'id="resolve-form"' in page.text
    resolved = li.post(f"/anomalies/{number}/resolve", {"resolution": "备用样机已到，评审继续"})
    assert resolved.status_code == 303
    assert status_of(demo_runtime, number) == "resolved"

    page = li.get(f"/anomalies/{number}")
    assert 'data-refusal="verify"' in page.text and 'id="verify-form"' not in page.text
    refused = li.post(f"/anomalies/{number}/verify", {"passed": "yes", "note": "自己验证"})
    assert refused.status_code == 403
    assert "验证人不能是处理负责人本人" in refused.text
    assert status_of(demo_runtime, number) == "resolved"

    page = chen.get(f"/anomalies/{number}")
    assert 'id="verify-form"' in page.text
    verified = chen.post(f"/anomalies/{number}/verify", {"passed": "yes", "note": "样机已核对"})
    assert verified.status_code == 303
    assert verified.headers["location"].endswith("?notice=verified")
    stored = demo_runtime.anomalies.get(number).anomaly
    assert (stored.status, stored.verifier, stored.verification_result) == (
        "verified",
        "chen_yanfa",
        "passed",
    )
    done = chen.get(verified.headers["location"])
    assert re.findall(r'data-history="([a-z_]+)"', done.text) == [
        "anomaly_found",
        "anomaly_reported",
        "anomaly_handling",
        "anomaly_resolved",
        "anomaly_verified",
    ]
    assert 'id="loop-closed"' in done.text and '<form method="post" action="/anomalies/' not in done.text


def test_a_failed_verification_needs_a_note_and_goes_back_to_the_handler(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime, clock: FrozenClock
) -> None:
    number = raised(demo_runtime).number
    li = browser_for("li_yanfa")
    li.post(f"/anomalies/{number}/explain", {"category": "other", "cause": "待定"})
    chen = browser_for("chen_yanfa")
    chen.post(
        f"/anomalies/{number}/replan",
        {"new_due_at": local_input(clock.now() + timedelta(days=1)), "handler": "li_yanfa"},
    )
    li.post(f"/anomalies/{number}/resolve", {"resolution": "已处理"})
    chen.get(f"/anomalies/{number}")
    no_note = chen.post(f"/anomalies/{number}/verify", {"passed": "no", "note": ""})
    assert no_note.status_code == 422
    assert 'aria-invalid="true" aria-describedby="verify-note-error"' in no_note.text
    assert "验证未通过时请写明原因" in no_note.text
    assert 'value="no" data-field="passed-no" checked' in no_note.text
    assert status_of(demo_runtime, number) == "resolved"
    no_choice = chen.post(f"/anomalies/{number}/verify", {"note": "?"})
    assert no_choice.status_code == 422 and 'id="verify-passed-error"' in no_choice.text
    failed = chen.post(f"/anomalies/{number}/verify", {"passed": "no", "note": "样机仍有划痕"})
    assert failed.headers["location"].endswith("?notice=reopened")
    assert status_of(demo_runtime, number) == "handling"


def test_form_errors_show_beside_their_fields_with_the_values_kept(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    number = raised(demo_runtime).number
    li = browser_for("li_yanfa")
    li.get(f"/anomalies/{number}")
    empty = li.post(
        f"/anomalies/{number}/explain",
        {"category": "supplier_delay", "cause": "", "resources_needed": "采购部"},
    )
    assert empty.status_code == 422
    assert 'aria-invalid="true" aria-describedby="explain-cause-error"' in empty.text
    assert re.search(r'id="explain-cause-error">异常原因不能为空', empty.text)
    assert ">采购部</textarea>" in empty.text
    assert '<option value="supplier_delay" selected>' in empty.text
    bad_time = li.post(
        f"/anomalies/{number}/explain",
        {"category": "other", "cause": "x", "expected_resolution_at": "明天"},
    )
    assert bad_time.status_code == 422
    assert 'id="explain-expected_resolution_at-error"' in bad_time.text
    assert status_of(demo_runtime, number) == "found"
    li.post(f"/anomalies/{number}/explain", {"category": "other", "cause": "x"})
    chen = browser_for("chen_yanfa")
    chen.get(f"/anomalies/{number}")
    nobody = chen.post(f"/anomalies/{number}/replan", {"new_due_at": "2030-01-01T10:00", "handler": "ghost"})
    assert nobody.status_code == 409
    assert 'aria-describedby="replan-handler-error"' in nobody.text and "ghost" in nobody.text
    past = chen.post(f"/anomalies/{number}/replan", {"new_due_at": "2020-01-01T10:00", "handler": "li_yanfa"})
    assert past.status_code == 422 and 'id="replan-new_due_at-error"' in past.text
    assert status_of(demo_runtime, number) == "reported"
    wrong_state = chen.post(f"/anomalies/{number}/resolve", {"resolution": "?"})
    assert wrong_state.status_code == 409
    assert re.search(r'id="step-error" data-step-error="resolve">异常 \S+ 当前为「已上报」', wrong_state.text)
    assert status_of(demo_runtime, number) == "reported"


def test_the_list_filters_and_follows_who_may_see_what(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    research = raised(demo_runtime).number
    marketing = raised(demo_runtime, "wang_shichang", "竞品资料缺失").number
    admin = browser_for("admin")
    page = admin.get("/anomalies")
    assert page.status_code == 200
    assert listed(page.text) == [marketing, research]  # newest first
    for heading in (
        "异常编号",
        "关联任务",
        "异常节点",
        "异常描述",
        "上报人",
        "处理方案",
        "处理负责人",
        "结果验证",
    ):
        assert f'<th scope="col">{heading}</th>' in page.text
    assert f'href="/anomalies/{research}"' in page.text
    assert listed(admin.get("/anomalies?department=研发部").text) == [research]
    assert listed(admin.get("/anomalies?status=open").text) == [marketing, research]
    assert listed(admin.get("/anomalies?status=verified").text) == []
    month = demo_runtime.clock.now().astimezone(LOCAL_ZONE).strftime("%Y-%m")
    assert len(listed(admin.get(f"/anomalies?month={month}").text)) == 2
    assert listed(admin.get("/anomalies?month=2001-01").text) == []
    key, _ = waiting(demo_runtime, "wang_shichang")
    assert listed(admin.get(f"/anomalies?instance={key}").text) == [marketing]
    bad_month = admin.get("/anomalies?month=13-2026")
    assert bad_month.status_code == 422
    assert 'aria-invalid="true" aria-describedby="a-month-error"' in bad_month.text
    unknown = admin.get("/anomalies?instance=NOPE000")
    assert unknown.status_code == 422 and 'id="a-instance-error"' in unknown.text

    assert listed(browser_for("wang_shichang").get("/anomalies").text) == [marketing]
    assert listed(browser_for("zhou_yanfa").get("/anomalies").text) == [research]  # 研发部 explains it
    assert listed(browser_for("shen_shenji").get("/anomalies").text) == [marketing, research]
    outsider = browser_for("zhu_caiwu")
    assert listed(outsider.get("/anomalies").text) == []
    refused = outsider.get(f"/anomalies/{research}")
    assert refused.status_code == 403
    assert f"无权查看异常 {research}" in refused.text
    assert admin.get("/anomalies/ABN19990101001").status_code == 404


def test_the_exception_pages_in_english(browser_for: Callable[[str], Browser], demo_runtime: Runtime) -> None:
    number = raised(demo_runtime).number
    li = browser_for("li_yanfa")
    li.get(f"/lang?to=en&next=/anomalies/{number}")
    page = li.get(f"/anomalies/{number}")
    assert '<html lang="en">' in page.text
    assert "File the exception report" in page.text and "Cause category" in page.text
    assert "Supplier delay" in page.text and "Found" in page.text
    listing = li.get("/anomalies")
    assert "Report an exception" in listing.text and "Exception no." in listing.text
    assert "异常编号" not in listing.text

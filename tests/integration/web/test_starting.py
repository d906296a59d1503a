"""发起流程: the list of processes, the generated start form, its checks, and the instance it starts."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from orgflow.runtime import Runtime
from orgflow.runtime.views import InstanceSummary

from .conftest import Browser

#: A quality complaint as the 客服部 employee types it into the start form.
COMPLAINT = {
    "field.customer_name": "华东某经销商",
    "field.contact_phone": "13912345678",
    "field.order_no": "SO20261101",
    "field.complaint_type": "质量",
    "field.severity": "高",
    "field.description": "批次 B0312 外壳开裂",
}


def _started(runtime: Runtime, key: str, initiator: str) -> list[InstanceSummary]:
    return list(runtime.queries.instances(definition_key=key, initiator=initiator, limit=500))


def _field(html: str, name: str) -> str:
    """The ``.field`` block of ``name``."""
    found = re.search(rf'<div class="field[^"]*" data-field="{name}".*?</div>', html, re.S)
    assert found, f"no field {name}"
    return found.group(0)


def test_the_list_shows_every_process_with_its_version_and_a_link(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    page = browser_for("zhang_kefu").get("/start")
    assert page.status_code == 200
    for view in demo_runtime.queries.definitions():
        assert f'data-definition="{view.key}"' in page.text
        assert f'href="/start/{view.key}"' in page.text
        assert view.label in page.text
    assert "客服部接收投诉后" in page.text  # the definition's description
    assert "第一步：接收投诉（客服部）" in page.text


def test_the_auditor_may_not_start_anything(browser_for: Callable[[str], Browser]) -> None:
    auditor = browser_for("shen_shenji")
    for path in ("/start", "/start/customer_complaint"):
        page = auditor.get(path)
        assert page.status_code == 403
        assert "发起流程" in page.text  # the permission the refusal names


def test_the_form_is_generated_from_the_first_step_with_the_browsers_checks(
    browser_for: Callable[[str], Browser],
) -> None:
    page = browser_for("zhang_kefu").get("/start/customer_complaint")
    assert page.status_code == 200
    assert re.search(r'<form method="post" action="/start/customer_complaint"[^>]* data-validate', page.text)
    name = _field(page.text, "customer_name")
    assert 'name="field.customer_name"' in name and "required" in name and 'maxlength="50"' in name
    assert 'data-sensitive="true"' in name and "敏感" in name
    assert 'pattern="1\\d{10}"' in _field(page.text, "contact_phone")
    kind = _field(page.text, "complaint_type")
    assert "<select" in kind and '<option value="质量">质量</option>' in kind and "required" in kind
    assert "<textarea" in _field(page.text, "description")
    assert 'data-action="start"' in page.text


def test_an_employee_starts_a_quality_complaint_and_it_goes_to_the_production_head(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    kefu = browser_for("zhang_kefu")
    kefu.get("/start/customer_complaint")
    answer = kefu.post("/start/customer_complaint", {**COMPLAINT, "version": "1"})
    assert answer.status_code == 303, answer.text
    (summary,) = _started(demo_runtime, "customer_complaint", "zhang_kefu")
    assert answer.headers["location"] == f"/instances/{summary.business_key}?notice=started"
    detail = demo_runtime.queries.instance(summary.id, viewer="zhang_kefu")
    expected = {name.removeprefix("field."): value for name, value in COMPLAINT.items()}
    assert {k: detail.instance.data[k] for k in expected} == expected
    # 接收投诉 was the employee's own department's step: filling the form was it
    done = demo_runtime.queries.work_items(instance_id=summary.id, status="completed")
    assert [(w.node_id, w.actor, w.outcome) for w in done] == [("receive", "zhang_kefu", "done")]
    (waiting,) = detail.instance.work_items
    assert (waiting.node_id, waiting.assignee) == ("production_analysis", "wang_shengchan")


def test_someone_elses_first_step_gets_the_data_and_waits(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    wang = browser_for("wang_shichang")  # 市场部: 客服部 receives the complaint
    answer = wang.post("/start/customer_complaint", COMPLAINT)
    assert answer.status_code == 303
    (summary,) = _started(demo_runtime, "customer_complaint", "wang_shichang")
    assert answer.headers["location"] == f"/instances/{summary.business_key}?notice=started"
    view = demo_runtime.queries.instance(summary.id, viewer="wang_shichang").instance
    (waiting,) = view.work_items
    assert (waiting.node_id, waiting.assignee, waiting.candidate_group) == ("receive", None, "dept:客服部")
    assert view.data["complaint_type"] == "质量" and view.data["customer_name"] == "华东某经销商"


def test_a_budget_starts_with_a_typed_year_and_date(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    sun = browser_for("sun_caiwu")  # 预算编制启动 is hers
    page = sun.get("/start/annual_budget")
    year = _field(page.text, "fiscal_year")
    assert 'type="number"' in year and 'min="2000"' in year and 'max="2100"' in year and 'step="1"' in year
    assert 'type="date"' in _field(page.text, "submit_deadline")
    answer = sun.post(
        "/start/annual_budget", {"field.fiscal_year": "2027", "field.submit_deadline": "2027-01-31"}
    )
    assert answer.status_code == 303, answer.text
    (summary,) = _started(demo_runtime, "annual_budget", "sun_caiwu")
    view = demo_runtime.queries.instance(summary.id).instance
    assert view.data["fiscal_year"] == 2027 and isinstance(view.data["fiscal_year"], int)
    assert view.data["submit_deadline"] == "2027-01-31"
    assert [(w.node_id, w.candidate_group) for w in view.work_items] == [
        ("department_submit", "role:预算联络人")
    ]


def test_a_missing_required_field_comes_back_next_to_it_and_nothing_starts(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    kefu = browser_for("zhang_kefu")
    kefu.get("/start/customer_complaint")
    missing: dict[str, Any] = {**COMPLAINT, "field.description": "  ", "field.contact_phone": "12345"}
    answer = kefu.post("/start/customer_complaint", missing)
    assert answer.status_code == 422
    description = _field(answer.text, "description")
    assert 'id="field-description-error">此项为必填项</p>' in description
    assert 'aria-invalid="true"' in description
    assert "field-description-error" in re.search(r"<textarea[^>]*>", description).group(0)  # type: ignore[union-attr]
    phone = _field(answer.text, "contact_phone")
    assert 'id="field-contact_phone-error"' in phone and "格式不符合要求" in phone
    assert 'value="12345"' in phone  # kept as typed
    assert 'value="华东某经销商"' in _field(answer.text, "customer_name")
    assert '<option value="质量" selected>' in _field(answer.text, "complaint_type")
    assert 'id="field-order_no-error"' not in answer.text
    assert _started(demo_runtime, "customer_complaint", "zhang_kefu") == []


def test_an_out_of_range_number_is_refused_next_to_its_field(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    sun = browser_for("sun_caiwu")
    sun.get("/start/annual_budget")
    answer = sun.post(
        "/start/annual_budget", {"field.fiscal_year": "1999", "field.submit_deadline": "2027-01-31"}
    )
    assert answer.status_code == 422
    year = _field(answer.text, "fiscal_year")
    assert 'id="field-fiscal_year-error"' in year and "不能小于 2000" in year and 'value="1999"' in year
    assert _started(demo_runtime, "annual_budget", "sun_caiwu") == []


def test_a_first_step_with_a_choice_of_outcomes_opens_as_the_initiators_work_item(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    source = """\
key: leave
name: 请假
business_key_prefix: LV
nodes:
  - {id: start, type: start, next: ask}
  - id: ask
    type: user_task
    name: 填写申请
    assignee: {user: chen_yanfa}
    outcomes: [submit, draft]
    form: [{name: days, type: integer, label: 天数, required: true, min: 1}]
    next: end
  - {id: end, type: end}
"""
    from orgflow.runtime.actions import DeployDefinition

    demo_runtime.execute(DeployDefinition(source, source_name="leave.yaml", actor="admin"))
    chen = browser_for("chen_yanfa")
    answer = chen.post("/start/leave", {"field.days": "3"})
    assert answer.status_code == 303
    (summary,) = _started(demo_runtime, "leave", "chen_yanfa")
    (item,) = demo_runtime.queries.instance(summary.id).instance.work_items
    assert answer.headers["location"] == f"/work-items/{item.id}?notice=started"
    page = chen.get(answer.headers["location"])
    assert "流程已发起，请在这里完成这一步。" in page.text
    assert 'value="3"' in _field(page.text, "days")  # what was typed at start is there


def test_an_unknown_process_is_not_found_and_a_form_without_its_token_is_refused(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    kefu = browser_for("zhang_kefu")
    assert kefu.get("/start/no_such_process").status_code == 404
    forged = kefu.client.post("/start/customer_complaint", data=COMPLAINT)
    assert forged.status_code == 403
    assert _started(demo_runtime, "customer_complaint", "zhang_kefu") == []


def test_the_pages_speak_english(browser_for: Callable[[str], Browser]) -> None:
    kefu = browser_for("zhang_kefu")
    kefu.client.cookies.set("orgflow_lang", "en")
    listing = kefu.get("/start")
    assert "<h1>Start a process</h1>" in listing.text
    assert "First step" in listing.text
    form = kefu.get("/start/customer_complaint")
    assert 'data-action="start">Submit</button>' in form.text
    assert "Fields marked * are required." in form.text
    assert "Please choose" in form.text
    refused = kefu.post("/start/customer_complaint", {**COMPLAINT, "field.description": ""})
    assert 'id="field-description-error">This field is required</p>' in refused.text

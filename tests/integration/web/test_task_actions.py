"""退回, 转交, 加签 and 减签 from the web: the partial's forms, the POST routes, the runtime's state after.

The demo's ``in_progress`` scene is 陈静's 新品上市审批 waiting at 李强's 研发评审
(li_yanfa), so 李强 may return it to 陈静, hand it to 周杰 or add signers.
The partial is rendered through the pages' Jinja environment with a real
:class:`PageScope` (the work item page that includes it belongs to another
part of the UI).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from starlette.requests import Request

from orgflow.access.roles import permissions_of, roles_of
from orgflow.auth.principal import Principal
from orgflow.demo.scenes import SCENES, find_scene
from orgflow.runtime import Runtime
from orgflow.runtime.views import InstanceDetail, OpenWorkItem
from orgflow.web.i18n import Translator
from orgflow.web.rendering import ENVIRONMENT, PageScope
from orgflow.web.routes.task_actions import NOTICES

from .conftest import Browser

CSRF = "test-csrf-token"


def scope_for(runtime: Runtime, user: str, path: str = "/work-items/x", locale: str = "zh-CN") -> PageScope:
    """A real page scope for ``user`` as a signed-in page at ``path`` would have it."""
    request = Request({"type": "http", "method": "GET", "path": path, "headers": [], "query_string": b""})
    viewer = Principal(user_id=user, via="session", csrf_token=CSRF)
    chart = runtime.queries.org()
    roles = roles_of(viewer, chart)
    return PageScope(
        request=request,
        runtime=runtime,
        t=Translator(locale),
        viewer=viewer,
        chart=chart,
        roles=roles,
        permissions=permissions_of(roles),
        now=runtime.clock.now(),
    )


def render_macro(template: str, macro: str, *args: Any) -> str:
    """One macro of a partial, rendered as a page including it would."""
    module = ENVIRONMENT.get_template(template).module
    return str(getattr(module, macro)(*args))


def in_review(runtime: Runtime) -> tuple[InstanceDetail, OpenWorkItem]:
    """The ``in_progress`` scene's instance and 李强's open 研发评审 on it."""
    scene = next(s for s in SCENES if s.name == "in_progress")
    found = find_scene(runtime, scene)
    assert found is not None
    detail = runtime.queries.instance(found.id)
    (item,) = detail.instance.work_items
    assert (item.node_id, item.assignee) == ("rd_review", "li_yanfa")
    return detail, item


def partial_for(runtime: Runtime, user: str, work_item_id: str, locale: str = "zh-CN") -> str:
    page = scope_for(runtime, user, f"/work-items/{work_item_id}", locale)
    form = runtime.queries.work_item_form(work_item_id, viewer=user)
    detail = runtime.queries.instance(form.business_key)
    return render_macro("partials/task_actions.html", "task_actions", page, form, detail)


def todo_ids(runtime: Runtime, user: str) -> set[str]:
    return {item.id for item in runtime.queries.inbox(user, "todo", limit=200).items}


def test_the_assignee_sees_return_transfer_and_add_signer(demo_runtime: Runtime) -> None:
    _detail, item = in_review(demo_runtime)
    html = partial_for(demo_runtime, "li_yanfa", item.id)
    assert f'data-work-item="{item.id}"' in html
    assert '<link rel="stylesheet" href="/static/actions.css">' in html
    for action in ("return", "transfer", "add-signer"):
        assert f'action="/work-items/{item.id}/{action}"' in html and f'data-action="{action}"' in html
    assert f'name="csrf_token" value="{CSRF}"' in html
    targets = re.findall(
        r'<option value="([^"]+)">', html.split('id="return-target"')[1].split("</select>")[0]
    )
    assert targets == ["previous", "initiator", "node:submit"]
    assert "发起人（陈静）" in html
    transfer = html.split('id="transfer-to"')[1].split("</select>")[0]
    assert 'value="zhou_yanfa"' in transfer and 'value="li_yanfa"' not in transfer
    assert 'value="ma_shengchan"' not in transfer  # 停用: cannot take work
    assert '<optgroup label="研发部">' in transfer
    assert re.search(r'id="signer-position-after"\s+value="after" data-field="position" checked', html)
    assert 'data-panel="remove-signer"' not in html  # nobody else signs this step yet
    for label in ("确认退回", "确认转交", "确认加签"):
        assert label in html


def test_someone_not_assigned_sees_no_task_actions(demo_runtime: Runtime) -> None:
    _detail, item = in_review(demo_runtime)
    assert "data-action" not in partial_for(demo_runtime, "chen_yanfa", item.id)
    assert "data-action" not in partial_for(
        demo_runtime, "shen_shenji", item.id
    )  # the auditor acts on nothing


def test_the_partial_in_english(demo_runtime: Runtime) -> None:
    _detail, item = in_review(demo_runtime)
    html = partial_for(demo_runtime, "li_yanfa", item.id, locale="en")
    assert "Send back now" in html and "Transfer now" in html and "The initiator (陈静)" in html
    assert "确认退回" not in html


def test_return_to_the_initiator_puts_it_back_in_their_todo(
    demo_runtime: Runtime, browser_for: Callable[[str], Browser]
) -> None:
    detail, item = in_review(demo_runtime)
    li = browser_for("li_yanfa")
    answer = li.post(f"/work-items/{item.id}/return", {"target": "initiator", "reason": "请补充成本测算"})
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/work-items/{item.id}?notice=returned"
    after = demo_runtime.queries.instance(detail.instance.id)
    (back,) = after.instance.work_items
    assert (back.node_id, back.assignee) == ("submit", "chen_yanfa")
    assert back.id in todo_ids(demo_runtime, "chen_yanfa")
    assert item.id not in todo_ids(demo_runtime, "li_yanfa")
    returned = [e for e in after.history if e.kind == "work_item_returned"]
    assert returned[-1].comment == "请补充成本测算" and returned[-1].actor == "li_yanfa"
    page = browser_for("chen_yanfa").get("/work")
    assert f'data-work-item="{back.id}"' in page.text  # 陈静's 待办 tab lists it


def test_return_to_a_step_done_before(demo_runtime: Runtime, browser_for: Callable[[str], Browser]) -> None:
    detail, item = in_review(demo_runtime)
    answer = browser_for("li_yanfa").post(f"/work-items/{item.id}/return", {"target": "node:submit"})
    assert answer.status_code == 303
    (back,) = demo_runtime.queries.instance(detail.instance.id).instance.work_items
    assert back.node_id == "submit"


def test_a_return_to_a_step_never_done_is_refused_with_the_runtimes_message(
    demo_runtime: Runtime, browser_for: Callable[[str], Browser]
) -> None:
    _detail, item = in_review(demo_runtime)
    answer = browser_for("li_yanfa").post(f"/work-items/{item.id}/return", {"target": "node:finance_review"})
    assert answer.status_code == 409
    assert "财务审核" in answer.text and "还没有办理过" in answer.text
    assert item.id in todo_ids(demo_runtime, "li_yanfa")


def test_transfer_gives_the_item_to_the_colleague(
    demo_runtime: Runtime, browser_for: Callable[[str], Browser]
) -> None:
    detail, item = in_review(demo_runtime)
    answer = browser_for("li_yanfa").post(
        f"/work-items/{item.id}/transfer", {"to_user": "zhou_yanfa", "reason": "周杰负责该品类"}
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/work-items/{item.id}?notice=transferred"
    after = demo_runtime.queries.instance(detail.instance.id)
    (moved,) = after.instance.work_items
    assert (moved.node_id, moved.assignee) == ("rd_review", "zhou_yanfa")
    assert moved.id in todo_ids(demo_runtime, "zhou_yanfa")
    assert item.id not in todo_ids(demo_runtime, "li_yanfa")
    transferred = [e for e in after.history if e.kind == "work_item_transferred"]
    assert transferred[-1].comment == "周杰负责该品类"
    # the new assignee now gets the forms, the old one none
    assert 'data-action="transfer"' in partial_for(demo_runtime, "zhou_yanfa", moved.id)


def test_transfer_without_a_person_names_the_field(
    demo_runtime: Runtime, browser_for: Callable[[str], Browser]
) -> None:
    _detail, item = in_review(demo_runtime)
    answer = browser_for("li_yanfa").post(f"/work-items/{item.id}/transfer", {"to_user": "", "reason": ""})
    assert answer.status_code == 422
    assert "请选择「转交给」" in answer.text
    assert item.id in todo_ids(demo_runtime, "li_yanfa")


def test_add_a_signer_alongside_then_remove_them(
    demo_runtime: Runtime, browser_for: Callable[[str], Browser]
) -> None:
    detail, item = in_review(demo_runtime)
    li = browser_for("li_yanfa")
    answer = li.post(
        f"/work-items/{item.id}/add-signer",
        {"users": ["zhou_yanfa"], "position": "parallel", "reason": "请周杰一并评审"},
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/work-items/{item.id}?notice=signer_added"
    after = demo_runtime.queries.instance(detail.instance.id)
    assert {(w.node_id, w.assignee) for w in after.instance.work_items} == {
        ("rd_review", "li_yanfa"),
        ("rd_review", "zhou_yanfa"),
    }
    changed = [e for e in after.history if e.kind == "signers_changed"]
    assert (changed[-1].outcome, changed[-1].data, changed[-1].comment) == (
        "parallel",
        {"users": ["zhou_yanfa"]},
        "请周杰一并评审",
    )
    html = partial_for(demo_runtime, "li_yanfa", item.id)
    removable = html.split('id="remove-signer-user"')[1].split("</select>")[0]
    assert 'value="zhou_yanfa"' in removable

    removed = li.post(
        f"/work-items/{item.id}/remove-signer", {"user": "zhou_yanfa", "reason": "无需重复评审"}
    )
    assert removed.status_code == 303
    assert removed.headers["location"] == f"/work-items/{item.id}?notice=signer_removed"
    left = demo_runtime.queries.instance(detail.instance.id).instance.work_items
    assert [(w.node_id, w.assignee) for w in left] == [("rd_review", "li_yanfa")]
    assert 'data-panel="remove-signer"' not in partial_for(demo_runtime, "li_yanfa", item.id)


def test_add_signer_after_keeps_the_item_and_records_the_signer(
    demo_runtime: Runtime, browser_for: Callable[[str], Browser]
) -> None:
    detail, item = in_review(demo_runtime)
    answer = browser_for("li_yanfa").post(
        f"/work-items/{item.id}/add-signer", {"users": ["zhou_yanfa"], "position": "after"}
    )
    assert answer.status_code == 303
    after = demo_runtime.queries.instance(detail.instance.id)
    assert [w.id for w in after.instance.work_items] == [item.id]
    changed = [e for e in after.history if e.kind == "signers_changed"]
    assert (changed[-1].outcome, changed[-1].data) == ("after", {"users": ["zhou_yanfa"]})


def test_add_signer_needs_someone_and_a_known_position(
    demo_runtime: Runtime, browser_for: Callable[[str], Browser]
) -> None:
    detail, item = in_review(demo_runtime)
    li = browser_for("li_yanfa")
    nobody = li.post(f"/work-items/{item.id}/add-signer", {"position": "after"})
    assert nobody.status_code == 422 and "请选择「加签人」" in nobody.text
    odd = li.post(f"/work-items/{item.id}/add-signer", {"users": ["zhou_yanfa"], "position": "sideways"})
    assert odd.status_code == 422 and "请选择「加签方式」" in odd.text
    history = demo_runtime.queries.instance(detail.instance.id).history
    assert not [e for e in history if e.kind == "signers_changed"]


def test_someone_elses_work_item_is_refused_403(
    demo_runtime: Runtime, browser_for: Callable[[str], Browser]
) -> None:
    detail, item = in_review(demo_runtime)
    chen = browser_for("chen_yanfa")
    for path, data in (
        ("return", {"target": "initiator"}),
        ("transfer", {"to_user": "chen_yanfa"}),
        ("add-signer", {"users": ["chen_yanfa"], "position": "after"}),
    ):
        answer = chen.post(f"/work-items/{item.id}/{path}", data)
        assert answer.status_code == 403, path
        assert 'data-status="403"' in answer.text
        assert "李强" in answer.text and "不能办理" in answer.text
    auditor = browser_for("shen_shenji").post(f"/work-items/{item.id}/return", {"target": "initiator"})
    assert auditor.status_code == 403 and "办理待办" in auditor.text
    assert [w.id for w in demo_runtime.queries.instance(detail.instance.id).instance.work_items] == [item.id]


def test_a_form_without_its_csrf_token_is_refused(
    demo_runtime: Runtime, browser_for: Callable[[str], Browser]
) -> None:
    detail, item = in_review(demo_runtime)
    li = browser_for("li_yanfa")
    answer = li.client.post(f"/work-items/{item.id}/transfer", data={"to_user": "zhou_yanfa"})
    assert answer.status_code == 403
    assert "表单已过期" in answer.text
    wrong = li.client.post(
        f"/work-items/{item.id}/return", data={"target": "initiator", "csrf_token": "forged"}
    )
    assert wrong.status_code == 403
    assert [w.id for w in demo_runtime.queries.instance(detail.instance.id).instance.work_items] == [item.id]


def test_not_signed_in_goes_to_the_sign_in_page(demo_runtime: Runtime, web: Any) -> None:
    _detail, item = in_review(demo_runtime)
    answer = web.post(f"/work-items/{item.id}/return", data={"target": "initiator"})
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login?next=")


def test_every_notice_code_has_its_message(demo_runtime: Runtime) -> None:
    page = scope_for(demo_runtime, "li_yanfa")
    for code, message in NOTICES.items():
        shown = render_macro("partials/task_actions.html", "action_notice", page, code)
        assert f'data-notice="{code}"' in shown and message in shown
    assert render_macro("partials/task_actions.html", "action_notice", page, "nonsense").strip() == ""
    english = scope_for(demo_runtime, "li_yanfa", locale="en")
    assert "Transferred" in render_macro(
        "partials/task_actions.html", "action_notice", english, "transferred"
    )


def test_the_work_item_page_carries_the_forms_and_takes_the_assignee_back(
    demo_runtime: Runtime, browser_for: Callable[[str], Browser]
) -> None:
    _detail, item = in_review(demo_runtime)
    li = browser_for("li_yanfa")
    page = li.get(f"/work-items/{item.id}")
    assert page.status_code == 200
    assert 'id="task-actions"' in page.text and 'href="/static/actions.css"' in page.text
    assert f'action="/work-items/{item.id}/transfer"' in page.text
    assert 'id="task-actions"' not in browser_for("chen_yanfa").get(f"/work-items/{item.id}").text
    # posted with the token of the work item page itself
    answer = li.post(f"/work-items/{item.id}/transfer", {"to_user": "zhou_yanfa"})
    assert answer.status_code == 303
    after = li.get(answer.headers["location"])
    assert after.status_code == 200  # the handed-on item's page still opens, read-only
    assert 'id="task-actions"' not in after.text

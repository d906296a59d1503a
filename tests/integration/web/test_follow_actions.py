"""催办, 抄送, 评论, 附件 and 撤回 from the web: the partial, the POST routes, and the runtime's state after.

The demo's ``waiting_for_receipt`` scene is 张敏's (zhang_shichang) 新品上市推进
waiting at 吴刚's 需求审核; nobody but 张敏 has acted, so she may also
withdraw it. The runtime here keeps attachments under the test's folder and
accepts files up to 4 KB, so a larger one is refused as too large.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from orgflow.clock import FrozenClock
from orgflow.demo.scenes import SCENES, find_scene
from orgflow.engine.state import InstanceStatus
from orgflow.ids import SequentialIds
from orgflow.runtime import Runtime, open_runtime
from orgflow.runtime.views import InstanceDetail
from orgflow.settings import Settings
from orgflow.web.rendering import local_time
from orgflow.web.routes.follow_actions import NOTICES

from .conftest import Browser
from .test_task_actions import CSRF, render_macro, scope_for

PLAN = "上市推广计划：华东区 30 家门店首发".encode()


@pytest.fixture
def runtime(migrated_url: str, clock: FrozenClock, tmp_path: Path) -> Iterator[Runtime]:
    """A runtime keeping attachments under ``tmp_path`` and accepting files up to 4 KB."""
    settings = Settings(database_url=migrated_url, home=tmp_path / "home", attachment_max_bytes=4096)
    opened = open_runtime(settings, clock=clock, ids=SequentialIds("id"))
    try:
        yield opened
    finally:
        opened.close()


def scene(runtime: Runtime, name: str) -> InstanceDetail:
    found = find_scene(runtime, next(s for s in SCENES if s.name == name))
    assert found is not None
    return runtime.queries.instance(found.id)


def partial_for(runtime: Runtime, user: str, detail: InstanceDetail, locale: str = "zh-CN") -> str:
    page = scope_for(runtime, user, f"/instances/{detail.instance.business_key}", locale)
    fresh = runtime.queries.instance(detail.instance.id)
    return render_macro("partials/follow_actions.html", "follow_actions", page, fresh)


def kinds(runtime: Runtime, detail: InstanceDetail, kind: str) -> list[str | None]:
    return [e.comment for e in runtime.queries.instance(detail.instance.id).history if e.kind == kind]


def test_the_initiator_sees_every_follow_action(demo_runtime: Runtime) -> None:
    detail = scene(demo_runtime, "waiting_for_receipt")
    key = detail.instance.business_key
    html = partial_for(demo_runtime, "zhang_shichang", detail)
    assert '<link rel="stylesheet" href="/static/actions.css">' in html
    for action, path in (
        ("urge", "urge"),
        ("copy", "copy"),
        ("comment", "comment"),
        ("attach", "attachments"),
        ("withdraw", "withdraw"),
    ):
        assert f'data-action="{action}"' in html and f'action="/instances/{key}/{path}"' in html
    assert 'enctype="multipart/form-data"' in html
    assert f'name="csrf_token" value="{CSRF}"' in html
    assert f'name="back" value="/instances/{key}"' in html
    assert "还没有附件" in html
    for label in ("发送催办", "确认抄送", "发表评论", "上传附件", "确认撤回"):
        assert label in html


def test_others_see_only_what_they_may_do(demo_runtime: Runtime) -> None:
    detail = scene(demo_runtime, "waiting_for_receipt")
    assignee = partial_for(demo_runtime, "wu_fenguan", detail)  # acts on it: comment, copy, attach; no urge
    assert 'data-action="comment"' in assignee and 'data-action="attach"' in assignee
    assert 'data-action="urge"' not in assignee and 'data-action="withdraw"' not in assignee
    auditor = partial_for(demo_runtime, "shen_shenji", detail)  # reads only
    assert 'id="attachments"' in auditor and "data-action" not in auditor


def test_someone_else_having_acted_takes_withdraw_away(
    demo_runtime: Runtime, browser_for: Callable[[str], Browser]
) -> None:
    detail = scene(demo_runtime, "returned_for_revision")  # 吴刚 rejected it back to 王磊
    assert 'data-action="withdraw"' not in partial_for(demo_runtime, "wang_shichang", detail)
    answer = browser_for("wang_shichang").post(f"/instances/{detail.instance.business_key}/withdraw", {})
    assert answer.status_code == 409
    assert "吴刚" in answer.text and "不能再撤回" in answer.text
    assert demo_runtime.queries.instance(detail.instance.id).instance.status is InstanceStatus.RUNNING


def test_the_initiator_withdraws(demo_runtime: Runtime, browser_for: Callable[[str], Browser]) -> None:
    detail = scene(demo_runtime, "waiting_for_receipt")
    key = detail.instance.business_key
    assert browser_for("wu_fenguan").post(f"/instances/{key}/withdraw", {}).status_code == 403
    answer = browser_for("zhang_shichang").post(
        f"/instances/{key}/withdraw", {"reason": "需求有变", "back": "/work-items/whatever"}
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/instances/{key}?notice=withdrawn"
    after = demo_runtime.queries.instance(detail.instance.id)
    assert after.instance.status is InstanceStatus.WITHDRAWN
    assert kinds(demo_runtime, detail, "instance_withdrawn") == ["需求有变"]


def test_urging_twice_is_refused_with_when_it_is_allowed_again(
    demo_runtime: Runtime, browser_for: Callable[[str], Browser], clock: FrozenClock
) -> None:
    detail = scene(demo_runtime, "waiting_for_receipt")
    key = detail.instance.business_key
    zhang = browser_for("zhang_shichang")
    first = zhang.post(f"/instances/{key}/urge", {"note": "请尽快确认"})
    assert first.status_code == 303
    assert first.headers["location"] == f"/instances/{key}?notice=urged"
    assert kinds(demo_runtime, detail, "instance_urged") == ["请尽快确认"]

    again = zhang.post(f"/instances/{key}/urge", {"note": "再催一次"})
    assert again.status_code == 409
    assert 'data-status="409"' in again.text
    next_at = local_time(clock.now() + timedelta(minutes=30))
    assert f"下次可催办时间：{next_at}" in again.text
    assert "每 30 分钟只能催办一次" in again.text
    assert kinds(demo_runtime, detail, "instance_urged") == ["请尽快确认"]
    html = partial_for(demo_runtime, "zhang_shichang", detail)
    assert 'id="urge-next"' in html and f"下次可催办时间：{next_at}" in html

    clock.advance(timedelta(minutes=31))
    later = browser_for("zhang_shichang").post(f"/instances/{key}/urge", {})
    assert later.status_code == 303
    assert 'id="urge-next"' in partial_for(demo_runtime, "zhang_shichang", detail)  # just urged again


def test_urge_refused_for_someone_not_the_initiator(
    demo_runtime: Runtime, browser_for: Callable[[str], Browser]
) -> None:
    detail = scene(demo_runtime, "waiting_for_receipt")
    answer = browser_for("wu_fenguan").post(f"/instances/{detail.instance.business_key}/urge", {})
    assert answer.status_code == 403
    assert "只有发起人或系统管理员可以催办" in answer.text
    assert kinds(demo_runtime, detail, "instance_urged") == []


def test_copy_reaches_the_copied_persons_inbox(
    demo_runtime: Runtime, browser_for: Callable[[str], Browser]
) -> None:
    detail = scene(demo_runtime, "waiting_for_receipt")
    key = detail.instance.business_key
    zhang = browser_for("zhang_shichang")
    answer = zhang.post(
        f"/instances/{key}/copy", {"users": ["zhao_xiaoshou", "qian_xiaoshou"], "note": "供销售参考"}
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/instances/{key}?notice=copied"
    copied = demo_runtime.queries.inbox("zhao_xiaoshou", "cc").items
    assert [entry.summary.id for entry in copied] == [detail.instance.id]
    assert kinds(demo_runtime, detail, "instance_copied") == ["供销售参考"]
    page = browser_for("zhao_xiaoshou").get("/work?tab=cc")
    assert f'data-instance="{detail.instance.id}"' in page.text

    again = zhang.post(f"/instances/{key}/copy", {"users": ["zhao_xiaoshou"]})
    assert again.headers["location"] == f"/instances/{key}?notice=copy_unchanged"
    nobody = zhang.post(f"/instances/{key}/copy", {"note": "无人"})
    assert nobody.status_code == 422 and "请选择「抄送给」" in nobody.text
    unknown = zhang.post(f"/instances/{key}/copy", {"users": ["no_such_user"]})
    assert unknown.status_code == 409 and "no_such_user 不存在" in unknown.text


def test_a_comment_lands_in_the_history_and_the_form_goes_back(
    demo_runtime: Runtime, browser_for: Callable[[str], Browser]
) -> None:
    detail = scene(demo_runtime, "waiting_for_receipt")
    key = detail.instance.business_key
    wu = browser_for("wu_fenguan")
    item = detail.instance.work_items[0].id
    answer = wu.post(
        f"/instances/{key}/comment", {"text": "已收到，周三前审核", "back": f"/work-items/{item}?x=1"}
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/work-items/{item}?notice=commented"
    history = demo_runtime.queries.instance(detail.instance.id).history
    added = [e for e in history if e.kind == "comment_added"]
    assert [(e.actor, e.comment) for e in added] == [("wu_fenguan", "已收到，周三前审核")]

    elsewhere = wu.post(f"/instances/{key}/comment", {"text": "再说一句", "back": "https://example.com/x"})
    assert elsewhere.headers["location"] == f"/instances/{key}?notice=commented"
    empty = wu.post(f"/instances/{key}/comment", {"text": "   "})
    assert empty.status_code == 422 and "请填写「评论内容」" in empty.text
    assert len(kinds(demo_runtime, detail, "comment_added")) == 2


def test_an_outsider_may_not_comment_or_upload(
    demo_runtime: Runtime, browser_for: Callable[[str], Browser]
) -> None:
    detail = scene(demo_runtime, "waiting_for_receipt")
    key = detail.instance.business_key
    outsider = browser_for("feng_wuliu")  # 物流部, nothing to do with it
    refused = outsider.post(f"/instances/{key}/comment", {"text": "路过"})
    assert refused.status_code == 403
    upload = outsider.post(f"/instances/{key}/attachments", {}, files={"file": ("a.txt", PLAN)})
    assert upload.status_code == 403
    assert kinds(demo_runtime, detail, "comment_added") == []
    assert demo_runtime.queries.attachments(detail.instance.id) == ()


def test_an_attachment_is_uploaded_listed_and_downloadable(
    demo_runtime: Runtime, browser_for: Callable[[str], Browser]
) -> None:
    detail = scene(demo_runtime, "waiting_for_receipt")
    key = detail.instance.business_key
    zhang = browser_for("zhang_shichang")
    answer = zhang.post(f"/instances/{key}/attachments", {}, files={"file": ("推广计划.txt", PLAN)})
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == f"/instances/{key}?notice=attached"
    (stored,) = demo_runtime.queries.attachments(detail.instance.id)
    assert (stored.file_name, stored.size, stored.uploaded_by) == (
        "推广计划.txt",
        len(PLAN),
        "zhang_shichang",
    )

    html = partial_for(demo_runtime, "zhang_shichang", detail)
    assert f'data-attachment="{stored.id}"' in html
    href = f"/api/v1/attachments/{stored.id}"
    assert f'href="{href}"' in html and "推广计划.txt" in html and f"{len(PLAN)} B" in html
    assert 'data-count="attachments">1<' in html
    download = zhang.client.get(href)
    assert download.status_code == 200
    assert download.content == PLAN
    assert "attachment;" in download.headers["content-disposition"]
    assert browser_for("feng_wuliu").client.get(href).status_code == 403


def test_an_attachment_on_the_viewers_work_item(
    demo_runtime: Runtime, browser_for: Callable[[str], Browser]
) -> None:
    detail = scene(demo_runtime, "waiting_for_receipt")
    item = detail.instance.work_items[0]
    html = partial_for(demo_runtime, "wu_fenguan", detail)
    assert f'<option value="{item.id}">' in html
    answer = browser_for("wu_fenguan").post(
        f"/instances/{detail.instance.business_key}/attachments",
        {"work_item_id": item.id},
        files={"file": ("审核意见.txt", "同意".encode())},
    )
    assert answer.status_code == 303
    (stored,) = demo_runtime.queries.attachments(detail.instance.id)
    assert stored.work_item_id == item.id
    wrong = browser_for("wu_fenguan").post(
        f"/instances/{detail.instance.business_key}/attachments",
        {"work_item_id": "not-an-item"},
        files={"file": ("b.txt", b"x")},
    )
    assert wrong.status_code == 404 and "not-an-item" in wrong.text


def test_too_large_or_forbidden_uploads_are_refused_with_a_message(
    demo_runtime: Runtime, browser_for: Callable[[str], Browser]
) -> None:
    detail = scene(demo_runtime, "waiting_for_receipt")
    key = detail.instance.business_key
    zhang = browser_for("zhang_shichang")
    large = zhang.post(f"/instances/{key}/attachments", {}, files={"file": ("大文件.txt", b"x" * 5000)})
    assert large.status_code == 413
    assert 'data-status="413"' in large.text and "超过上限 4 KB" in large.text and "大文件.txt" in large.text
    program = zhang.post(f"/instances/{key}/attachments", {}, files={"file": ("工具.exe", b"MZ\x90\x00")})
    assert program.status_code == 422
    assert ".exe" in program.text and "只接受" in program.text
    disguised = zhang.post(f"/instances/{key}/attachments", {}, files={"file": ("报告.pdf", b"not a pdf")})
    assert disguised.status_code == 422 and "与扩展名 .pdf 不符" in disguised.text
    none = zhang.post(f"/instances/{key}/attachments", {"note": "x"})
    assert none.status_code == 422 and "请选择要上传的文件" in none.text
    assert demo_runtime.queries.attachments(detail.instance.id) == ()


def test_follow_forms_without_the_csrf_token_are_refused(
    demo_runtime: Runtime, browser_for: Callable[[str], Browser]
) -> None:
    detail = scene(demo_runtime, "waiting_for_receipt")
    key = detail.instance.business_key
    zhang = browser_for("zhang_shichang")
    assert zhang.client.post(f"/instances/{key}/urge", data={}).status_code == 403
    assert zhang.client.post(f"/instances/{key}/comment", data={"text": "x"}).status_code == 403
    forged = zhang.client.post(
        f"/instances/{key}/attachments", data={"csrf_token": "forged"}, files={"file": ("a.txt", PLAN)}
    )
    assert forged.status_code == 403
    assert kinds(demo_runtime, detail, "instance_urged") == []
    assert kinds(demo_runtime, detail, "comment_added") == []
    assert demo_runtime.queries.attachments(detail.instance.id) == ()


def test_every_notice_code_has_its_message_in_both_languages(demo_runtime: Runtime) -> None:
    page = scope_for(demo_runtime, "zhang_shichang")
    for code, message in NOTICES.items():
        shown = render_macro("partials/follow_actions.html", "follow_notice", page, code)
        assert f'data-notice="{code}"' in shown and message in shown
    assert render_macro("partials/follow_actions.html", "follow_notice", page, "returned").strip() == ""
    english = scope_for(demo_runtime, "zhang_shichang", locale="en")
    assert "Copied to me" in render_macro("partials/follow_actions.html", "follow_notice", english, "copied")


def test_the_partial_in_english(demo_runtime: Runtime) -> None:
    detail = scene(demo_runtime, "waiting_for_receipt")
    html = partial_for(demo_runtime, "zhang_shichang", detail, locale="en")
    assert "Send reminder" in html and "Upload file" in html and "Withdraw now" in html
    assert "发送催办" not in html


def test_the_instance_page_carries_the_forms_and_shows_the_notice(
    demo_runtime: Runtime, browser_for: Callable[[str], Browser]
) -> None:
    detail = scene(demo_runtime, "waiting_for_receipt")
    key = detail.instance.business_key
    zhang = browser_for("zhang_shichang")
    page = zhang.get(f"/instances/{key}")
    assert page.status_code == 200
    assert 'id="follow-actions"' in page.text and 'href="/static/actions.css"' in page.text
    answer = zhang.post(f"/instances/{key}/comment", {"text": "请吴总审核", "back": f"/instances/{key}"})
    assert answer.status_code == 303
    shown = zhang.get(answer.headers["location"])
    assert 'data-notice="commented"' in shown.text and "评论已添加。" in shown.text
    assert "请吴总审核" in shown.text  # the page's history shows the comment

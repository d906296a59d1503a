"""``orgflow inbox``, ``copy`` and ``urge`` as a user types them, on the demo company.

客服部 li_kefu 受理一起投诉：待办在客服部共享；她把它抄送给总经理 zheng_zongjingli，
再催办一次；第二次催办太快被拒绝，旁人也不能催办。
"""

from __future__ import annotations

import pytest

from .conftest import Orgflow


@pytest.fixture(scope="module")
def complaint(installed) -> str:
    """A new 客户投诉 started by li_kefu; its business key."""
    document = installed.orgflow.json("start", "customer_complaint", "--user", "li_kefu")
    return document["instance"]["business_key"]


def one_line_error(orgflow: Orgflow, *args: str) -> str:
    ran = orgflow.run(*args)
    assert ran.code == 1 and ran.out == "", ran
    (line,) = ran.err.splitlines()
    assert line.startswith("错误：")
    return line


def test_inbox_lists_the_shared_todo_and_what_i_started_with_counts(orgflow: Orgflow, complaint: str) -> None:
    todo, started, text = orgflow.run_all(
        ("inbox", "--user", "zhang_kefu", "--key", "customer_complaint", "--limit", "500", "--json"),
        ("inbox", "--user", "li_kefu", "--view", "started", "--department", "客服部", "--json"),
        ("inbox", "--user", "li_kefu", "--view", "started"),
    )
    page = todo.document()["page"]
    assert page["view"] == "todo" and complaint in [item["business_key"] for item in page["items"]]
    assert page["total"] == len(page["items"]) == todo.document()["counts"]["todo"]
    mine = started.document()
    assert complaint in [entry["summary"]["business_key"] for entry in mine["page"]["items"]]
    assert mine["counts"]["started"] == mine["page"]["total"] >= 1
    assert text.code == 0 and "我发起的" in text.out and complaint in text.out and "待办 " in text.out


def test_copy_then_the_copied_user_sees_it_under_cc(orgflow: Orgflow, complaint: str) -> None:
    copied = orgflow.json(
        "copy", complaint, "--to", "zheng_zongjingli", "--user", "li_kefu", "--note", "请关注"
    )
    assert copied["copied"]["added"] == ["zheng_zongjingli"]
    again = orgflow.run(
        "copy", complaint, "--to", "zheng_zongjingli", "--role", "系统管理员", "--user", "li_kefu"
    )
    assert again.code == 0 and "已抄送" in again.out and "此前已抄送过：zheng_zongjingli" in again.out

    cc = orgflow.json("inbox", "--user", "zheng_zongjingli", "--view", "cc")
    (entry,) = [e for e in cc["page"]["items"] if e["summary"]["business_key"] == complaint]
    assert entry["copy"]["note"] == "请关注" and entry["copy"]["copied_by"] == "li_kefu"


def test_urge_once_then_too_soon_and_not_by_others(orgflow: Orgflow, complaint: str) -> None:
    urged = orgflow.json("urge", complaint, "--user", "li_kefu", "--note", "客户在催")
    assert urged["urged"]["groups"] == ["dept:客服部"]

    assert "30 分钟只能催办一次" in one_line_error(orgflow, "urge", complaint, "--user", "li_kefu")
    assert "只有发起人或系统管理员" in one_line_error(orgflow, "urge", complaint, "--user", "zhang_kefu")
    shown = orgflow.run("show", complaint)
    assert "催办" in shown.out and "客户在催" in shown.out


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("inbox", "--user", "li_kefu", "--due-before", "明天"), "--due-before 不是合法的 ISO 时间"),
        (("inbox", "--user", "li_kefu", "--view", "mine"), "没有名为 'mine' 的待办视图"),
        (("inbox", "--user", "li_kefu", "--limit", "0"), "每页条数必须在 1 到 500 之间"),
        (("inbox", "--user", "li_kefu", "--department", "火星部"), "部门 '火星部' 不存在"),
        (("copy", "NOPE", "--to", "li_kefu", "--user", "li_kefu"), "流程实例 NOPE 不存在"),
        (("urge", "NOPE", "--user", "li_kefu"), "流程实例 NOPE 不存在"),
    ],
)
def test_bad_input_is_refused_in_one_line(orgflow: Orgflow, args, says) -> None:
    assert says in one_line_error(orgflow, *args)


def test_copy_to_unknown_people_names_them_and_copies_nobody(orgflow: Orgflow, complaint: str) -> None:
    line = one_line_error(orgflow, "copy", complaint, "--to", "zhang_kefu,ghost", "--user", "li_kefu")
    assert "ghost 不存在" in line
    cc = orgflow.json("inbox", "--user", "zhang_kefu", "--view", "cc")
    assert cc["page"]["total"] == 0

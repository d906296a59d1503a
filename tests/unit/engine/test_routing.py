from __future__ import annotations

from orgflow.engine.effects import (
    InstanceFailed,
    Rejection,
    RejectionReason,
    TaskSkipped,
    Transition,
    WorkItemCancelled,
    WorkItemClaimed,
    WorkItemCompleted,
    WorkItemOpened,
    WorkItemUnclaimed,
)
from orgflow.engine.state import InstanceStatus

from ..org.company import company

ORG = company()


def flow(assignee: str, *, extra: str = "", policies: str = "") -> str:
    """A definition: review (by ``assignee``), then sign (by gm), then end."""
    return f"""
key: routing
name: 路由
{policies}
nodes:
  - {{id: start, type: start, next: review}}
  - id: review
    type: user_task
    name: 审核
    assignee: {assignee}
{extra}
    next: sign
  - {{id: sign, type: user_task, name: 签发, assignee: gm, next: end}}
  - {{id: end, type: end}}
"""


def refused(result: Transition | Rejection, reason: RejectionReason) -> Rejection:
    assert isinstance(result, Rejection), result
    assert result.reason is reason, result
    return result


# -- candidate groups and several people --------------------------------------------------


def test_a_group_gets_one_shared_item(walk):
    walker = walk(flow("{department: 财务部}"), ORG)
    state = walker.start()
    (item,) = state.work_items
    assert (item.node_id, item.assignee, item.group) == ("review", None, "dept:cw")
    opened = [e for e in walker.last.effects if isinstance(e, WorkItemOpened)]
    assert len(opened) == 1


def test_a_group_member_completes_the_shared_item_without_claiming(walk):
    walker = walk(flow("{department: 财务部}"), ORG)
    walker.start()
    state = walker.take(walker.try_complete_item(walker.item("review"), "chen"))
    assert walker.open_nodes() == ["sign"]
    completed = walker.last.effects[0]
    assert isinstance(completed, WorkItemCompleted) and completed.actor == "chen"
    assert state.status is InstanceStatus.RUNNING


def test_a_list_of_users_gets_one_item_each_and_the_first_decides(walk):
    walker = walk(flow("{user_field: reviewers}"), ORG)
    state = walker.start({"reviewers": ["chen", "sun", "wang_caiwu"]})
    items = {item.assignee: item for item in state.work_items}
    assert sorted(items) == ["chen", "sun", "wang_caiwu"]
    assert all(item.group is None and item.node_id == "review" for item in items.values())

    walker.take(walker.try_complete_item(items["sun"].id, "sun"))
    cancelled = [e for e in walker.last.effects if isinstance(e, WorkItemCancelled)]
    assert sorted(e.work_item_id for e in cancelled) == sorted([items["chen"].id, items["wang_caiwu"].id])
    assert all("孙审计" in e.reason for e in cancelled)
    assert walker.open_nodes() == ["sign"], "the instance moves on once"
    assert len([e for e in walker.last.effects if isinstance(e, WorkItemOpened)]) == 1

    late = walker.try_complete_item(items["chen"].id, "chen")
    refused(late, RejectionReason.WORK_ITEM_NOT_OPEN)


# -- claiming -----------------------------------------------------------------------------


def test_claim_sets_the_assignee_and_others_cannot_claim(walk):
    walker = walk(flow("{department: 财务部}"), ORG)
    walker.start()
    item_id = walker.item("review")
    state = walker.take(walker.try_claim(item_id, "chen"))
    item = state.work_item(item_id)
    assert item is not None and (item.assignee, item.group) == ("chen", "dept:cw")
    assert walker.last.effects == (WorkItemClaimed(work_item_id=item_id, node_id="review", user="chen"),)

    taken = refused(walker.try_claim(item_id, "wang_caiwu"), RejectionReason.ALREADY_CLAIMED)
    assert "陈会计" in taken.message and taken.node_id == "review"
    again = walker.try_claim(item_id, "chen")
    assert isinstance(again, Transition) and again.effects == () and again.state is state

    refused(walker.try_complete_item(item_id, "wang_caiwu"), RejectionReason.NOT_ASSIGNEE)
    walker.take(walker.try_complete_item(item_id, "chen"))
    assert walker.open_nodes() == ["sign"]


def test_a_non_member_can_neither_claim_nor_complete(walk):
    walker = walk(flow("{department: 财务部}"), ORG)
    before = walker.start()
    item_id = walker.item("review")
    outsider = refused(walker.try_claim(item_id, "li_yanfa"), RejectionReason.NOT_CANDIDATE)
    assert "李研发" in outsider.message and "部门：财务部" in outsider.message
    refused(walker.try_complete_item(item_id, "li_yanfa"), RejectionReason.NOT_CANDIDATE)
    refused(walker.try_claim(item_id, "left"), RejectionReason.NOT_CANDIDATE)
    assert walker.state is before


def test_a_role_group_is_claimed_by_its_holders(walk):
    walker = walk(flow("{department: 财务部, role: 财务审核员}"), ORG)
    walker.start()
    item_id = walker.item("review")
    refused(walker.try_claim(item_id, "sun"), RejectionReason.NOT_CANDIDATE)  # company-wide holder
    assert isinstance(walker.try_claim(item_id, "wang_caiwu"), Transition)


def test_completing_a_personal_item_by_someone_else_is_refused_and_changes_nothing(walk):
    walker = walk(flow("li_yanfa"), ORG)
    before = walker.start()
    (item,) = before.work_items
    assert (item.assignee, item.group) == ("li_yanfa", None)
    result = refused(walker.try_complete_item(item.id, "zhou_yf"), RejectionReason.NOT_ASSIGNEE)
    assert "李研发" in result.message and "周研发" in result.message
    assert walker.state is before and before.work_items == (item,)
    refused(walker.try_claim(item.id, "li_yanfa"), RejectionReason.ALREADY_CLAIMED)


def test_unclaim_only_by_the_claimer(walk):
    walker = walk(flow("{department: 财务部}"), ORG)
    walker.start()
    item_id = walker.item("review")
    refused(walker.try_unclaim(item_id, "chen"), RejectionReason.NOT_CLAIMED)
    walker.take(walker.try_claim(item_id, "chen"))
    claimed = walker.state
    refused(walker.try_unclaim(item_id, "wang_caiwu"), RejectionReason.NOT_ASSIGNEE)
    assert walker.state is claimed

    state = walker.take(walker.try_unclaim(item_id, "chen"))
    item = state.work_item(item_id)
    assert item is not None and (item.assignee, item.group) == (None, "dept:cw")
    assert walker.last.effects == (WorkItemUnclaimed(work_item_id=item_id, node_id="review", user="chen"),)
    walker.take(walker.try_claim(item_id, "wang_caiwu"))
    assert walker.state.work_item(item_id).assignee == "wang_caiwu"


def test_a_personal_item_cannot_be_unclaimed(walk):
    walker = walk(flow("li_yanfa"), ORG)
    walker.start()
    refused(walker.try_unclaim(walker.item("review"), "li_yanfa"), RejectionReason.NOT_CLAIMED)


def test_without_org_anyone_may_act_on_a_shared_item(walk):
    walker = walk(flow("{department: 研发部}"))
    walker.start()
    item_id = walker.item("review")
    assert walker.state.work_item(item_id).group == "dept:研发部"
    walker.take(walker.try_claim(item_id, "whoever"))
    assert walker.state.work_item(item_id).assignee == "whoever"


# -- nobody found -------------------------------------------------------------------------


def test_on_empty_error_fails_naming_the_node_and_the_reason(walk):
    walker = walk(flow("{department: 前端组, pick: head}"), ORG)
    state = walker.start()
    assert state.status is InstanceStatus.FAILED
    assert state.error is not None and state.error.node_id == "review"
    assert state.error.message == "节点「审核」找不到处理人：前端组没有在职的负责人"
    assert state.work_items == ()
    assert isinstance(walker.last.effects[-1], InstanceFailed)


def test_on_empty_skip_passes_the_node_by(walk):
    walker = walk(flow("{department: 前端组, pick: head}", extra="    on_empty: skip"), ORG)
    state = walker.start()
    assert state.status is InstanceStatus.RUNNING
    (skipped,) = [e for e in walker.last.effects if isinstance(e, TaskSkipped)]
    assert (skipped.node_id, skipped.reason) == ("review", "前端组没有在职的负责人")
    assert walker.open_nodes() == ["sign"]
    assert state.work_items[0].assignee == "gm"


def test_on_empty_skip_from_the_definitions_policy(walk):
    walker = walk(flow("{initiator_head: 1}", policies="policies: {on_empty: skip}"), ORG)
    walker.start(initiator="gm")
    assert walker.open_nodes() == ["sign"]


def test_on_empty_fallback_gives_it_to_the_fallback_user(walk):
    walker = walk(
        flow("{role: 出纳}", policies="policies: {on_empty: fallback, fallback: {user: chen}}"), ORG
    )
    state = walker.start()
    (item,) = state.work_items
    assert (item.node_id, item.assignee, item.group) == ("review", "chen", None)


def test_a_nodes_on_empty_overrides_the_definitions(walk):
    walker = walk(
        flow(
            "{role: 出纳}",
            extra="    on_empty: fallback",
            policies="policies: {on_empty: skip, fallback: {user: chen}}",
        ),
        ORG,
    )
    walker.start()
    assert [(i.node_id, i.assignee) for i in walker.state.work_items] == [("review", "chen")]


def test_on_empty_admin_gives_it_to_the_administrators(walk):
    walker = walk(flow("{role: 出纳}", extra="    on_empty: admin"), ORG)
    state = walker.start()
    (item,) = state.work_items
    assert (item.node_id, item.group) == ("review", "role:系统管理员")
    refused(walker.try_complete_item(item.id, "chen"), RejectionReason.NOT_CANDIDATE)
    walker.take(walker.try_complete_item(item.id, "admin"))
    assert walker.open_nodes() == ["sign"]


def test_a_fallback_that_finds_nobody_fails_with_both_reasons(walk):
    walker = walk(
        flow("{role: 出纳}", policies="policies: {on_empty: fallback, fallback: {user: left}}"), ORG
    )
    state = walker.start()
    assert state.status is InstanceStatus.FAILED
    assert state.error is not None and state.error.node_id == "review"
    message = state.error.message
    assert message.startswith("节点「审核」找不到处理人：角色 出纳 没有在职人员；")
    assert "备用处理人（left）" in message and "离职员工（left） 已停用" in message


def test_admin_without_administrators_fails_with_both_reasons(walk):
    walker = walk(flow("{role: 出纳}", extra="    on_empty: admin"))  # no org: nobody holds any role
    state = walker.start()
    assert state.status is InstanceStatus.FAILED
    assert "尚未导入组织架构" in state.error.message and "角色 系统管理员" in state.error.message


def test_an_unknown_department_fails_even_with_skip(walk):
    walker = walk(flow("{department: 销售部}", extra="    on_empty: skip"), ORG)
    state = walker.start()
    assert state.status is InstanceStatus.FAILED
    assert not [e for e in walker.last.effects if isinstance(e, TaskSkipped)]
    assert state.error is not None and state.error.node_id == "review"
    assert "审核" in state.error.message and "组织架构中没有部门 销售部" in state.error.message

"""The inbox views on both databases: 待办, 已办, 我发起的, 抄送我的, their filters, paging and counts.

u1 starts two 需求评审 and one 请假; 研发部 shares 研发评审, fin1 gets 财务会签
(a 财务部 node), 总经理 shares 总经理审批. 联合评审 (BPMN) is offered to 研发部 and
财务部 both, of which fin2 is in each.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from orgflow.engine.state import InstanceStatus
from orgflow.errors import ConfigurationError, NotFound
from orgflow.runtime import CompleteWorkItem, DeployDefinition, StartProcess
from orgflow.runtime.actions import ClaimWorkItem, CopyInstance

from .inbox_company import set_due, set_up


@pytest.fixture
def started(runtime, clock):
    """Three instances a minute apart: req A, req B, leave C; returns their views."""
    set_up(runtime)
    views = []
    for key in ("req", "req", "leave"):
        views.append(runtime.execute(StartProcess(key, initiator="u1")))
        clock.advance(timedelta(minutes=1))
    return views


def ids(page):
    return [item.id for item in page.items]


def keys(page):
    return [entry.summary.business_key for entry in page.items]


def test_todo_lists_my_groups_unclaimed_items_oldest_first(runtime, started) -> None:
    a, b, _ = started
    page = runtime.queries.inbox("dev2")

    assert ids(page) == [a.work_items[0].id, b.work_items[0].id]
    assert page.total == 2
    assert [item.business_key for item in page.items] == [a.business_key, b.business_key]
    assert page.items[0].department == "yf" and page.items[0].definition_key == "req"
    assert runtime.queries.inbox("gm").total == 1  # 总经理审批, shared by the role
    assert runtime.queries.inbox("outsider").total == 0


def test_a_claimed_item_leaves_the_groups_todo_and_stays_in_the_claimers(runtime, started) -> None:
    a, b, _ = started
    runtime.execute(ClaimWorkItem(a.work_items[0].id, "dev1"))

    assert ids(runtime.queries.inbox("dev2")) == [b.work_items[0].id]
    assert ids(runtime.queries.inbox("dev1")) == [a.work_items[0].id, b.work_items[0].id]


def test_done_lists_my_completed_items_newest_first(runtime, started, clock) -> None:
    a, b, _ = started
    runtime.execute(CompleteWorkItem(b.work_items[0].id, actor="dev2"))
    clock.advance(timedelta(minutes=1))
    runtime.execute(CompleteWorkItem(a.work_items[0].id, actor="dev2"))

    done = runtime.queries.inbox("dev2", "done")
    assert ids(done) == [a.work_items[0].id, b.work_items[0].id]
    assert [item.status for item in done.items] == ["completed", "completed"]
    assert runtime.queries.inbox("dev2").total == 0
    assert ids(runtime.queries.inbox("fin1")) and runtime.queries.inbox("fin1", "done").total == 0


def test_started_lists_my_instances_newest_first_with_where_they_wait(runtime, started) -> None:
    a, b, c = started
    runtime.execute(CompleteWorkItem(a.work_items[0].id, actor="dev1"))

    page = runtime.queries.inbox("u1", "started")
    assert keys(page) == [c.business_key, b.business_key, a.business_key]
    assert [node.name for node in page.items[2].active_nodes] == ["财务会签"]
    assert page.items[2].summary.status.value == "running"
    assert page.items[0].copy is None
    assert runtime.queries.inbox("dev1", "started").total == 0


def test_cc_lists_instances_copied_to_me_most_recent_first(runtime, started, clock) -> None:
    a, b, _ = started
    runtime.execute(CopyInstance(a.id, users=("outsider",), actor="u1", note="请知悉"))
    clock.advance(timedelta(minutes=1))
    runtime.execute(CopyInstance(b.id, users=("outsider",), actor="u1"))

    page = runtime.queries.inbox("outsider", "cc")
    assert keys(page) == [b.business_key, a.business_key]
    assert page.items[1].copy.note == "请知悉" and page.items[1].copy.copied_by == "u1"
    assert page.items[1].copy.read_at is None
    assert runtime.queries.inbox("gm", "cc").total == 0


def test_filter_by_definition_key(runtime, started) -> None:
    assert runtime.queries.inbox("u1", "started", definition_key="leave").total == 1
    assert runtime.queries.inbox("gm", definition_key="req").total == 0
    assert runtime.queries.inbox("gm", definition_key="leave").total == 1
    assert runtime.queries.inbox("dev2", definition_key="req").total == 2


def test_filter_by_department_matches_the_nodes_or_the_groups_department_by_id_or_name(
    runtime, started
) -> None:
    a, _, _ = started
    runtime.execute(CompleteWorkItem(a.work_items[0].id, actor="dev1"))  # a now waits on 财务会签 (fin1)

    assert runtime.queries.inbox("fin1", department="cw").total == 1  # the node names 财务部
    assert runtime.queries.inbox("fin1", department="财务部").total == 1
    assert runtime.queries.inbox("fin1", department="yf").total == 0
    assert runtime.queries.inbox("dev2", department="研发部").total == 1  # the group dept:yf
    assert runtime.queries.inbox("dev1", "done", department="yf").total == 1
    assert runtime.queries.inbox("u1", "started", department="cw").total == 1
    assert runtime.queries.inbox("u1", "started", department="yf").total == 1


def test_an_unknown_department_is_not_found(runtime, started) -> None:
    with pytest.raises(NotFound, match="部门 '不存在部' 不存在"):
        runtime.queries.inbox("dev2", department="不存在部")


def test_filter_by_due_time(runtime, started, migrated_url, clock) -> None:
    a, b, _ = started
    set_due(migrated_url, a.work_items[0].id, clock.now() + timedelta(hours=1))
    set_due(migrated_url, b.work_items[0].id, clock.now() + timedelta(hours=5))
    soon = clock.now() + timedelta(hours=2)

    assert ids(runtime.queries.inbox("dev2", due_before=soon)) == [a.work_items[0].id]
    assert ids(runtime.queries.inbox("dev2", due_after=soon)) == [b.work_items[0].id]
    assert runtime.queries.inbox("dev2", due_after=clock.now(), due_before=soon).total == 1
    assert runtime.queries.inbox("gm", due_before=soon).total == 0  # no time limit: never due
    assert keys(runtime.queries.inbox("u1", "started", due_before=soon)) == [a.business_key]


def test_paging_is_stable_and_the_total_counts_the_whole_view(runtime, started) -> None:
    a, b, _ = started
    first = runtime.queries.inbox("dev2", limit=1)
    second = runtime.queries.inbox("dev2", limit=1, offset=1)
    beyond = runtime.queries.inbox("dev2", limit=1, offset=2)

    assert (ids(first), ids(second), ids(beyond)) == ([a.work_items[0].id], [b.work_items[0].id], [])
    assert (first.total, second.total, beyond.total) == (2, 2, 2)
    assert (second.limit, second.offset) == (1, 1)
    assert len(runtime.queries.inbox("u1", "started", limit=2).items) == 2


def test_counts_of_every_view_use_the_same_filters(runtime, started) -> None:
    a, _, _ = started
    runtime.execute(CompleteWorkItem(a.work_items[0].id, actor="fin2"))  # fin2 is in 研发部 too
    runtime.execute(CopyInstance(a.id, users=("fin2",), actor="u1"))

    counts = runtime.queries.inbox_counts("fin2")
    assert (counts.todo, counts.done, counts.started, counts.cc) == (1, 1, 0, 1)
    assert runtime.queries.inbox_counts("fin2", definition_key="leave").done == 0
    assert runtime.queries.inbox_counts("u1").started == 3
    assert runtime.queries.inbox_counts("u1", definition_key="req").started == 2


@pytest.mark.parametrize(("limit", "offset"), [(0, 0), (501, 0), (10, -1)])
def test_a_bad_page_is_refused(runtime, started, limit, offset) -> None:
    with pytest.raises(ConfigurationError):
        runtime.queries.inbox("dev2", limit=limit, offset=offset)


def test_an_unknown_view_is_refused_naming_the_choices(runtime, started) -> None:
    with pytest.raises(ConfigurationError, match="todo、done、started、cc"):
        runtime.queries.inbox("dev2", "mine")


#: 联合评审: one user task offered to two candidate groups, 研发部 first (one work item each).
JOINT = """\
<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
             xmlns:camunda="http://camunda.org/schema/1.0/bpmn" targetNamespace="test">
  <process id="joint" name="联合评审" isExecutable="true">
    <startEvent id="start" />
    <sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <userTask id="review" name="联合评审" camunda:candidateGroups="研发部, 财务部" />
    <sequenceFlow id="f2" sourceRef="review" targetRef="end" />
    <endEvent id="end" />
  </process>
</definitions>
"""


@pytest.fixture
def joint(runtime, started):
    """联合评审 started after the others; its work item ids by candidate group."""
    runtime.execute(DeployDefinition(JOINT, source_name="joint.bpmn", actor="admin", source_format="bpmn"))
    view = runtime.execute(StartProcess("joint", initiator="u1"))
    return view, {item.candidate_group: item.id for item in view.work_items}


def test_a_task_offered_to_several_of_my_groups_is_listed_once_at_its_first_groups_item(
    runtime, started, joint
) -> None:
    a, b, _ = started
    _, offered = joint
    reviews = [a.work_items[0].id, b.work_items[0].id]
    assert sorted(offered) == ["dept:cw", "dept:yf"]

    page = runtime.queries.inbox("fin2")

    assert ids(page) == [*reviews, offered["dept:yf"]]
    assert page.total == 3 and runtime.queries.inbox_counts("fin2").todo == 3
    assert [w.id for w in runtime.queries.work_items(assignee="fin2")] == ids(page)  # orgflow tasks
    assert ids(runtime.queries.inbox("fin2", limit=1, offset=2)) == [offered["dept:yf"]]
    assert runtime.queries.inbox("fin2", limit=1, offset=3).items == ()
    # Filtered to 财务部, the task shows at the item that passes the filter.
    assert ids(runtime.queries.inbox("fin2", department="财务部")) == [offered["dept:cw"]]
    # Each group's other members see their group's item.
    assert ids(runtime.queries.inbox("dev1")) == [*reviews, offered["dept:yf"]]
    assert ids(runtime.queries.inbox("fin1")) == [offered["dept:cw"]]


def test_acting_on_the_one_listed_item_decides_for_every_group(runtime, joint) -> None:
    view, offered = joint

    done = runtime.execute(CompleteWorkItem(offered["dept:yf"], actor="fin2"))

    assert done.status is InstanceStatus.COMPLETED and done.work_items == ()
    assert offered["dept:cw"] not in ids(runtime.queries.inbox("fin1"))
    assert all(item.instance_id != view.id for item in runtime.queries.inbox("fin2").items)
    assert [item.id for item in runtime.queries.inbox("fin2", "done").items] == [offered["dept:yf"]]


def test_a_claimed_item_of_such_a_task_is_the_one_listed(runtime, started, joint) -> None:
    a, b, _ = started
    _, offered = joint
    runtime.execute(ClaimWorkItem(offered["dept:cw"], "fin2"))  # the second group's item

    page = runtime.queries.inbox("fin2")

    assert ids(page) == [a.work_items[0].id, b.work_items[0].id, offered["dept:cw"]]
    assert page.items[-1].assignee == "fin2" and page.total == 3
    assert [w.id for w in runtime.queries.work_items(assignee="fin2")] == ids(page)
    assert runtime.queries.inbox_counts("fin2").todo == 3
    assert offered["dept:yf"] in ids(runtime.queries.inbox("dev1"))  # 研发部 may still act
    assert offered["dept:cw"] not in ids(runtime.queries.inbox("fin1"))

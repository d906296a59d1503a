from __future__ import annotations

from datetime import timedelta

import pytest

from orgflow.engine.state import InstanceStatus
from orgflow.errors import CommandRejected, ConfigurationError, NotFound, WorkItemNotOpen
from orgflow.runtime import CompleteWorkItem, StartProcess, open_runtime

from .conftest import SIMPLE, TWO_STEPS, deploy


def test_start_complete_end_with_history(runtime, clock) -> None:
    deploy(runtime, TWO_STEPS)

    started = runtime.execute(StartProcess("complaint", {"title": "屏幕碎了"}, initiator="zhang"))

    assert started.status is InstanceStatus.RUNNING
    assert started.business_key == "TS20261122001"
    assert started.definition_label == "V1.0-202611-客户投诉处理流程"
    assert [(n.node_id, n.name) for n in started.active_nodes] == [("submit", "提交")]
    (item,) = started.work_items
    assert (item.node_id, item.name, item.assignee, item.candidate_group) == ("submit", "提交", "u1", None)
    assert started.data == {"title": "屏幕碎了"}
    assert runtime.queries.work_items(assignee="u1")[0].id == item.id

    clock.advance(timedelta(hours=1))
    moved = runtime.execute(CompleteWorkItem(item.id, actor="u1", data={"phone": "138"}, comment="已核实"))

    (handle,) = moved.work_items
    assert (handle.node_id, handle.candidate_group, handle.assignee) == ("handle", "dept:客服部", None)
    assert runtime.queries.work_items(assignee="u1") == ()
    assert [w.id for w in runtime.queries.work_items(department="客服部")] == [handle.id]
    done_by_u1 = runtime.queries.work_items(assignee="u1", status="completed")
    assert [(w.actor, w.outcome, w.comment, dict(w.data)) for w in done_by_u1] == [
        ("u1", "approve", "已核实", {"phone": "138"})
    ]

    clock.advance(timedelta(hours=2))
    ended = runtime.execute(CompleteWorkItem(handle.id, actor="wang", outcome="approve"))

    assert ended.status is InstanceStatus.COMPLETED
    assert ended.work_items == () and ended.active_nodes == ()
    assert ended.ended_at == clock.now()
    assert ended.data == {"title": "屏幕碎了", "phone": "138"}

    detail = runtime.queries.instance(ended.business_key)
    assert detail.instance == ended
    kinds = [(h.kind, h.node_name) for h in detail.history]
    assert kinds[0] == ("instance_started", None)
    assert kinds[-1][0] == "instance_ended"
    assert ("work_item_opened", "提交") in kinds
    assert ("work_item_opened", "客服处理") in kinds
    completed = [h for h in detail.history if h.kind == "work_item_completed"]
    assert [(h.node_name, h.actor, h.outcome, h.comment) for h in completed] == [
        ("提交", "u1", "approve", "已核实"),
        ("客服处理", "wang", "approve", None),
    ]
    assert completed[0].data == {"phone": "138"}
    assert completed[0].at == started.started_at + timedelta(hours=1)
    assert detail.history[0].actor == "zhang"
    assert detail.history[0].data == {"title": "屏幕碎了"}


def test_history_keeps_node_names_as_they_were(runtime) -> None:
    deploy(runtime, SIMPLE)
    old = runtime.execute(StartProcess("t", {}, initiator="zhang"))
    deploy(runtime, SIMPLE.replace("name: 审批", "name: 改名后"))
    runtime.execute(CompleteWorkItem(old.work_items[0].id, actor="u1"))

    names = {h.node_name for h in runtime.queries.instance(old.id).history if h.node_id == "a"}
    assert names == {"审批"}


def test_completing_twice_is_work_item_not_open(runtime) -> None:
    deploy(runtime, SIMPLE)
    item = runtime.execute(StartProcess("t", {}, initiator="zhang")).work_items[0]
    runtime.execute(CompleteWorkItem(item.id, actor="u1"))

    with pytest.raises(WorkItemNotOpen, match="已由 u1") as caught:
        runtime.execute(CompleteWorkItem(item.id, actor="u1"))
    assert "审批" in str(caught.value)


def test_unknown_work_item_is_not_found(runtime) -> None:
    with pytest.raises(NotFound, match="nope"):
        runtime.execute(CompleteWorkItem("nope", actor="u1"))


def test_rejected_command_changes_nothing(runtime) -> None:
    deploy(runtime, SIMPLE)
    started = runtime.execute(StartProcess("t", {}, initiator="zhang"))
    before = runtime.queries.instance(started.id)

    with pytest.raises(CommandRejected) as caught:
        runtime.execute(CompleteWorkItem(started.work_items[0].id, actor="u1", outcome="maybe"))

    assert caught.value.reason == "unknown_outcome"
    assert runtime.queries.instance(started.id) == before


def test_queries_list_instances_with_filters(runtime) -> None:
    deploy(runtime, SIMPLE)
    deploy(runtime, TWO_STEPS)
    a = runtime.execute(StartProcess("t", {}, initiator="zhang"))
    runtime.execute(StartProcess("complaint", {}, initiator="li"))
    runtime.execute(CompleteWorkItem(a.work_items[0].id, actor="u1"))

    assert {i.business_key for i in runtime.queries.instances()} == {"T20261122001", "TS20261122001"}
    assert [i.id for i in runtime.queries.instances(status="completed")] == [a.id]
    assert [i.initiator for i in runtime.queries.instances(definition_key="complaint")] == ["li"]
    assert [i.definition_key for i in runtime.queries.instances(initiator="zhang")] == ["t"]
    with pytest.raises(NotFound):
        runtime.queries.instance("T20991231001")


def test_business_keys_count_per_day_and_prefix(runtime, clock) -> None:
    deploy(runtime, SIMPLE)
    deploy(runtime, TWO_STEPS)
    keys = [runtime.execute(StartProcess("t", {}, initiator="x")).business_key for _ in range(3)]
    keys.append(runtime.execute(StartProcess("complaint", {}, initiator="x")).business_key)
    clock.advance(timedelta(days=1))
    keys.append(runtime.execute(StartProcess("t", {}, initiator="x")).business_key)

    assert keys == ["T20261122001", "T20261122002", "T20261122003", "TS20261122001", "T20261123001"]


def test_a_failed_start_leaves_nothing_behind_and_a_gap_only_on_postgresql(runtime) -> None:
    deploy(runtime, SIMPLE)
    with pytest.raises(TypeError, match="JSON"):
        runtime.execute(StartProcess("t", {"blob": object()}, initiator="x"))

    # SQLite takes the number inside the start (rolled back with it); PostgreSQL in a short
    # transaction of its own so concurrent starts do not queue on the counter (see store.business_keys).
    expected = "T20261122001" if runtime.database.dialect == "sqlite" else "T20261122002"
    assert runtime.execute(StartProcess("t", {}, initiator="x")).business_key == expected
    assert len(runtime.queries.instances()) == 1


def test_an_unmigrated_database_is_refused_with_a_hint(database_url) -> None:
    with pytest.raises(ConfigurationError, match="orgflow init"):
        open_runtime(database_url)


def test_open_runtime_can_migrate_first(database_url) -> None:
    with open_runtime(database_url, upgrade=True) as runtime:
        assert runtime.queries.definitions() == ()


def test_opening_a_missing_sqlite_file_creates_nothing(tmp_path) -> None:
    missing = tmp_path / "typo" / "orgflow.db"
    with pytest.raises(ConfigurationError, match="orgflow init"):
        open_runtime(f"sqlite:///{missing}")
    assert not (tmp_path / "typo").exists()

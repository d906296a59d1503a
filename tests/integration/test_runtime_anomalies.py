"""异常闭环：超时发现（ABN+日期+序号，幂等）→ 说明 → 重新计划（新时限、转交）→ 处理 → 他人验证。"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from orgflow.clock import FrozenClock
from orgflow.errors import CommandRejected, PermissionDenied
from orgflow.runtime import CompleteWorkItem, Runtime, StartProcess
from orgflow.runtime.actions import (
    ExplainAnomaly,
    OpenOverdueAnomaly,
    RaiseAnomaly,
    ReplanAnomaly,
    ResolveAnomaly,
    VerifyAnomaly,
)
from orgflow.runtime.views import AnomalyView, InstanceView
from orgflow.store import work_items

from .inbox_company import set_due, set_up


def _due(runtime: Runtime, work_item_id: str) -> datetime | None:
    with runtime.database.reading() as connection:
        row = work_items.deadlines_of(connection, work_item_id)
    assert row is not None
    return row["due_at"]


def _overdue(runtime: Runtime, migrated_url: str, clock: FrozenClock) -> tuple[InstanceView, AnomalyView]:
    """A 需求评审 started by u1 whose 研发评审 (shared by 研发部) passed its time limit."""
    set_up(runtime)
    view = runtime.execute(StartProcess(key="req", data={}, initiator="u1"))
    set_due(migrated_url, view.work_items[0].id, clock.now() + timedelta(hours=8))
    clock.advance(timedelta(hours=9))
    opened = runtime.execute(OpenOverdueAnomaly(view.work_items[0].id))
    assert opened.created and opened.anomaly is not None
    return view, opened.anomaly


def _explain(runtime: Runtime, number: str, actor: str = "dev2") -> AnomalyView:
    return runtime.execute(
        ExplainAnomaly(
            number=number,
            actor=actor,
            cause="外部供应商延迟交付样品",
            category="外部供应商延迟",
            resources_needed="采购部协调供应商",
        )
    )


def test_an_overdue_step_opens_one_anomaly_numbered_by_the_day_in_shanghai(
    runtime: Runtime, migrated_url: str, clock: FrozenClock
) -> None:
    view, anomaly = _overdue(
        runtime, migrated_url, clock
    )  # found at 2026-11-22 18:00 UTC = 11-23 02:00 北京时间
    again = runtime.execute(OpenOverdueAnomaly(view.work_items[0].id))

    assert anomaly.number == "ABN20261123001"
    assert (anomaly.kind, anomaly.status, anomaly.status_label) == ("overdue", "found", "已发现")
    assert anomaly.responsible_department == "yf" and anomaly.node_id == "review"
    assert anomaly.raised_by is None and anomaly.business_key == view.business_key
    assert anomaly.explanation_due_at == clock.now() + timedelta(hours=4)
    assert "研发评审" in anomaly.description and "超过时限" in anomaly.description
    assert not again.created and again.anomaly is not None and again.anomaly.number == anomaly.number
    assert len(runtime.anomalies.search()) == 1
    assert runtime.anomalies.abnormal() == {view.id}
    kinds = [entry.kind for entry in runtime.queries.instance(view.business_key).history]
    assert kinds.count("anomaly_found") == 1


def test_numbers_count_per_day(runtime: Runtime, clock: FrozenClock) -> None:
    set_up(runtime)
    view = runtime.execute(StartProcess(key="req", data={}, initiator="u1"))

    def raised() -> str:
        action = RaiseAnomaly(
            instance=view.business_key, actor="u1", description="等待客户确认", node_id="review"
        )
        return runtime.execute(action).number

    first, second = raised(), raised()  # 2026-11-22 17:00 北京时间
    clock.advance(timedelta(hours=7))  # 11-23 00:00 北京时间, still the 22nd in UTC
    third = raised()

    assert (first, second, third) == ("ABN20261122001", "ABN20261122002", "ABN20261123001")


def test_a_work_item_no_longer_open_gets_no_overdue_anomaly(runtime: Runtime) -> None:
    set_up(runtime)
    view = runtime.execute(StartProcess(key="req", data={}, initiator="u1"))
    runtime.execute(CompleteWorkItem(work_item_id=view.work_items[0].id, actor="dev1"))

    opened = runtime.execute(OpenOverdueAnomaly(view.work_items[0].id))

    assert opened.anomaly is None and not opened.created
    assert runtime.anomalies.search() == ()


def test_the_whole_loop_with_a_replan_that_moves_the_work_and_a_failed_verification(
    runtime: Runtime, migrated_url: str, clock: FrozenClock
) -> None:
    view, anomaly = _overdue(runtime, migrated_url, clock)
    number = anomaly.number

    with pytest.raises(PermissionDenied, match="研发部"):
        _explain(runtime, number, actor="fin1")
    with pytest.raises(CommandRejected, match="请先由责任部门提交") as wrong:
        runtime.execute(ResolveAnomaly(number=number, actor="dev2"))
    assert wrong.value.reason == "anomaly_wrong_state"
    clock.advance(timedelta(hours=1))
    reported = _explain(runtime, number)
    assert (reported.status, reported.reporter, reported.cause_category) == (
        "reported",
        "dev2",
        "supplier_delay",
    )
    assert reported.cause_label == "外部供应商延迟" and reported.reported_at == clock.now()

    new_due = clock.now() + timedelta(days=2)
    with pytest.raises(PermissionDenied, match="发起"):
        runtime.execute(ReplanAnomaly(number=number, actor="outsider", new_due_at=new_due, handler="dev2"))
    handling = runtime.execute(
        ReplanAnomaly(
            number=number, actor="u1", new_due_at=new_due, handler="dev2", plan="协调会：改用备选供应商"
        )
    )
    assert (handling.status, handling.handler, handling.new_due_at) == ("handling", "dev2", new_due)
    open_item = runtime.queries.instance(view.business_key).instance.work_items[0]
    assert open_item.assignee == "dev2" and handling.work_item_id == open_item.id != view.work_items[0].id
    assert _due(runtime, open_item.id) == new_due

    with pytest.raises(PermissionDenied, match="周研发"):
        runtime.execute(ResolveAnomaly(number=number, actor="dev1"))
    runtime.execute(ResolveAnomaly(number=number, actor="dev2", resolution="样品已到"))
    with pytest.raises(PermissionDenied, match="不能是处理负责人"):
        runtime.execute(VerifyAnomaly(number=number, actor="dev2", passed=True))
    reopened = runtime.execute(VerifyAnomaly(number=number, actor="u1", passed=False, note="样品规格不符"))
    assert (reopened.status, reopened.verification_result, reopened.resolved_at) == (
        "handling",
        "failed",
        None,
    )
    assert runtime.anomalies.abnormal() == {view.id}

    runtime.execute(ResolveAnomaly(number=number, actor="dev2", resolution="已换规格"))
    verified = runtime.execute(VerifyAnomaly(number=number, actor="u1", passed=True, note="规格核对无误"))

    assert (verified.status, verified.verifier, verified.verification_result) == ("verified", "u1", "passed")
    assert runtime.anomalies.abnormal() == frozenset()
    steps = [step.kind for step in runtime.anomalies.get(number).steps]
    assert steps == [
        "anomaly_found",
        "anomaly_reported",
        "anomaly_handling",
        "anomaly_resolved",
        "anomaly_reopened",
        "anomaly_resolved",
        "anomaly_verified",
    ]
    kinds = [entry.kind for entry in runtime.queries.instance(view.business_key).history]
    assert "work_item_transferred" in kinds


def test_a_replan_keeping_the_assignee_only_moves_the_due_time(
    runtime: Runtime, migrated_url: str, clock: FrozenClock
) -> None:
    set_up(runtime)
    view = runtime.execute(StartProcess(key="req", data={}, initiator="u1"))
    runtime.execute(CompleteWorkItem(work_item_id=view.work_items[0].id, actor="dev1"))
    sign = runtime.queries.work_items(assignee="fin1")[0]
    opened = runtime.execute(OpenOverdueAnomaly(sign.id))
    assert opened.anomaly is not None and opened.anomaly.responsible_department == "cw"
    _explain(runtime, opened.anomaly.number, actor="fin1")
    new_due = clock.now() + timedelta(days=1)

    # the head of the initiator's department (u1 heads 市场部) may re-plan, and so may an administrator
    replanned = runtime.execute(
        ReplanAnomaly(number=opened.anomaly.number, actor="admin", new_due_at=new_due, handler="fin1")
    )

    assert replanned.work_item_id == sign.id
    assert _due(runtime, sign.id) == new_due
    with pytest.raises(CommandRejected, match="已经过去"):
        runtime.execute(
            ReplanAnomaly(
                number=opened.anomaly.number,
                actor="u1",
                new_due_at=clock.now() - timedelta(hours=1),
                handler="fin1",
            )
        )


def test_raising_by_hand_takes_the_nodes_department_and_needs_a_part_in_the_instance(
    runtime: Runtime,
) -> None:
    set_up(runtime)
    view = runtime.execute(StartProcess(key="req", data={}, initiator="u1"))

    raised = runtime.execute(
        RaiseAnomaly(
            instance=view.business_key,
            actor="u1",
            description="供应商未按期交付报价单",
            node_id="sign",
            category="supplier_delay",
        )
    )

    assert (raised.kind, raised.raised_by, raised.responsible_department) == ("manual", "u1", "cw")
    assert raised.node_name == "财务会签" and raised.cause_category == "supplier_delay"
    with pytest.raises(PermissionDenied, match="上报异常"):
        runtime.execute(
            RaiseAnomaly(instance=view.business_key, actor="outsider", description="x", node_id="sign")
        )
    with pytest.raises(CommandRejected, match="原因分类"):
        runtime.execute(
            RaiseAnomaly(
                instance=view.business_key, actor="u1", description="x", node_id="sign", category="天气"
            )
        )
    with pytest.raises(CommandRejected, match="没有节点"):
        runtime.execute(RaiseAnomaly(instance=view.business_key, actor="u1", description="x", node_id="nope"))


def test_explanations_overdue_are_listed_until_filed_and_the_month_is_analysed(
    runtime: Runtime, migrated_url: str, clock: FrozenClock
) -> None:
    view, anomaly = _overdue(runtime, migrated_url, clock)
    runtime.execute(
        RaiseAnomaly(instance=view.business_key, actor="u1", description="客户需求临时变更", node_id="sign")
    )

    assert runtime.anomalies.explanations_overdue(clock.now() + timedelta(hours=3)) == ()
    late = runtime.anomalies.explanations_overdue(clock.now() + timedelta(hours=5))
    assert [item.number for item in late] == [anomaly.number, "ABN20261123002"]
    _explain(runtime, anomaly.number)
    still = runtime.anomalies.explanations_overdue(clock.now() + timedelta(hours=5))
    assert [item.number for item in still] == ["ABN20261123002"]

    month = runtime.anomalies.monthly("2026-11")
    assert (month.total, month.open) == (2, 2)
    assert [(row.label, row.count) for row in month.by_category] == [("外部供应商延迟", 1), ("未说明", 1)]
    assert {(row.label, row.count) for row in month.by_department} == {("研发部", 1), ("财务部", 1)}
    assert runtime.anomalies.monthly("2026-12").total == 0
    assert [a.number for a in runtime.anomalies.search(department="研发部", category="外部供应商延迟")] == [
        anomaly.number
    ]
    assert len(runtime.anomalies.search(status="open", month="2026-11")) == 2
    assert runtime.anomalies.search(status="verified") == ()

"""The seed's timing rules running by themselves: the clock is fast-forwarded and the worker left to chase.

Seed 003: a task pushed to a department is confirmed within 24 hours, else a
second reminder; at 48 hours the initiating department's head and the 分管领导
hear of it; a step past its limit (研发方案输出: 72 h) becomes an exception
(异常) whose department must explain it within 4 hours. Seed 001: "3 个工作日"
across Golden Week. Every case asserts who was told what, and when, on SQLite
and on PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from orgflow.clock import FrozenClock
from orgflow.errors import PermissionDenied
from orgflow.runtime import DeployDefinition, Runtime, open_runtime
from orgflow.runtime.actions import (
    AcknowledgeWorkItem,
    ExplainAnomaly,
    RecomputeDeadlines,
    ReplanAnomaly,
    ReturnWorkItem,
)
from orgflow.settings import Settings
from orgflow.store.jobs import JobStatus
from tests.acceptance.conftest import Walk, deploy_example

HOUR = timedelta(hours=1)
SHANGHAI_MONDAY_9 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # Monday 09:00 in Asia/Shanghai
REQUEST = {
    "task_name": "智能水杯上市",
    "goal": "第一季度上市",
    "partner_departments": "研发部、生产部、销售部",
    "deadline": "2027-03-31",
    "priority": "高",
}


def drain_until(runtime: Runtime, clock: FrozenClock, end: datetime, *, owner: str = "worker-1") -> None:
    """Move the clock from job to job up to ``end``, the worker running each one at its moment."""
    worker = runtime.worker(owner=owner)
    while True:
        pending = runtime.jobs.list(status=JobStatus.PENDING, limit=1)
        if not pending or pending[0].run_at > end:
            break
        clock.set(max(clock.now(), pending[0].run_at))
        assert worker.run_once() > 0, f"job {pending[0]} is due but did not run"
    clock.set(max(clock.now(), end))


Notices = list[tuple[float, str, tuple[str, ...]]]


def notices(walk: Walk, since: datetime, node: str | None = None) -> Notices:
    """Notices after ``since`` (about ``node`` only, if given): (hours after ``since``, what, to whom)."""
    found = []
    for entry in walk.history("notified"):
        data: dict[str, Any] = dict(entry.data or {})
        if entry.at > since and node in (None, entry.node_id):
            hours = (entry.at - since).total_seconds() / 3600
            found.append((round(hours, 2), str(data["notice"]), tuple(data["to"])))
    return found


def to_rd_plan(runtime: Runtime) -> Walk:
    """市场部 submits, 分管领导 approves: the 研发方案输出 step opens for 李强 (li_yanfa)."""
    deploy_example(runtime, "new_product_launch")
    walk = Walk(runtime, "new_product_launch", initiator="zhang_shichang")
    walk.handle("submit", by="zhang_shichang", outcome="submit", data=REQUEST)
    walk.handle("review", by="wu_fenguan")
    assert walk.waiting() == {"rd_plan": "li_yanfa"}
    return walk


def test_an_unconfirmed_overdue_step_is_chased_up_the_org_chart_and_becomes_an_exception(
    runtime: Runtime, clock: FrozenClock
) -> None:
    clock.set(SHANGHAI_MONDAY_9)
    walk = to_rd_plan(runtime)
    opened = clock.now()
    item = walk.item("rd_plan", "li_yanfa")
    (todo,) = [entry for entry in runtime.queries.inbox("li_yanfa").items if entry.id == item.id]
    assert todo.due_at == opened + 72 * HOUR

    drain_until(runtime, clock, opened + 100 * HOUR)

    assert notices(walk, opened - HOUR)[-9:] == [
        (1.0, "assigned", ("li_yanfa",)),
        (25.0, "acknowledge_reminder", ("li_yanfa",)),  # 24 h unconfirmed: the second reminder
        # 48 h unconfirmed: the initiating department's head (张敏 heads 市场部, so her head) and the 分管领导
        (49.0, "acknowledge_escalated", ("zheng_zongjingli", "wu_fenguan")),
        (58.6, "due_soon", ("li_yanfa",)),  # 80 % of 72 h
        (73.0, "overdue", ("li_yanfa",)),
        (73.0, "explanation_needed", ("li_yanfa",)),  # 研发部's head is asked to explain
        (73.0, "escalated", ("zheng_zongjingli",)),  # rung 1 at +0 h: the assignee's head
        (77.0, "explanation_overdue", ("zheng_zongjingli", "wu_fenguan")),  # 4 h without an explanation
        (97.0, "escalated", ("wu_fenguan", "zheng_zongjingli")),  # rung 2 at +24 h
    ]
    (anomaly,) = runtime.anomalies.search()
    assert anomaly.number == f"ABN{(opened + 72 * HOUR).astimezone(UTC):%Y%m%d}001"
    assert anomaly.node_id == "rd_plan"
    assert anomaly.explanation_due_at == opened + 76 * HOUR
    assert runtime.jobs.list(status=JobStatus.PENDING) == []


def test_confirming_receipt_stops_the_confirm_chase_and_finishing_in_time_stops_the_rest(
    runtime: Runtime, clock: FrozenClock
) -> None:
    walk = to_rd_plan(runtime)
    opened = clock.now()
    item = walk.item("rd_plan", "li_yanfa")
    clock.advance(5 * HOUR)
    done = runtime.execute(AcknowledgeWorkItem(item.id, "li_yanfa"))
    assert done.waited_seconds == 5 * 3600
    acknowledged = walk.history("work_item_acknowledged")
    assert [entry.data for entry in acknowledged] == [{"waited_seconds": 5 * 3600}]

    drain_until(runtime, clock, opened + 60 * HOUR)
    done_data = {"plan_document": "https://x.cn/p", "plan_schedule": "Q1"}
    walk.handle("rd_plan", by="li_yanfa", outcome="done", data=done_data)
    drain_until(runtime, clock, opened + 200 * HOUR)

    # 研发方案输出: created, then only the 80 % reminder; nothing after it was done at 60 h
    assert notices(walk, opened - HOUR, node="rd_plan") == [
        (1.0, "assigned", ("li_yanfa",)),
        (58.6, "due_soon", ("li_yanfa",)),
    ]
    assert runtime.anomalies.search() == ()  # 生产产能确认 (5 working days) is not late yet


def test_an_explanation_in_time_is_not_escalated_and_a_replan_moves_the_due_time(
    runtime: Runtime, clock: FrozenClock
) -> None:
    walk = to_rd_plan(runtime)
    opened = clock.now()
    item = walk.item("rd_plan", "li_yanfa")
    runtime.execute(AcknowledgeWorkItem(item.id, "li_yanfa"))
    drain_until(runtime, clock, opened + 74 * HOUR)
    (anomaly,) = runtime.anomalies.search()
    explained = ExplainAnomaly(
        number=anomaly.number, actor="li_yanfa", cause="供应商样品延期", category="supplier_delay"
    )
    runtime.execute(explained)
    clock.advance(HOUR)  # 75 h
    new_due = opened + 120 * HOUR
    replanned = ReplanAnomaly(
        number=anomaly.number, actor="zhang_shichang", new_due_at=new_due, handler="li_yanfa"
    )
    runtime.execute(replanned)
    (todo,) = [entry for entry in runtime.queries.inbox("li_yanfa").items if entry.id == item.id]
    assert todo.due_at == new_due

    drain_until(runtime, clock, opened + 121 * HOUR)

    later = [(hours, what) for hours, what, _ in notices(walk, opened + 74 * HOUR)]
    assert ("explanation_overdue" in {what for _, what in later}) is False
    # the re-planned deadline chases again: 80 % of the 45 h left, then overdue at the new due time
    assert (46.0, "overdue") in later
    assert [what for hours, what in later if what == "overdue"] == ["overdue"]


def test_three_working_days_before_golden_week_end_after_it(runtime: Runtime, clock: FrozenClock) -> None:
    runtime.execute(DeployDefinition(GOLDEN_WEEK, source_name="sourcing.yaml", actor="admin"))
    clock.set(datetime(2026, 9, 30, 2, 0, tzinfo=UTC))  # Wednesday 30 September, 10:00 in Shanghai
    walk = Walk(runtime, "supplier_sample", initiator="guo_caigou")
    item = walk.item("sample", "guo_caigou")
    (todo,) = [entry for entry in runtime.queries.inbox("guo_caigou").items if entry.id == item.id]
    # 30 Sep 10:00–18:00 is 7 h, 1–8 October are holidays, 9 October (Fri) and 10 October (调休 Saturday)
    # are workdays: the third working day ends at 10:00 on Saturday 10 October.
    due = datetime(2026, 10, 10, 2, 0, tzinfo=UTC)
    assert todo.due_at == due

    drain_until(runtime, clock, due - timedelta(minutes=1))
    assert [what for _, what, _ in notices(walk, clock.now() - 300 * HOUR)] == ["assigned"]
    drain_until(runtime, clock, due)
    assert [what for _, what, _ in notices(walk, due - HOUR)] == ["overdue"]


def test_the_escalation_ladder_reassigns_and_then_cancels(runtime: Runtime, clock: FrozenClock) -> None:
    runtime.execute(DeployDefinition(LADDER, source_name="ladder.yaml", actor="admin"))
    walk = Walk(runtime, "ladder", initiator="zhang_shichang")
    opened = clock.now()
    assert walk.waiting() == {"quote": "chen_yanfa"}

    drain_until(runtime, clock, opened + 10 * HOUR)  # due at 2 h; +2 h reassign to the assignee's head
    assert walk.detail.instance.status == "running"
    assert {item.node_id: item.assignee for item in walk.detail.instance.work_items} == {"quote": "li_yanfa"}
    assert notices(walk, opened) == [
        (2.0, "overdue", ("chen_yanfa",)),
        (4.0, "escalated", ("li_yanfa",)),
    ]
    drain_until(runtime, clock, opened + 30 * HOUR)  # +24 h: cancel the instance
    assert walk.detail.instance.status == "terminated"
    assert notices(walk, opened)[-1] == (26.0, "escalated", ("wu_fenguan",))
    assert runtime.jobs.list(status=JobStatus.PENDING) == []


def test_the_last_rung_can_approve_the_step_by_itself(runtime: Runtime, clock: FrozenClock) -> None:
    ladder = LADDER.replace("key: ladder", "key: auto_ladder").replace(
        "action: cancel", "action: auto_approve"
    )
    runtime.execute(DeployDefinition(ladder, source_name="auto_ladder.yaml", actor="admin"))
    walk = Walk(runtime, "auto_ladder", initiator="zhang_shichang")
    opened = clock.now()
    drain_until(runtime, clock, opened + 30 * HOUR)
    assert walk.detail.instance.status == "completed"
    (done,) = walk.history("work_item_completed")
    assert (done.node_id, done.actor, done.outcome) == ("quote", None, "approve")
    assert done.comment is not None and "自动通过" in done.comment
    assert notices(walk, opened)[-1] == (26.0, "escalated", ("wu_fenguan",))


def test_time_returned_to_the_initiator_does_not_count_when_the_definition_pauses_the_clock(
    runtime: Runtime, clock: FrozenClock
) -> None:
    runtime.execute(DeployDefinition(PAUSED, source_name="paused.yaml", actor="admin"))
    walk = Walk(runtime, "paused", initiator="zhang_shichang")
    walk.handle("request", by="zhang_shichang")
    item = walk.item("check", "chen_yanfa")
    clock.advance(10 * HOUR)  # 10 of the 24 h used
    walk.act(ReturnWorkItem(item.id, "chen_yanfa", to_initiator=True, reason="缺少报价单"))
    clock.advance(30 * HOUR)  # the initiator takes 30 h to complete the papers (补件)
    walk.handle("request", by="zhang_shichang")
    again = walk.item("check", "chen_yanfa")
    (todo,) = [entry for entry in runtime.queries.inbox("chen_yanfa").items if entry.id == again.id]
    assert todo.due_at == clock.now() + 14 * HOUR


def test_a_worker_that_dies_holding_jobs_loses_them_to_another_and_nobody_is_told_twice(
    runtime: Runtime, clock: FrozenClock
) -> None:
    walk = to_rd_plan(runtime)
    opened = clock.now()
    clock.set(opened + 25 * HOUR)
    crashed = runtime.worker(owner="crashed", lease=timedelta(minutes=5))
    held = crashed.acquire()
    assert [job.kind for job in held] == ["sla.ack_remind"]  # then the process is killed
    survivor = runtime.worker(owner="survivor", lease=timedelta(minutes=5))
    assert survivor.run_once() == 0  # the lease still holds
    clock.advance(timedelta(minutes=6))
    assert survivor.run_once() == 1  # the lease expired: taken over
    assert crashed.run(held[0]) is False  # a late run of the dead worker takes no effect

    drain_until(runtime, clock, opened + 100 * HOUR, owner="survivor")
    told = [what for _, what, _ in notices(walk, opened)]
    assert told.count("acknowledge_reminder") == 1
    assert told.count("acknowledge_escalated") == 1
    assert told.count("overdue") == 1
    assert len(runtime.anomalies.search()) == 1


def test_a_calendar_change_moves_the_due_times_not_yet_reached(
    runtime: Runtime, clock: FrozenClock, database_url: str, tmp_path: Path
) -> None:
    runtime.execute(DeployDefinition(GOLDEN_WEEK, source_name="sourcing.yaml", actor="admin"))
    clock.set(datetime(2026, 11, 23, 2, 0, tzinfo=UTC))  # Monday 10:00 in Shanghai
    walk = Walk(runtime, "supplier_sample", initiator="guo_caigou")
    due = datetime(2026, 11, 26, 2, 0, tzinfo=UTC)  # Thursday 10:00
    assert [entry.due_at for entry in runtime.queries.inbox("guo_caigou").items] == [due]
    clock.advance(HOUR)

    (tmp_path / "calendar.yaml").write_text("days_off: [2026-11-25]\n", encoding="utf-8")  # a company day off
    settings = Settings(database_url=database_url, home=tmp_path, calendar_file=tmp_path / "calendar.yaml")
    with open_runtime(settings, clock=clock) as changed:
        with pytest.raises(PermissionDenied):
            changed.execute(RecomputeDeadlines("guo_caigou"))
        done = changed.execute(RecomputeDeadlines("admin"))
        assert (done.checked, done.moved) == (1, 1)
        assert changed.execute(RecomputeDeadlines("admin")).moved == 0  # counted again: nothing moves
        moved = due + 24 * HOUR  # Friday 10:00
        assert [entry.due_at for entry in changed.queries.inbox("guo_caigou").items] == [moved]
        drain_until(changed, clock, due + HOUR)
        assert [what for _, what, _ in notices(walk, due - 73 * HOUR)] == ["assigned"]
        drain_until(changed, clock, moved)
        assert [what for _, what, _ in notices(walk, due)] == ["overdue"]


GOLDEN_WEEK = """
key: supplier_sample
name: 供应商样品确认
nodes:
  - {id: start, type: start, next: sample}
  - id: sample
    type: user_task
    name: 样品确认
    department: 采购部
    assignee: {user: guo_caigou}
    time_limit: {working_days: 3}
    next: end
  - {id: end, type: end}
sla:
  reminders: [created, due]
  escalation: []
  overdue_exception: false
"""

LADDER = """
key: ladder
name: 报价升级
nodes:
  - {id: start, type: start, next: quote}
  - id: quote
    type: user_task
    name: 报价
    department: 研发部
    assignee: {user: chen_yanfa}
    time_limit: {hours: 2}
    next: end
  - {id: end, type: end}
sla:
  reminders: [due]
  overdue_exception: false
  escalation:
    - {after: {hours: 2}, notify: [assignee_head], action: reassign, to: assignee_head}
    - {after: {hours: 24}, notify: [supervisor], action: cancel}
"""

PAUSED = """
key: paused
name: 补件暂停计时
nodes:
  - {id: start, type: start, next: request}
  - id: request
    type: user_task
    name: 提交申请
    department: 市场部
    assignee: {user: zhang_shichang}
    next: check
  - id: check
    type: user_task
    name: 审核
    department: 研发部
    assignee: {user: chen_yanfa}
    time_limit: {hours: 24}
    next: end
  - {id: end, type: end}
sla:
  pause_on_return: true
  reminders: []
  escalation: []
"""

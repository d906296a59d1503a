"""Timer events run by the worker: an intermediate wait, boundary timers on a task, a quarterly cycle.

Seed 001: the supplier is waited on for 48 hours; a review not done in 3
working days takes the timeout path while a daily reminder runs beside it; the
supplier review repeats every quarter. On SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from orgflow.clock import FrozenClock
from orgflow.runtime import DeployDefinition, Runtime
from orgflow.store.jobs import JobStatus
from tests.acceptance.conftest import Walk
from tests.acceptance.test_time_rules import HOUR, drain_until

WAIT = """
key: supplier_wait
name: 等待供应商
nodes:
  - {id: start, type: start, next: wait}
  - {id: wait, type: timer, name: 等待供应商回复, timer: {duration: {hours: 48}}, next: check}
  - {id: check, type: user_task, name: 检查回复, assignee: {user: guo_caigou}, next: end}
  - {id: end, type: end}
"""

REVIEW = """
key: timed_review
name: 限时审核
nodes:
  - {id: start, type: start, next: review}
  - id: review
    type: user_task
    name: 审核
    assignee: {user: chen_yanfa}
    next: done
    boundary:
      - {id: timeout, name: 超时, timer: {duration: {working_days: 3}}, next: escalate}
      - {id: nudge, name: 每日提醒, timer: {cycle: "R/PT24H"}, interrupting: false, next: noted}
  - {id: escalate, type: user_task, name: 负责人处理, assignee: {user: li_yanfa}, next: done}
  - {id: noted, type: end, name: 已提醒}
  - {id: done, type: end}
"""

QUARTERLY = """
key: supplier_review
name: 供应商季度评审
nodes:
  - {id: start, type: start, next: review}
  - id: review
    type: user_task
    name: 季度评审
    assignee: {user: guo_caigou}
    next: done
    boundary:
      - id: quarter
        name: 每季度
        timer: {cycle: "R4/2027-01-01T09:00+08:00/P3M"}
        interrupting: false
        next: round
  - {id: round, type: user_task, name: 本季评审记录, assignee: {user: guo_caigou}, next: logged}
  - {id: logged, type: end}
  - {id: done, type: end}
"""


def deploy(runtime: Runtime, source: str, name: str) -> None:
    runtime.execute(DeployDefinition(source, source_name=name, actor="admin"))


def test_an_intermediate_timer_holds_the_instance_for_48_hours(runtime: Runtime, clock: FrozenClock) -> None:
    deploy(runtime, WAIT, "wait.yaml")
    walk = Walk(runtime, "supplier_wait", initiator="guo_caigou")
    started = clock.now()
    assert walk.waiting() == {}
    drain_until(runtime, clock, started + 47 * HOUR)
    assert walk.detail.instance.work_items == ()
    drain_until(runtime, clock, started + 49 * HOUR)
    (item,) = walk.detail.instance.work_items
    assert (item.node_id, item.created_at) == ("check", started + 48 * HOUR)
    fired = walk.history("timer_fired")
    assert [(entry.node_id, entry.at) for entry in fired] == [("wait", started + 48 * HOUR)]


def test_a_boundary_timeout_in_working_days_interrupts_while_a_daily_reminder_runs_beside(
    runtime: Runtime, clock: FrozenClock
) -> None:
    deploy(runtime, REVIEW, "review.yaml")
    clock.set(datetime(2026, 11, 27, 2, 0, tzinfo=UTC))  # Friday 10:00 in Shanghai
    walk = Walk(runtime, "timed_review", initiator="zhang_shichang")
    started = clock.now()
    timeout_at = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # three working days: Mon, Tue, Wed 10:00
    drain_until(runtime, clock, timeout_at - timedelta(minutes=1))
    assert walk.waiting() == {"review": "chen_yanfa"}
    nudges = [entry.at for entry in walk.history("timer_fired") if entry.node_id == "nudge"]
    assert nudges == [started + 24 * HOUR * n for n in (1, 2, 3, 4)]  # the side path: the task goes on

    drain_until(runtime, clock, timeout_at + HOUR)
    walk.view = walk.detail.instance
    assert walk.waiting() == {"escalate": "li_yanfa"}
    fired = [(entry.node_id, entry.at) for entry in walk.history("timer_fired")]
    assert fired[-1] == ("timeout", timeout_at)
    assert [entry.node_id for entry in walk.history("work_item_cancelled")] == ["review"]
    assert runtime.jobs.list(status=JobStatus.PENDING, kind="timer.fire") == []  # the reminder loop ended too


def test_finishing_the_task_first_cancels_its_timers(runtime: Runtime, clock: FrozenClock) -> None:
    deploy(runtime, REVIEW, "review.yaml")
    walk = Walk(runtime, "timed_review", initiator="zhang_shichang")
    assert len(runtime.jobs.list(status=JobStatus.PENDING, kind="timer.fire")) == 2
    clock.advance(2 * HOUR)
    walk.handle("review", by="chen_yanfa")
    assert walk.detail.instance.status == "completed"
    assert runtime.jobs.list(status=JobStatus.PENDING, kind="timer.fire") == []
    drain_until(runtime, clock, clock.now() + 300 * HOUR)
    assert walk.history("timer_fired") == []


def test_a_quarterly_cycle_opens_a_review_round_each_quarter(runtime: Runtime, clock: FrozenClock) -> None:
    deploy(runtime, QUARTERLY, "quarterly.yaml")
    walk = Walk(runtime, "supplier_review", initiator="guo_caigou")
    drain_until(runtime, clock, datetime(2028, 1, 1, tzinfo=UTC))
    rounds = [entry.at for entry in walk.history("work_item_opened") if entry.node_id == "round"]
    first = datetime(2027, 1, 1, 1, 0, tzinfo=UTC)
    assert rounds == [
        first,
        datetime(2027, 4, 1, 1, 0, tzinfo=UTC),
        datetime(2027, 7, 1, 1, 0, tzinfo=UTC),
        datetime(2027, 10, 1, 1, 0, tzinfo=UTC),
    ]
    assert runtime.jobs.list(status=JobStatus.PENDING, kind="timer.fire") == []


STARTED_BY_TIME = """
key: monthly_check
name: 月度安全检查
nodes:
  - {id: start, type: start, timer: {cycle: "R3/2027-01-04T09:00+08:00/P1M"}, next: check}
  - {id: check, type: user_task, name: 安全检查, assignee: {user: hu_zhijian}, next: end}
  - {id: end, type: end}
"""


def test_a_timer_start_starts_one_instance_per_round_of_the_newest_version(
    runtime: Runtime, clock: FrozenClock
) -> None:
    deploy(runtime, STARTED_BY_TIME, "monthly.yaml")
    deploy(runtime, STARTED_BY_TIME.replace("安全检查, assignee", "安全巡检, assignee"), "monthly.yaml")
    assert (
        len(runtime.jobs.list(status=JobStatus.PENDING, kind="timer.start")) == 1
    )  # version 1's round dropped
    drain_until(runtime, clock, datetime(2027, 6, 1, tzinfo=UTC))
    started = runtime.queries.work_items(assignee="hu_zhijian")
    assert sorted((item.created_at, item.name) for item in started) == [
        (datetime(2027, 1, 4, 1, 0, tzinfo=UTC), "安全巡检"),
        (datetime(2027, 2, 4, 1, 0, tzinfo=UTC), "安全巡检"),
        (datetime(2027, 3, 4, 1, 0, tzinfo=UTC), "安全巡检"),
    ]
    assert runtime.jobs.list(status=JobStatus.PENDING, kind="timer.start") == []

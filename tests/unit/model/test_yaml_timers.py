from __future__ import annotations

from datetime import UTC, datetime

from orgflow.model.iso_time import IsoDuration
from orgflow.model.nodes import BoundaryTimer, NodeKind, StartEvent, TimerEvent
from orgflow.model.rules import TimeLimit, TimeUnit
from orgflow.model.yaml_timers import UNREADABLE_TIMER

TIMED = """
key: supplier
name: 供应商
nodes:
  - {id: start, type: start, timer: {cycle: "R/2026-01-01T09:00+08:00/P3M"}, next: wait}
  - {id: wait, type: timer, name: 等待供应商, timer: {duration: {hours: 48}}, next: until}
  - {id: until, type: timer, timer: {date: "2026-03-01T09:00+08:00"}, next: review}
  - id: review
    type: user_task
    assignee: {user: zhang}
    next: block
    boundary:
      - {id: timeout, timer: {duration: {working_days: 3}}, next: escalate}
      - {id: nudge, name: 催办, timer: {cycle: "R3/PT24H"}, interrupting: false, next: remind}
  - id: block
    type: subprocess
    nodes:
      - {id: s_start, type: start, next: s_task}
      - {id: s_task, type: user_task, assignee: {user: wang}, next: s_end}
      - {id: s_end, type: end}
    boundary:
      - {id: block_late, timer: {date: "deadline"}, next: end}
    next: end
  - {id: escalate, type: user_task, assignee: {user: li}, next: end}
  - {id: remind, type: end}
  - {id: end, type: end}
"""


def test_timer_nodes_boundaries_and_timer_starts_are_read(load):
    definition = load(TIMED).definition
    nodes = definition.nodes
    start = nodes["start"]
    assert isinstance(start, StartEvent) and start.timer is not None and start.timer.cycle is not None
    assert start.timer.cycle.times is None and start.timer.cycle.start == datetime(2026, 1, 1, 1, tzinfo=UTC)
    wait = nodes["wait"]
    assert isinstance(wait, TimerEvent) and wait.kind is NodeKind.TIMER and wait.name == "等待供应商"
    assert wait.timer.duration == TimeLimit(amount=48, unit=TimeUnit.HOURS)
    until = nodes["until"]
    assert isinstance(until, TimerEvent) and until.timer.date == datetime(2026, 3, 1, 1, tzinfo=UTC)
    timeout, nudge = definition.boundaries_of("review")
    assert isinstance(timeout, BoundaryTimer) and timeout.kind is NodeKind.BOUNDARY_TIMER
    assert (timeout.id, timeout.attached_to, timeout.interrupting, timeout.line) == (
        "timeout",
        "review",
        True,
        12,
    )
    assert timeout.timer.duration == TimeLimit(amount=3, unit=TimeUnit.WORKING_DAYS)
    assert (nudge.id, nudge.interrupting, nudge.name) == ("nudge", False, "催办")
    assert nudge.timer.cycle is not None and nudge.timer.cycle.times == 3
    assert nudge.timer.cycle.every == IsoDuration(source="PT24H", hours=24)
    (late,) = definition.boundaries_of("block")
    assert late.scope is None and late.timer.date is not None and not isinstance(late.timer.date, datetime)
    assert [flow.target for flow in definition.outgoing("nudge")] == ["remind"]


def test_iso_duration_and_business_cycle_forms(load):
    definition = load(
        """
        key: forms
        name: 写法
        nodes:
          - {id: start, type: start, next: wait}
          - {id: wait, type: timer, timer: {duration: P1M}, next: review}
          - id: review
            type: user_task
            assignee: {user: zhang}
            boundary:
              - id: weekly
                interrupting: false
                timer: {cycle: {every: {working_days: 5}, times: 4}}
                next: note
            next: end
          - {id: note, type: end}
          - {id: end, type: end}
        """
    ).definition
    wait = definition.nodes["wait"]
    assert isinstance(wait, TimerEvent) and wait.timer.duration == IsoDuration(source="P1M", months=1)
    (weekly,) = definition.boundaries_of("review")
    cycle = weekly.timer.cycle
    assert cycle is not None and cycle.times == 4
    assert cycle.every == TimeLimit(amount=5, unit=TimeUnit.WORKING_DAYS)
    assert weekly.timer.needs_calendar


BROKEN = """
key: broken
name: 坏
nodes:
  - {id: start, type: start, next: w1}
  - {id: w1, type: timer, timer: {duration: {hours: 1}, date: "2026-01-01T09:00"}, next: w2}
  - {id: w2, type: timer, timer: {duration: P1X}, next: w3}
  - {id: w3, type: timer, timer: {date: "2026-13-01T09:00"}, next: w4}
  - {id: w4, type: timer, timer: {date: "amount >"}, next: w5}
  - {id: w5, type: timer, timer: {cycle: "R2/PT1H"}, next: w6}
  - {id: w6, type: timer, next: gw}
  - {id: gw, type: exclusive_gateway, next: task}
  - id: task
    type: user_task
    assignee: {user: zhang}
    next: end
    boundary:
      - {id: late, timer: {cycle: "R3/PT1H"}, next: end}
      - {id: lost, interrupting: false, timer: {duration: PT1H}}
      - {id: w1, timer: {duration: PT1H}, next: end}
      - {id: gone, timer: {duration: PT1H}, next: nowhere}
  - {id: lonely, type: boundary_timer, attached_to: gw, timer: {duration: PT1H}, next: end}
  - {id: end, type: end}
"""


def test_every_timer_problem_is_reported_at_once_with_node_and_line(problems, the):
    found = problems(BROKEN)
    assert "只能写 duration、date、cycle 其中一个" in the(found, node_id="w1", line=5, field="timer").message
    assert "不是 ISO-8601 时长" in the(found, node_id="w2", line=6, field="timer.duration").message
    assert "不是有效的 ISO-8601 日期时间" in the(found, node_id="w3", line=7, field="timer.date").message
    assert "不是有效的表达式" in the(found, node_id="w4", line=8, field="timer.date").message
    assert "不能写 cycle" in the(found, node_id="w5", line=9, field="timer.cycle").message
    assert "缺少 timer" in the(found, node_id="w6", line=10, field="timer").message
    assert "中断型边界定时器" in the(found, node_id="late", line=17, field="timer.cycle").message
    assert "没有出口连线" in the(found, node_id="lost", line=18).message
    assert "重复" in the(found, node_id="w1", line=19, field="id").message
    assert "nowhere" in the(found, node_id="gone", line=20, field="to").message
    assert "子流程或调用活动上" in the(found, node_id="lonely", line=21, field="attached_to").message


def test_timer_starts_only_on_the_process_start_and_never_as_a_duration(problems, the):
    found = problems(
        """
        key: starts
        name: 启动
        nodes:
          - {id: start, type: start, timer: {duration: PT1H}, next: block}
          - id: block
            type: subprocess
            nodes:
              - {id: s_start, type: start, timer: {date: "2026-01-01T09:00"}, next: s_end}
              - {id: s_end, type: end}
            next: end
          - {id: end, type: end}
        """
    )
    assert "不能写 duration" in the(found, node_id="start", line=4).message
    assert "子流程的开始节点不能" in the(found, node_id="s_start", line=8).message


def test_flows_into_a_boundary_and_unknown_timer_keys_are_refused(problems, the):
    found = problems(
        """
        key: into
        name: 进入
        nodes:
          - {id: start, type: start, next: [task, late]}
          - id: task
            type: user_task
            assignee: {user: zhang}
            next: end
            boundary:
              - {id: late, timer: {duration: PT1H, when: 1}, next: end}
          - {id: end, type: end}
        """
    )
    assert "不能指向边界定时器" in the(found, node_id="start", field="to").message
    assert the(found, node_id="late", field="timer.when").line == 10


def test_a_boundary_makes_its_path_reachable(load):
    loaded = load(
        """
        key: reach
        name: 可达
        nodes:
          - {id: start, type: start, next: task}
          - id: task
            type: user_task
            assignee: {user: zhang}
            next: end
            boundary: [{id: late, timer: {duration: {hours: 2}}, next: chase}]
          - {id: chase, type: user_task, assignee: {user: li}, next: end}
          - {id: end, type: end}
        """
    )
    assert "chase" in loaded.definition.nodes
    assert UNREADABLE_TIMER not in [getattr(n, "timer", None) for n in loaded.definition.nodes.values()]

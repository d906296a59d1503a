"""Moving running instances to another version (MigrateInstances), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from orgflow.engine.state import InstanceStatus
from orgflow.errors import CommandRejected, Conflict, NotFound
from orgflow.runtime import CompleteWorkItem, Runtime, StartProcess
from orgflow.runtime.actions import MigrateInstances
from orgflow.runtime.views import InstanceView, Migration
from orgflow.store.jobs import JobStatus

from .conftest import deploy

#: start → 起草 (u1) → 审核 (u2, 24 h) → end.
V1 = """\
key: mig
name: 迁移测试
business_key_prefix: MG
nodes:
  - {id: start, type: start, next: draft}
  - {id: draft, type: user_task, name: 起草, assignee: {user: u1}, next: review}
  - {id: review, type: user_task, name: 审核, assignee: {user: u2}, time_limit: {hours: 24}, next: end}
  - {id: end, type: end}
"""
SIGN = "  - {id: sign, type: user_task, name: 确认, assignee: {user: u3}, next: end}"
#: 审核 becomes 复核 (id ``check``, 质量部, 48 h) and a 确认 step (u3) follows.
V2 = V1.replace("next: review}", "next: check}").replace(
    "  - {id: review, type: user_task, name: 审核, assignee: {user: u2}, time_limit: {hours: 24}, next: end}",
    "  - {id: check, type: user_task, name: 复核, department: 质量部, assignee: {user: u2},"
    f" time_limit: {{hours: 48}}, next: sign}}\n{SIGN}",
)
#: The same ids; 起草 renamed and 确认 (u3) added after 审核.
SAME_IDS = V1.replace("name: 起草", "name: 起草申请").replace(
    "time_limit: {hours: 24}, next: end}", f"time_limit: {{hours: 24}}, next: sign}}\n{SIGN}"
)

PARALLEL = """\
key: par
name: 并行会审
business_key_prefix: PA
nodes:
  - {id: start, type: start, next: split}
  - {id: split, type: parallel_gateway, next: [a, b]}
  - {id: a, type: user_task, name: 法务审核, assignee: {user: u1}, next: join}
  - {id: b, type: user_task, name: 财务审核, assignee: {user: u2}, next: join}
  - {id: join, type: parallel_gateway, next: end}
  - {id: end, type: end}
"""

SUBPROCESS = """\
key: sub
name: 子流程评审
business_key_prefix: SB
nodes:
  - {id: start, type: start, next: block}
  - id: block
    type: subprocess
    name: 评审
    next: after
    nodes:
      - {id: block_start, type: start, next: inner}
      - {id: inner, type: user_task, name: 初审, assignee: {user: u1}, next: block_end}
      - {id: block_end, type: end}
  - {id: after, type: user_task, name: 归档, assignee: {user: u2}, next: end}
  - {id: end, type: end}
"""

#: 审核 with a 2-hour timeout that goes to 主管处理.
TIMED = """\
key: timed
name: 限时审核
business_key_prefix: TM
nodes:
  - {id: start, type: start, next: review}
  - id: review
    type: user_task
    name: 审核
    assignee: {user: u2}
    time_limit: {hours: 24}
    next: end
    boundary:
      - {id: timeout, name: 超时, timer: {duration: PT2H}, next: escalate}
  - {id: escalate, type: user_task, name: 主管处理, assignee: {user: boss}, next: end}
  - {id: end, type: end}
"""

TABLES = ("instances", "work_items", "history", "jobs", "attachments")


def rows(runtime: Runtime) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables a migration may touch, in a stable order."""
    with runtime.database.reading() as connection:
        return {
            table: sorted(
                (tuple(row) for row in connection.exec_driver_sql(f"SELECT * FROM {table}")), key=repr
            )
            for table in TABLES
        }


def column(runtime: Runtime, sql: str) -> list[Any]:
    with runtime.database.reading() as connection:
        return list(connection.exec_driver_sql(sql).scalars())


def at_review(runtime: Runtime) -> InstanceView:
    """An instance of version 1 whose 起草 is done: it waits at 审核."""
    started = runtime.execute(StartProcess("mig", {}, initiator="zhang", version=1))
    return runtime.execute(CompleteWorkItem(started.work_items[0].id, actor="u1"))


def finish(runtime: Runtime, view: InstanceView, *actors: str) -> InstanceView:
    """Complete the open work item by each actor in turn."""
    for actor in actors:
        (item,) = view.work_items
        view = runtime.execute(CompleteWorkItem(item.id, actor=actor))
    return view


def moves(done: Migration) -> list[tuple[str, str, str | None, str]]:
    return [(m.kind, m.id, m.from_node, m.to_node) for moved in done.instances for m in moved.moves]


def test_explicit_mapping_moves_a_waiting_instance_which_then_completes_on_the_new_version(
    runtime: Runtime, clock
) -> None:
    deploy(runtime, V1)
    waiting = at_review(runtime)
    deploy(runtime, V2)
    assert [(v.version, v.running) for v in runtime.queries.definitions(key="mig", latest_only=False)] == [
        (1, 1),
        (2, 0),
    ]
    (item,) = waiting.work_items
    clock.advance(timedelta(hours=1))

    done = runtime.execute(MigrateInstances("mig", 1, 2, {"review": "check"}, actor="admin"))

    token = waiting.active_nodes[0]
    assert moves(done) == [("token", "t1", "review", "check"), ("work_item", item.id, "review", "check")]
    assert (done.dry_run, done.instances[0].business_key) == (False, waiting.business_key)
    moved = runtime.queries.instance(waiting.id).instance
    assert (moved.definition_id, moved.definition_label) == ("mig:2", "V1.1-202611-迁移测试")
    assert [(w.id, w.node_id, w.name) for w in moved.work_items] == [(item.id, "check", "复核")]
    assert token.node_id == "review" and [n.node_id for n in moved.active_nodes] == ["check"]
    sql = f"SELECT department, due_at FROM work_items WHERE id = '{item.id}'"
    with runtime.database.reading() as connection:
        department, due = connection.exec_driver_sql(sql).one()
    assert department == "质量部"
    assert str(due).startswith("2026-11-24 09:00")  # 48 hours from the item's opening, no longer 24
    assert [(v.version, v.running) for v in runtime.queries.definitions(key="mig", latest_only=False)] == [
        (1, 0),
        (2, 1),
    ]

    ended = finish(runtime, moved, "u2", "u3")

    assert ended.status is InstanceStatus.COMPLETED
    history = runtime.queries.instance(waiting.id).history
    (entry,) = [h for h in history if h.kind == "migrated"]
    assert entry.actor == "admin"
    assert entry.comment == "V1.0-202611-迁移测试 → V1.1-202611-迁移测试"
    assert (entry.data or {})["from_version"] == 1 and (entry.data or {})["to_version"] == 2
    assert dict((entry.data or {})["mapping"]) == {"review": "check"}
    names = [h.node_name for h in history if h.kind == "work_item_completed"]
    assert names == ["起草", "复核", "确认"]


def test_implicit_ids_move_without_a_mapping(runtime: Runtime) -> None:
    deploy(runtime, V1)
    started = runtime.execute(StartProcess("mig", {}, initiator="zhang"))
    deploy(runtime, SAME_IDS)

    done = runtime.execute(MigrateInstances("mig", 1, 2, actor="admin"))

    assert moves(done) == [
        ("token", "t1", "draft", "draft"),
        ("work_item", started.work_items[0].id, "draft", "draft"),
    ]
    moved = runtime.queries.instance(started.id).instance
    assert [w.name for w in moved.work_items] == ["起草申请"]
    ended = finish(runtime, moved, "u1", "u2", "u3")  # 确认 exists only in the new version
    assert ended.status is InstanceStatus.COMPLETED


def test_a_dry_run_says_what_would_move_and_changes_nothing(runtime: Runtime, clock) -> None:
    deploy(runtime, V1)
    first, second = at_review(runtime), at_review(runtime)
    deploy(runtime, V2)
    before = rows(runtime)
    clock.advance(timedelta(hours=1))

    done = runtime.execute(MigrateInstances("mig", 1, 2, {"review": "check"}, dry_run=True, actor="admin"))

    assert rows(runtime) == before
    assert done.dry_run is True
    assert [(m.business_key, m.version) for m in done.instances] == [
        (first.business_key, 2),
        (second.business_key, 2),
    ]
    assert {(m.from_name, m.to_name) for moved in done.instances for m in moved.moves} == {("审核", "复核")}


@pytest.mark.parametrize(
    ("mapping", "named"),
    [
        ({}, ["review", "审核"]),
        ({"nope": "check", "review": "missing"}, ["nope", "missing"]),
        ({"review": "end"}, ["节点类型不同", "review"]),
    ],
    ids=["unmapped", "unknown-ids", "other-kind"],
)
def test_a_problem_refuses_every_instance_and_changes_nothing(
    runtime: Runtime, mapping: dict[str, str], named: list[str]
) -> None:
    deploy(runtime, V1)
    at_draft = runtime.execute(StartProcess("mig", {}, initiator="zhang"))
    waiting = at_review(runtime)
    deploy(runtime, V2)
    before = rows(runtime)

    with pytest.raises(CommandRejected) as refused:
        runtime.execute(MigrateInstances("mig", 1, 2, mapping, actor="admin"))

    assert refused.value.reason == "migration_refused"
    message = str(refused.value)
    assert all(part in message for part in named), message
    assert waiting.business_key in message and at_draft.business_key not in message
    assert rows(runtime) == before
    assert column(runtime, "SELECT DISTINCT definition_id FROM instances") == ["mig:1"]


def test_named_instances_are_checked_and_an_unknown_version_is_not_found(runtime: Runtime) -> None:
    deploy(runtime, V1)
    done = finish(runtime, at_review(runtime), "u2")
    deploy(runtime, SAME_IDS)

    with pytest.raises(CommandRejected, match="只能迁移进行中的实例") as refused:
        runtime.execute(MigrateInstances("mig", 1, 2, instance_ids=(done.business_key, "MG404")))
    assert done.business_key in str(refused.value) and "MG404 不存在" in str(refused.value)
    with pytest.raises(NotFound, match="mig 没有版本 7"):
        runtime.execute(MigrateInstances("mig", 1, 7))


def test_an_instance_changed_since_the_dry_run_is_a_conflict_and_nothing_moves(runtime: Runtime) -> None:
    deploy(runtime, V1)
    changed = runtime.execute(StartProcess("mig", {}, initiator="zhang"))
    other = runtime.execute(StartProcess("mig", {}, initiator="li"))
    deploy(runtime, V2)
    preview = runtime.execute(MigrateInstances("mig", 1, 2, {"review": "check"}, dry_run=True))
    seen = {moved.instance_id: moved.version for moved in preview.instances}
    runtime.execute(CompleteWorkItem(changed.work_items[0].id, actor="u1"))  # meanwhile, someone works on
    before = rows(runtime)

    with pytest.raises(Conflict, match=changed.business_key):
        runtime.execute(MigrateInstances("mig", 1, 2, {"review": "check"}, expected_versions=seen))

    assert rows(runtime) == before
    assert column(runtime, "SELECT DISTINCT definition_id FROM instances") == ["mig:1"]
    again = runtime.execute(MigrateInstances("mig", 1, 2, {"review": "check"}))  # a fresh look succeeds
    assert {m.instance_id for m in again.instances} == {changed.id, other.id}


def test_a_parallel_split_moves_its_branches_and_the_waiting_join(runtime: Runtime) -> None:
    deploy(runtime, PARALLEL)
    started = runtime.execute(StartProcess("par", {}, initiator="zhang"))
    legal = next(w for w in started.work_items if w.node_id == "a")
    half = runtime.execute(CompleteWorkItem(legal.id, actor="u1"))  # a's branch waits at the join
    renamed_b = PARALLEL.replace(
        "{id: b, type: user_task, name: 财务审核", "{id: b2, type: user_task, name: 财务复核"
    )
    deploy(runtime, renamed_b.replace("next: [a, b]", "next: [a, b2]"))

    done = runtime.execute(MigrateInstances("par", 1, 2, {"b": "b2"}))

    assert sorted((m.kind, m.from_node, m.to_node) for m in done.instances[0].moves) == [
        ("token", "b", "b2"),
        ("token", "join", "join"),
        ("work_item", "b", "b2"),
    ]
    moved = runtime.queries.instance(half.id).instance
    assert finish(runtime, moved, "u2").status is InstanceStatus.COMPLETED


def test_a_waiting_join_needs_the_flow_its_branch_arrived_by(runtime: Runtime) -> None:
    deploy(runtime, PARALLEL)
    started = runtime.execute(StartProcess("par", {}, initiator="zhang"))
    runtime.execute(CompleteWorkItem(next(w.id for w in started.work_items if w.node_id == "a"), actor="u1"))
    deploy(runtime, PARALLEL.replace("{id: a,", "{id: a2,").replace("next: [a, b]", "next: [a2, b]"))

    with pytest.raises(CommandRejected, match="a__join"):
        runtime.execute(MigrateInstances("par", 1, 2))


def test_a_subprocess_moves_inside_its_scope_and_completes(runtime: Runtime) -> None:
    deploy(runtime, SUBPROCESS)
    started = runtime.execute(StartProcess("sub", {}, initiator="zhang"))
    renamed = SUBPROCESS.replace(
        "{id: inner, type: user_task, name: 初审", "{id: inner2, type: user_task, name: 复审"
    )
    deploy(runtime, renamed.replace("next: inner}", "next: inner2}"))

    with pytest.raises(CommandRejected, match="子流程的映射前后不一致"):
        runtime.execute(MigrateInstances("sub", 1, 2, {"inner": "after"}))
    done = runtime.execute(MigrateInstances("sub", 1, 2, {"inner": "inner2"}))

    assert sorted((m.kind, m.from_node, m.to_node) for m in done.instances[0].moves) == [
        ("token", "block", "block"),
        ("token", "inner", "inner2"),
        ("work_item", "inner", "inner2"),
    ]
    moved = runtime.queries.instance(started.id).instance
    assert finish(runtime, moved, "u1", "u2").status is InstanceStatus.COMPLETED


def pending_jobs(runtime: Runtime) -> list[tuple[str, Any, Any]]:
    return [
        (j.kind, j.run_at, j.payload.get("timer_id")) for j in runtime.jobs.list(status=JobStatus.PENDING)
    ]


def test_unchanged_terms_keep_the_timer_and_the_deadlines(runtime: Runtime, clock) -> None:
    deploy(runtime, TIMED)
    started = runtime.execute(StartProcess("timed", {}, initiator="zhang"))
    deploy(runtime, TIMED.replace("name: 主管处理", "name: 部门主管处理"))
    jobs_before = [(j.id, j.kind, j.run_at) for j in runtime.jobs.list(status=JobStatus.PENDING)]
    clock.advance(timedelta(hours=1))

    done = runtime.execute(MigrateInstances("timed", 1, 2))

    (timer,) = [m for m in done.instances[0].moves if m.kind == "timer"]
    assert (timer.from_node, timer.to_node, timer.timer) == ("timeout", "timeout", "kept")
    assert [(j.id, j.kind, j.run_at) for j in runtime.jobs.list(status=JobStatus.PENDING)] == jobs_before
    assert runtime.queries.instance(started.id).instance.definition_id == "timed:2"


def test_a_changed_timer_is_armed_again_from_when_it_was_armed_and_fires_on_the_new_version(
    runtime: Runtime, clock
) -> None:
    deploy(runtime, TIMED)
    armed = clock.now()
    started = runtime.execute(StartProcess("timed", {}, initiator="zhang"))
    deploy(runtime, TIMED.replace("PT2H", "PT4H"))
    clock.advance(timedelta(hours=1))

    done = runtime.execute(MigrateInstances("timed", 1, 2))

    (timer,) = [m for m in done.instances[0].moves if m.kind == "timer"]
    assert (timer.to_node, timer.timer) == ("timeout", "rearmed")
    fires = [(run_at, timer_id) for kind, run_at, timer_id in pending_jobs(runtime) if kind == "timer.fire"]
    assert fires == [(armed + timedelta(hours=4), timer.id)]  # the old 2-hour round's job is gone
    clock.set(armed + timedelta(hours=3))
    runtime.worker(owner="w").run_once()
    assert [w.node_id for w in runtime.queries.instance(started.id).instance.work_items] == ["review"]
    clock.set(armed + timedelta(hours=4))
    runtime.worker(owner="w").run_once()
    after = runtime.queries.instance(started.id)
    assert [w.node_id for w in after.instance.work_items] == ["escalate"]
    kinds = [h.kind for h in after.history]
    assert kinds.index("migrated") < kinds.index("timer_cancelled") < kinds.index("timer_fired")


def test_a_shorter_time_limit_already_passed_makes_the_step_overdue_at_once(runtime: Runtime, clock) -> None:
    opened = clock.now()
    deploy(runtime, V1.replace("{hours: 24}", "{hours: 48}"))
    waiting = at_review(runtime)
    deploy(runtime, V1)  # 审核 now has 24 hours
    clock.advance(timedelta(hours=30))

    runtime.execute(MigrateInstances("mig", 1, 2))

    due = [run_at for kind, run_at, _ in pending_jobs(runtime) if kind == "sla.due"]
    assert due == [opened + timedelta(hours=24)]  # due in the past: the worker takes it at once
    runtime.worker(owner="w").run_once()
    kinds = [h.kind for h in runtime.queries.instance(waiting.id).history]
    assert "anomaly_found" in kinds


def test_a_failure_midway_leaves_every_instance_as_it_was(runtime: Runtime) -> None:
    deploy(runtime, V1)
    first, second = at_review(runtime), at_review(runtime)
    deploy(runtime, V2)
    before = rows(runtime)
    moved_files: list[str] = []

    def fail_on_the_second_instance(_connection, _cursor, statement: str, *_args) -> None:
        if statement.lstrip().upper().startswith("UPDATE ATTACHMENTS"):
            moved_files.append(statement)
            if len(moved_files) == 2:  # the first instance is written in full by now
                raise RuntimeError("injected failure")

    event.listen(runtime.database.engine, "before_cursor_execute", fail_on_the_second_instance)
    try:
        with pytest.raises(RuntimeError, match="injected failure"):
            runtime.execute(MigrateInstances("mig", 1, 2, {"review": "check"}))
    finally:
        event.remove(runtime.database.engine, "before_cursor_execute", fail_on_the_second_instance)

    assert len(moved_files) == 2
    assert rows(runtime) == before
    assert {runtime.queries.instance(i.id).instance.definition_id for i in (first, second)} == {"mig:1"}


#: 审核 with a 2-hour timeout (超时) and a reminder after one working hour (提醒, its own path).
REMINDED = TIMED.replace(
    "      - {id: timeout, name: 超时, timer: {duration: PT2H}, next: escalate}\n",
    "      - {id: timeout, name: 超时, timer: {duration: PT2H}, next: escalate}\n"
    "      - {id: nudge, name: 催办提醒, timer: {duration: {working_hours: 1}}, interrupting: false,"
    " next: nudged}\n",
).replace("  - {id: end, type: end}\n", "  - {id: nudged, type: end}\n  - {id: end, type: end}\n")
#: The process owner took the reminder away.
UNREMINDED = TIMED.replace("name: 主管处理", "name: 部门主管处理")


def test_a_removed_reminder_is_cancelled_by_the_move_listed_first_in_the_dry_run(
    runtime: Runtime, clock
) -> None:
    deploy(runtime, REMINDED)
    started = runtime.execute(StartProcess("timed", {}, initiator="zhang"))
    fires = {timer_id: run_at for kind, run_at, timer_id in pending_jobs(runtime) if kind == "timer.fire"}
    assert len(fires) == 2
    deploy(runtime, UNREMINDED)
    before = rows(runtime)
    clock.advance(timedelta(minutes=10))

    preview = runtime.execute(MigrateInstances("timed", 1, 2, dry_run=True, actor="admin"))

    assert rows(runtime) == before
    (listed,) = preview.instances[0].cancelled_timers
    assert (listed.node_id, listed.name, listed.due_at) == ("nudge", "催办提醒", fires[listed.id])
    (kept,) = [m for m in preview.instances[0].moves if m.kind == "timer"]
    assert (kept.to_node, kept.timer) == ("timeout", "kept") and kept.id != listed.id

    done = runtime.execute(MigrateInstances("timed", 1, 2, actor="admin"))

    assert done.instances[0].cancelled_timers == preview.instances[0].cancelled_timers
    left = {timer_id: run_at for kind, run_at, timer_id in pending_jobs(runtime) if kind == "timer.fire"}
    assert left == {kept.id: fires[kept.id]}  # the timeout keeps its job; the reminder's is gone
    history = runtime.queries.instance(started.id).history
    (entry,) = [h for h in history if h.kind == "migrated"]
    assert (entry.data or {})["cancelled_timers"] == [
        {
            "timer_id": listed.id,
            "node_id": "nudge",
            "name": "催办提醒",
            "due_at": fires[listed.id].isoformat(),
        }
    ]
    (cancelled,) = [h for h in history if h.kind == "timer_cancelled"]
    assert (cancelled.node_id, (cancelled.data or {})["timer_id"]) == ("nudge", listed.id)
    assert "新版本的「审核」已没有边界定时器「催办提醒」" in (cancelled.comment or "")
    clock.set(max(fires.values()) + timedelta(minutes=1))
    runtime.worker(owner="w").run_once()  # the kept timeout fires on the new version
    after = runtime.queries.instance(started.id)
    assert [w.name for w in after.instance.work_items] == ["部门主管处理"]
    assert [(h.data or {}).get("timer_id") for h in after.history if h.kind == "timer_fired"] == [kept.id]


#: 评审 by everyone in ``reviewers`` at once (多实例), each opinion gathered in ``opinions``.
MULTI = """\
key: mi_mig
name: 多人评审
business_key_prefix: MI
nodes:
  - {id: start, type: start, next: review}
  - id: review
    type: user_task
    name: 评审
    assignee: {user_field: reviewer}
    multi: {collection: reviewers, element: reviewer, output: {collection: opinions, element: opinion}}
    next: end
  - {id: end, type: end}
"""
#: 评审 renamed 专家评审, and 归档 (u4) added after it.
MULTI_V2 = MULTI.replace("name: 评审", "name: 专家评审").replace(
    "    next: end\n",
    "    next: file\n  - {id: file, type: user_task, name: 归档, assignee: {user: u4}, next: end}\n",
)


def test_a_parallel_multi_instance_task_with_two_of_three_done_moves_and_finishes_on_the_new_version(
    runtime: Runtime,
) -> None:
    deploy(runtime, MULTI)
    people = ["kermit", "gonzo", "fozzie"]
    view = runtime.execute(StartProcess("mi_mig", {"reviewers": people}, initiator="zhang"))
    items = {item.assignee: item.id for item in view.work_items}
    for person in ("kermit", "gonzo"):
        runtime.execute(CompleteWorkItem(items[person], actor=person, data={"opinion": f"{person}: 同意"}))
    deploy(runtime, MULTI_V2)

    done = runtime.execute(MigrateInstances("mi_mig", 1, 2))

    assert sorted((m.kind, m.from_node, m.to_node) for m in done.instances[0].moves) == [
        ("token", "review", "review"),  # the activity as a whole
        ("token", "review", "review"),  # fozzie's instance
        ("work_item", "review", "review"),
    ]
    moved = runtime.queries.instance(view.id).instance
    (item,) = moved.work_items
    assert (item.id, item.name, item.loop, dict(item.local or {})) == (
        items["fozzie"],
        "专家评审",
        2,
        {"loopCounter": 2, "reviewer": "fozzie"},
    )
    after = runtime.execute(CompleteWorkItem(item.id, actor="fozzie", data={"opinion": "fozzie: 同意"}))
    assert [w.name for w in after.work_items] == ["归档"]  # the new version's next step
    assert after.data["opinions"] == ["kermit: 同意", "gonzo: 同意", "fozzie: 同意"]
    assert finish(runtime, after, "u4").status is InstanceStatus.COMPLETED
    kinds = [h.kind for h in runtime.queries.instance(view.id).history]
    assert kinds.count("multi_instance_completed") == 1


CHILD = """\
key: credit_check
name: 信用审查
business_key_prefix: CC
nodes:
  - {id: start, type: start, next: check}
  - {id: check, type: user_task, name: 审查, assignee: {user: li}, next: end}
  - {id: end, type: end}
"""
#: 信用审查 (a call activity) → 签约 (wang).
LOAN = """\
key: loan
name: 贷款
business_key_prefix: LN
nodes:
  - {id: start, type: start, next: call}
  - id: call
    type: call_activity
    name: 信用审查
    called: credit_check
    outputs: [{from: ok, to: credit_ok}]
    next: sign
  - {id: sign, type: user_task, name: 签约, assignee: {user: wang}, next: end}
  - {id: end, type: end}
"""


def test_a_call_activity_waiting_on_its_child_moves_by_the_same_id_and_resumes_on_the_new_version(
    runtime: Runtime,
) -> None:
    deploy(runtime, CHILD)
    deploy(runtime, LOAN)
    parent = runtime.execute(StartProcess("loan", {}, initiator="zhang"))
    (child,) = runtime.queries.instance(parent.id).children
    renamed = LOAN.replace("  - id: call\n", "  - id: credit\n").replace("next: call}", "next: credit}")
    deploy(runtime, renamed)  # version 2: the call activity has another id
    deploy(
        runtime,
        LOAN.replace(
            "next: end}",
            "next: notify}\n  - {id: notify, type: user_task,"
            " name: 归档通知, assignee: {user: zhao}, next: end}",
        ),
    )  # version 3
    before = rows(runtime)

    with pytest.raises(CommandRejected, match="正在等待它调用的子流程实例结束"):
        runtime.execute(MigrateInstances("loan", 1, 2, {"call": "credit"}))
    assert rows(runtime) == before
    done = runtime.execute(MigrateInstances("loan", 1, 3))

    assert moves(done) == [("token", "t1", "call", "call")]
    assert runtime.queries.instance(parent.id).instance.definition_id == "loan:3"
    (check,) = runtime.queries.instance(child.id).instance.work_items
    runtime.execute(CompleteWorkItem(check.id, actor="li", data={"ok": True}))  # the child ends
    resumed = runtime.queries.instance(parent.id).instance
    assert resumed.data["credit_ok"] is True and [w.name for w in resumed.work_items] == ["签约"]
    assert finish(runtime, resumed, "wang", "zhao").status is InstanceStatus.COMPLETED

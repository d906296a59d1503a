"""The audit trail on a real database: one link per command, append-only, and verify names any tampering."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from orgflow.audit.verify import BreakKind
from orgflow.clock import FrozenClock
from orgflow.errors import NotFound, PermissionDenied
from orgflow.ids import SequentialIds
from orgflow.runtime import Runtime, open_runtime
from orgflow.runtime.actions import CompleteWorkItem, DeployDefinition, StartProcess, UrgeInstance
from orgflow.store.audit import AuditFilter

from .conftest import SIMPLE, deploy

#: start → 审核 (u2) with a two-hour timeout → 主管处理 (boss) → end.
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
    next: end
    boundary:
      - {id: timeout, name: 超时, timer: {duration: PT2H}, next: escalate}
  - {id: escalate, type: user_task, name: 主管处理, assignee: {user: boss}, next: end}
  - {id: end, type: end}
"""


def run_three_commands(runtime: Runtime) -> None:
    """Deploy (admin, cli), start (u1, an address), complete (u1, not said)."""
    runtime.execute(DeployDefinition(SIMPLE, source_name="t.yaml", actor="admin"), source="cli")
    view = runtime.execute(
        StartProcess("t", data={"secret_amount": 424242}, initiator="u1"), source="10.0.0.7"
    )
    runtime.execute(CompleteWorkItem(view.work_items[0].id, "u1", comment="机密意见"))


def links(runtime: Runtime) -> list[tuple[int, str | None, str | None, str, str]]:
    """Every link, oldest first: (seq, actor, source, action, summary)."""
    page = runtime.audit.page(limit=200)
    return [
        (r.seq, r.entry.actor, r.entry.source, r.entry.action, r.entry.summary)
        for r in reversed(page.records)
    ]


def tamper(runtime: Runtime, *statements: str) -> None:
    """Run raw SQL outside OrgFlow, as someone with the database's rights would."""
    with runtime.database.engine.begin() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)


def drop_triggers(runtime: Runtime) -> None:
    """What the database owner can do before editing the trail."""
    if runtime.database.dialect == "postgresql":
        tamper(
            runtime,
            "DROP TRIGGER audit_log_append_only ON audit_log",
            "DROP TRIGGER audit_head_kept ON audit_head",
        )
    else:
        tamper(
            runtime,
            "DROP TRIGGER audit_log_no_update",
            "DROP TRIGGER audit_log_no_delete",
            "DROP TRIGGER audit_head_kept",
        )


def test_every_command_leaves_a_link_with_actor_source_and_summary(runtime: Runtime) -> None:
    run_three_commands(runtime)

    rows = links(runtime)

    assert [row[:4] for row in rows] == [
        (1, "admin", "cli", "deploy_definition"),
        (2, "u1", "10.0.0.7", "start_process"),
        (3, "u1", None, "complete_work_item"),
    ]
    assert rows[0][4] == "部署流程定义 t 版本 1"
    assert rows[1][4].startswith("发起流程 t（T2026")
    assert rows[2][4].startswith("办理待办 ") and rows[2][4].endswith("：通过")
    everything = repr(runtime.audit.page(limit=200))
    assert "424242" not in everything and "机密意见" not in everything
    first = runtime.audit.page(limit=200).records[-1]
    assert first.entry.at == runtime.clock.now()


def test_a_runtime_opened_without_the_trail_for_benchmarks_writes_no_link(
    migrated_url: str, clock: FrozenClock
) -> None:
    with open_runtime(migrated_url, clock=clock, ids=SequentialIds("nb"), audit=False) as bare:
        run_three_commands(bare)
        assert links(bare) == []
    with open_runtime(migrated_url, clock=clock, ids=SequentialIds("au")) as audited:
        deploy(audited, SIMPLE.replace("name: 测试", "name: 测试二"))
        assert [row[3] for row in links(audited)] == ["deploy_definition"]


def test_the_chain_verifies_and_the_head_is_the_last_link(runtime: Runtime) -> None:
    run_three_commands(runtime)

    verdict = runtime.audit.verify()

    assert verdict.intact, verdict.message
    assert verdict.message == "审计链完整：3 条记录"
    newest = runtime.audit.page(limit=1).records[0]
    assert verdict.head is not None and (verdict.head.seq, verdict.head.hash) == (3, newest.hash)
    assert newest.prev_hash == runtime.audit.page(limit=2).records[1].hash


def test_listing_filters_by_actor_action_and_time(runtime: Runtime, clock: FrozenClock) -> None:
    run_three_commands(runtime)
    later = clock.advance(timedelta(hours=1))
    runtime.execute(StartProcess("t", initiator="u9"))

    by_actor = runtime.audit.page(AuditFilter(actor="u1"))
    by_action = runtime.audit.page(AuditFilter(action="start_process"), limit=1)
    since = runtime.audit.page(AuditFilter(since=later))
    until = runtime.audit.page(AuditFilter(until=later))

    assert [r.entry.action for r in by_actor.records] == ["complete_work_item", "start_process"]
    assert (by_action.total, [r.entry.actor for r in by_action.records]) == (2, ["u9"])
    assert [r.seq for r in since.records] == [4]
    assert until.total == 3


def test_the_database_refuses_to_update_or_delete_a_link(runtime: Runtime) -> None:
    run_three_commands(runtime)

    with pytest.raises(sa.exc.DBAPIError, match="审计记录只能追加"):
        tamper(runtime, "UPDATE audit_log SET summary = 'x' WHERE seq = 2")
    with pytest.raises(sa.exc.DBAPIError, match="审计记录只能追加"):
        tamper(runtime, "DELETE FROM audit_log WHERE seq = 3")
    with pytest.raises(sa.exc.DBAPIError, match="审计记录只能追加"):
        tamper(runtime, "DELETE FROM audit_head")

    assert len(links(runtime)) == 3
    assert runtime.audit.verify().intact


@pytest.mark.postgres
def test_postgresql_refuses_truncating_the_trail(runtime: Runtime) -> None:
    if runtime.database.dialect != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    run_three_commands(runtime)

    with pytest.raises(sa.exc.DBAPIError, match="审计记录只能追加"):
        tamper(runtime, "TRUNCATE audit_log")


def test_an_edited_summary_is_named_by_its_seq(runtime: Runtime) -> None:
    run_three_commands(runtime)
    drop_triggers(runtime)

    tamper(runtime, "UPDATE audit_log SET summary = '发起流程 t（无）' WHERE seq = 2")
    verdict = runtime.audit.verify()

    assert verdict.broken is not None and verdict.broken.kind is BreakKind.EDITED
    assert verdict.message == "第 2 条记录内容被修改"


def test_an_edited_actor_is_named_too(runtime: Runtime) -> None:
    run_three_commands(runtime)
    drop_triggers(runtime)

    tamper(runtime, "UPDATE audit_log SET actor = 'someone_else' WHERE seq = 1")

    assert runtime.audit.verify().message == "第 1 条记录内容被修改"


def test_a_deleted_middle_row_is_named(runtime: Runtime) -> None:
    run_three_commands(runtime)
    drop_triggers(runtime)

    tamper(runtime, "DELETE FROM audit_log WHERE seq = 2")

    assert runtime.audit.verify().message == "第 1 条之后缺少记录（第 2 条被删除）"


def test_a_deleted_last_row_is_named_by_the_head(runtime: Runtime) -> None:
    run_three_commands(runtime)
    drop_triggers(runtime)

    tamper(runtime, "DELETE FROM audit_log WHERE seq = 3")
    verdict = runtime.audit.verify()

    assert verdict.broken is not None and verdict.broken.kind is BreakKind.DELETED
    assert verdict.message == "第 2 条之后缺少记录（第 3 条被删除）"


def test_appending_goes_on_after_someone_deleted_the_head_row(runtime: Runtime) -> None:
    run_three_commands(runtime)
    drop_triggers(runtime)
    tamper(runtime, "DELETE FROM audit_head")

    missing = runtime.audit.verify()
    runtime.execute(StartProcess("t", initiator="u1"))

    assert missing.broken is not None and "链头记录缺失" in missing.message
    assert [row[0] for row in links(runtime)] == [1, 2, 3, 4]
    assert runtime.audit.verify().message == "审计链完整：4 条记录"


def test_a_refused_command_leaves_no_link_of_its_own(runtime: Runtime) -> None:
    run_three_commands(runtime)

    with pytest.raises(NotFound):
        runtime.execute(CompleteWorkItem("no-such-item", "u1"), source="10.0.0.8")

    assert len(links(runtime)) == 3
    assert runtime.audit.verify().intact


def test_a_permission_refusal_is_recorded_in_its_own_transaction(runtime: Runtime) -> None:
    run_three_commands(runtime)
    view = runtime.execute(StartProcess("t", initiator="u1"))

    with pytest.raises(PermissionDenied, match="只有发起人或系统管理员可以催办"):
        runtime.execute(UrgeInstance(view.business_key, actor="intruder"), source="10.9.9.9")

    refused = runtime.audit.page(AuditFilter(action="refused")).records
    assert len(refused) == 1
    entry = refused[0].entry
    assert (entry.actor, entry.source) == ("intruder", "10.9.9.9")
    assert entry.summary.startswith("被拒绝：催办（") and "只有发起人或系统管理员可以催办" in entry.summary
    assert entry.details is not None and entry.details["attempted"] == "urge_instance"
    assert [row[3] for row in links(runtime)][-2:] == ["start_process", "refused"]
    assert runtime.audit.verify().message == "审计链完整：5 条记录"


def test_a_jobs_command_is_recorded_as_the_workers_with_no_actor(
    runtime: Runtime, clock: FrozenClock
) -> None:
    deploy(runtime, TIMED)
    runtime.execute(StartProcess("timed", initiator="u1"))
    clock.advance(timedelta(hours=3))

    ran = runtime.worker(owner="w").run_once()

    fired = runtime.audit.page(AuditFilter(action="fire_timer")).records
    assert ran >= 1
    assert len(fired) == 1
    assert (fired[0].entry.actor, fired[0].entry.source) == (None, "worker")
    assert fired[0].entry.summary.startswith("定时器到期：流程实例 ")
    assert runtime.audit.verify().intact


def test_a_second_process_appending_to_the_same_database_keeps_the_chain(
    migrated_url: str, runtime: Runtime, clock: FrozenClock
) -> None:
    run_three_commands(runtime)
    other = open_runtime(migrated_url, clock=clock, ids=SequentialIds("other"))
    try:
        other.execute(StartProcess("t", initiator="u2"))
        runtime.execute(StartProcess("t", initiator="u3"))
        other.execute(StartProcess("t", initiator="u4"))
    finally:
        other.close()

    assert [row[1] for row in links(runtime)][3:] == ["u2", "u3", "u4"]
    assert runtime.audit.verify().message == "审计链完整：6 条记录"


def test_concurrent_appends_from_several_runtimes_keep_one_chain_without_gaps(
    migrated_url: str, runtime: Runtime, clock: FrozenClock
) -> None:
    """On PostgreSQL the head's row lock orders them; on SQLite the write lock, and each guess goes stale."""
    deploy(runtime, SIMPLE)
    runtimes = [open_runtime(migrated_url, clock=clock, ids=SequentialIds(f"r{n}")) for n in range(4)]
    barrier = threading.Barrier(len(runtimes))
    failures: list[BaseException] = []

    def start_many(each: Runtime, number: int) -> None:
        try:
            barrier.wait()
            for _ in range(15):
                each.execute(StartProcess("t", initiator=f"user{number}"), source=f"10.0.0.{number}")
        except BaseException as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=start_many, args=(each, n)) for n, each in enumerate(runtimes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for each in runtimes:
        each.close()

    assert failures == []
    seqs = [row[0] for row in links(runtime)]
    assert seqs == list(range(1, 62))
    verdict = runtime.audit.verify()
    assert verdict.message == "审计链完整：61 条记录"
    assert verdict.head is not None and verdict.head.seq == 61

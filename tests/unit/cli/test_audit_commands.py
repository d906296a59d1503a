"""``orgflow audit list`` and ``orgflow audit verify`` as an auditor types them."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from .conftest import Orgflow

PROCESS = """\
key: t
name: 测试
business_key_prefix: T
nodes:
  - {id: start, type: start, next: a}
  - {id: a, type: user_task, name: 审批, assignee: {user: u1}, next: end}
  - {id: end, type: end}
"""


def raw(orgflow: Orgflow, *statements: str) -> None:
    """SQL run straight on the file, as someone with access to it could."""
    engine = sa.create_engine(orgflow.url)
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.exec_driver_sql(statement)
    finally:
        engine.dispose()


def test_list_then_verify_intact_then_an_edited_and_a_deleted_row(tmp_path: Path) -> None:
    orgflow = Orgflow(tmp_path / "home")
    source = tmp_path / "t.yaml"
    source.write_text(PROCESS, encoding="utf-8")
    orgflow.json("init")
    orgflow.json("deploy", str(source), "--user", "admin")
    orgflow.json("start", "t", "--user", "u1")
    orgflow.json("start", "t", "--user", "u2")

    everything, by_actor, by_action, future, table, bad, intact, document = orgflow.run_all(
        ("audit", "list", "--json"),
        ("audit", "list", "--actor", "u2", "--json"),
        ("audit", "list", "--action", "start_process", "--limit", "1", "--json"),
        ("audit", "list", "--since", "2999-01-01", "--json"),
        ("audit", "list"),
        ("audit", "list", "--since", "昨天"),
        ("audit", "verify"),
        ("audit", "verify", "--json"),
    )
    raw(orgflow, "DROP TRIGGER audit_log_no_update", "UPDATE audit_log SET summary = 'x' WHERE seq = 3")
    edited, edited_json = orgflow.run("audit", "verify"), orgflow.run("audit", "verify", "--json")
    raw(orgflow, "DROP TRIGGER audit_log_no_delete", "DELETE FROM audit_log WHERE seq = 2")
    deleted = orgflow.run("audit", "verify")

    records = everything.document()["records"]
    assert [r["seq"] for r in records] == [3, 2, 1]
    assert [r["action"] for r in records] == ["start_process", "start_process", "deploy_definition"]
    assert records[2]["summary"] == "部署流程定义 t 版本 1" and records[2]["actor"] == "admin"
    assert {r["source"] for r in records} == {"cli"}
    assert [r["actor"] for r in by_actor.document()["records"]] == ["u2"]
    assert (by_action.document()["total"], len(by_action.document()["records"])) == (2, 1)
    assert future.document()["records"] == []
    assert table.code == 0 and "审计记录（共 3 条" in table.out and "发起流程 t" in table.out
    assert bad.code == 1 and "--since 不是 ISO 格式的时间" in bad.err
    assert (intact.code, intact.out.strip()) == (0, "审计链完整：3 条记录")
    head = document.document()["head"]
    assert document.document()["broken"] is None and head["seq"] == 3 and len(head["hash"]) == 64
    assert (edited.code, edited.out.strip()) == (1, "第 3 条记录内容被修改")
    assert edited_json.code == 1 and edited_json.document()["ok"] is False
    assert edited_json.document()["broken"] == {
        "seq": 3,
        "kind": "edited",
        "message": "第 3 条记录内容被修改",
    }
    assert (deleted.code, deleted.out.strip()) == (1, "第 1 条之后缺少记录（第 2 条被删除）")

"""``orgflow ack`` as a user types it: confirm receipt once, a second time says so, others are refused."""

from __future__ import annotations

from pathlib import Path

from .conftest import Orgflow

SIMPLE = """\
key: cli_ack
name: 确认接收
nodes:
  - {id: start, type: start, next: a}
  - {id: a, type: user_task, name: 需求审核, assignee: {user: u1}, acknowledge: true, next: end}
  - {id: end, type: end}
"""


def test_ack_confirms_receipt_once(tmp_path: Path) -> None:
    orgflow = Orgflow(tmp_path / "home")
    (tmp_path / "ack.yaml").write_text(SIMPLE, encoding="utf-8")
    orgflow.json("init")
    orgflow.json("deploy", str(tmp_path / "ack.yaml"))
    item = orgflow.json("start", "cli_ack", "--user", "boss")["instance"]["work_items"][0]

    refused = orgflow.run("ack", item["id"], "--user", "boss")
    first = orgflow.run("ack", item["id"], "--user", "u1")
    again = orgflow.json("ack", item["id"], "--user", "u1")["acknowledged"]

    assert refused.code == 1 and refused.out == "" and "u1" in refused.err
    assert len(refused.err.splitlines()) == 1
    assert first.code == 0 and "已确认接收" in first.out and "需求审核" in first.out
    assert again["again"] is True and again["actor"] == "u1"


def test_show_says_who_was_told(tmp_path: Path) -> None:
    orgflow = Orgflow(tmp_path / "home")
    timed = SIMPLE.replace("key: cli_ack", "key: cli_told").replace(
        "acknowledge: true", "time_limit: {hours: 8}"
    )
    (tmp_path / "told.yaml").write_text(timed + "sla: {reminders: [created]}\n", encoding="utf-8")
    orgflow.json("init")
    orgflow.json("deploy", str(tmp_path / "told.yaml"))
    key = orgflow.json("start", "cli_told", "--user", "boss")["instance"]["business_key"]
    shown = orgflow.run("show", key)
    assert shown.code == 0
    (told,) = [line for line in shown.out.splitlines() if "通知" in line]
    assert "→ u1" in told and "新待办" in told

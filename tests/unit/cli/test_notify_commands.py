"""``orgflow notifications``, ``outbox`` and ``notify test|preview`` as people type them."""

from __future__ import annotations

from pathlib import Path

from tests.receivers import running_receiver

from .conftest import Orgflow

SIMPLE = """\
key: cli_note
name: 通知
nodes:
  - {id: start, type: start, next: a}
  - {id: a, type: user_task, name: 需求审核, assignee: {user: u1}, next: end}
  - {id: end, type: end}
"""


def test_a_user_reads_their_messages_and_marks_them_read(tmp_path: Path) -> None:
    orgflow = Orgflow(tmp_path / "home")
    (tmp_path / "n.yaml").write_text(SIMPLE, encoding="utf-8")
    orgflow.json("init")
    orgflow.json("deploy", str(tmp_path / "n.yaml"))
    key = orgflow.json("start", "cli_note", "--user", "boss")["instance"]["business_key"]

    found = orgflow.json("notifications", "--user", "u1")["notifications"]
    assert found["unread"] == 1
    (message,) = found["messages"]
    assert message["title"] == f"【新待办】需求审核（{key}）" and message["read_at"] is None
    shown = orgflow.run("notifications", "--user", "u1")
    assert shown.code == 0 and "未读 1 条" in shown.out

    refused = orgflow.run("notifications", "read", "--user", "u1")
    assert refused.code != 0 and "--all" in refused.err
    assert orgflow.json("notifications", "read", "--user", "u1", "--all")["marked"] == 1
    assert orgflow.json("notifications", "--user", "u1", "--unread")["notifications"]["messages"] == []
    assert orgflow.json("outbox")["outbox"] == []  # the inbox only: nothing for other channels


def test_preview_renders_a_template_and_an_unknown_event_is_refused(tmp_path: Path) -> None:
    orgflow = Orgflow(tmp_path / "home")
    shown = orgflow.run("notify", "preview", "overdue")
    assert shown.code == 0 and "【已超时】" in shown.out and "当前节点：" in shown.out
    english = orgflow.json("notify", "preview", "escalated", "--locale", "en")["rendered"]
    assert english["title"].startswith("[Escalated]")
    unknown = orgflow.run("notify", "preview", "no_such_event")
    assert unknown.code != 0 and "no_such_event" in unknown.err


def test_notify_test_reaches_a_configured_webhook_and_reports_a_broken_one(tmp_path: Path) -> None:
    orgflow = Orgflow(tmp_path / "home")
    orgflow.json("init")
    with running_receiver() as receiver:
        (tmp_path / "home" / "notify.yaml").write_text(
            f"webhooks:\n  - {{name: erp, url: '{receiver.url}/hook', secret: s3cr3t-value}}\n"
            f"  - {{name: dead, url: 'http://127.0.0.1:9/hook', secret: s3cr3t-value}}\n",
            encoding="utf-8",
        )
        sent = orgflow.json("notify", "test", "erp")
        assert sent["to"] == "erp"
        assert receiver.only.json()["event"] == "test"
        assert "x-orgflow-signature" in receiver.only.headers
        broken = orgflow.run("notify", "test", "dead")
        assert (broken.code != 0 and "dead" in broken.err) or "webhook" in broken.err
        assert "s3cr3t-value" not in broken.out + broken.err
        unknown = orgflow.run("notify", "test", "nobody")
        assert unknown.code != 0 and "nobody" in unknown.err

"""``orgflow notifications``, ``outbox`` and ``notify test|preview|prefs`` as people type them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.receivers import running_receiver

from .conftest import DEMO_ORG_FILES, Orgflow

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


def test_a_person_sets_shows_and_resets_their_own_channels(tmp_path: Path) -> None:
    orgflow = Orgflow(tmp_path / "home")
    orgflow.json("init")
    orgflow.json("org", "import", *DEMO_ORG_FILES, "--user", "admin")
    (tmp_path / "home" / "notify.yaml").write_text(
        "channels: [inbox]\nevents: {overdue: [inbox, email]}\n"
        "users: {chen_yanfa: {channels: [inbox]}}\nemail: {host: 127.0.0.1, port: 2525}\n",
        encoding="utf-8",
    )

    def sources(document: dict[str, Any]) -> dict[str, tuple[list[str], str]]:
        return {row["event"]: (row["channels"], row["source_label"]) for row in document["events"]}

    before = sources(orgflow.json("notify", "prefs", "--user", "li_yanfa")["preferences"])
    assert (before["assigned"], before["overdue"]) == (
        (["inbox"], "全局默认"),
        (["inbox", "email"], "事件默认"),
    )
    chen = sources(orgflow.json("notify", "prefs", "--user", "chen_yanfa")["preferences"])
    assert chen["overdue"] == (["inbox"], "管理员配置")

    chosen = orgflow.json(
        "notify", "prefs", "set", "--user", "li_yanfa", "--channels", "email,inbox", "--event", "assigned"
    )
    assert sources(chosen["preferences"])["assigned"] == (["inbox", "email"], "本人设置")
    assert chosen["preferences"]["own"] == {"assigned": ["inbox", "email"]}
    shown = orgflow.run("notify", "prefs", "--user", "li_yanfa")
    assert shown.code == 0 and "「新待办」（assigned） → 站内消息、邮件" in shown.out

    no_inbox, unknown, someone_else, nobody = orgflow.run_all(
        ("notify", "prefs", "set", "--user", "li_yanfa", "--channels", "email", "--json"),
        ("notify", "prefs", "set", "--user", "li_yanfa", "--channels", "inbox", "--event", "lunch"),
        ("notify", "prefs", "set", "--user", "li_yanfa", "--channels", "inbox", "--actor", "chen_yanfa"),
        ("notify", "prefs"),
    )
    error = no_inbox.document()["error"]
    assert no_inbox.code == 1 and error["type"] == "ConfigurationError" and "inbox" in error["message"]
    assert unknown.code == 1 and "lunch" in unknown.err and "overdue" in unknown.err
    assert someone_else.code == 1 and "只有本人或系统管理员" in someone_else.err
    assert nobody.code != 0 and "--user" in nobody.err
    kept = orgflow.json("notify", "prefs", "--user", "li_yanfa")["preferences"]
    assert kept["own"] == {"assigned": ["inbox", "email"]}

    reset = orgflow.json("notify", "prefs", "reset", "--user", "li_yanfa")
    assert reset["cleared"] == 1 and reset["preferences"]["own"] == {}
    assert sources(reset["preferences"])["assigned"] == (["inbox"], "全局默认")
    again = orgflow.run("notify", "prefs", "reset", "--user", "li_yanfa")
    assert again.code == 0 and "没有可清除的本人设置" in again.out

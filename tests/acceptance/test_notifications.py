"""Notifications reach people on their channels: in-app, email (a real SMTP server), a signed webhook and a
DingTalk robot (a real HTTP server), from the outbox written with each command; a broken receiver is
retried, then shown to the administrator, and the workflow carries on. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from orgflow.clock import FrozenClock
from orgflow.jobs import JobContext
from orgflow.notify import templates
from orgflow.notify.outbox import Outbox
from orgflow.notify.templates import Templates
from orgflow.org.spreadsheet import read_org_files
from orgflow.runtime import DeployDefinition, Runtime, open_runtime
from orgflow.runtime.actions import (
    CopyInstance,
    ImportOrg,
    MarkNotificationsRead,
    SetNotificationPreference,
    TransferWorkItem,
    UrgeInstance,
)
from orgflow.settings import Settings
from orgflow.store.jobs import JobStatus
from tests.acceptance.conftest import DEMO_ORG, Walk
from tests.acceptance.test_time_rules import HOUR, drain_until
from tests.receivers import Receiver, Recorder, running_receiver, running_smtp

SECRET = "whsec-测试-0001"
ROBOT_SECRET = "SECdingtalk0001"
PROCESS = """
key: notify_review
name: 方案评审
business_key_prefix: REV
nodes:
  - {id: start, type: start, next: review}
  - id: review
    type: user_task
    name: 研发方案评审
    department: 研发部
    assignee: {user: li_yanfa}
    time_limit: {hours: 8}
    next: end
  - {id: end, type: end}
"""


@contextmanager
def configured(database_url: str, clock: FrozenClock, home: Path, notify_yaml: str) -> Iterator[Runtime]:
    """OrgFlow with ``notify_yaml`` as ``<home>/notify.yaml``, the demo org and the review process."""
    (home / "notify.yaml").write_text(notify_yaml, encoding="utf-8")
    settings = Settings(database_url=database_url, home=home, notify_file=home / "notify.yaml")
    with open_runtime(settings, upgrade=True, clock=clock) as runtime:
        runtime.execute(ImportOrg(read_org_files(DEMO_ORG), actor="admin"))
        runtime.execute(DeployDefinition(PROCESS, source_name="notify.yaml", actor="admin"))
        yield runtime


@pytest.fixture
def smtp() -> Iterator[tuple[Recorder, int]]:
    with running_smtp() as running:
        yield running


@pytest.fixture
def hooks() -> Iterator[tuple[Receiver, Receiver]]:
    """The ERP's webhook receiver and the 研发部 DingTalk group."""
    with running_receiver() as webhook, running_receiver() as robot:
        yield webhook, robot


@pytest.fixture
def notified(
    database_url: str,
    clock: FrozenClock,
    tmp_path: Path,
    smtp: tuple[Recorder, int],
    hooks: tuple[Receiver, Receiver],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Runtime]:
    """OrgFlow with email, a webhook and a robot configured (secrets from the environment)."""
    webhook, robot = hooks
    monkeypatch.setenv("TEST_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("TEST_ROBOT_SECRET", ROBOT_SECRET)
    settings = f"""
base_url: https://flow.example.com
channels: [inbox, email]
users:
  wu_fenguan: {{channels: [inbox]}}
quiet_hours: {{start: "22:00", end: "08:00"}}
email: {{host: 127.0.0.1, port: {smtp[1]}, sender: "OrgFlow 通知 <noreply@example.com>"}}
webhooks:
  - {{name: erp, url: "{webhook.url}/orgflow", secret_env: TEST_WEBHOOK_SECRET}}
robots:
  - {{name: 研发群, kind: dingtalk, url: "{robot.url}/robot/send?access_token=tok123456",
      secret_env: TEST_ROBOT_SECRET, events: [overdue], departments: [研发部]}}
"""
    with configured(database_url, clock, tmp_path, settings) as runtime:
        yield runtime


@pytest.fixture
def inbox_first(
    database_url: str, clock: FrozenClock, tmp_path: Path, smtp: tuple[Recorder, int]
) -> Iterator[Runtime]:
    """Email is configured, but people get the in-app inbox only unless they choose more themselves."""
    settings = f"channels: [inbox]\nemail: {{host: 127.0.0.1, port: {smtp[1]}}}\n"
    with configured(database_url, clock, tmp_path, settings) as runtime:
        yield runtime


def start(runtime: Runtime) -> Walk:
    return Walk(runtime, "notify_review", initiator="zhang_shichang")


def test_a_new_step_reaches_its_assignee_in_the_app_by_email_and_the_webhook(
    notified: Runtime, clock: FrozenClock, smtp: tuple[Recorder, int], hooks: tuple[Receiver, Receiver]
) -> None:
    clock.set(datetime(2026, 11, 23, 2, 0, tzinfo=UTC))  # Monday 10:00 in Shanghai
    walk = start(notified)
    item = walk.item("review", "li_yanfa")

    inbox = notified.notifications.inbox("li_yanfa")
    assert inbox.unread == 1
    (message,) = inbox.messages
    assert message.title == f"【新待办】研发方案评审（{walk.view.business_key}）"
    assert message.link == f"https://flow.example.com/work-items/{item.id}"
    assert "计划完成时间：2026-11-23 18:00" in message.text and "剩余时间：8 小时" in message.text

    recorder, _ = smtp
    webhook, robot = hooks
    assert recorder.received == [] and webhook.requests == []  # nothing leaves before the worker runs
    notified.worker(owner="w").run_once()

    (mail,) = recorder.received
    assert mail.rcpt_tos == ["li_yanfa@example.com"]
    parsed = mail.parsed
    assert parsed["Subject"] == message.title
    plain = parsed.get_body(("plain",))
    html = parsed.get_body(("html",))
    assert plain is not None and html is not None
    assert "当前节点：研发方案评审" in plain.get_content()
    assert f"https://flow.example.com/work-items/{item.id}" in html.get_content()

    hook = webhook.only
    body = hook.json()
    assert (body["event"], body["recipient"], body["data"]["task"]) == ("assigned", "erp", "研发方案评审")
    stamp = hook.headers["x-orgflow-timestamp"]
    expected = hmac.new(SECRET.encode(), f"{stamp}.".encode() + hook.body, hashlib.sha256).hexdigest()
    assert hook.headers["x-orgflow-signature"] == f"sha256={expected}"
    assert hook.headers["x-orgflow-idempotency-key"] == body["key"]
    assert robot.requests == []  # the 研发部 robot follows overdue steps only

    assert [entry.notification.status for entry in notified.notifications.outbox()] == ["sent", "sent"]
    assert notified.execute(MarkNotificationsRead("li_yanfa")) == 1
    assert notified.notifications.inbox("li_yanfa").unread == 0


def test_overdue_reaches_the_department_robot_signed(
    notified: Runtime, clock: FrozenClock, hooks: tuple[Receiver, Receiver]
) -> None:
    clock.set(datetime(2026, 11, 23, 2, 0, tzinfo=UTC))
    start(notified)
    drain_until(notified, clock, clock.now() + 9 * HOUR)
    _, robot = hooks
    sent = robot.only
    payload = sent.json()
    assert payload["msgtype"] == "markdown"
    assert payload["markdown"]["title"].startswith("【已超时】研发方案评审")
    assert "已超时" in payload["markdown"]["text"]
    timestamp, sign = sent.query["timestamp"][0], sent.query["sign"][0]
    digest = hmac.new(ROBOT_SECRET.encode(), f"{timestamp}\n{ROBOT_SECRET}".encode(), hashlib.sha256).digest()
    assert sign == base64.b64encode(digest).decode()
    assert sent.query["access_token"] == ["tok123456"]


def test_a_failing_receiver_is_retried_then_shown_and_the_workflow_carries_on(
    notified: Runtime, clock: FrozenClock, hooks: tuple[Receiver, Receiver]
) -> None:
    webhook, _ = hooks
    webhook.answer(500, {"error": "database down"})
    clock.set(datetime(2026, 11, 23, 2, 0, tzinfo=UTC))
    walk = start(notified)
    worker = notified.worker(owner="w")
    for _ in range(14):  # every attempt, each after its backoff
        worker.run_once()
        clock.advance(timedelta(hours=2))
    walk.handle("review", by="li_yanfa")  # the broken webhook never blocked the work
    assert walk.detail.instance.status == "completed"

    failures = notified.notifications.outbox(failed_only=True)
    (failed,) = [entry for entry in failures if entry.notification.event == "assigned"]
    assert failed.notification.recipient == "erp" and failed.attempts == 6
    assert failed.last_error is not None and "500" in failed.last_error and SECRET not in failed.last_error
    assigned = [request for request in webhook.requests if request.json()["event"] == "assigned"]
    assert len(assigned) == 6
    assert len({request.headers["x-orgflow-idempotency-key"] for request in assigned}) == 1

    webhook.answer(200, {"ok": True})
    (late,) = [entry for entry in failures if entry.notification.event == "overdue"]
    assert failed.job_id is not None and late.job_id is not None
    notified.jobs.retry(late.job_id)  # the administrator retries once the receiver is fixed
    notified.jobs.retry(failed.job_id)
    worker.run_once()
    events = [r.json()["event"] for r in webhook.requests]
    assert events.count("overdue") == 7  # six failures, then delivered
    assert events.count("assigned") == 6  # its step is done: not sent again, dropped
    still_failed = {e.notification.id for e in notified.notifications.outbox(failed_only=True)}
    assert late.notification.id not in still_failed and failed.notification.id not in still_failed
    states = {e.notification.id: e.notification.status for e in notified.notifications.outbox()}
    assert (states[late.notification.id], states[failed.notification.id]) == ("sent", "dropped")


def test_quiet_hours_defer_a_new_task_email_but_not_the_inbox(
    notified: Runtime, clock: FrozenClock, smtp: tuple[Recorder, int]
) -> None:
    clock.set(datetime(2026, 11, 23, 15, 0, tzinfo=UTC))  # Monday 23:00 in Shanghai
    start(notified)
    assert notified.notifications.inbox("li_yanfa").unread == 1
    recorder, _ = smtp
    notified.worker(owner="w").run_once()
    assert recorder.received == []
    pending = notified.jobs.list(status=JobStatus.PENDING, kind="notify.deliver")
    assert {job.run_at for job in pending} == {datetime(2026, 11, 24, 0, 0, tzinfo=UTC)}  # Tuesday 08:00
    drain_until(notified, clock, datetime(2026, 11, 24, 0, 0, tzinfo=UTC))
    to_him = [
        str(mail.parsed["Subject"])[:5]
        for mail in recorder.received
        if mail.rcpt_tos == ["li_yanfa@example.com"]
    ]
    # due at 07:00, still quiet: the urgent notices go at once, the others wait until 08:00
    assert to_him == ["【已超时】", "【请提交异", "【新待办】", "【即将到期"]


def test_a_person_who_opts_into_email_for_new_tasks_gets_them_by_email_while_others_stay_in_the_app(
    inbox_first: Runtime, clock: FrozenClock, smtp: tuple[Recorder, int]
) -> None:
    clock.set(datetime(2026, 11, 23, 2, 0, tzinfo=UTC))  # Monday 10:00 in Shanghai
    runtime = inbox_first
    runtime.execute(SetNotificationPreference("li_yanfa", ("inbox", "email"), "assigned", actor="li_yanfa"))
    for_chen = PROCESS.replace("key: notify_review", "key: chen_review").replace("li_yanfa", "chen_yanfa")
    runtime.execute(DeployDefinition(for_chen, source_name="chen.yaml", actor="admin"))
    his = start(runtime)
    Walk(runtime, "chen_review", initiator="zhang_shichang")  # 陈静 chose nothing: the inbox only
    runtime.execute(UrgeInstance(his.view.business_key, actor="zhang_shichang", note="客户在等"))
    runtime.worker(owner="w").run_once()

    recorder, _ = smtp
    assert [(mail.rcpt_tos, str(mail.parsed["Subject"])) for mail in recorder.received] == [
        (["li_yanfa@example.com"], f"【新待办】研发方案评审（{his.view.business_key}）")
    ]  # urging is not among the events he chose email for
    assert sorted(m.event for m in runtime.notifications.inbox("li_yanfa").messages) == ["assigned", "urged"]
    assert [m.event for m in runtime.notifications.inbox("chen_yanfa").messages] == ["assigned"]
    outbox = runtime.notifications.outbox()
    assert [(e.notification.recipient, e.notification.channel, e.notification.status) for e in outbox] == [
        ("li_yanfa", "email", "sent")
    ]


def test_a_transfer_tells_the_new_holder_on_their_own_channels(
    notified: Runtime, clock: FrozenClock, smtp: tuple[Recorder, int]
) -> None:
    clock.set(datetime(2026, 11, 23, 2, 0, tzinfo=UTC))
    walk = start(notified)
    item = walk.item("review", "li_yanfa")
    walk.act(TransferWorkItem(item.id, "li_yanfa", "wu_fenguan", "出差，请吴总代审"))
    (told,) = notified.notifications.inbox("wu_fenguan").messages
    assert told.title.startswith("【转交】研发方案评审")
    assert "李强将「研发方案评审」转交给您，说明：出差，请吴总代审" in told.text
    recorder, _ = smtp
    drain_until(notified, clock, clock.now() + HOUR)
    assert ["wu_fenguan@example.com"] not in [
        mail.rcpt_tos for mail in recorder.received
    ]  # inbox only, by choice


def test_a_worker_dying_after_sending_sends_again_with_the_same_key_and_records_once(
    notified: Runtime, clock: FrozenClock, hooks: tuple[Receiver, Receiver]
) -> None:
    webhook, _ = hooks
    clock.set(datetime(2026, 11, 23, 2, 0, tzinfo=UTC))
    start(notified)
    crashed = notified.worker(owner="crashed", lease=timedelta(minutes=5))
    held = [job for job in crashed.acquire() if job.payload and "notification_id" in job.payload]
    erp = [job for job in held if "erp" in str(job.key)]
    assert len(erp) == 1
    with notified.database.transaction() as connection:  # it prepared and sent, then died before recording
        prepared = notified.deliveries.prepare(JobContext(connection, erp[0], clock.now()))
    assert prepared is not None
    notified.deliveries.call(prepared)
    clock.advance(timedelta(minutes=6))
    drain_until(notified, clock, clock.now(), owner="survivor")
    keys = [request.headers["x-orgflow-idempotency-key"] for request in webhook.requests]
    assert len(keys) == 2 and len(set(keys)) == 1  # at least once, de-duplicable
    statuses = [
        e.notification.status for e in notified.notifications.outbox() if e.notification.recipient == "erp"
    ]
    assert statuses == ["sent"]


def test_copying_and_urging_reach_the_people_they_name(notified: Runtime, clock: FrozenClock) -> None:
    walk = start(notified)
    notified.execute(
        CopyInstance(walk.view.business_key, users=("wu_fenguan",), actor="zhang_shichang", note="请知悉")
    )
    notified.execute(UrgeInstance(walk.view.business_key, actor="zhang_shichang", note="客户在等"))
    (copied,) = notified.notifications.inbox("wu_fenguan").messages
    assert copied.title == f"【抄送】方案评审（{walk.view.business_key}）"
    assert "张敏将「方案评审」抄送给您：请知悉" in copied.text
    urged = [m for m in notified.notifications.inbox("li_yanfa").messages if m.event == "urged"]
    assert [m.title for m in urged] == [f"【催办】研发方案评审（{walk.view.business_key}）"]
    assert "客户在等" in urged[0].text


EVENTS = sorted(
    yaml.safe_load(
        (Path(templates.__file__).with_name("templates") / "zh-CN" / "events.yaml").read_text("utf-8")
    )
)


def test_every_event_arrives_on_every_channel_with_its_title(
    database_url: str, clock: FrozenClock, tmp_path: Path, smtp: tuple[Recorder, int]
) -> None:
    recorder, port = smtp
    with running_receiver() as http:
        http.answer(200, {"errcode": 0, "code": 0, "errmsg": "ok"})
        (tmp_path / "notify.yaml").write_text(
            f"""
channels: [inbox, email]
email: {{host: 127.0.0.1, port: {port}}}
webhooks: [{{name: erp, url: "{http.url}/erp", secret: k1}}]
robots:
  - {{name: 钉钉群, kind: dingtalk, url: "{http.url}/dingtalk", secret: k2}}
  - {{name: 企微群, kind: wecom, url: "{http.url}/wecom"}}
  - {{name: 飞书群, kind: feishu, url: "{http.url}/feishu", secret: k3}}
""",
            encoding="utf-8",
        )
        settings = Settings(database_url=database_url, home=tmp_path, notify_file=tmp_path / "notify.yaml")
        with open_runtime(settings, upgrade=True, clock=clock) as runtime:
            runtime.execute(ImportOrg(read_org_files(DEMO_ORG), actor="admin"))
            runtime.execute(DeployDefinition(PROCESS, source_name="notify.yaml", actor="admin"))
            walk = start(runtime)
            drain_until(runtime, clock, clock.now())
            http.requests.clear()
            recorder.received.clear()
            outbox = Outbox(runtime.notify, runtime.calendars.company)
            facts = {"task": "研发方案评审", "business_key": walk.view.business_key, "process": "方案评审"}
            with runtime.database.transaction() as connection:
                for event in EVENTS:
                    outbox.write(
                        connection,
                        event=event,
                        recipients=["li_yanfa"],
                        org=runtime.queries.org(),
                        now=clock.now(),
                        facts=facts,
                        instance_id=walk.view.id,
                    )
            drain_until(runtime, clock, clock.now())
            assert runtime.notifications.outbox(failed_only=True) == []
            titles = {event: Templates().render(event, "zh-CN", facts).title for event in EVENTS}

        mailed = {
            str(mail.parsed["X-OrgFlow-Event"]): str(mail.parsed["Subject"]) for mail in recorder.received
        }
        assert {event: mailed.get(event) for event in EVENTS} == titles
        for path, title_of in (
            ("/erp", lambda body: body["title"]),
            ("/dingtalk", lambda body: body["markdown"]["title"]),
            ("/wecom", lambda body: body["markdown"]["content"].splitlines()[0].strip("*")),
            ("/feishu", lambda body: body["content"]["post"]["zh_cn"]["title"]),
        ):
            arrived = sorted(title_of(request.json()) for request in http.requests if request.path == path)
            assert arrived == sorted(titles.values()), path


def test_a_definition_routes_an_event_to_the_people_it_names(notified: Runtime, clock: FrozenClock) -> None:
    routed = PROCESS.replace("key: notify_review", "key: routed_review") + (
        "notify:\n  approved: [initiator, initiator_head]\n  assigned: [assignee, assignee_head]\n"
    )
    notified.execute(DeployDefinition(routed, source_name="routed.yaml", actor="admin"))
    walk = Walk(notified, "routed_review", initiator="zhang_shichang")
    # 李强 heads 研发部, so "the assignee's head" is the head above him: 总经理 郑 (zheng_zongjingli)
    assert [m.event for m in notified.notifications.inbox("zheng_zongjingli").messages] == ["assigned"]
    clock.advance(timedelta(minutes=5))  # newest first: by when each was written
    walk.handle("review", by="li_yanfa")
    assert [m.event for m in notified.notifications.inbox("zhang_shichang").messages] == ["approved"]
    assert [m.event for m in notified.notifications.inbox("zheng_zongjingli").messages] == [
        "approved",
        "assigned",
    ]


def test_a_held_back_message_about_a_step_done_meanwhile_is_dropped(
    notified: Runtime, clock: FrozenClock, smtp: tuple[Recorder, int]
) -> None:
    clock.set(datetime(2026, 11, 23, 15, 0, tzinfo=UTC))  # Monday 23:00 in Shanghai: quiet hours
    walk = start(notified)
    clock.advance(2 * HOUR)
    walk.handle("review", by="li_yanfa")  # done at 01:00, before the new-task email may go
    drain_until(notified, clock, datetime(2026, 11, 24, 1, 0, tzinfo=UTC))
    recorder, _ = smtp
    subjects = {(mail.rcpt_tos[0], str(mail.parsed["Subject"])[:5]) for mail in recorder.received}
    assert ("li_yanfa@example.com", "【新待办】") not in subjects
    assert ("zhang_shichang@example.com", "【已通过】") in subjects  # the end still goes, after 08:00
    emails = {
        e.notification.event: e.notification.status
        for e in notified.notifications.outbox()
        if e.notification.channel == "email"
    }
    assert emails == {"assigned": "dropped", "approved": "sent"}

"""通知渠道 and 后台任务 pages: channels with secrets never shown, a test message, failed deliveries and jobs.

The runtime here is configured with channels (``runtime`` is overridden for
this module): a webhook ``ops`` posting to a receiver this test runs, a
webhook ``down`` whose address refuses connections (its deliveries fail), a
DingTalk robot whose URL carries an access token, and an SMTP server with a
password. None of their secrets may appear in a page.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from orgflow.clock import FrozenClock
from orgflow.ids import SequentialIds
from orgflow.notify.config import EmailServer, Endpoint, NotifyConfig
from orgflow.runtime import Runtime, open_runtime
from orgflow.store import jobs
from orgflow.store.jobs import JobRequest, JobStatus

from .conftest import Browser

WEBHOOK_SECRET = "whsec-7f3a9c1e5b2d"
ROBOT_TOKEN = "dt-token-4f8e2a9b7c61"
ROBOT_SECRET = "SEC-robot-93kq77x1"
SMTP_PASSWORD = "smtp-pass-5v8w2z"
SECRETS = (WEBHOOK_SECRET, ROBOT_TOKEN, ROBOT_SECRET, SMTP_PASSWORD)


class Receiver:
    """A webhook receiver on a free local port, keeping what it was sent."""

    def __init__(self) -> None:
        received: list[tuple[str, dict[str, str]]] = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                self.rfile.read(length)
                received.append((self.path, dict(self.headers)))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args: object) -> None:
                pass

        self.received = received
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/orgflow"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    opened = Receiver()
    yield opened
    opened.close()


def _config(receiver: Receiver) -> NotifyConfig:
    return NotifyConfig(
        email=EmailServer(host="smtp.example.invalid", port=587, security="starttls", password=SMTP_PASSWORD),
        endpoints=(
            Endpoint(
                name="ops",
                kind="webhook",
                url=receiver.url,
                secret=WEBHOOK_SECRET,
                events=frozenset({"overdue"}),
            ),
            Endpoint(
                name="down", kind="webhook", url="http://127.0.0.1:9/hook", events=frozenset({"assigned"})
            ),
            Endpoint(
                name="研发群",
                kind="dingtalk",
                url=f"https://oapi.dingtalk.com/robot/send?access_token={ROBOT_TOKEN}",
                secret=ROBOT_SECRET,
                events=frozenset({"escalated"}),
                departments=frozenset({"研发部"}),
            ),
        ),
    )


@pytest.fixture
def runtime(migrated_url: str, clock: FrozenClock, receiver: Receiver) -> Iterator[Runtime]:
    """The runtime with the channels above (overrides the integration tests' plain one)."""
    opened = open_runtime(migrated_url, clock=clock, ids=SequentialIds("id"), notify=_config(receiver))
    try:
        yield opened
    finally:
        opened.close()


def _fail_deliveries(runtime: Runtime, clock: FrozenClock) -> list[str]:
    """Run the worker until the deliveries to ``down`` have used up their attempts; their job ids."""
    worker = runtime.worker(owner="test")
    for _ in range(8):
        while worker.run_once():
            pass
        clock.advance(timedelta(minutes=5))
    failed = runtime.notifications.outbox(failed_only=True)
    assert failed, "the deliveries to the refusing address should have failed"
    return [entry.job_id for entry in failed if entry.job_id]


def test_channels_are_listed_and_no_secret_reaches_the_page(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime, clock: FrozenClock
) -> None:
    _fail_deliveries(demo_runtime, clock)
    admin = browser_for("admin")
    page = admin.get("/admin/notifications")
    assert page.status_code == 200
    for secret in SECRETS:
        assert secret not in page.text
    assert "hooks/orgflow" not in page.text  # a URL shows its host only
    robot = page.text.split('data-channel="研发群" data-kind="dingtalk"')[1].split("</tr>")[0]
    assert "<code data-where>https://oapi.dingtalk.com/…</code>" in robot
    assert 'data-secret="set"' in robot and "研发部" in robot
    down = page.text.split('data-channel="down" data-kind="webhook"')[1].split("</tr>")[0]
    assert 'data-secret="none"' in down
    email = page.text.split('data-channel="email" data-kind="email"')[1].split("</tr>")[0]
    assert "smtp.example.invalid:587" in email and 'data-secret="set"' in email
    assert 'data-channel="inbox"' in page.text
    assert 'id="failed-messages"' in page.text  # failed deliveries and their last errors, still no secret


def test_a_test_message_goes_out_through_the_chosen_channel(
    browser_for: Callable[[str], Browser], receiver: Receiver
) -> None:
    admin = browser_for("admin")
    admin.get("/admin/notifications")
    answer = admin.post("/admin/notifications/test", {"channel": "ops", "to": ""})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/admin/notifications?notice=test_sent"
    assert len(receiver.received) == 1
    path, headers = receiver.received[0]
    assert path == "/hooks/orgflow"
    assert {k.lower(): v for k, v in headers.items()}["x-orgflow-event"] == "test"
    assert "测试消息已发送" in admin.get(answer.headers["location"]).text


def test_a_failing_test_message_says_why_beside_the_form(browser_for: Callable[[str], Browser]) -> None:
    admin = browser_for("admin")
    admin.get("/admin/notifications")
    answer = admin.post("/admin/notifications/test", {"channel": "down"})
    assert answer.status_code == 422
    error = answer.text.split('id="test-channel-error" role="alert">')[1].split("</p>")[0]
    assert "发送失败" in error and "Connection refused" in error
    assert '<option value="down" selected>' in answer.text
    unknown = admin.post("/admin/notifications/test", {"channel": "nobody"})
    assert unknown.status_code == 422
    assert "请选择一个已配置的渠道" in unknown.text


def test_a_failed_delivery_is_shown_with_its_error_and_retried(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime, clock: FrozenClock
) -> None:
    failed = _fail_deliveries(demo_runtime, clock)
    admin = browser_for("admin")
    page = admin.get("/admin/notifications").text
    job_id = failed[0]
    row = page.split(f'data-job="{job_id}"')[1].split("</tr>")[0]
    assert "发送失败" in row.split("data-last-error>")[1]
    assert "down" in row
    answer = admin.post(f"/admin/jobs/{job_id}/retry", {"back": "notifications"})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/admin/notifications?notice=retried"
    retried = next(j for j in demo_runtime.jobs.list(status=JobStatus.PENDING) if j.id == job_id)
    assert retried.attempts == 0
    assert f'data-job="{job_id}"' not in admin.get("/admin/notifications").text


def _failed_job(runtime: Runtime) -> str:
    now = runtime.clock.now()
    with runtime.database.transaction() as connection:
        job_id = jobs.schedule(
            connection, JobRequest(kind="no.such.kind", run_at=now, subject="s1", max_attempts=1), now=now
        )
    assert job_id is not None
    worker = runtime.worker(owner="test")
    while worker.run_once():  # everything due now, this job among them
        pass
    return job_id


def test_a_failed_job_retried_through_the_page_is_queued_again(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    job_id = _failed_job(demo_runtime)
    admin = browser_for("admin")
    page = admin.get("/admin/jobs")
    assert page.status_code == 200
    row = page.text.split(f'data-job="{job_id}" data-kind="no.such.kind" data-status="failed"')[1].split(
        "</tr>"
    )[0]
    assert "no.such.kind" in row.split("data-last-error>")[1]
    assert 'data-action="retry"' in row
    assert f'data-count="failed">{demo_runtime.jobs.count(status=JobStatus.FAILED)}<' in page.text
    answer = admin.post(f"/admin/jobs/{job_id}/retry", {"back": "jobs"})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/admin/jobs?notice=retried"
    pending = {j.id: j for j in demo_runtime.jobs.list(status=JobStatus.PENDING, limit=1000)}
    assert job_id in pending and pending[job_id].attempts == 0
    assert f'data-job="{job_id}"' not in admin.get("/admin/jobs").text
    again = admin.post(f"/admin/jobs/{job_id}/retry", {"back": "jobs"})
    assert again.status_code == 409
    assert "尚未失败" in again.text


def test_only_administrators_see_jobs_and_channels(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    job_id = _failed_job(demo_runtime)
    for user_id in ("qin_yunying", "shen_shenji", "wang_shichang"):
        browser = browser_for(user_id)
        for path in ("/admin/jobs", "/admin/notifications"):
            refused = browser.get(path)
            assert refused.status_code == 403
            assert "管理后台任务" in refused.text
            assert SMTP_PASSWORD not in refused.text
        assert browser.post(f"/admin/jobs/{job_id}/retry").status_code == 403
    assert [j.id for j in demo_runtime.jobs.list(status=JobStatus.FAILED)] == [job_id]


def test_the_jobs_page_renders_in_english(
    browser_for: Callable[[str], Browser], demo_runtime: Runtime
) -> None:
    _failed_job(demo_runtime)
    admin = browser_for("admin")
    admin.client.cookies.set("orgflow_lang", "en")
    page = admin.get("/admin/jobs").text
    assert "Background jobs" in page and "Last error" in page and ">Retry<" in page
    channels = admin.get("/admin/notifications").text
    assert (
        "Configured channels" in channels and "Set (not shown)" in channels and "DingTalk robot" in channels
    )

"""``orgflow serve`` as a real process on SQLite: it serves the API, runs the job worker in-process, and
stops cleanly on Ctrl+C (SIGINT)."""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from orgflow.auth.tokens import issue_token
from orgflow.runtime import open_runtime
from orgflow.store.notifications import DELIVERY_JOB
from tests.receivers import Receiver, running_receiver

ROOT = Path(__file__).resolve().parents[2]

#: The submission the demo's returned request is sent back with.
RESUBMITTED = {
    "task_name": "智能水杯C上市推进",
    "partner_departments": "研发部、销售部",
    "deadline": "2027-05-31",
    "priority": "高",
}

#: Seconds each wait below may take at most (the demo data takes a few seconds: argon2 hashes).
PATIENCE = 15.0


def orgflow_executable() -> str:
    found = shutil.which("orgflow", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail("the orgflow console script is not installed (pip install -e .)", pytrace=False)
    return found


class Served:
    """A running ``orgflow serve`` and the lines it has printed so far."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.lines: list[str] = []
        self._new: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._new.put(line)
        self._new.put(None)

    def wait_for_line(self, pattern: str) -> re.Match[str]:
        """The first printed line matching ``pattern`` (waiting at most ``PATIENCE`` seconds)."""
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline:
            try:
                line = self._new.get(timeout=0.1)
            except queue.Empty:
                continue
            if line is None:
                break
            self.lines.append(line)
            if found := re.search(pattern, line):
                return found
        pytest.fail(f"orgflow serve printed no line like {pattern!r}:\n{''.join(self.lines)}", pytrace=False)

    def rest_of_output(self) -> str:
        self._reader.join(timeout=PATIENCE)
        while (line := self._new.get_nowait() if not self._new.empty() else None) is not None:
            self.lines.append(line)
        return "".join(self.lines)


@contextmanager
def serving(home: Path, *args: str) -> Iterator[Served]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("ORGFLOW_")}
    env["ORGFLOW_HOME"] = str(home)
    process = subprocess.Popen(
        [orgflow_executable(), "serve", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    try:
        yield Served(process)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=PATIENCE)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def eventually(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    pytest.fail(f"gave up waiting: {what}", pytrace=False)


def up(base: str) -> bool:
    try:
        return httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def hooks(receiver: Receiver) -> list[str]:
    return [request.path for request in list(receiver.requests) if request.method == "POST"]


def test_serve_answers_runs_its_worker_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    with running_receiver() as receiver:
        hook = f"{{name: erp, url: '{receiver.url}/hook', secret: s3cr3t-value}}"
        (home / "notify.yaml").write_text(f"channels: [inbox]\nwebhooks:\n  - {hook}\n", encoding="utf-8")
        with serving(home, "--demo", "--port", "0") as served:
            found = served.wait_for_line(r"OrgFlow 服务已启动：(http://127\.0\.0\.1:\d+)")
            base = found.group(1)
            eventually(lambda: up(base), f"{base}/api/v1/health answers 200")
            health = httpx.get(f"{base}/api/v1/health").json()
            assert health == {"status": "ok", "database": "sqlite"}
            assert "orgflow-wu" in "".join(served.lines)  # the demo sign-ins were printed
            # The started line sends people to the web UI first, then to the API's docs; so does the
            # demo's list of sign-ins. The address opens the sign-in page.
            started = found.string
            assert f"服务已启动：{base}/ （在浏览器打开并登录；API 文档 {base}/docs；" in started
            assert "后台任务由本进程执行" in started and "按 Ctrl+C 停止" in started
            assert f"在浏览器打开 {base}/ ，用上面的演示账号登录" in "".join(served.lines)
            front = httpx.get(f"{base}/", follow_redirects=True)
            assert front.status_code == 200 and str(front.url).startswith(f"{base}/login")
            assert 'name="password"' in front.text
            assert httpx.get(f"{base}/docs").status_code == 200

            with open_runtime(f"sqlite:///{home / 'orgflow.db'}") as runtime:
                with runtime.database.transaction() as connection:
                    token = issue_token(
                        connection,
                        token_id="serve-test",
                        user_id="wu_fenguan",
                        name="test",
                        now=runtime.clock.now(),
                    )
                me = httpx.get(f"{base}/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
                assert me["user_id"] == "wu_fenguan" and me["name"] == "吴刚"
                assert "分管领导" in me["roles"]
                assert httpx.get(f"{base}/api/v1/me").status_code == 401
                # A browser signs in with a demo password over plain http on loopback: the cookie is not
                # ``Secure`` there (or the browser would drop it), but HttpOnly and SameSite.
                with httpx.Client(base_url=base) as browser:
                    login = browser.post(
                        "/api/v1/auth/login", json={"user_id": "li_yanfa", "password": "orgflow-li"}
                    )
                    assert login.status_code == 200, login.text
                    cookie = login.headers["set-cookie"].lower()
                    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
                    assert browser.get("/api/v1/me").json()["user_id"] == "li_yanfa"

                # The demo's assignments were told to the webhook by the worker inside `serve`, ...
                eventually(
                    lambda: len(hooks(receiver)) > 0, "the worker in serve delivers the demo's webhooks"
                )
                eventually(lambda: not runtime.notifications.outbox(pending_only=True), "the outbox drains")
                before = len(hooks(receiver))
                # ... and so is the notice of a step completed through the API now (the 市场部 employee
                # resubmits the request sent back for revision; the 分管领导 is told).
                with runtime.database.transaction() as connection:
                    token = issue_token(
                        connection,
                        token_id="serve-wang",
                        user_id="wang_shichang",
                        name="t",
                        now=runtime.clock.now(),
                    )
                wang = {"Authorization": f"Bearer {token}"}
                todo = httpx.get(
                    f"{base}/api/v1/inbox", headers=wang, params={"definition_key": "new_product_launch"}
                )
                (item,) = todo.json()["items"]
                resubmitted = {**RESUBMITTED, "goal": "618 前完成线上首发；附目标市场与竞品分析"}
                done = httpx.post(
                    f"{base}/api/v1/work-items/{item['id']}/complete",
                    headers=wang,
                    json={"outcome": "submit", "data": resubmitted, "comment": "已补充"},
                )
                assert done.status_code == 200, done.text
                assert [step["node_id"] for step in done.json()["work_items"]] == ["review"]
                eventually(
                    lambda: len(hooks(receiver)) > before, "the worker in serve delivers the new notice"
                )
                assert not runtime.jobs.list(kind=DELIVERY_JOB, limit=50)

            served.process.send_signal(signal.SIGINT)
            code = served.process.wait(timeout=PATIENCE)
            out = served.rest_of_output()
            err = served.process.stderr.read() if served.process.stderr else ""
    assert code == 0, err
    assert "OrgFlow 服务已停止" in out
    assert "Traceback" not in err


def test_serve_refuses_an_uninitialised_database(tmp_path: Path) -> None:
    with serving(tmp_path / "home", "--port", "0") as served:
        code = served.process.wait(timeout=PATIENCE)
        err = served.process.stderr.read() if served.process.stderr else ""
    assert code == 1
    assert "尚未初始化" in err and "orgflow init" in err


def test_serve_refuses_a_port_in_use(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with serving(tmp_path / "home", "--demo", "--port", str(port)) as served:
            code = served.process.wait(timeout=PATIENCE)
            err = served.process.stderr.read() if served.process.stderr else ""
    assert code == 1
    assert f"127.0.0.1:{port}" in err and "端口" in err

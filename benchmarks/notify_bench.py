"""Notification throughput and the outbox's cost to commands, on SQLite.

Figures:

- messages delivered per second by one worker to a local webhook receiver (a
  real HTTP server in this process, answering 200), each a signed JSON POST
  sent outside any transaction and then marked sent;
- the latency of a runtime command (StartProcess + CompleteWorkItem on a
  one-step definition, which tells the assignee and then the initiator) with
  no notifications, with the in-app inbox, and with the inbox plus a webhook
  (an outbox row and a delivery job more per notice). Target: the outbox adds
  less than 10 % to command latency.

    .venv/bin/python benchmarks/notify_bench.py              # --messages 5000 --samples 300 --json
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from orgflow.runtime import CompleteWorkItem, DeployDefinition, StartProcess, open_runtime
from orgflow.settings import Settings

SIMPLE = """\
key: t
name: 测试
business_key_prefix: T
nodes:
  - {id: start, type: start, next: a}
  - {id: a, type: user_task, name: 审批, assignee: {user: u1}, next: end}
  - {id: end, type: end}
"""


class _Answer(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.server.count += 1  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@contextmanager
def receiver() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
    server.count = 0  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def settings(folder: Path, name: str, notify: str) -> Settings:
    home = folder / name
    home.mkdir()
    (home / "notify.yaml").write_text(notify, encoding="utf-8")
    return Settings(
        database_url=f"sqlite:///{home / 'orgflow.db'}", home=home, notify_file=home / "notify.yaml"
    )


def command_latency(chosen: Settings, samples: int) -> dict[str, float]:
    """p50/p95 of one start + complete, in ms."""
    with open_runtime(chosen, upgrade=True) as runtime:
        runtime.execute(DeployDefinition(SIMPLE, source_name="bench.yaml"))

        def command() -> None:
            view = runtime.execute(StartProcess("t", {}, initiator="u2"))
            runtime.execute(CompleteWorkItem(view.work_items[0].id, actor="u1"))

        for _ in range(min(30, samples)):
            command()
        spent = []
        for _ in range(samples):
            started = time.perf_counter()
            command()
            spent.append(time.perf_counter() - started)
    ordered = sorted(spent)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 3),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 3),
    }


def delivered_per_second(chosen: Settings, messages: int, server: ThreadingHTTPServer) -> dict[str, Any]:
    """Write ``messages`` webhook notices (one per started instance), then drain them with one worker."""
    with open_runtime(chosen, upgrade=True) as runtime:
        runtime.execute(DeployDefinition(SIMPLE, source_name="bench.yaml"))
        for _ in range(messages):
            runtime.execute(StartProcess("t", {}, initiator="u2"))
        before = server.count  # type: ignore[attr-defined]
        worker = runtime.worker(owner="bench", batch=100)
        started = time.perf_counter()
        ran = 0
        while done := worker.run_once():
            ran += done
        seconds = time.perf_counter() - started
        delivered = server.count - before  # type: ignore[attr-defined]
        failed = runtime.notifications.outbox(failed_only=True)
    assert delivered == messages and not failed, f"{delivered} of {messages} delivered, {len(failed)} failed"
    return {"messages": delivered, "seconds": round(seconds, 2), "per_second": round(delivered / seconds)}


def run(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    with receiver() as server:
        url = f"http://127.0.0.1:{server.server_port}/hook"
        hook = f"webhooks: [{{name: bench, url: '{url}', secret: s, events: [assigned]}}]\n"
        results: dict[str, Any] = {
            "delivery": delivered_per_second(settings(folder, "delivery", hook), args.messages, server)
        }
        latency = {
            "none": command_latency(settings(folder, "none", "channels: []\n"), args.samples),
            "inbox": command_latency(settings(folder, "inbox", "channels: [inbox]\n"), args.samples),
            "inbox_and_webhook": command_latency(
                settings(folder, "webhook", "channels: [inbox]\n" + hook), args.samples
            ),
        }
    base = latency["none"]["p50_ms"]
    results["command_latency"] = {
        name: {**figures, "added_percent": round((figures["p50_ms"] / base - 1) * 100, 1)}
        for name, figures in latency.items()
    }
    return results


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000, help="webhook messages to deliver")
    parser.add_argument("--samples", type=int, default=300, help="commands timed per configuration")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        results = run(args, Path(folder))
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return
    delivery = results["delivery"]
    print(
        f"webhook, 1 worker: {delivery['messages']} messages in {delivery['seconds']} s "
        f"({delivery['per_second']}/s)"
    )
    for name, figures in results["command_latency"].items():
        print(
            f"command (start + complete), {name:<18} p50 {figures['p50_ms']:7.3f} ms  "
            f"p95 {figures['p95_ms']:7.3f} ms  (+{figures['added_percent']} % over none)"
        )


if __name__ == "__main__":
    main()

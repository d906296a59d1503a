"""Notification throughput and the outbox's cost to commands, on SQLite.

Figures:

- messages delivered per second by one worker to a local webhook receiver (a
  real HTTP server in this process, answering 200), each a signed JSON POST
  sent outside any transaction and then marked sent;
- the latency of a runtime command (StartProcess + CompleteWorkItem on a
  one-step definition, which tells the assignee and then the initiator) with
  notifications off (``enabled: false``), with routing but no channel
  (``channels: []``: every notice decided, no row written), with the in-app
  inbox, and with the inbox plus a webhook (an outbox row and a delivery job
  more per notice). Target: the outbox's writes add less than 10 % to command
  latency (the ratio over ``none``); the ratio over ``off`` is printed too.
  Ratios are medians of per-round ratios.

    .venv/bin/python benchmarks/notify_bench.py              # --messages 5000 --samples 900 --rounds 9 --json
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
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
        # One write: headers and body in separate segments would meet the client's delayed ACK (~40 ms).
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")

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


def command_latencies(configs: Mapping[str, Settings], samples: int, rounds: int) -> dict[str, Any]:
    """p50 of one start + complete per configuration, the configurations taking turns round by round.

    The machine's speed drifts; taking turns and comparing within each round keeps the
    drift out of the ratios (the same method as ``approval_bench.py``).
    """
    with ExitStack() as stack:
        commands = {name: stack.enter_context(_commanding(chosen)) for name, chosen in configs.items()}
        for command in commands.values():
            for _ in range(30):
                command()
        per_round: dict[str, list[float]] = {name: [] for name in configs}
        for _ in range(rounds):
            for name, command in commands.items():
                spent = []
                for _ in range(max(1, samples // rounds)):
                    started = time.perf_counter()
                    command()
                    spent.append(time.perf_counter() - started)
                per_round[name].append(statistics.median(spent))

    def added(medians: list[float], base: list[float]) -> float:
        return round((statistics.median(m / b for m, b in zip(medians, base, strict=True)) - 1) * 100, 1)

    return {
        name: {
            "p50_ms": round(statistics.median(medians) * 1000, 3),
            "added_percent": added(medians, per_round["none"]),
            "over_off_percent": added(medians, per_round["off"]),
        }
        for name, medians in per_round.items()
    }


@contextmanager
def _commanding(chosen: Settings) -> Iterator[Callable[[], None]]:
    with open_runtime(chosen, upgrade=True) as runtime:
        runtime.execute(DeployDefinition(SIMPLE, source_name="bench.yaml"))

        def command() -> None:
            view = runtime.execute(StartProcess("t", {}, initiator="u2"))
            runtime.execute(CompleteWorkItem(view.work_items[0].id, actor="u1"))

        yield command


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
        configs = {
            "off": settings(folder, "off", "enabled: false\n"),
            "none": settings(folder, "none", "channels: []\n"),
            "inbox": settings(folder, "inbox", "channels: [inbox]\n"),
            "inbox_and_webhook": settings(folder, "webhook", "channels: [inbox]\n" + hook),
        }
        results["command_latency"] = command_latencies(configs, args.samples, args.rounds)
    return results


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000, help="webhook messages to deliver")
    parser.add_argument("--samples", type=int, default=900, help="commands timed per configuration")
    parser.add_argument("--rounds", type=int, default=9, help="turns the configurations take")
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
            f"({figures['added_percent']:+} % over none, {figures['over_off_percent']:+} % over off)"
        )


if __name__ == "__main__":
    main()

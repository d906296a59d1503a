"""The REST API under load: concurrent clients on loopback starting instances and completing work items.

Real server processes (``orgflow serve``, uvicorn) on 127.0.0.1, each setup on
a database of its own:

- ``sqlite``: one ``serve`` process, its job worker in-process (the embedded default);
- ``postgresql``: two ``serve --no-worker`` processes on two ports, the clients split
  between them, and one ``orgflow worker``; a fresh schema in the ``test`` database at
  ``ORGFLOW_TEST_POSTGRES_URL`` (default ``postgresql+psycopg://root@127.0.0.1:5432/test``),
  selected with ``search_path`` as the tests do, and dropped afterwards.

Each client (``--clients``, default 50) is one keep-alive HTTP/1.1 connection
in one asyncio loop, signed in with its own personal API token, and repeats
until ``--duration`` seconds have passed (or ``--iterations`` rounds each):

    POST /api/v1/instances                      start 压测审批 (两步：提交 → 审核, both the client's)
    GET  /api/v1/inbox?definition_key=…        find the new work item (待办)
    GET  /api/v1/work-items/{id}                open it (form and data)
    POST /api/v1/work-items/{id}/complete       提交
    GET  /api/v1/inbox?definition_key=…        the second step
    POST /api/v1/work-items/{id}/complete       审核 (the instance ends)

``--scenario ping`` instead repeats ``GET /api/v1/me`` and ``GET
/api/v1/health``: the floor of an authenticated request on the same servers.
A short warm-up (one round per client) is not counted. Printed per setup:
requests, errors (by status), requests/s, p50/p95/p99 per endpoint and
overall, and whether p99 < 100 ms (issue 7's target on a 2-core machine).
Clients run without pauses (``--think-ms`` adds one between rounds), so the
latency at a given client count is the server's throughput speaking
(Little's law: latency ≈ clients / throughput).

The clients speak HTTP/1.1 on plain asyncio streams (:class:`Connection`), not
httpx: on a 2-core machine shared with the servers, httpx's client costs
several times the server's own work per request and would measure itself.

    .venv/bin/python benchmarks/api_bench.py                    # --clients 50 --duration 20
    .venv/bin/python benchmarks/api_bench.py --duration 15 --databases sqlite,postgresql --json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import queue
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from orgflow.auth.tokens import issue_token
from orgflow.org.model import Department, User, build_snapshot
from orgflow.runtime import DeployDefinition, open_runtime
from orgflow.runtime.actions import ImportOrg
from orgflow.store import migrate

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_URL = os.environ.get("ORGFLOW_TEST_POSTGRES_URL", "postgresql+psycopg://root@127.0.0.1:5432/test")
TARGET_P99_MS = 100.0
KEY = "bench_review"

#: Two steps, both for the user named in the start data (each client works on its own instances).
DEFINITION = f"""\
key: {KEY}
name: 压测审批
business_key_prefix: BEN
nodes:
  - {{id: start, type: start, next: submit}}
  - {{id: submit, type: user_task, name: 提交, assignee: {{user_field: reviewer}}, next: review}}
  - {{id: review, type: user_task, name: 审核, assignee: {{user_field: reviewer}}, next: end}}
  - {{id: end, type: end}}
"""


# --- preparing a database ------------------------------------------------------------------------


def client_user(index: int) -> str:
    return f"bench_{index:03d}"


def prepare(url: str, clients: int) -> list[str]:
    """Migrate, import a company of ``clients`` people, deploy the process; return one token per person."""
    migrate.upgrade(url)
    people = [client_user(i) for i in range(clients)]
    chart = build_snapshot(
        [Department(id="bench", name="压测部", head="bench_head")],
        [
            User(id="bench_head", name="压测部负责人", departments=("bench",)),
            *(User(id=user, name=f"压测员{i:03d}", departments=("bench",)) for i, user in enumerate(people)),
        ],
    )
    with open_runtime(url) as runtime:
        runtime.execute(ImportOrg(chart))
        runtime.execute(DeployDefinition(DEFINITION, source_name="api_bench.yaml"))
        with runtime.database.transaction() as connection:
            return [
                issue_token(
                    connection,
                    token_id=f"bench-{user}",
                    user_id=user,
                    name="api_bench",
                    now=runtime.clock.now(),
                )
                for user in people
            ]


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A fresh schema in the test database (``search_path`` in the URL, so subprocesses see it too)."""
    import psycopg
    from sqlalchemy.engine import make_url

    admin = make_url(POSTGRES_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    schema = f"orgflow_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield (
            make_url(POSTGRES_URL)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


# --- server processes ----------------------------------------------------------------------------


def orgflow_executable() -> str:
    found = shutil.which("orgflow", path=str(Path(sys.executable).parent)) or shutil.which("orgflow")
    if found is None:
        raise SystemExit("the orgflow console script is not installed (pip install -e .)")
    return found


@contextmanager
def process(args: Sequence[str], home: Path, announced: str | None = None) -> Iterator[str]:
    """Run ``orgflow ARGS``; yield the first match of ``announced`` in its output (or ``""``); stop it."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("ORGFLOW_")}
    env["ORGFLOW_HOME"] = str(home)
    running = subprocess.Popen(
        [orgflow_executable(), *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert running.stdout is not None
        for line in running.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    try:
        found = ""
        if announced is not None:
            seen: list[str] = []
            deadline = time.monotonic() + 60
            while not found:
                try:
                    line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    line = None
                if line is None:
                    raise SystemExit(f"orgflow {' '.join(args)} did not start:\n{''.join(seen)}")
                seen.append(line)
                if match := re.search(announced, line):
                    found = match.group(1)
        yield found
    finally:
        running.terminate()
        try:
            running.wait(timeout=15)
        except subprocess.TimeoutExpired:
            running.kill()
            running.wait()


@contextmanager
def servers(url: str, home: Path, count: int, worker: bool) -> Iterator[list[str]]:
    """``count`` ``serve`` processes on free ports (the worker in the first when ``worker``); their URLs."""
    with ExitStack() as stack:
        urls = []
        for index in range(count):
            args = [
                "serve",
                "--port",
                "0",
                "--db",
                url,
                "--worker" if worker and index == 0 else "--no-worker",
            ]
            urls.append(stack.enter_context(process(args, home, r"服务已启动：(http://[0-9.]+:\d+)")))
        for base in urls:
            deadline = time.monotonic() + 30
            while httpx.get(f"{base}/api/v1/health", timeout=5).status_code != 200:
                if time.monotonic() > deadline:
                    raise SystemExit(f"{base} is not healthy")
                time.sleep(0.1)
        yield urls


# --- clients -------------------------------------------------------------------------------------


@dataclass
class Figures:
    """What the clients saw: seconds per request by endpoint, and failures."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)
    counting: bool = False
    warmed: int = 0
    all_warm: asyncio.Event = field(default_factory=asyncio.Event)


class Failed(Exception):
    """A request failed or answered with an error status (already counted)."""


class Connection:
    """One keep-alive HTTP/1.1 connection: a request, then its answer (``Content-Length`` bodies)."""

    def __init__(self, base: str, token: str) -> None:
        host, _, port = base.removeprefix("http://").partition(":")
        self.host, self.port = host, int(port)
        self.fixed = f"Host: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def request(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        content = b"" if body is None else json.dumps(body, ensure_ascii=False).encode()
        kind = "Content-Type: application/json\r\n" if body is not None else ""
        head = f"{method} {path} HTTP/1.1\r\n{self.fixed}{kind}Content-Length: {len(content)}\r\n\r\n"
        writer.write(head.encode() + content)
        await writer.drain()
        status_line, _, headers = (await reader.readuntil(b"\r\n\r\n")).partition(b"\r\n")
        status = int(status_line.split()[1])
        length = 0
        for line in headers.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
            elif name.strip().lower() == b"connection" and value.strip().lower() == b"close":
                self.streams = None
        answer = await reader.readexactly(length)
        if self.streams is None:
            writer.close()
        return status, answer

    async def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


async def call(
    connection: Connection, figures: Figures, name: str, method: str, path: str, body: Any = None
) -> Any:
    started = time.perf_counter()
    try:
        status, answer = await connection.request(method, path, body)
    except (OSError, asyncio.IncompleteReadError, ValueError) as error:
        await connection.close()
        if figures.counting:
            figures.errors[f"{name}: {type(error).__name__}"] += 1
        raise Failed from None
    spent = time.perf_counter() - started
    if figures.counting:
        figures.latencies[name].append(spent)
        if status >= 400:
            figures.errors[f"{name}: {status}"] += 1
    if status >= 400:
        raise Failed(answer[:300].decode(errors="replace"))
    return json.loads(answer)


async def todo_item(client: Connection, figures: Figures, instance_id: str, node: str) -> str:
    page = await call(client, figures, "GET /inbox", "GET", f"/api/v1/inbox?definition_key={KEY}&limit=20")
    for item in page["items"]:
        if item["instance_id"] == instance_id and item["node_id"] == node:
            return str(item["id"])
    raise Failed(f"no {node} work item of {instance_id} in the inbox")


async def workflow_round(client: Connection, figures: Figures, user: str) -> None:
    started = await call(
        client,
        figures,
        "POST /instances",
        "POST",
        "/api/v1/instances",
        {"definition_key": KEY, "data": {"reviewer": user}},
    )
    instance_id = str(started["id"])
    item = await todo_item(client, figures, instance_id, "submit")
    await call(client, figures, "GET /work-items/{id}", "GET", f"/api/v1/work-items/{item}")
    body = {"outcome": "approve", "data": {}, "comment": "压测提交"}
    await call(
        client,
        figures,
        "POST /work-items/{id}/complete",
        "POST",
        f"/api/v1/work-items/{item}/complete",
        body,
    )
    item = await todo_item(client, figures, instance_id, "review")
    body = {"outcome": "approve", "data": {}, "comment": "同意"}
    await call(
        client,
        figures,
        "POST /work-items/{id}/complete",
        "POST",
        f"/api/v1/work-items/{item}/complete",
        body,
    )


async def ping_round(client: Connection, figures: Figures, _user: str) -> None:
    await call(client, figures, "GET /me", "GET", "/api/v1/me")
    await call(client, figures, "GET /health", "GET", "/api/v1/health")


ROUNDS = {"workflow": workflow_round, "ping": ping_round}


async def one_client(
    base: str,
    token: str,
    user: str,
    args: argparse.Namespace,
    figures: Figures,
    start: asyncio.Event,
    stop_at: list[float],
) -> int:
    rounds = ROUNDS[args.scenario]
    done = 0
    client = Connection(base, token)
    try:
        try:
            await rounds(client, figures, user)  # warm-up, not counted
        except Failed:
            pass
        figures.warmed += 1
        if figures.warmed == len(args.tokens):
            figures.all_warm.set()
        await start.wait()
        if args.think_ms:
            await asyncio.sleep(random.uniform(0, args.think_ms / 1000))
        while time.monotonic() < stop_at[0] and (args.iterations is None or done < args.iterations):
            try:
                await rounds(client, figures, user)
            except Failed:
                pass
            done += 1
            if args.think_ms:  # ± 50 %, so the clients do not pause and burst in step
                await asyncio.sleep(random.uniform(0.5, 1.5) * args.think_ms / 1000)
    finally:
        await client.close()
    return done


async def load(urls: list[str], tokens: list[str], args: argparse.Namespace) -> tuple[Figures, float, int]:
    figures = Figures()
    start = asyncio.Event()
    stop_at = [float("inf")]
    tasks = [
        asyncio.create_task(
            one_client(urls[i % len(urls)], token, client_user(i), args, figures, start, stop_at)
        )
        for i, token in enumerate(tokens)
    ]
    try:
        await asyncio.wait_for(figures.all_warm.wait(), timeout=120)
    except TimeoutError:
        raise SystemExit("the warm-up round took more than two minutes") from None
    figures.counting = True
    began = time.monotonic()
    stop_at[0] = began + args.duration
    start.set()
    rounds = sum(await asyncio.gather(*tasks))
    return figures, time.monotonic() - began, rounds


# --- figures -------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile, in milliseconds."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(share / 100 * len(ordered) + 0.5) - 1))
    return ordered[index] * 1000


def summary(values: list[float]) -> dict[str, float]:
    return {
        "count": len(values),
        "p50_ms": round(percentile(values, 50), 1),
        "p95_ms": round(percentile(values, 95), 1),
        "p99_ms": round(percentile(values, 99), 1),
        "mean_ms": round(statistics.fmean(values) * 1000, 1),
    }


def report(name: str, setup: str, figures: Figures, seconds: float, rounds: int) -> dict[str, Any]:
    everything = [value for values in figures.latencies.values() for value in values]
    if not everything:
        raise SystemExit(f"{name}: no request was answered ({dict(figures.errors)})")
    overall = summary(everything)
    return {
        "database": name,
        "setup": setup,
        "seconds": round(seconds, 1),
        "rounds": rounds,
        "requests": len(everything),
        "requests_per_second": round(len(everything) / seconds, 1),
        "errors": sum(figures.errors.values()),
        "errors_by_kind": dict(figures.errors),
        "endpoints": {endpoint: summary(values) for endpoint, values in figures.latencies.items()},
        "overall": overall,
        "p99_under_target": overall["p99_ms"] < TARGET_P99_MS,
    }


def run_setup(name: str, args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    home = folder / name
    home.mkdir()
    with ExitStack() as stack:
        if name == "sqlite":
            url = f"sqlite:///{home / 'orgflow.db'}"
            tokens = prepare(url, args.clients)
            urls = stack.enter_context(servers(url, home, 1, worker=True))
            setup = "1 serve (worker in-process)"
        else:
            url = stack.enter_context(postgres_schema())
            tokens = prepare(url, args.clients)
            urls = stack.enter_context(servers(url, home, 2, worker=False))
            stack.enter_context(process(["worker", "--db", url], home))
            setup = "2 serve + 1 worker"
        args.tokens = tokens
        figures, seconds, rounds = asyncio.run(load(urls, tokens, args))
    return report(name, setup, figures, seconds, rounds)


def print_report(result: dict[str, Any], args: argparse.Namespace) -> None:
    print(
        f"\n{result['database']}, {result['setup']}, {args.clients} clients, {args.scenario}, "
        f"{result['seconds']} s: {result['requests']} requests ({result['rounds']} rounds), "
        f"{result['errors']} errors, {result['requests_per_second']} requests/s"
    )
    print(f"  {'endpoint':<34}{'count':>8}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}")
    rows = [*result["endpoints"].items(), ("overall", result["overall"])]
    for endpoint, figures in rows:
        print(
            f"  {endpoint:<34}{figures['count']:>8}"
            f"{figures['p50_ms']:>10}{figures['p95_ms']:>10}{figures['p99_ms']:>10}"
        )
    for kind, count in result["errors_by_kind"].items():
        print(f"  error {kind}: {count}")
    verdict = "yes" if result["p99_under_target"] else "no"
    print(f"  p99 < {TARGET_P99_MS:.0f} ms: {verdict} ({result['overall']['p99_ms']} ms)")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__,
    )
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of measured load per database")
    parser.add_argument(
        "--iterations", type=int, default=None, help="rounds per client at most (default: no limit)"
    )
    parser.add_argument(
        "--databases", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql (default both)"
    )
    parser.add_argument(
        "--scenario", choices=sorted(ROUNDS), default="workflow", help="what each client repeats"
    )
    parser.add_argument(
        "--think-ms", type=float, default=0.0, help="pause per client between rounds, ± 50 %% (default 0)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    chosen = [name.strip() for name in args.databases.split(",") if name.strip()]
    unknown = set(chosen) - {"sqlite", "postgresql"}
    if unknown or not chosen:
        parser.error(f"--databases: unknown {', '.join(sorted(unknown)) or '(none given)'}")
    if args.clients < 1 or args.duration <= 0:
        parser.error("--clients must be at least 1 and --duration positive")
    with tempfile.TemporaryDirectory() as folder:
        results = [run_setup(name, args, Path(folder)) for name in chosen]
    if args.json:
        print(
            json.dumps(
                {"clients": args.clients, "scenario": args.scenario, "results": results},
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    for result in results:
        print_report(result, args)


if __name__ == "__main__":
    main()

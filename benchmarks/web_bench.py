"""Page speed at scale: the server-side render of every web page with 100,000 instances in the database.

Fills a database the way ``inbox_bench.py`` does (its org chart of 10,000
users in 100 departments and its bulk rows, written with one executemany per
table on SQLite or COPY on PostgreSQL) with 100,000 instances and 500,000 work
items (~5% open), 50,000 copies and 2,000 anomalies (异常) in bulk. On top,
through the runtime's own actions, so they have real histories: an employee
(``u00100``, 部门000) starts instances that reach the head of 部门001
(``u00001``), raises an anomaly on one and leaves one at its first step; an
administrator (``admin``, 系统管理员), seven more processes (without
instances) and a second version of the bench process (for the version diff)
are added.

Then it finds the pages: every GET route of ``orgflow.web.routes.PAGE_ROUTERS``
(so pages added later are measured too) whose path parameters it can fill from
the data: a work item id, an instance's business key, an anomaly id, a
definition key, a user or department id, chosen per person (their own work
item, an instance they started or act on). Pages it cannot build a path for
are listed. Each page is requested ``--requests`` times (after two warm-ups)
through the ASGI app in this process (Starlette's TestClient, no network),
signed in through the sign-in form as the employee, the department head and the
administrator. Printed per page and person: the status, p50/p95/max ms, the
process's CPU ms per request (p50: what the request cost this process, also
when other programs share the cores; on PostgreSQL the server's own work is
not in it), SQL statements and SQL ms per request, and whether p95 stays under
300 ms (issue 8's target).

    .venv/bin/python benchmarks/web_bench.py                       # a temp SQLite file
    .venv/bin/python benchmarks/web_bench.py --db postgresql --json
    .venv/bin/python benchmarks/web_bench.py --db sqlite:///web.db --keep   # fill once, then
    .venv/bin/python benchmarks/web_bench.py --db sqlite:///web.db --reuse  # measure it again

PostgreSQL runs in its own schema (``orgflow_web_bench``) of the database at
``ORGFLOW_TEST_POSTGRES_URL`` (default ``postgresql+psycopg://root@127.0.0.1:5432/test``),
dropped and created afresh (``--keep`` leaves it for ``--reuse``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from inbox_bench import DEFINITION, fill_postgres, fill_sqlite, libpq, org, rows
from sqlalchemy import event, insert
from sqlalchemy.engine import Engine, make_url

from orgflow.api.app import create_app
from orgflow.errors import CommandRejected
from orgflow.org.model import ADMINISTRATOR_ROLE, RoleGrant, User, build_snapshot
from orgflow.runtime import DeployDefinition, Runtime, open_runtime
from orgflow.runtime.accounts import ACCOUNT_EXISTS
from orgflow.runtime.actions import (
    AddAccount,
    ClaimWorkItem,
    CompleteWorkItem,
    ImportOrg,
    RaiseAnomaly,
    StartProcess,
)
from orgflow.settings import Settings
from orgflow.store import migrate
from orgflow.store.tables import anomalies
from orgflow.web.routes import PAGE_ROUTERS

POSTGRES_URL = os.environ.get("ORGFLOW_TEST_POSTGRES_URL", "postgresql+psycopg://root@127.0.0.1:5432/test")
SCHEMA = "orgflow_web_bench"
TARGET_MS = 300.0
PASSWORD = "orgflow-bench"

EMPLOYEE, HEAD, ADMIN = "u00100", "u00001", "admin"
#: Who is measured: (label, user id).
PEOPLE = (("employee", EMPLOYEE), ("head", HEAD), ("admin", ADMIN))

#: The second version of the bench process (one more step), for the version diff page.
DEFINITION_V2 = DEFINITION.replace(
    "next: end}\n  - {id: end",
    "next: n6}\n"
    "  - {id: n6, type: user_task, name: 复核, assignee: {department: D004}, next: end}\n"
    "  - {id: end",
)

#: 我的工作's other tabs and filters, measured beside the plain page.
EXTRA_QUERIES = {"/work": ("?tab=done", "?tab=started", "?tab=cc", "?due=overdue")}


# --- filling ---------------------------------------------------------------------------------


def prepare(url: str, *, reuse: bool) -> str:
    """A migrated database for ``url`` (PostgreSQL: the schema :data:`SCHEMA`, afresh unless ``reuse``)."""
    if url.startswith("postgresql"):
        if not reuse:
            with psycopg.connect(libpq(url), autocommit=True) as connection:
                connection.execute(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE')
                connection.execute(f'CREATE SCHEMA "{SCHEMA}"')
        url = make_url(url).update_query_dict({"options": f"-csearch_path={SCHEMA}"}).render_as_string(False)
    elif not reuse:
        Path(make_url(url).database or "").unlink(missing_ok=True)
    migrate.upgrade(url)
    return url


def anomaly_rows(
    item_rows: Sequence[tuple[Any, ...]], count: int, rng: random.Random
) -> list[dict[str, Any]]:
    """``count`` anomalies on distinct bulk work items, over every stage of the loop."""
    statuses = ("found", "reported", "handling", "resolved", "verified")
    picked = rng.sample(range(len(item_rows)), count)
    found = []
    for n, index in enumerate(picked):
        item = item_rows[index]
        at = item[8] + timedelta(hours=25)
        status = statuses[n % len(statuses)]
        found.append(
            {
                "id": f"a{n:07d}",
                "number": f"ABN20260101{n:05d}",
                "instance_id": item[1],
                "node_id": item[2],
                "node_name": item[4],
                "work_item_id": item[0],
                "kind": "overdue" if n % 3 else "manual",
                "status": status,
                "description": f"步骤{item[2]}超时未处理",
                "responsible_department": item[14] or f"D{n % 100:03d}",
                "found_at": at,
                "raised_by": None if n % 3 else item[5],
                "explanation_due_at": at + timedelta(days=1),
                "updated_at": at,
            }
        )
    return found


def fill(url: str, args: argparse.Namespace) -> dict[str, int]:
    """The org chart with an administrator, the bench process, and the bulk rows."""
    rng = random.Random(args.seed)
    departments, people = org(args.users, args.departments, rng)
    admin = User(
        id=ADMIN, name="系统管理员", departments=("D000",), roles=(RoleGrant(role=ADMINISTRATOR_ROLE),)
    )
    with open_runtime(url) as runtime:
        runtime.execute(ImportOrg(build_snapshot(departments, [*people, admin]), actor="bench"))
        runtime.execute(DeployDefinition(DEFINITION, source_name="inbox_bench.yaml"))
    instance_rows, item_rows, copy_rows = rows(args, rng)
    tables = {"instances": instance_rows, "work_items": item_rows, "copies": copy_rows}
    (fill_postgres if url.startswith("postgresql") else fill_sqlite)(url, tables)
    with open_runtime(url) as runtime, runtime.database.transaction() as connection:
        connection.execute(insert(anomalies), anomaly_rows(item_rows, args.anomalies, rng))
    return {
        "instances": len(instance_rows),
        "work_items": len(item_rows),
        "open_work_items": sum(1 for row in item_rows if row[7] == "open"),
        "copies": len(copy_rows),
        "anomalies": args.anomalies,
    }


def analyze(url: str) -> None:
    """Fresh planner statistics once everything is in (the bulk fill analysed before the anomalies)."""
    if url.startswith("postgresql"):
        with psycopg.connect(libpq(url), autocommit=True) as connection:
            connection.execute("ANALYZE")
        return
    connection = sqlite3.connect(make_url(url).database or "")
    try:
        connection.execute("ANALYZE")
    finally:
        connection.close()


def add_real_work(runtime: Runtime, args: argparse.Namespace) -> None:
    """Instances made by the runtime (with histories), accounts, more processes, a second bench version."""
    for user in (EMPLOYEE, HEAD, ADMIN):
        try:
            runtime.execute(AddAccount(user, PASSWORD, actor=ADMIN))
        except CommandRejected as refused:
            if refused.reason != ACCOUNT_EXISTS:
                raise
    for n in range(1, args.processes):  # more processes for the lists and filters, none with instances
        source = DEFINITION.replace("key: bench", f"key: bench{n}").replace("基准流程", f"基准流程{n}")
        runtime.execute(DeployDefinition(source, source_name=f"web_bench_{n}.yaml", actor=ADMIN))
    runtime.execute(DeployDefinition(DEFINITION_V2, source_name="web_bench_v2.yaml", actor=ADMIN))
    moved = []
    for n in range(args.real_instances):
        started = runtime.execute(StartProcess("bench", {"金额": 1000 + n}, initiator=EMPLOYEE, version=1))
        if n == args.real_instances - 1:
            break  # the last one waits at 提交, in the employee's 待办
        first = started.work_items[0]
        runtime.execute(ClaimWorkItem(first.id, user=EMPLOYEE))
        moved.append(runtime.execute(CompleteWorkItem(first.id, actor=EMPLOYEE, comment=f"第{n + 1}份申请")))
    if moved:  # 部门审核 (the head's) waits on supplier documents
        waiting = moved[0].work_items[0]
        description = "部门审核等待供应商资料"
        runtime.execute(
            RaiseAnomaly(
                instance=moved[0].id, actor=EMPLOYEE, description=description, work_item_id=waiting.id
            )
        )


# --- what to request -------------------------------------------------------------------------


@dataclass
class Samples:
    """One person's values for path parameters (``None``: they have none)."""

    user: str
    department: str
    work_item: str | None
    instance_key: str | None
    instance_id: str | None
    anomaly: str | None
    anomaly_number: str | None
    definition: str = "bench"


def all_samples(runtime: Runtime) -> dict[str, Samples]:
    """Per person, things of their own among the instances the runtime made (with real histories).

    The employee: the newest instance, waiting at 提交 in their 待办; the head: one
    waiting at 部门审核 (theirs); the administrator: the oldest, with the anomaly.
    """
    queries = runtime.queries
    chart = queries.org()
    real = [
        queries.instance(summary.id).instance
        for summary in queries.instances(initiator=EMPLOYEE, definition_key="bench", limit=100)
        if len(summary.business_key) > len("BN0000000")  # bulk ones are BN + 7 digits, real ones BN + date
    ]
    chosen = {EMPLOYEE: real[0] if real else None, HEAD: real[1] if len(real) > 1 else None}
    chosen[ADMIN] = real[-1] if real else None
    raised = _real_anomalies(runtime)
    found = {}
    for user, instance in chosen.items():
        person = chart.users.get(user)
        item = instance.work_items[0] if instance is not None and instance.work_items else None
        found[user] = Samples(
            user=user,
            department=person.departments[0] if person and person.departments else "D000",
            work_item=item.id if item is not None else None,
            instance_key=instance.business_key if instance is not None else None,
            instance_id=instance.id if instance is not None else None,
            anomaly=raised[0][0] if raised else None,
            anomaly_number=raised[0][1] if raised else None,
        )
    return found


def _real_anomalies(runtime: Runtime) -> list[tuple[str, str]]:
    """The anomalies the runtime raised (not the bulk ones): (id, number)."""
    from sqlalchemy import select

    with runtime.database.reading() as connection:
        found = connection.execute(
            select(anomalies.c.id, anomalies.c.number)
            .where(anomalies.c.number.not_like("ABN20260101%"))
            .order_by(anomalies.c.found_at.desc())
            .limit(1)
        ).all()
    return [(row.id, row.number) for row in found]


def page_routes() -> list[str]:
    """Every GET path of the page routers, in mounting order (included sub-routers too)."""

    def walk(router: Any, prefix: str) -> Iterator[str]:
        for route in router.routes:
            if isinstance(route, APIRoute):
                if "GET" in route.methods:
                    yield prefix + route.path
            elif hasattr(route, "original_router"):  # FastAPI's included router
                yield from walk(route.original_router, prefix + (route.include_context.prefix or ""))
            elif hasattr(route, "routes"):
                yield from walk(route, prefix + getattr(route, "path", ""))

    return list(dict.fromkeys(path for router in PAGE_ROUTERS for path in walk(router, "")))


_PARAM = re.compile(r"{(\w+)(?::\w+)?}")

#: The first path segment's resource, for parameters named only ``id``/``ref``.
_SEGMENTS = {
    "work-items": "work_item",
    "work-item": "work_item",
    "tasks": "work_item",
    "instances": "instance",
    "exceptions": "anomaly",
    "anomalies": "anomaly",
    "definitions": "definition",
    "start": "definition",
    "users": "user",
    "departments": "department",
}


def _resource(template: str) -> str | None:
    """What the path is about: its deepest segment naming a resource (``/admin/definitions/{key}``)."""
    found = None
    for segment in template.split("/"):
        found = _SEGMENTS.get(segment, found)
    return found


def value_for(name: str, template: str, samples: Samples) -> str | None:
    """A value for path parameter ``name`` of ``template``, or ``None`` when there is none to give."""
    by_resource = {
        "work_item": samples.work_item,
        "instance": samples.instance_key,
        "anomaly": samples.anomaly,
        "definition": samples.definition,
        "user": samples.user,
        "department": samples.department,
    }
    named = {
        "work_item_id": samples.work_item,
        "item_id": samples.work_item,
        "item": samples.work_item,
        "instance_id": samples.instance_id,
        "business_key": samples.instance_key,
        "instance": samples.instance_key,
        "anomaly_id": samples.anomaly,
        "anomaly": samples.anomaly,
        "number": samples.anomaly_number,
        "key": samples.definition,
        "definition_key": samples.definition,
        "definition": samples.definition,
        "version": "1",
        "user_id": samples.user,
        "department_id": samples.department,
    }
    if name in named:
        return named[name]
    if name in ("id", "ref"):
        resource = _resource(template)
        return by_resource.get(resource) if resource else None
    return None


def build_path(template: str, samples: Samples) -> str | None:
    """``template`` with its parameters filled for ``samples``' person, or ``None``."""
    values = {}
    for name in _PARAM.findall(template):
        value = value_for(name, template, samples)
        if value is None:
            return None
        values[name] = value
    return _PARAM.sub(lambda m: values[m.group(1)], template)


# --- measuring -------------------------------------------------------------------------------


@dataclass
class SqlMeter:
    """Counts statements and their time on every engine, in any thread (the app runs in another)."""

    statements: int = 0
    seconds: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _started: threading.local = field(default_factory=threading.local)

    def before(self, *_args: Any) -> None:
        self._started.at = time.perf_counter()

    def after(self, *_args: Any) -> None:
        spent = time.perf_counter() - getattr(self._started, "at", time.perf_counter())
        with self._lock:
            self.statements += 1
            self.seconds += spent

    def reset(self) -> tuple[int, float]:
        with self._lock:
            taken = (self.statements, self.seconds)
            self.statements, self.seconds = 0, 0.0
        return taken


@contextmanager
def metered() -> Iterator[SqlMeter]:
    meter = SqlMeter()
    event.listen(Engine, "before_cursor_execute", meter.before)
    event.listen(Engine, "after_cursor_execute", meter.after)
    try:
        yield meter
    finally:
        event.remove(Engine, "before_cursor_execute", meter.before)
        event.remove(Engine, "after_cursor_execute", meter.after)


def signed_in(app: Any, user: str) -> TestClient:
    client = TestClient(
        app, base_url="http://127.0.0.1", follow_redirects=False, raise_server_exceptions=False
    )
    answer = client.post("/login", data={"user_id": user, "password": PASSWORD})
    if answer.status_code != 303:
        raise SystemExit(f"signing in as {user} failed: {answer.status_code} {answer.text[:300]}")
    return client


def percentiles(samples: Sequence[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[round(0.95 * (len(ordered) - 1))] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


#: Seconds of timed requests a page gets at most: a page taking seconds is measured fewer times.
BUDGET_SECONDS = 15.0


def measure(client: TestClient, path: str, requests: int, meter: SqlMeter) -> dict[str, Any]:
    """Two warm-ups, then ``requests`` timed GETs (fewer for a page slower than the budget allows)."""
    warm = time.perf_counter()
    for _ in range(2):
        client.get(path)
    warm_seconds = (time.perf_counter() - warm) / 2
    requests = max(3, min(requests, int(BUDGET_SECONDS / max(warm_seconds, 1e-3))))
    meter.reset()
    spent, cpu, statuses = [], [], set()
    for _ in range(requests):
        started, cpu_started = time.perf_counter(), time.process_time()
        answer = client.get(path)
        spent.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
        statuses.add(answer.status_code)
    statements, sql_seconds = meter.reset()
    shown = percentiles(spent)
    return {
        "status": sorted(statuses),
        "requests": requests,
        **shown,
        "cpu_p50_ms": round(statistics.median(cpu) * 1000, 1),
        "sql_per_request": round(statements / requests, 1),
        "sql_ms_per_request": round(sql_seconds * 1000 / requests, 1),
        "bytes": len(answer.content),
        "under_target": shown["p95_ms"] < TARGET_MS,
    }


def run(url: str, args: argparse.Namespace) -> dict[str, Any]:
    url = prepare(url, reuse=args.reuse)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as home:
        settings = Settings(database_url=url, home=Path(home))
        sizes: dict[str, int] = {}
        if not args.reuse:
            sizes = fill(url, args)
            with open_runtime(settings) as runtime:
                add_real_work(runtime, args)
            analyze(url)
        fill_seconds = time.perf_counter() - started
        with open_runtime(settings) as runtime:
            if args.reuse:
                sizes = counted(runtime)
            samples = all_samples(runtime)
            app = create_app(runtime)
            templates = page_routes()
            measured, unbuilt = [], []
            with metered() as meter, ExitStack() as open_clients:
                clients = {user: open_clients.enter_context(signed_in(app, user)) for _label, user in PEOPLE}
                for template in templates:
                    paths = {user: build_path(template, samples[user]) for _label, user in PEOPLE}
                    if not any(paths.values()):
                        unbuilt.append(template)
                        continue
                    for label, user in PEOPLE:
                        path = paths[user]
                        if path is None:
                            measured.append({"page": template, "person": label, "skipped": "no sample value"})
                            continue
                        for shown in [path] + [path + q for q in EXTRA_QUERIES.get(template, ())]:
                            print(f"measuring {shown} as {label}", file=sys.stderr, flush=True)
                            figures = measure(clients[user], shown, args.requests, meter)
                            measured.append({"page": template, "path": shown, "person": label, **figures})
    over = sorted({m["page"] for m in measured if "skipped" not in m and not m["under_target"]})
    return {
        "database": "postgresql" if url.startswith("postgresql") else "sqlite",
        **sizes,
        "people": {label: user for label, user in PEOPLE},
        "fill_seconds": round(fill_seconds, 1),
        "requests_per_page": args.requests,
        "pages": measured,
        "not_built": unbuilt,
        "over_target": over,
    }


def counted(runtime: Runtime) -> dict[str, int]:
    """The sizes of a database filled before (``--reuse``)."""
    from sqlalchemy import func, select

    from orgflow.store.tables import instances, work_items

    with runtime.database.reading() as connection:
        return {
            name: int(connection.execute(select(func.count()).select_from(table)).scalar_one())
            for name, table in (
                ("instances", instances),
                ("work_items", work_items),
                ("anomalies", anomalies),
            )
        }


def database_url(choice: str, folder: Path) -> str:
    if choice == "sqlite":
        return f"sqlite:///{folder / 'web_bench.db'}"
    if choice == "postgresql":
        return POSTGRES_URL
    return choice


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite", help="sqlite (a temp file, default), postgresql, or a URL")
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--departments", type=int, default=100)
    parser.add_argument("--instances", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=None, help="work items (default: 5 per instance)")
    parser.add_argument("--open-share", type=float, default=0.05, help="share of work items still open")
    parser.add_argument("--copies", type=int, default=None, help="default: one per two instances")
    parser.add_argument("--anomalies", type=int, default=2_000)
    parser.add_argument("--processes", type=int, default=8, help="process definitions deployed")
    parser.add_argument("--real-instances", type=int, default=12, help="instances made through the runtime")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per page and person")
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--keep", action="store_true", help="keep the database (a URL or PostgreSQL schema)")
    parser.add_argument("--reuse", action="store_true", help="measure a database kept by --keep, no filling")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    args.items = args.items or args.instances * 5
    args.copies = args.copies if args.copies is not None else args.instances // 2
    with tempfile.TemporaryDirectory() as folder:
        url = database_url(args.db, Path(folder))
        if args.reuse and args.db == "sqlite":
            raise SystemExit("--reuse needs the database kept by --keep: give its URL with --db")
        result = run(url, args)
        if url.startswith("postgresql") and not args.keep:
            with psycopg.connect(libpq(url), autocommit=True) as connection:
                connection.execute(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE')
    if args.json:
        print(json.dumps({"benchmark": "web", "target_p95_ms": TARGET_MS, **result}, ensure_ascii=False))
        return
    show(result)


def show(result: dict[str, Any]) -> None:
    """The figures as a table."""
    sizes = ", ".join(
        f"{result[k]:,} {k.replace('_', ' ')}"
        for k in ("instances", "work_items", "anomalies")
        if k in result
    )
    print(f"{result['database']}: {sizes}; filled in {result['fill_seconds']} s")
    people = ", ".join(f"{label} {user}" for label, user in result["people"].items())
    print(
        f"  signed in as: {people}; up to {result['requests_per_page']} requests (n) a page, after 2 warm-ups"
    )
    print(
        f"  {'page':44} {'person':9} {'status':7} {'p50':>7} {'p95':>7} {'max':>7}"
        f" {'cpu':>7} {'sql':>5} {'sql ms':>7} {'n':>3}  <300ms"
    )
    for m in result["pages"]:
        if "skipped" in m:
            print(f"  {m['page']:44} {m['person']:9} (skipped: {m['skipped']})")
            continue
        status = ",".join(str(s) for s in m["status"])
        print(
            f"  {m['path'][:44]:44} {m['person']:9} {status:7} {m['p50_ms']:7.1f} {m['p95_ms']:7.1f}"
            f" {m['max_ms']:7.1f} {m['cpu_p50_ms']:7.1f} {m['sql_per_request']:5.0f}"
            f" {m['sql_ms_per_request']:7.1f} {m['requests']:3}  {'yes' if m['under_target'] else 'NO'}"
        )
    if result["not_built"]:
        print(f"  no sample path for: {', '.join(result['not_built'])}")
    print(f"  over {TARGET_MS:.0f} ms (p95): {', '.join(result['over_target']) or 'none'}")


if __name__ == "__main__":
    sys.exit(main())

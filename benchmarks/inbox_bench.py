"""Inbox latency at scale: a person's 待办 first page and its count, on SQLite and PostgreSQL.

Fills each database with an org chart (10,000 users in ~100 departments, with
roles) and 1,000,000 work items on 200,000 instances (~5% open, spread over
users and candidate groups), written in bulk (one executemany per table on
SQLite, COPY on PostgreSQL), then times ``Queries.inbox(user)`` (the first
page, limit 20, with its total count) and ``Queries.inbox_counts(user)`` (the
four views' counts) for 200 random users. Target: p95 < 10 ms on both.

    .venv/bin/python benchmarks/inbox_bench.py                 # a temp SQLite file and PostgreSQL
    .venv/bin/python benchmarks/inbox_bench.py --db sqlite:///big.db --json

PostgreSQL runs in its own schema (``orgflow_inbox_bench``), dropped and
created afresh, so the database's other tables are left alone.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

from orgflow.org.model import Department, RoleGrant, User, build_snapshot, department_group, role_group
from orgflow.runtime import DeployDefinition, open_runtime
from orgflow.runtime.actions import ImportOrg
from orgflow.store import inbox, migrate
from orgflow.store.database import create_database
from orgflow.store.inbox import InboxFilter

POSTGRES = "postgresql://127.0.0.1:5432/test"
SCHEMA = "orgflow_inbox_bench"
T0 = datetime(2026, 1, 1, tzinfo=UTC)
ROLES = [f"岗位{n:02d}" for n in range(20)]

DEFINITION = """\
key: bench
name: 基准流程
business_key_prefix: BN
nodes:
  - {id: start, type: start, next: n1}
  - {id: n1, type: user_task, name: 提交, assignee: {department: D000}, next: n2}
  - {id: n2, type: user_task, name: 部门审核, department: D001, assignee: {department: D001}, next: n3}
  - {id: n3, type: user_task, name: 岗位审批, assignee: {role: 岗位00}, next: n4}
  - {id: n4, type: user_task, name: 会签, assignee: {department: D002}, next: n5}
  - {id: n5, type: user_task, name: 归档, assignee: {department: D003}, next: end}
  - {id: end, type: end}
"""


def org(users: int, departments: int, rng: random.Random) -> tuple[list[Department], list[User]]:
    """Departments D000…, users u00000… (10% in two departments), 20 company roles, 审核员 per department."""
    depts = [Department(id=f"D{n:03d}", name=f"部门{n:03d}", head=f"u{n:05d}") for n in range(departments)]
    people = []
    for n in range(users):
        home = n % departments
        member = (f"D{home:03d}",) + ((f"D{rng.randrange(departments):03d}",) if n % 10 == 0 else ())
        roles: tuple[RoleGrant, ...] = ()
        if n % 100 == 7:
            roles = (RoleGrant(role=ROLES[n // 100 % len(ROLES)]),)
        elif n % 50 == 3:
            roles = (RoleGrant(role="审核员", department_id=f"D{home:03d}"),)
        people.append(
            User(id=f"u{n:05d}", name=f"员工{n:05d}", departments=tuple(dict.fromkeys(member)), roles=roles)
        )
    return depts, people


def groups(departments: int) -> list[str]:
    """The candidate groups shared items go to: departments (80%), company roles and department roles."""
    found = [department_group(f"D{n:03d}") for n in range(departments)] * 4
    found += [role_group(role) for role in ROLES]
    found += [role_group("审核员", f"D{n:03d}") for n in range(0, departments, 3)]
    return found


def rows(args: argparse.Namespace, rng: random.Random) -> tuple[list[tuple[Any, ...]], ...]:
    """Instances, work items and copies as tuples in the tables' column order (times as datetimes)."""
    users = [f"u{n:05d}" for n in range(args.users)]
    shared = groups(args.departments)
    per = args.items // args.instances
    running = int(args.items * args.open_share)  # one open item each
    instance_rows, item_rows, copy_rows = [], [], []
    for i in range(args.instances):
        started = T0 + timedelta(seconds=i * 60)
        is_running = i >= args.instances - running
        waiting = f"n{per}" if is_running else None
        tokens = json.dumps([["t1", waiting, "task", None, None, None]]) if waiting else "[]"
        status = "running" if is_running else "completed"
        ended = None if is_running else started + timedelta(hours=per)
        instance_rows.append(
            (
                f"i{i:07d}",
                "bench:1",
                "bench",
                f"BN{i:07d}",
                status,
                "{}",
                2,
                tokens,
                rng.choice(users),
                started,
                ended,
                None,
                None,
                1,
                started + timedelta(hours=per),
            )
        )
        for step in range(1, per + 1):
            created = started + timedelta(hours=step - 1)
            is_open = is_running and step == per
            group = rng.choice(shared) if rng.random() < 0.4 else None
            person = None if group is not None and is_open else rng.choice(users)
            department = group.removeprefix("dept:") if group and group.startswith("dept:") else None
            if group and "@" in group:
                department = group.partition("@")[2]
            item = [f"w{i:07d}{step}", f"i{i:07d}", f"n{step}", "t1", f"步骤{step}", person, group]
            if is_open:
                item += ["open", created, None, None, None, None, None]
            else:
                item += [
                    "completed",
                    created,
                    created + timedelta(minutes=30),
                    person or rng.choice(users),
                    "approve",
                    None,
                    None,
                ]
            due = created + timedelta(hours=24) if step % 2 else None
            item_rows.append((*item, department, due))
    seen = set()
    for _ in range(args.copies):
        pair = (f"i{rng.randrange(args.instances):07d}", rng.choice(users))
        if pair not in seen:
            seen.add(pair)
            copy_rows.append((*pair, rng.choice(users), T0 + timedelta(seconds=len(copy_rows)), None, None))
    return instance_rows, item_rows, copy_rows


TABLE_COLUMNS = {
    "instances": "id, definition_id, definition_key, business_key, status, data, next_token, tokens,"
    " initiator, started_at, ended_at, error_node, error_message, version, updated_at",
    "work_items": "id, instance_id, node_id, token_id, name, assignee, candidate_group, status, created_at,"
    " completed_at, actor, outcome, data, comment, department, due_at",
    "copies": "instance_id, user_id, copied_by, copied_at, note, read_at",
}


def sqlite_text(value: Any) -> Any:
    return value.isoformat(" ", "microseconds")[:26] if isinstance(value, datetime) else value


def fill_sqlite(url: str, tables: dict[str, list[tuple[Any, ...]]]) -> None:
    connection = sqlite3.connect(make_url(url).database or "")
    connection.execute("PRAGMA synchronous = OFF")
    with connection:
        for table, data in tables.items():
            columns = TABLE_COLUMNS[table]
            marks = ", ".join("?" * len(columns.split(",")))
            connection.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                ([sqlite_text(value) for value in row] for row in data),
            )
    connection.execute("ANALYZE")
    connection.close()


def fill_postgres(url: str, tables: dict[str, list[tuple[Any, ...]]]) -> None:
    with psycopg.connect(libpq(url)) as connection:
        with connection.cursor() as cursor:
            for table, data in tables.items():
                with cursor.copy(f"COPY {table} ({TABLE_COLUMNS[table]}) FROM STDIN") as copy:
                    for row in data:
                        copy.write_row(row)
        connection.commit()
        connection.autocommit = True
        connection.execute("VACUUM ANALYZE")


def libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def prepare(url: str) -> str:
    """An empty, migrated database for ``url`` (PostgreSQL: a fresh schema of its own)."""
    if url.startswith("postgresql"):
        with psycopg.connect(libpq(url), autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE')
            connection.execute(f'CREATE SCHEMA "{SCHEMA}"')
        url = make_url(url).update_query_dict({"options": f"-csearch_path={SCHEMA}"}).render_as_string(False)
    migrate.upgrade(url)
    return url


def percentiles(samples: Sequence[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


def timed(calls: Sequence[Callable[[], Any]]) -> list[float]:
    spent = []
    for call in calls:
        started = time.perf_counter()
        call()
        spent.append(time.perf_counter() - started)
    return spent


def plans(url: str, user: str, chart_groups: Sequence[str]) -> dict[str, list[str]]:
    """The todo page's and count's query plans on the filled database."""
    view = inbox.todo(user, chart_groups, InboxFilter())
    database = create_database(url)
    found = {}
    try:
        with database.reading() as connection:
            for part, statement in (("page", view.page(20, 0)), ("count", view.count())):
                sql = str(
                    statement.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True})
                )
                if connection.dialect.name == "sqlite":
                    found[part] = [row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}")]
                else:
                    found[part] = [row[0] for row in connection.exec_driver_sql(f"EXPLAIN {sql}")]
    finally:
        database.dispose()
    return found


def run(url: str, args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(args.seed)
    url = prepare(url)
    started = time.perf_counter()
    departments, people = org(args.users, args.departments, rng)
    with open_runtime(url) as runtime:
        runtime.execute(ImportOrg(build_snapshot(departments, people), actor="bench"))
        runtime.execute(DeployDefinition(DEFINITION, source_name="inbox_bench.yaml"))
    instance_rows, item_rows, copy_rows = rows(args, rng)
    tables = {"instances": instance_rows, "work_items": item_rows, "copies": copy_rows}
    (fill_postgres if url.startswith("postgresql") else fill_sqlite)(url, tables)
    fill_seconds = time.perf_counter() - started
    sample = rng.sample([person.id for person in people], args.samples)
    with open_runtime(url) as runtime:
        queries = runtime.queries
        chart = queries.org()
        for user in sample[:20]:  # warm the connection pool, caches and the database's pages
            queries.inbox(user)
            queries.inbox_counts(user)
        page = timed([lambda user=user: queries.inbox(user, limit=20) for user in sample])
        counts = timed([lambda user=user: queries.inbox_counts(user) for user in sample])
        totals = [queries.inbox(user, limit=1).total for user in sample]
    return {
        "database": "postgresql" if url.startswith("postgresql") else "sqlite",
        "users": args.users,
        "work_items": len(item_rows),
        "open_work_items": sum(1 for row in item_rows if row[7] == "open"),
        "instances": len(instance_rows),
        "copies": len(copy_rows),
        "fill_seconds": round(fill_seconds, 1),
        "todo_total_per_user": {"median": statistics.median(totals), "max": max(totals)},
        "todo_first_page_with_count": percentiles(page),
        "all_four_counts": percentiles(counts),
        "plans": plans(url, sample[0], sorted(chart.groups_of(sample[0]))),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db", action="append", help="database URL (repeatable; default: temp SQLite and PostgreSQL)"
    )
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--departments", type=int, default=100)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--instances", type=int, default=200_000)
    parser.add_argument("--open-share", type=float, default=0.05, help="share of work items still open")
    parser.add_argument("--copies", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        urls = args.db or [f"sqlite:///{Path(folder) / 'inbox_bench.db'}", POSTGRES]
        results = [run(url, args) for url in urls]
    if args.json:
        print(json.dumps({"benchmark": "inbox", "target_p95_ms": 10, "results": results}, ensure_ascii=False))
        return
    for result in results:
        show(result)


def show(result: dict[str, Any]) -> None:
    """One database's figures as lines of text."""
    size = f"{result['work_items']:,} work items ({result['open_work_items']:,} open)"
    print(f"{result['database']}: {size}, {result['instances']:,} instances, {result['users']:,} users;")
    print(f"  filled in {result['fill_seconds']} s")
    totals = result["todo_total_per_user"]
    print(f"  待办 per user: median {totals['median']}, max {totals['max']}")
    for name in ("todo_first_page_with_count", "all_four_counts"):
        ms = result[name]
        print(
            f"  {name:28} p50 {ms['p50_ms']:6.2f} ms  p95 {ms['p95_ms']:6.2f} ms  max {ms['max_ms']:6.2f} ms"
        )
    for part, lines in result["plans"].items():
        print(f"  plan ({part}):")
        for line in lines:
            print(f"    {line}")


if __name__ == "__main__":
    main()

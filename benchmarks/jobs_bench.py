"""Job throughput and the cost of many pending timers, on SQLite and PostgreSQL.

Figures:

- jobs drained per second by one worker on SQLite (target: 100,000 due jobs in < 30 s),
  and by 1, 2 and 4 worker processes on PostgreSQL; each job runs a handler that
  writes nothing, in its own transaction with its fenced deletion;
- real timers: instances waiting at an intermediate timer that fell due, each
  fired by one worker through the engine (load, FireTimer, save, history, the
  next step's work item and deadline jobs), on SQLite;
- the latency of a runtime command (StartProcess + CompleteWorkItem on a
  one-step definition) with no jobs and with many pending future jobs
  (bulk-inserted), next to an idle acquire (nothing due) and a cancel by subject
  on the full table: they should not move.

    .venv/bin/python benchmarks/jobs_bench.py                  # default sizes, a few minutes
    .venv/bin/python benchmarks/jobs_bench.py --drain 100000 --pg-drain 20000 --future 1000000 --timers 100000

PostgreSQL runs in its own schema (``orgflow_jobs_bench``), dropped and created
afresh each time, so the database's other tables are left alone.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

from orgflow.clock import FrozenClock, SystemClock
from orgflow.jobs import JobContext, JobHandlers, Worker
from orgflow.runtime import CompleteWorkItem, DeployDefinition, StartProcess, open_runtime
from orgflow.store import jobs, migrate
from orgflow.store.database import Database, create_database
from orgflow.store.tables import jobs as jobs_table

POSTGRES = "postgresql://127.0.0.1:5432/test"
SCHEMA = "orgflow_jobs_bench"

SIMPLE = """\
key: t
name: 测试
business_key_prefix: T
nodes:
  - {id: start, type: start, next: a}
  - {id: a, type: user_task, name: 审批, assignee: {user: u1}, next: end}
  - {id: end, type: end}
"""

WAIT = """\
key: w
name: 等待
business_key_prefix: W
nodes:
  - {id: start, type: start, next: wait}
  - {id: wait, type: timer, name: 等待, timer: {duration: "PT1M"}, next: a}
  - {id: a, type: user_task, name: 处理, assignee: {user: u1}, next: end}
  - {id: end, type: end}
"""

COLUMNS = [column.key for column in jobs_table.c]


def nothing(context: JobContext) -> None:
    """The benchmark's handler: the cost measured is the queue's own."""


HANDLERS = JobHandlers({"bench": nothing})


def libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def prepare(url: str, folder: Path, name: str) -> str:
    """An empty, migrated database (SQLite: a new file in ``folder``; PostgreSQL: a fresh schema)."""
    if url == "sqlite":
        url = f"sqlite:///{folder / f'{name}.db'}"
    else:
        with psycopg.connect(libpq(url), autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE')
            connection.execute(f'CREATE SCHEMA "{SCHEMA}"')
        url = make_url(url).update_query_dict({"options": f"-csearch_path={SCHEMA}"}).render_as_string(False)
    migrate.upgrade(url)
    return url


def job_rows(count: int, run_at: datetime, prefix: str) -> Iterator[tuple[Any, ...]]:
    """Pending jobs in the table's column order; every third shares a subject (a work item's ladder)."""
    created = run_at - timedelta(days=1)
    for n in range(count):
        yield (
            f"{prefix}{n:09d}",
            "bench",
            "{}",
            run_at,
            f"wi{prefix}{n // 3:09d}",
            None,
            "pending",
            0,
            5,
            None,
            None,
            None,
            created,
            created,
            None,
        )


def bulk_insert(url: str, rows: Iterator[tuple[Any, ...]]) -> None:
    """Write jobs fast: one executemany on the SQLite file, COPY on PostgreSQL."""
    if url.startswith("sqlite"):
        connection = sqlite3.connect(make_url(url).database or "")
        try:
            marks = ", ".join("?" for _ in COLUMNS)
            text = (
                tuple(
                    value.astimezone(UTC).isoformat(" ", "microseconds")[:26]
                    if isinstance(value, datetime)
                    else value
                    for value in row
                )
                for row in rows
            )
            connection.executemany(f"INSERT INTO jobs ({', '.join(COLUMNS)}) VALUES ({marks})", text)
            connection.commit()
            connection.execute("ANALYZE")
        finally:
            connection.close()
        return
    with psycopg.connect(libpq(url)) as connection:
        copying = f"COPY jobs ({', '.join(COLUMNS)}) FROM STDIN"
        with connection.cursor() as cursor, cursor.copy(copying) as copy:
            for row in rows:
                copy.write_row(row)
        connection.commit()
        connection.autocommit = True
        connection.execute("VACUUM ANALYZE jobs")


def drain(database: Database, owner: str, batch: int) -> int:
    """Run one worker until nothing is due; the number of jobs it ran."""
    worker = Worker(database, HANDLERS, SystemClock(), owner=owner, lease=timedelta(minutes=5), batch=batch)
    total = 0
    while ran := worker.run_once():
        total += ran
    return total


def drain_process(url: str, owner: str, batch: int, ready: Any, go: Any, results: Any) -> None:
    """A worker process: open the database, wait for the start signal, drain, report its count."""
    database = create_database(url)
    ready.release()
    go.wait()
    results.put(drain(database, owner, batch))
    database.dispose()


def drained_per_second(url: str, workers: int, count: int, batch: int) -> dict[str, Any]:
    """Bulk-insert ``count`` due jobs, drain them with ``workers`` (processes when more than 0 asked)."""
    bulk_insert(url, job_rows(count, datetime.now(UTC) - timedelta(minutes=1), "d"))
    context = multiprocessing.get_context("spawn")
    ready, go, results = context.Semaphore(0), context.Event(), context.Queue()
    processes = [
        context.Process(target=drain_process, args=(url, f"w{n}", batch, ready, go, results))
        for n in range(workers)
    ]
    for process in processes:
        process.start()
    for _ in processes:
        ready.acquire()
    started = time.perf_counter()
    go.set()
    ran = sum(results.get() for _ in processes)
    seconds = time.perf_counter() - started
    for process in processes:
        process.join()
    return {"workers": workers, "jobs": ran, "seconds": round(seconds, 2), "per_second": round(ran / seconds)}


def timers_fired(url: str, count: int, batch: int) -> dict[str, Any]:
    """Start ``count`` instances an hour ago (their 1-minute timers are due); fire all with one worker."""
    armed_at = FrozenClock(datetime.now(UTC) - timedelta(hours=1))
    with open_runtime(url, clock=armed_at) as runtime:
        runtime.execute(DeployDefinition(WAIT, source_name="jobs_bench_wait.yaml"))
        started = time.perf_counter()
        for _ in range(count):
            runtime.execute(StartProcess("w", {}, initiator="u1"))
        armed = time.perf_counter() - started
    with open_runtime(url) as runtime:
        worker = runtime.worker(owner="timers", batch=batch)
        started = time.perf_counter()
        fired = 0
        while ran := worker.run_once():
            fired += ran
        seconds = time.perf_counter() - started
        waiting = runtime.queries.inbox_counts("u1").todo
    assert waiting == count, f"{waiting} of {count} instances reached the step after the timer"
    return {
        "timers": fired,
        "seconds": round(seconds, 2),
        "per_second": round(fired / seconds),
        "arming_seconds": round(armed, 1),
    }


def percentiles(samples: Sequence[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 3),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 3),
    }


def timed(call: Callable[[], Any], samples: int) -> dict[str, float]:
    for _ in range(min(20, samples)):  # warm caches and the connection pool
        call()
    spent = []
    for _ in range(samples):
        started = time.perf_counter()
        call()
        spent.append(time.perf_counter() - started)
    return percentiles(spent)


def with_future_jobs(url: str, future: int, samples: int) -> dict[str, Any]:
    """Command, idle-acquire and cancel latency before and after ``future`` pending future jobs."""
    with open_runtime(url) as runtime:
        runtime.execute(DeployDefinition(SIMPLE, source_name="jobs_bench.yaml"))

        def command() -> None:
            view = runtime.execute(StartProcess("t", {}, initiator="u1"))
            runtime.execute(CompleteWorkItem(view.work_items[0].id, actor="u1"))

        worker = runtime.worker(owner="idle")
        subjects = iter(range(10**9))

        def cancel() -> None:
            with runtime.database.transaction() as connection:
                jobs.cancel(connection, subject=f"wif{next(subjects) * 7:09d}")

        before = {"command": timed(command, samples), "idle_acquire": timed(worker.run_once, samples)}
        started = time.perf_counter()
        bulk_insert(url, job_rows(future, datetime.now(UTC) + timedelta(days=30), "f"))
        fill = time.perf_counter() - started
        after = {
            "command": timed(command, samples),
            "idle_acquire": timed(worker.run_once, samples),
            "cancel_by_subject": timed(cancel, samples),
        }
    return {"future_jobs": future, "fill_seconds": round(fill, 1), "with_0": before, f"with_{future}": after}


def run(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    results: dict[str, Any] = {}
    sqlite_drain = prepare("sqlite", folder, "drain")
    database = create_database(sqlite_drain)
    try:
        bulk_insert(sqlite_drain, job_rows(args.drain, datetime.now(UTC) - timedelta(minutes=1), "d"))
        started = time.perf_counter()
        ran = drain(database, "w0", args.batch)
        seconds = time.perf_counter() - started
    finally:
        database.dispose()
    results["sqlite_drain"] = {"jobs": ran, "seconds": round(seconds, 2), "per_second": round(ran / seconds)}
    if args.timers:
        results["sqlite_timers"] = timers_fired(prepare("sqlite", folder, "timers"), args.timers, args.batch)
    future_url = prepare("sqlite", folder, "future")
    results["sqlite_future"] = with_future_jobs(future_url, args.future, args.samples)
    if not args.no_postgres:
        results["postgresql_drain"] = [
            drained_per_second(prepare(args.postgres, folder, ""), workers, args.pg_drain, args.batch)
            for workers in (1, 2, 4)
        ]
        results["postgresql_future"] = with_future_jobs(
            prepare(args.postgres, folder, ""), args.future, args.samples
        )
    return results


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drain", type=int, default=20_000, help="due jobs drained on SQLite (full: 100000)")
    parser.add_argument("--pg-drain", type=int, default=5_000, help="due jobs per PostgreSQL run")
    parser.add_argument("--future", type=int, default=100_000, help="pending future jobs (full: 1000000)")
    parser.add_argument("--timers", type=int, default=10_000, help="real timers fired (full: 100000)")
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--batch", type=int, default=100, help="jobs a worker acquires per round")
    parser.add_argument("--postgres", default=POSTGRES)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        results = run(args, Path(folder))
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return
    drained = results["sqlite_drain"]
    print(f"SQLite, 1 worker: {drained['jobs']} jobs in {drained['seconds']} s ({drained['per_second']}/s)")
    if "sqlite_timers" in results:
        timers = results["sqlite_timers"]
        print(
            f"SQLite, 1 worker, real timers: {timers['timers']} fired in {timers['seconds']} s "
            f"({timers['per_second']}/s; arming them took {timers['arming_seconds']} s)"
        )
    for row in results.get("postgresql_drain", []):
        print(f"PostgreSQL, {row['workers']} worker process(es): {row['jobs']} jobs, {row['per_second']}/s")
    for name in ("sqlite_future", "postgresql_future"):
        if name not in results:
            continue
        figures = results[name]
        print(f"{name} (filled {figures['future_jobs']} future jobs in {figures['fill_seconds']} s):")
        for label, measured in figures.items():
            if label.startswith("with_"):
                for what, times in measured.items():
                    p50, p95 = times["p50_ms"], times["p95_ms"]
                    print(f"  {label:>14} {what:<18} p50 {p50:8.3f} ms  p95 {p95:8.3f} ms")


if __name__ == "__main__":
    main()

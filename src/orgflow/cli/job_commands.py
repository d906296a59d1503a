"""``orgflow worker`` runs background jobs; ``orgflow jobs`` lists them, ``jobs retry`` revives one."""

from __future__ import annotations

import os
import signal
import socket
import threading
from typing import Annotated

import typer

from orgflow.cli import output
from orgflow.cli.session import AsJson, Db, handled, opened
from orgflow.labels import JOB_STATUS_LABELS
from orgflow.store.jobs import JobStatus, StoredJob

jobs_app = typer.Typer(help="后台任务：查看待执行与已失败的任务，重试失败的任务。")

#: Seconds an idle worker waits before looking for due jobs again.
IDLE_SLEEP = 1.0


@handled
def worker(
    once: Annotated[bool, typer.Option("--once", help="只执行一轮到期任务后退出")] = False,
    owner: Annotated[str | None, typer.Option("--owner", help="执行器名称（默认：主机名-进程号）")] = None,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """运行后台任务执行器：执行到期的提醒、升级、定时与通知任务（Ctrl+C 或 SIGTERM 停止）。"""
    name = owner or f"{socket.gethostname()}-{os.getpid()}"
    with opened(db) as runtime:
        running = runtime.worker(owner=name)
        if once:
            ran = running.run_once()
            if as_json:
                output.print_json({"ok": True, "owner": name, "ran": ran})
            else:
                output.console.print(f"执行器 {name} 执行了 {ran} 个到期任务")
            return
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())
        if not as_json:
            output.console.print(f"执行器 {name} 已启动，按 Ctrl+C 停止")
        try:
            running.run_forever(stop, IDLE_SLEEP)
        except KeyboardInterrupt:
            pass
    if as_json:
        output.print_json({"ok": True, "owner": name, "stopped": True})
    else:
        output.console.print(f"执行器 {name} 已停止")


@jobs_app.callback(invoke_without_command=True)
@handled
def list_jobs(
    context: typer.Context,
    failed: Annotated[bool, typer.Option("--failed", help="只列出已失败的任务（需要处理的异常）")] = False,
    kind: Annotated[str | None, typer.Option("--kind", help="任务类型")] = None,
    limit: Annotated[int, typer.Option("--limit", help="最多列出多少个")] = 100,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """列出后台任务（默认全部，按到期时间排序）。"""
    if context.invoked_subcommand is not None:
        return
    with opened(db) as runtime:
        found = runtime.jobs.list(status=JobStatus.FAILED if failed else None, kind=kind, limit=limit)
    if as_json:
        output.print_json({"ok": True, "jobs": found})
        return
    output.table(
        "已失败的后台任务" if failed else "后台任务",
        ["任务 ID", "类型", "状态", "到期时间", "已尝试", "对象", "最近错误"],
        [job_row(job) for job in found],
    )


@jobs_app.command("retry")
@handled
def retry_job(
    job_id: Annotated[str, typer.Argument(help="已失败的任务 ID")],
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """重试一个已失败的任务：立即到期，重新计算尝试次数。"""
    with opened(db) as runtime:
        job = runtime.jobs.retry(job_id)
    if as_json:
        output.print_json({"ok": True, "job": job})
    else:
        output.console.print(f"已重新排队后台任务 {job.id}（{job.kind}），将由执行器尽快执行")


def job_row(job: StoredJob) -> list[str]:
    """One job as a table row."""
    return [
        job.id,
        job.kind,
        JOB_STATUS_LABELS.get(job.status.value, job.status.value),
        output.when(job.run_at),
        f"{job.attempts}/{job.max_attempts}",
        job.subject or "",
        (job.last_error or "").splitlines()[0] if job.last_error else "",
    ]


def add_job_commands(app: typer.Typer) -> None:
    """Register ``worker`` and ``jobs`` on the ``orgflow`` app."""
    app.command("worker")(worker)
    app.add_typer(jobs_app, name="jobs")

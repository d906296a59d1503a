"""``orgflow serve`` runs the REST API (uvicorn); ``orgflow demo-data`` makes the database the demo.

On SQLite (the embedded default) one process owns all writes, so ``serve``
also runs the job worker in a thread of its own process; on PostgreSQL it
does not by default, and any number of ``serve`` and ``orgflow worker``
processes share the database. ``--worker/--no-worker`` overrides either.

uvicorn runs in this process (:mod:`orgflow.api.serving`). Its log level is
``warning`` and its access log is off by default: a log line per request
costs about as much as a quick request itself, and the audit trail already
says who did what. Ctrl+C (SIGINT) or SIGTERM stops it: requests in flight
finish, the worker thread is joined, the database is closed, exit code 0.

The API, uvicorn and the demo are imported when these commands run, so the
other commands start without them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Final

import typer

from orgflow.cli import output
from orgflow.cli.session import AsJson, Db, database_url, handled, opened
from orgflow.settings import Settings
from orgflow.store import migrate

if TYPE_CHECKING:
    from orgflow.demo import DemoSeeded

#: Where the service listens unless told otherwise: this machine only.
DEFAULT_HOST: Final = "127.0.0.1"
DEFAULT_PORT: Final = 8000

Examples = Annotated[
    Path | None,
    typer.Option("--examples", help="示例目录（含 org/ 与流程定义；默认 ./examples）", show_default=False),
]


@handled
def serve(
    host: Annotated[str, typer.Option("--host", help="监听地址")] = DEFAULT_HOST,
    port: Annotated[int, typer.Option("--port", help="监听端口（0：任选一个空闲端口）", min=0, max=65535)] = (
        DEFAULT_PORT
    ),
    worker: Annotated[
        bool | None,
        typer.Option(
            "--worker/--no-worker",
            help="在本进程内运行后台任务执行器（默认：SQLite 运行，PostgreSQL 不运行，另起 orgflow worker）",
            show_default=False,
        ),
    ] = None,
    demo: Annotated[
        bool, typer.Option("--demo", help="先初始化数据库并写入演示数据（可重复运行；同 orgflow demo-data）")
    ] = False,
    examples: Examples = None,
    log_level: Annotated[
        str, typer.Option("--log-level", help="uvicorn 日志级别：critical | error | warning | info | debug")
    ] = "warning",
    access_log: Annotated[
        bool, typer.Option("--access-log/--no-access-log", help="逐条记录请求（默认关闭，以免拖慢服务）")
    ] = False,
    db: Db = None,
) -> None:
    """运行服务：网页界面（在浏览器打开 / 并登录）与 REST API（文档在 /docs）；Ctrl+C 停止。"""
    from orgflow.api.app import create_app
    from orgflow.api.serving import bound_socket, serve_app

    if demo:
        migrate.upgrade(database_url(db))
    listening = bound_socket(host, port)
    try:
        with opened(db) as runtime:
            address = base_url(host, listening.getsockname()[1])
            if demo:
                from orgflow.demo import seed_demo

                print_seeded(seed_demo(runtime, examples), address)
            in_process = runtime.database.dialect == "sqlite" if worker is None else worker
            jobs = "后台任务由本进程执行" if in_process else "后台任务请另行运行 orgflow worker"
            app = create_app(runtime, run_worker=in_process)
            # ORGFLOW_COOKIE_SECURE; unset: Secure except over plain http at a loopback address (the demo).
            app.state.cookie_secure = Settings.from_env().cookie_secure
            serve_app(
                app,
                listening,
                on_started=lambda: say(started_message(address, jobs)),
                log_level=log_level,
                access_log=access_log,
            )
    finally:
        listening.close()
    say("OrgFlow 服务已停止")


@handled
def demo_data(examples: Examples = None, db: Db = None, as_json: AsJson = False) -> None:
    """写入演示数据：初始化数据库，导入演示公司，部署示例流程，创建演示账号和几个办理中的实例（可重复运行）。"""
    from orgflow.demo import seed_demo

    migrate.upgrade(database_url(db))
    with opened(db) as runtime:
        seeded = seed_demo(runtime, examples)
    if as_json:
        output.print_json({"ok": True, **output.plain(seeded)})
        return
    print_seeded(seeded, base_url(DEFAULT_HOST, DEFAULT_PORT))
    say("启动服务：orgflow serve")


def base_url(host: str, port: int) -> str:
    """The address to open in a browser (an IPv6 address in brackets; ``0.0.0.0``: this machine)."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def print_seeded(seeded: DemoSeeded, address: str) -> None:
    """The demo's state: what changed, the instances, the sign-ins, where to go."""
    made = sum(1 for deployed in seeded.deployed if deployed.created)
    org = "已导入" if seeded.org_imported else "未变化"
    say(
        f"演示数据已就绪：组织架构{org}；示例流程 {len(seeded.deployed)} 个（本次新部署 {made} 个）；"
        f"新建账号 {len(seeded.accounts_added)} 个；"
        f"新建实例 {sum(1 for instance in seeded.instances if instance.created)} 个"
    )
    output.table(
        "演示实例",
        ["任务ID", "场景", "状态", "当前步骤"],
        [
            [i.business_key, i.label, output.status_label(i.status), "、".join(i.waiting_at) or "—"]
            for i in seeded.instances
        ],
    )
    output.table(
        "演示登录（仅供本机演示）",
        ["用户ID", "姓名", "角色", "密码", "可以试试"],
        [[s.user_id, name, s.role, s.password, s.tries] for s, name in seeded.accounts],
    )
    say(f"在浏览器打开 {address}/ ，用上面的演示账号登录")
    say(f"API 文档：{address}/docs   服务状态：{address}/api/v1/health")


def started_message(address: str, jobs: str) -> str:
    """The line ``serve`` prints once it listens: the web UI to open first, then the API's docs.

    ``scripts/quickstart.sh`` and the tests read the address right after ``服务已启动：``.
    """
    return (
        f"OrgFlow 服务已启动：{address}/ （在浏览器打开并登录；API 文档 {address}/docs；{jobs}），"
        "按 Ctrl+C 停止"
    )


def say(text: str) -> None:
    """Print one line now (also when standard output is a pipe, as under a supervisor or a test)."""
    output.console.print(text, markup=False)
    output.console.file.flush()


def add_serve_commands(app: typer.Typer) -> None:
    """Register ``serve`` and ``demo-data`` on the ``orgflow`` app."""
    app.command("serve")(serve)
    app.command("demo-data")(demo_data)

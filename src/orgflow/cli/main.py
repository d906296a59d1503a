"""The ``orgflow`` command: Typer commands that parse, call the runtime and render; no business rules here.

Every command takes ``--db URL`` and ``--json``. Errors print one line (or the
list of a definition's problems) and exit non-zero; no stack trace reaches the
user: unexpected ones are written to ``<home>/error.log`` instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from orgflow.cli import inbox_commands, output, task_commands
from orgflow.cli.account_commands import add_account_commands
from orgflow.cli.anomaly_commands import add_anomaly_commands
from orgflow.cli.audit_commands import add_audit_commands
from orgflow.cli.bpmn_commands import add_bpmn_commands
from orgflow.cli.clock_commands import add_clock_commands
from orgflow.cli.deadline_commands import add_deadline_commands
from orgflow.cli.diagram_commands import add_diagram_commands
from orgflow.cli.file_commands import add_file_commands
from orgflow.cli.job_commands import add_job_commands
from orgflow.cli.key_commands import add_key_commands
from orgflow.cli.notify_commands import add_notify_commands
from orgflow.cli.org_commands import org_app, proxy_app
from orgflow.cli.serve_commands import add_serve_commands
from orgflow.cli.session import AsJson, Db, database_url, handled, opened, parse_data
from orgflow.cli.table_commands import add_table_commands
from orgflow.cli.version_commands import add_version_commands
from orgflow.errors import ConfigurationError, DefinitionError
from orgflow.model.loaders import load_source, read_source_file
from orgflow.runtime.actions import (
    ClaimWorkItem,
    CompleteWorkItem,
    DeployDefinition,
    StartProcess,
    UnclaimWorkItem,
)
from orgflow.store import migrate
from orgflow.store.database import display_url

app = typer.Typer(
    name="orgflow",
    help="OrgFlow 协同流程平台：跨部门流程的定义、发起、办理与追踪。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(org_app, name="org")
app.add_typer(proxy_app, name="proxy")
add_file_commands(app)
add_deadline_commands(app)
add_job_commands(app)
add_audit_commands(app)
add_key_commands(app)
add_clock_commands(app)
add_bpmn_commands(app)
add_notify_commands(app)
add_version_commands(app)
add_table_commands(app)
add_diagram_commands(app)
add_account_commands(app)
add_serve_commands(app)
app.command("inbox")(inbox_commands.inbox)
app.command("copy")(inbox_commands.copy)
app.command("urge")(inbox_commands.urge)


@app.command()
@handled
def init(db: Db = None, as_json: AsJson = False) -> None:
    """创建或升级数据库结构（Alembic 迁移）。"""
    url = database_url(db)
    migrate.upgrade(url)
    revision = migrate.current_revision(url)
    if as_json:
        output.print_json({"ok": True, "database": display_url(url), "revision": revision})
    else:
        output.console.print(f"数据库已就绪：{display_url(url)}（结构版本 {revision}）")


@app.command()
@handled
def deploy(
    files: Annotated[
        list[Path], typer.Argument(help="流程定义文件（YAML、BPMN、节点配置表）", show_default=False)
    ],
    user: Annotated[str | None, typer.Option("--user", help="部署人")] = None,
    note: Annotated[str | None, typer.Option("--note", help="变更说明（记在新版本上）")] = None,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """部署流程定义；同一 key 再次部署生成新版本，运行中的实例留在原版本。"""
    sources = []
    problems = []
    for path in files:
        text, source_format = read_source_file(path)
        try:
            load_source(text, source_format=source_format, source=str(path))
        except DefinitionError as error:
            problems.append(error)
        sources.append((path, text, source_format))
    if problems:
        # The whole batch is checked first: one broken file deploys none of the batch.
        if len(problems) == 1:
            raise problems[0]
        raise ConfigurationError("\n".join(str(problem) for problem in problems))
    results = []
    with opened(db) as runtime:
        for path, text, source_format in sources:
            action = DeployDefinition(
                source_text=text,
                source_name=str(path),
                actor=user,
                source_format=source_format,
                change_note=note,
            )
            results.append(runtime.execute(action))
    if as_json:
        output.print_json({"ok": True, "deployed": results})
        return
    for deployed in results:
        verb = "已部署" if deployed.created else "未变化，沿用"
        output.console.print(f"{verb} {deployed.key} 版本 {deployed.version}：{deployed.label}")
        for warning in deployed.warnings:
            output.console.print(f"  [yellow]{warning}[/yellow]", markup=True)


@app.command()
@handled
def definitions(
    all_versions: Annotated[bool, typer.Option("--all", help="列出每个版本")] = False,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """列出已部署的流程定义（默认每个 key 的最新版本）。"""
    with opened(db) as runtime:
        views = runtime.queries.definitions(latest_only=not all_versions)
    if as_json:
        output.print_json({"ok": True, "definitions": views})
        return
    output.table(
        "流程定义",
        ["key", "版本", "版本标识", "名称", "部署时间"],
        [[v.key, str(v.version), v.label, v.name, output.when(v.deployed_at)] for v in views],
    )


@app.command()
@handled
def start(
    key: Annotated[str, typer.Argument(help="流程定义 key")],
    data: Annotated[str, typer.Option("--data", help="发起数据（JSON 对象）")] = "{}",
    user: Annotated[str | None, typer.Option("--user", help="发起人")] = None,
    version: Annotated[int | None, typer.Option("--version", help="指定版本（默认最新）")] = None,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """发起一个流程实例。"""
    values = parse_data(data)
    with opened(db) as runtime:
        view = runtime.execute(StartProcess(key=key, data=values, initiator=user, version=version))
    output.show_instance(view, as_json)


@app.command()
@handled
def tasks(
    user: Annotated[str | None, typer.Option("--user", help="处理人")] = None,
    department: Annotated[str | None, typer.Option("--department", help="部门（部门共享的待办）")] = None,
    status: Annotated[str, typer.Option("--status", help="open | completed | cancelled | all")] = "open",
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """列出待办（默认所有未办理的）。"""
    if status not in ("open", "completed", "cancelled", "all"):
        raise ConfigurationError(f"--status 只能是 open、completed、cancelled 或 all，而不是 {status!r}")
    with opened(db) as runtime:
        items = runtime.queries.work_items(
            assignee=user, department=department, status=None if status == "all" else status, limit=500
        )
    if as_json:
        output.print_json({"ok": True, "work_items": items})
    else:
        output.print_work_items(items)


@app.command()
@handled
def complete(
    work_item_id: Annotated[str, typer.Argument(help="待办 ID")],
    outcome: Annotated[
        str, typer.Option("--outcome", help="approve | reject | 节点定义的其他结果")
    ] = "approve",
    data: Annotated[str, typer.Option("--data", help="表单数据（JSON 对象）")] = "{}",
    comment: Annotated[str, typer.Option("--comment", help="处理意见")] = "",
    user: Annotated[str | None, typer.Option("--user", help="处理人")] = None,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """办理一个待办：给出结果、表单数据和意见。"""
    values = parse_data(data)
    action = CompleteWorkItem(
        work_item_id=work_item_id, actor=user, outcome=outcome, data=values, comment=comment
    )
    with opened(db) as runtime:
        view = runtime.execute(action)
    output.show_instance(view, as_json)


@app.command()
@handled
def claim(
    work_item_id: Annotated[str, typer.Argument(help="部门或角色共享的待办 ID")],
    user: Annotated[str, typer.Option("--user", help="认领人")],
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """认领一个共享待办，认领后只在认领人的待办中。"""
    with opened(db) as runtime:
        view = runtime.execute(ClaimWorkItem(work_item_id, user))
    output.show_instance(view, as_json)


@app.command()
@handled
def unclaim(
    work_item_id: Annotated[str, typer.Argument(help="已认领的待办 ID")],
    user: Annotated[str, typer.Option("--user", help="认领人")],
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """取消认领，把待办交还给部门或角色。"""
    with opened(db) as runtime:
        view = runtime.execute(UnclaimWorkItem(work_item_id, user))
    output.show_instance(view, as_json)


@app.command()
@handled
def instances(
    status: Annotated[
        str | None, typer.Option("--status", help="running | completed | terminated | failed")
    ] = None,
    key: Annotated[str | None, typer.Option("--key", help="流程定义 key")] = None,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """列出流程实例（最新的在前）。"""
    with opened(db) as runtime:
        rows = runtime.queries.instances(status=status, definition_key=key, limit=500)
    if as_json:
        output.print_json({"ok": True, "instances": rows})
        return
    output.table(
        "流程实例",
        ["任务ID", "流程", "状态", "发起人", "发起时间", "结束时间"],
        [
            [
                r.business_key,
                r.definition_id,
                output.status_label(r.status),
                r.initiator or "",
                output.when(r.started_at),
                output.when(r.ended_at),
            ]
            for r in rows
        ],
    )


@app.command()
@handled
def show(
    instance: Annotated[str, typer.Argument(help="实例 ID 或任务ID（业务编号）")],
    user: Annotated[
        str | None, typer.Option("--user", help="以该用户的身份查看（隐藏其无权查看的字段）")
    ] = None,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """查看一个流程实例：当前位置、待办与流转记录。"""
    with opened(db) as runtime:
        detail = runtime.queries.instance(instance, viewer=user)
    if as_json:
        output.print_json({"ok": True, **output.plain(detail)})
    else:
        output.print_detail(detail)


@app.command()
@handled
def demo(
    key: Annotated[str, typer.Option("--key", help="演示的流程")] = "new_product_launch",
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """演示：走完一个示例流程（含一次驳回修改），逐步打印。"""
    from orgflow.cli.demo import walk

    with opened(db) as runtime:
        detail = walk(runtime, key, say=None if as_json else output.console.print)
        initiator = detail.instance.initiator or ""
        told = runtime.notifications.inbox(initiator, limit=3)
        name = runtime.queries.org().name_of(initiator)
    if as_json:
        output.print_json({"ok": True, **output.plain(detail)})
        return
    output.print_history(detail.history)
    output.console.print(f"发起人{name}的站内消息（未读 {told.unread} 条），最新的：", markup=False)
    for message in told.messages:
        output.console.print(f"  {output.when(message.created_at)}  {message.title}", markup=False)


task_commands.register(app)
add_anomaly_commands(app)


def main() -> None:
    """Entry point for ``python -m orgflow``."""
    app()

"""The 异常 loop on the command line: list, raise, explain, re-plan, resolve, verify, export, analyse.

``orgflow exceptions`` lists anomalies; ``orgflow exception …`` acts on one
(or exports the 异常处理记录表); ``orgflow progress-table`` writes the
执行进度跟踪表. Times without an offset are China time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from orgflow.anomalies.export import TableFormat, table_format, write_table
from orgflow.cli import output
from orgflow.cli.org_commands import parse_moment
from orgflow.cli.session import AsJson, Db, handled, opened
from orgflow.errors import ConfigurationError
from orgflow.runtime.actions import (
    ExplainAnomaly,
    RaiseAnomaly,
    ReplanAnomaly,
    ResolveAnomaly,
    VerifyAnomaly,
)
from orgflow.runtime.views import AnomalyView

exception_app = typer.Typer(help="异常：上报、说明、重新计划、处理、验证、导出。", no_args_is_help=True)

Number = Annotated[str, typer.Argument(help="异常编号，如 ABN20261202001")]
User = Annotated[str, typer.Option("--user", help="操作人")]
Status = Annotated[
    str | None, typer.Option("--status", help="状态：open（未闭环）、found、reported、handling…")
]
Department = Annotated[str | None, typer.Option("--department", help="责任部门（编号或名称）")]
Category = Annotated[str | None, typer.Option("--category", help="原因分类（代码或名称）")]
Month = Annotated[str | None, typer.Option("--month", help="发现月份 YYYY-MM")]
Instance = Annotated[str | None, typer.Option("--instance", help="流程实例（ID 或任务ID）")]
Output = Annotated[Path, typer.Option("-o", "--output", help="导出到的文件")]
Format = Annotated[str | None, typer.Option("--format", help="csv 或 xlsx（默认按文件扩展名）")]


@handled
def exceptions(
    status: Status = None,
    department: Department = None,
    category: Category = None,
    month: Month = None,
    instance: Instance = None,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """列出异常：编号、任务、节点、状态、原因、处理负责人。"""
    with opened(db) as runtime:
        found = runtime.anomalies.search(
            status=status, department=department, category=category, month=month, instance=instance
        )
    if as_json:
        output.print_json({"ok": True, "anomalies": found})
        return
    rows = [
        [
            a.number,
            a.business_key,
            a.node_name or "",
            a.status_label,
            a.cause_label or "",
            a.handler or "",
            output.when(a.explanation_due_at if a.status == "found" else a.new_due_at),
        ]
        for a in found
    ]
    output.table(
        "异常", ["编号", "任务ID", "节点", "状态", "原因分类", "处理负责人", "说明截止/新时限"], rows
    )


@exception_app.command("raise")
@handled
def raise_anomaly(
    instance: Annotated[str, typer.Argument(help="流程实例（ID 或任务ID）")],
    description: Annotated[str, typer.Option("--description", help="异常描述")],
    user: User,
    work_item: Annotated[str | None, typer.Option("--work-item", help="受阻的待办 ID")] = None,
    node: Annotated[str | None, typer.Option("--node", help="受阻的节点 ID")] = None,
    department: Department = None,
    category: Category = None,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """手工上报异常（如等待供应商）：责任部门须在 4 小时内提交《异常处理说明》。"""
    action = RaiseAnomaly(
        instance=instance,
        actor=user,
        description=description,
        work_item_id=work_item,
        node_id=node,
        department=department,
        category=category,
    )
    _run(action, db, as_json, "已上报异常")


@exception_app.command("explain")
@handled
def explain(
    number: Number,
    cause: Annotated[str, typer.Option("--cause", help="异常原因")],
    category: Annotated[str, typer.Option("--category", help="原因分类（代码或名称，如 外部供应商延迟）")],
    user: User,
    expected: Annotated[
        str | None, typer.Option("--expected", help="预计解决时间，如 2026-12-03 18:00")
    ] = None,
    resources: Annotated[str, typer.Option("--resources", help="需协调资源")] = "",
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """提交《异常处理说明》：原因、预计解决时间、需协调资源。"""
    action = ExplainAnomaly(
        number=number,
        actor=user,
        cause=cause,
        category=category,
        expected_resolution_at=None if expected is None else parse_moment(expected, "--expected"),
        resources_needed=resources,
    )
    _run(action, db, as_json, "已提交异常处理说明")


@exception_app.command("replan")
@handled
def replan(
    number: Number,
    due: Annotated[str, typer.Option("--due", help="新时限，如 2026-12-05 18:00")],
    handler: Annotated[str, typer.Option("--handler", help="处理负责人（用户ID）")],
    user: User,
    plan: Annotated[str, typer.Option("--plan", help="处理方案")] = "",
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """重新计划：明确新时限和处理负责人，同步更新待办的时限（必要时转交）。"""
    action = ReplanAnomaly(
        number=number, actor=user, new_due_at=parse_moment(due, "--due"), handler=handler, plan=plan
    )
    _run(action, db, as_json, "已重新计划")


@exception_app.command("resolve")
@handled
def resolve(
    number: Number,
    user: User,
    resolution: Annotated[str, typer.Option("--resolution", help="处理结果")] = "",
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """处理完成：等待他人验证。"""
    _run(ResolveAnomaly(number=number, actor=user, resolution=resolution), db, as_json, "已处理完成")


@exception_app.command("verify")
@handled
def verify(
    number: Number,
    user: User,
    passed: Annotated[bool, typer.Option("--pass/--fail", help="验证通过或不通过")],
    note: Annotated[str, typer.Option("--note", help="验证说明（不通过时必填）")] = "",
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """结果验证：通过即闭环；不通过退回处理负责人。"""
    said = "验证通过，异常已闭环" if passed else "验证未通过，已退回处理"
    _run(VerifyAnomaly(number=number, actor=user, passed=passed, note=note), db, as_json, said)


@exception_app.command("show")
@handled
def show(number: Number, db: Db = None, as_json: AsJson = False) -> None:
    """查看一个异常及其全部处理步骤。"""
    with opened(db) as runtime:
        detail = runtime.anomalies.get(number)
    if as_json:
        output.print_json({"ok": True, **output.plain(detail)})
        return
    _say(detail.anomaly, "异常")
    output.print_history(detail.steps)


@exception_app.command("analysis")
@handled
def analysis(
    month: Annotated[str, typer.Option("--month", help="月份 YYYY-MM")],
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """月度归因分析：按原因分类和责任部门统计异常数量。"""
    with opened(db) as runtime:
        result = runtime.anomalies.monthly(month)
    if as_json:
        output.print_json({"ok": True, "analysis": result})
        return
    output.console.print(f"{result.month} 共发现异常 {result.total} 个，未闭环 {result.open} 个")
    columns = ["数量", "未闭环"]
    output.table(
        "按原因分类",
        ["原因分类", *columns],
        [[r.label, str(r.count), str(r.open)] for r in result.by_category],
    )
    output.table(
        "按责任部门",
        ["责任部门", *columns],
        [[r.label, str(r.count), str(r.open)] for r in result.by_department],
    )


@exception_app.command("export")
@handled
def export(
    to: Output,
    fmt: Format = None,
    status: Status = None,
    department: Department = None,
    category: Category = None,
    month: Month = None,
    instance: Instance = None,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """导出《异常处理记录表》（CSV 或 XLSX）。"""
    with opened(db) as runtime:
        columns, rows = runtime.anomalies.record_table(
            status=status, department=department, category=category, month=month, instance=instance
        )
    _write(to, fmt, "异常处理记录表", columns, rows, as_json)


@handled
def progress_table(
    to: Output,
    instance: Annotated[
        list[str] | None, typer.Option("--instance", help="流程实例（可重复；默认全部）")
    ] = None,
    fmt: Format = None,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """导出《执行进度跟踪表》：每个待办的计划/实际完成时间、状态和延迟原因。"""
    with opened(db) as runtime:
        columns, rows = runtime.anomalies.progress_table(instance or None)
    _write(to, fmt, "执行进度跟踪表", columns, rows, as_json)


def add_anomaly_commands(app: typer.Typer) -> None:
    """Register ``exceptions``, ``exception …`` and ``progress-table`` on the ``orgflow`` app."""
    app.command()(exceptions)
    app.add_typer(exception_app, name="exception")
    app.command(name="progress-table")(progress_table)


def _run(
    action: RaiseAnomaly | ExplainAnomaly | ReplanAnomaly | ResolveAnomaly | VerifyAnomaly,
    db: str | None,
    as_json: bool,
    said: str,
) -> None:
    with opened(db) as runtime:
        anomaly: AnomalyView = runtime.execute(action)
    if as_json:
        output.print_json({"ok": True, "anomaly": anomaly})
    else:
        _say(anomaly, said)


def _say(anomaly: AnomalyView, said: str) -> None:
    output.console.print(
        f"{said}：{anomaly.number}（{anomaly.business_key}「{anomaly.node_name or '整个流程'}」）"
        f"当前状态：{anomaly.status_label}"
    )


def _write(
    to: Path, fmt: str | None, title: str, columns: tuple[str, ...], rows: list[list[str]], as_json: bool
) -> None:
    chosen = table_format(fmt or to.suffix.lstrip(".") or "csv")
    if fmt is None and to.suffix.lower() not in (".csv", ".xlsx", ""):
        raise ConfigurationError(f"无法从文件名 {to.name} 判断导出格式，请用 --format csv 或 --format xlsx")
    write_table(to, chosen, title, columns, rows)
    if as_json:
        output.print_json({"ok": True, "file": str(to), "format": chosen.value, "rows": len(rows)})
    else:
        kind = "Excel" if chosen is TableFormat.XLSX else "CSV"
        output.console.print(f"已导出《{title}》{len(rows)} 行到 {to}（{kind}）")

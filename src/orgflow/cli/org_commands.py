"""``orgflow org import | show | export``: the org chart from and to CSV/XLSX files."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from orgflow.cli import output
from orgflow.cli.session import AsJson, Db, handled, opened
from orgflow.errors import ConfigurationError
from orgflow.org.model import OrgSnapshot
from orgflow.org.spreadsheet import read_org_files, write_org_file
from orgflow.runtime.actions import EndProxy, ImportOrg, SetProxy
from orgflow.runtime.views import OrgImported

org_app = typer.Typer(help="组织架构：部门、人员、角色的导入、查看与导出。", no_args_is_help=True)


@org_app.command("import")
@handled
def import_org(
    files: Annotated[
        list[Path], typer.Argument(help="组织架构文件：一个 .xlsx（部门、人员两个工作表），或部门/人员 .csv")
    ],
    user: Annotated[str | None, typer.Option("--user", help="导入人")] = None,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """导入组织架构（整体替换；文件中没有的人员保留为停用，并列出需要重新分派的待办）。"""
    chart = read_org_files(files)
    with opened(db) as runtime:
        result = runtime.execute(ImportOrg(chart, actor=user))
    if as_json:
        output.print_json({"ok": True, "org": result})
    else:
        print_imported(result)


@org_app.command("show")
@handled
def show_org(db: Db = None, as_json: AsJson = False) -> None:
    """查看当前组织架构。"""
    with opened(db) as runtime:
        chart = runtime.queries.org()
    if as_json:
        output.print_json({"ok": True, "org": org_document(chart)})
    else:
        print_org(chart)


@org_app.command("export")
@handled
def export_org(
    file: Annotated[
        Path, typer.Argument(help="导出到 .xlsx，或 .csv（写成 <名称>-部门.csv 与 <名称>-人员.csv）")
    ],
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """导出当前组织架构，格式与导入相同。"""
    with opened(db) as runtime:
        chart = runtime.queries.org()
    written = write_org_file(chart, file)
    if as_json:
        output.print_json({"ok": True, "files": [str(path) for path in written]})
    else:
        for path in written:
            output.console.print(f"已导出 {path}")


def org_document(chart: OrgSnapshot) -> dict[str, object]:
    """The chart as one JSON-ready document."""
    return {
        "revision": chart.revision,
        "departments": list(chart.departments.values()),
        "users": list(chart.users.values()),
    }


def print_imported(result: OrgImported) -> None:
    """What an import changed, and the work that now needs reassigning."""
    output.console.print(
        f"组织架构已导入（第 {result.revision} 版）：{result.departments} 个部门，{result.users} 名在职人员"
    )
    if result.added_users:
        output.console.print(f"  新增人员：{'、'.join(result.added_users)}")
    if result.deactivated_users:
        output.console.print(f"  停用人员：{'、'.join(result.deactivated_users)}")
    if result.removed_departments:
        output.console.print(f"  删除部门：{'、'.join(result.removed_departments)}")
    if result.orphaned:
        output.table(
            "需要重新分派的待办",
            ["待办 ID", "任务ID", "节点", "原处理人"],
            [
                [item.id, item.business_key, item.name, output.who(item.assignee, item.candidate_group)]
                for item in result.orphaned
            ],
        )


def print_org(chart: OrgSnapshot) -> None:
    """Departments with their heads, then people with their departments and roles."""
    output.table(
        f"部门（第 {chart.revision} 版）",
        ["部门编号", "部门名称", "上级部门", "负责人", "分管领导"],
        [
            [
                department.id,
                department.name,
                department.parent_id or "",
                chart.name_of(department.head) if department.head else "",
                chart.name_of(department.supervisor) if department.supervisor else "",
            ]
            for department in chart.departments.values()
        ],
    )
    output.table(
        "人员",
        ["用户ID", "姓名", "部门", "角色", "状态"],
        [
            [
                user.id,
                user.name,
                "、".join(user.departments),
                "、".join(str(grant) for grant in user.roles),
                "在职" if user.active else "停用",
            ]
            for user in chart.users.values()
        ],
    )


proxy_app = typer.Typer(help="代理：请假、出差期间由他人接收新待办。", no_args_is_help=True)

#: Times written without an offset are read as China time, where OrgFlow's users are.
LOCAL_ZONE = ZoneInfo("Asia/Shanghai")


def parse_moment(text: str, option: str) -> datetime:
    """``2026-12-01``, ``2026-12-01 09:00`` or full ISO 8601; without an offset, China time."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ConfigurationError(
            f"{option} 不是合法的日期时间：{text!r}（例如 2026-12-01 或 2026-12-01T09:00）"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=LOCAL_ZONE)


@proxy_app.command("set")
@handled
def set_proxy(
    user: Annotated[str, typer.Argument(help="被代理人（请假、出差的人）")],
    to: Annotated[str, typer.Option("--to", help="代理人")],
    starts: Annotated[str, typer.Option("--from", help="开始，如 2026-12-01 或 2026-12-01T09:00")],
    ends: Annotated[str, typer.Option("--until", help="结束（不含），如 2026-12-08")],
    reason: Annotated[str, typer.Option("--reason", help="原因，如 休假")] = "",
    actor: Annotated[str | None, typer.Option("--user", help="操作人")] = None,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """设置代理：期间发给被代理人的新待办改由代理人接收，流转记录显示“X 代 Y”。"""
    action = SetProxy(user, to, parse_moment(starts, "--from"), parse_moment(ends, "--until"), reason, actor)
    with opened(db) as runtime:
        revision = runtime.execute(action)
    if as_json:
        output.print_json({"ok": True, "revision": revision})
    else:
        output.console.print(f"已设置：{user} 的新待办由 {to} 代理（{starts} 至 {ends}）")


@proxy_app.command("end")
@handled
def end_proxy(
    user: Annotated[str, typer.Argument(help="被代理人")],
    actor: Annotated[str | None, typer.Option("--user", help="操作人")] = None,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """结束代理（正在生效的立即结束，尚未开始的取消）。"""
    with opened(db) as runtime:
        changed = runtime.execute(EndProxy(user, actor))
    if as_json:
        output.print_json({"ok": True, "changed": changed})
    else:
        output.console.print(f"已结束 {user} 的代理" if changed else f"{user} 没有生效或待生效的代理")


@proxy_app.command("list")
@handled
def list_proxies(db: Db = None, as_json: AsJson = False) -> None:
    """列出代理设置。"""
    with opened(db) as runtime:
        chart = runtime.queries.org()
    if as_json:
        output.print_json({"ok": True, "proxies": list(chart.delegations)})
        return
    output.table(
        "代理",
        ["被代理人", "代理人", "开始", "结束", "原因"],
        [
            [
                chart.name_of(d.user),
                chart.name_of(d.proxy),
                output.when(d.starts),
                output.when(d.ends),
                d.reason,
            ]
            for d in chart.delegations
        ],
    )

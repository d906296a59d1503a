"""``orgflow org import | show | export``: the org chart from and to CSV/XLSX files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from orgflow.cli import output
from orgflow.cli.session import AsJson, Db, handled, opened
from orgflow.org.model import OrgSnapshot
from orgflow.org.spreadsheet import read_org_files, write_org_file
from orgflow.runtime.actions import ImportOrg
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

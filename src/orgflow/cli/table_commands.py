"""``orgflow table template | export``: the seed's node-configuration table (流程节点配置表) as Excel or CSV.

A filled-in table is deployed like any definition (``orgflow deploy 表.xlsx``);
these commands hand out the blank template and write a deployed version back
as a table, to edit and deploy again: a version deployed from a table as it was
deployed (:mod:`orgflow.model.table_source`), one deployed from YAML or BPMN
written from its definition, with what a table cannot hold listed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from orgflow.cli import output
from orgflow.cli.session import AsJson, Db, handled, opened
from orgflow.errors import ConfigurationError
from orgflow.model.table_reader import SOURCE_FORMAT as NODE_TABLE
from orgflow.model.table_source import deployed_table
from orgflow.model.table_writer import TEMPLATE, NodeTable, node_table, table_csv, table_xlsx

table_app = typer.Typer(
    help="流程节点配置表（种子文档 003 模板 2）：下载空白模板，把已部署的流程导出为表格。",
    no_args_is_help=True,
)

Output = Annotated[Path, typer.Option("-o", "--output", help="要写入的文件（.xlsx 或 .csv）")]


@table_app.command("template")
@handled
def template(to: Output, as_json: AsJson = False) -> None:
    """写出空白的流程节点配置表：.xlsx 带“填写说明”工作表和示例行，.csv 只有表头。"""
    _write(to, TEMPLATE, guide=True)
    if as_json:
        output.print_json({"ok": True, "file": str(to)})
        return
    output.console.print(f"已写出空白模板 {to}；填好后用 orgflow deploy {to.name} 部署", markup=False)


@table_app.command("export")
@handled
def export(
    key: Annotated[str, typer.Argument(help="流程定义 key")],
    to: Output,
    version: Annotated[int | None, typer.Option("--version", help="版本号（默认最新版本）")] = None,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """把已部署的流程导出为流程节点配置表：由表格部署的版本原样导出，其他版本列出表格写不下的设置。"""
    _suffix(to)
    with opened(db) as runtime:
        deployed = runtime.queries.definition(key, version)
        stored = runtime.queries.source(deployed.id)
    as_deployed = stored.source_format == NODE_TABLE
    table = deployed_table(stored.source_text) if as_deployed else node_table(deployed.definition)
    _write(to, table)
    if as_json:
        output.print_json(
            {
                "ok": True,
                "key": deployed.key,
                "version": deployed.version,
                "label": deployed.label,
                "file": str(to),
                "as_deployed": as_deployed,
                "rows": table.node_count,
                "omitted": list(table.omitted),
            }
        )
        return
    exact = "，与部署时的表格一致" if as_deployed else ""
    output.console.print(
        f"已导出 {deployed.key} 版本 {deployed.version}（{deployed.label}），"
        f"{table.node_count} 个节点{exact}：{to}",
        markup=False,
    )
    for note in table.omitted:
        output.console.print(f"  [警告] {note}", markup=False)


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise ConfigurationError(f"文件 {path.name} 的扩展名应为 .xlsx 或 .csv")
    return suffix


def _write(path: Path, table: NodeTable, *, guide: bool = False) -> None:
    """Write the table as the file's suffix says, through a temporary file (no half-written file)."""
    if _suffix(path) == ".xlsx":
        content = table_xlsx(table, guide=guide)
    else:
        content = table_csv(table).encode("utf-8-sig")  # the byte-order mark tells Excel it is UTF-8
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        temporary.write_bytes(content)
        os.replace(temporary, path)
    except OSError as error:
        raise ConfigurationError(f"无法写入文件 {path}：{error.strerror or error}") from None
    finally:
        temporary.unlink(missing_ok=True)


def add_table_commands(app: typer.Typer) -> None:
    """Register ``orgflow table …`` on the ``orgflow`` app."""
    app.add_typer(table_app, name="table")

"""``orgflow export``: a deployed version as a BPMN 2.0 file (with diagram) for bpmn.io or Camunda Modeler."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from orgflow.cli import output
from orgflow.cli.session import AsJson, Db, handled, opened
from orgflow.errors import ConfigurationError
from orgflow.model.bpmn_writer import write_bpmn


@handled
def export(
    key: Annotated[str, typer.Argument(help="流程定义 key")],
    to: Annotated[Path, typer.Option("-o", "--output", help="要写入的 BPMN 文件（.bpmn）")],
    version: Annotated[int | None, typer.Option("--version", help="版本号（默认最新版本）")] = None,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """导出流程定义为 BPMN 2.0 文件（含自动布局的图形与部门泳道），可在 bpmn.io、Camunda Modeler 中打开。"""
    if to.suffix.lower() not in (".bpmn", ".xml"):
        raise ConfigurationError(f"导出文件 {to.name} 的扩展名应为 .bpmn（或 .bpmn20.xml）")
    with opened(db) as runtime:
        deployed = runtime.queries.definition(key, version)
    text = write_bpmn(deployed.definition)
    try:
        to.write_text(text, encoding="utf-8")
    except OSError as error:
        raise ConfigurationError(f"无法写入文件 {to}：{error.strerror or error}") from None
    if as_json:
        output.print_json(
            {"ok": True, "key": key, "version": deployed.version, "file": str(to), "bytes": len(text)}
        )
        return
    output.console.print(f"已导出 {key} 版本 {deployed.version}（{deployed.label}）到 {to}", markup=False)


def add_bpmn_commands(app: typer.Typer) -> None:
    """Register these commands on the ``orgflow`` app."""
    app.command()(export)

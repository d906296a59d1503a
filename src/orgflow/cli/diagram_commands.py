"""``orgflow diagram``: a version as an SVG flowchart in department lanes, with an instance's states."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from orgflow.cli import output
from orgflow.cli.session import AsJson, Db, handled, opened
from orgflow.diagram.instance import instance_diagram
from orgflow.diagram.layout import layout
from orgflow.diagram.overlay import Overlay
from orgflow.diagram.svg import render_svg
from orgflow.diagram.wording import LOCALES, wording
from orgflow.errors import ConfigurationError
from orgflow.store.definitions import DeployedDefinition


@handled
def diagram(
    key: Annotated[str, typer.Argument(help="流程定义 key")],
    to: Annotated[Path, typer.Option("-o", "--output", help="要写入的 SVG 文件（.svg）")],
    version: Annotated[int | None, typer.Option("--version", help="版本号（默认最新版本）")] = None,
    instance: Annotated[
        str | None,
        typer.Option(
            "--instance", help="实例 ID 或任务ID：在它所用的版本上标出已完成、办理中、超时、退回的节点"
        ),
    ] = None,
    locale: Annotated[str, typer.Option("--locale", help=f"图中文字的语言：{' | '.join(LOCALES)}")] = "zh-CN",
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """把流程定义画成按部门分泳道、按部门着色的流程图（SVG），可叠加某个实例的办理状态。"""
    wording(locale)  # refuse an unknown locale before touching the database
    if to.suffix.lower() != ".svg":
        raise ConfigurationError(f"输出文件 {to.name} 的扩展名应为 .svg")
    overlay: Overlay | None = None
    with opened(db) as runtime:
        if instance is None:
            deployed = runtime.queries.definition(key, version)
        else:
            found = instance_diagram(runtime.queries, instance, runtime.clock.now())
            deployed, overlay = found.deployed, found.overlay
            _check_instance(key, version, instance, deployed)
    drawn = layout(deployed.definition)
    text = render_svg(deployed.definition, layout=drawn, overlay=overlay, locale=locale)
    try:
        to.write_text(text, encoding="utf-8")
    except OSError as error:
        raise ConfigurationError(f"无法写入文件 {to}：{error.strerror or error}") from None
    if as_json:
        states = Counter(state.value for state in overlay.states.values()) if overlay is not None else {}
        output.print_json(
            {
                "ok": True,
                "file": str(to),
                "key": deployed.key,
                "version": deployed.version,
                "label": deployed.label,
                "nodes": len(drawn.shapes),
                "flows": len(drawn.edges),
                "lanes": [lane.label for lane in drawn.lanes],
                "instance": instance,
                "states": dict(sorted(states.items())),
                "width": drawn.width,
                "height": drawn.height,
            }
        )
        return
    what = f"（实例 {instance} 的办理状态）" if instance else ""
    output.console.print(
        f"已画出 {key} 版本 {deployed.version}（{deployed.label}）{what}到 {to}", markup=False
    )


def _check_instance(key: str, version: int | None, instance: str, deployed: DeployedDefinition) -> None:
    """The instance must run on the key (and version) asked for."""
    if deployed.key != key:
        raise ConfigurationError(f"实例 {instance} 属于流程 {deployed.key}，不是 {key}")
    if version is not None and deployed.version != version:
        raise ConfigurationError(
            f"实例 {instance} 运行在 {key} 版本 {deployed.version} 上，不是版本 {version}"
            "（去掉 --version 即可）"
        )


def add_diagram_commands(app: typer.Typer) -> None:
    """Register these commands on the ``orgflow`` app."""
    app.command()(diagram)

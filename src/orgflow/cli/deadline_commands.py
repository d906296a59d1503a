"""``orgflow ack``: confirm receipt of a work item (确认接收)."""

from __future__ import annotations

from typing import Annotated

import typer

from orgflow.cli import output
from orgflow.cli.session import AsJson, Db, handled, opened
from orgflow.runtime.actions import AcknowledgeWorkItem


@handled
def ack(
    work_item_id: Annotated[str, typer.Argument(help="待办 ID")],
    user: Annotated[str, typer.Option("--user", help="确认人（待办的处理人）")],
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """确认接收待办：停止确认提醒和升级，并记录确认用时。"""
    with opened(db) as runtime:
        done = runtime.execute(AcknowledgeWorkItem(work_item_id, user))
    if as_json:
        output.print_json({"ok": True, "acknowledged": done})
        return
    hours = done.waited_seconds / 3600
    if done.again:
        output.console.print(
            f"{done.business_key}「{done.name}」已于 {output.when(done.at)} 确认接收，无需重复确认"
        )
    else:
        output.console.print(f"已确认接收 {done.business_key}「{done.name}」（生成后 {hours:.1f} 小时）")


def add_deadline_commands(app: typer.Typer) -> None:
    """Register these commands on the ``orgflow`` app."""
    app.command()(ack)

"""Task operations on the command line: transfer, add-signer, remove-signer, return, withdraw.

Each runs one action and prints where the instance stands afterwards (or,
with ``--json``, one JSON document); a refused operation prints why in one
line and exits non-zero, changing nothing.
"""

from __future__ import annotations

from typing import Annotated

import typer

from orgflow.cli import output
from orgflow.cli.session import AsJson, Db, handled, opened
from orgflow.errors import ConfigurationError
from orgflow.runtime.actions import (
    AddSigner,
    RemoveSigner,
    ReturnWorkItem,
    TransferWorkItem,
    WithdrawInstance,
)
from orgflow.runtime.views import InstanceView

WorkItemId = Annotated[str, typer.Argument(help="待办 ID")]
User = Annotated[str, typer.Option("--user", help="操作人")]
Reason = Annotated[str, typer.Option("--reason", help="原因，记入流转记录")]


def register(app: typer.Typer) -> None:
    """Add the task operations to the ``orgflow`` command."""
    for command in (task, transfer, add_signer, remove_signer, return_work, withdraw):
        app.command(name=command.__name__.replace("_work", "").replace("_", "-"))(handled(command))


def task(
    work_item_id: WorkItemId,
    user: Annotated[str | None, typer.Option("--user", help="以该处理人的身份查看")] = None,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """打开一个待办：节点、表单、字段权限，以及处理人可以看到的流程数据。"""
    with opened(db) as runtime:
        form = runtime.queries.work_item_form(work_item_id, viewer=user)
    if as_json:
        output.print_json({"ok": True, "task": form})
        return
    item = form.work_item
    who = output.who(item.assignee, item.candidate_group)
    output.console.print(f"待办「{form.node_name}」（{form.business_key}）处理人：{who}")
    output.table(
        "表单",
        ["字段", "名称", "类型", "必填"],
        [[f.name, f.label, f.type.value, "是" if f.required else ""] for f in form.form],
    )
    editable = {f.name for f in form.form}
    rows = [
        [name, str(value), form.field_access.get(name, "edit" if name in editable else "read")]
        for name, value in form.data.items()
    ]
    output.table("流程数据", ["字段", "值", "权限"], rows)
    output.console.print("可选结果：" + "、".join(output.outcome_label("", o) for o in form.outcomes))


def transfer(
    work_item_id: WorkItemId,
    to: Annotated[str, typer.Option("--to", help="转交给（用户ID）")],
    user: User,
    reason: Reason = "",
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """转交：把自己的待办交给另一位同事办理。"""
    _run(TransferWorkItem(work_item_id, user, to, reason), db, as_json)


def add_signer(
    work_item_id: WorkItemId,
    signers: Annotated[str, typer.Option("--signers", help="加签人，多个用逗号分隔")],
    user: User,
    position: Annotated[
        str, typer.Option("--position", help="before 前加签 | after 后加签 | parallel 并加签")
    ] = "parallel",
    reason: Reason = "",
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """加签：请他人在自己之前、之后或同时审批。"""
    users = tuple(name.strip() for name in signers.replace("，", ",").split(",") if name.strip())
    if not users:
        raise ConfigurationError("--signers 至少写一个用户ID")
    _run(AddSigner(work_item_id, user, users, position, reason), db, as_json)


def remove_signer(
    work_item_id: WorkItemId,
    signer: Annotated[str, typer.Option("--signer", help="要减去的审批人（尚未审批）")],
    user: User,
    reason: Reason = "",
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """减签：把尚未审批的人从会签或依次审批中去掉。"""
    _run(RemoveSigner(work_item_id, user, signer, reason), db, as_json)


def return_work(
    work_item_id: WorkItemId,
    user: User,
    to: Annotated[str | None, typer.Option("--to", help="退回到的节点 ID（默认：上一步）")] = None,
    to_initiator: Annotated[bool, typer.Option("--to-initiator", help="退回发起人")] = False,
    reason: Reason = "",
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """退回：退回上一步、已办理过的任一节点，或发起人。"""
    _run(ReturnWorkItem(work_item_id, user, to, to_initiator, reason), db, as_json)


def withdraw(
    instance: Annotated[str, typer.Argument(help="流程实例 ID 或任务ID（如 PROJ20240301001）")],
    user: User,
    reason: Reason = "",
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """撤回：发起人在他人办理之前收回流程。"""
    _run(WithdrawInstance(instance, user, reason), db, as_json)


def _run(
    action: TransferWorkItem | AddSigner | RemoveSigner | ReturnWorkItem | WithdrawInstance,
    db: str | None,
    as_json: bool,
) -> None:
    with opened(db) as runtime:
        view: InstanceView = runtime.execute(action)
    output.show_instance(view, as_json)

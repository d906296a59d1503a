"""``orgflow inbox | copy | urge``: a person's 待办/已办/我发起的/抄送我的, 抄送 and 催办."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer

from orgflow.cli import output
from orgflow.cli.session import AsJson, Db, handled, opened
from orgflow.errors import ConfigurationError
from orgflow.runtime.actions import CopyInstance, UrgeInstance
from orgflow.runtime.inbox import inbox_view
from orgflow.runtime.views import InboxCounts, InboxInstance, InboxItem, InboxPage

#: How each view is titled.
VIEW_TITLES = {"todo": "待办", "done": "已办", "started": "我发起的", "cc": "抄送我的"}


@handled
def inbox(
    user: Annotated[str, typer.Option("--user", help="谁的待办")],
    view: Annotated[
        str, typer.Option("--view", help="todo 待办 | done 已办 | started 我发起的 | cc 抄送我的")
    ] = "todo",
    key: Annotated[str | None, typer.Option("--key", help="只看这个流程定义 key")] = None,
    department: Annotated[
        str | None, typer.Option("--department", help="只看这个部门（编号或名称）的")
    ] = None,
    due_before: Annotated[str | None, typer.Option("--due-before", help="到期早于（ISO 时间）")] = None,
    due_after: Annotated[str | None, typer.Option("--due-after", help="到期不早于（ISO 时间）")] = None,
    limit: Annotated[int, typer.Option("--limit", help="每页条数（1–500）")] = 20,
    offset: Annotated[int, typer.Option("--offset", help="跳过前多少条")] = 0,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """查看一个人的待办、已办、我发起的或抄送我的，以及各自的数量。"""
    chosen = inbox_view(view)
    filters: dict[str, Any] = {
        "definition_key": key,
        "department": department,
        "due_before": parse_time(due_before, "--due-before"),
        "due_after": parse_time(due_after, "--due-after"),
    }
    with opened(db) as runtime:
        page = runtime.queries.inbox(user, chosen, limit=limit, offset=offset, **filters)
        counts = runtime.queries.inbox_counts(user, **filters)
    if as_json:
        output.print_json({"ok": True, "page": page, "counts": counts})
    else:
        print_page(page, counts)


@handled
def copy(
    instance: Annotated[str, typer.Argument(help="实例 ID 或任务ID（业务编号）")],
    user: Annotated[str, typer.Option("--user", help="抄送人（操作人）")],
    to: Annotated[str, typer.Option("--to", help="抄送给谁：用户ID，逗号分隔")] = "",
    role: Annotated[list[str] | None, typer.Option("--role", help="抄送给该角色的现任人员（可重复）")] = None,
    note: Annotated[str, typer.Option("--note", help="抄送说明")] = "",
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """抄送一个流程实例：被抄送人可以只读查看它。"""
    users = tuple(part.strip() for part in to.replace("，", ",").split(",") if part.strip())
    roles = tuple(role or ())
    with opened(db) as runtime:
        copied = runtime.execute(CopyInstance(instance, users=users, roles=roles, actor=user, note=note))
    if as_json:
        output.print_json({"ok": True, "copied": copied})
        return
    if copied.added:
        output.console.print(f"已抄送 {copied.business_key} 给：{'、'.join(copied.added)}")
    if copied.already:
        output.console.print(f"此前已抄送过：{'、'.join(copied.already)}")


@handled
def urge(
    instance: Annotated[str, typer.Argument(help="实例 ID 或任务ID（业务编号）")],
    user: Annotated[str, typer.Option("--user", help="催办人（发起人或系统管理员）")],
    note: Annotated[str, typer.Option("--note", help="催办说明")] = "",
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """催办一个流程实例：提醒当前处理人；同一人每 30 分钟只能催办一次。"""
    with opened(db) as runtime:
        urged = runtime.execute(UrgeInstance(instance, actor=user, note=note))
    if as_json:
        output.print_json({"ok": True, "urged": urged})
        return
    waiting = [*urged.assignees, *urged.groups]
    again = output.when(urged.next_allowed_at)
    output.console.print(f"已催办 {urged.business_key}：{'、'.join(waiting)}；下次可催办时间 {again}")


def parse_time(text: str | None, option: str) -> datetime | None:
    """An ISO time from the command line; one without a zone is the machine's local time."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigurationError(
            f"{option} 不是合法的 ISO 时间：{text!r}（例如 2026-12-01T18:00+08:00）"
        ) from None
    return moment if moment.tzinfo is not None else moment.astimezone()


def print_page(page: InboxPage[Any], counts: InboxCounts) -> None:
    """The counts of every view, then the page asked for."""
    output.console.print(
        f"待办 {counts.todo}  已办 {counts.done}  我发起的 {counts.started}  抄送我的 {counts.cc}"
    )
    name = VIEW_TITLES[page.view]
    shown = f"第 {page.offset + 1}–{page.offset + len(page.items)} 条，" if page.items else ""
    title = f"{name}（{shown}共 {page.total} 条）"
    if page.view in ("todo", "done"):
        items: list[InboxItem] = list(page.items)
        output.table(
            title,
            ["待办 ID", "任务ID", "流程", "节点", "处理人", "部门", "生成时间", "到期", "办理时间"],
            [
                [
                    item.id,
                    item.business_key,
                    item.definition_key,
                    item.name,
                    output.who(item.assignee, item.candidate_group),
                    item.department or "",
                    output.when(item.created_at),
                    output.when(item.due_at),
                    output.when(item.completed_at),
                ]
                for item in items
            ],
        )
        return
    entries: list[InboxInstance] = list(page.items)
    output.table(
        title,
        ["任务ID", "流程", "状态", "发起人", "当前节点", "发起时间", "抄送人", "抄送说明"],
        [
            [
                entry.summary.business_key,
                entry.summary.definition_key,
                output.status_label(entry.summary.status),
                entry.summary.initiator or "",
                "、".join(node.name for node in entry.active_nodes),
                output.when(entry.summary.started_at),
                entry.copy.copied_by or "" if entry.copy else "",
                entry.copy.note or "" if entry.copy else "",
            ]
            for entry in entries
        ],
    )

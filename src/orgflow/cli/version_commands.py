"""``orgflow versions | diff | migrate``: a key's versions, what changed between two, moving instances."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Annotated

import typer

from orgflow.cli import output
from orgflow.cli.session import AsJson, Db, handled, opened
from orgflow.errors import ConfigurationError, NotFound
from orgflow.model.diff import AttributeChange, ElementChange, FlowSummary, NodeSummary, Section
from orgflow.runtime.actions import MigrateInstances
from orgflow.runtime.views import Migration, VersionDiff

Key = Annotated[str, typer.Argument(help="流程定义 key")]

_ITEM_CHANGES = {"added": "新增", "removed": "删除", "changed": "修改"}
_KINDS = {"token": "令牌", "work_item": "待办", "timer": "定时器"}
_TIMERS = {"kept": "沿用原时间", "rearmed": "定时规则已变，重新计时", "armed": "新版本新增，开始计时"}
_CHANGE_COLUMNS = ["变化", "对象", "属性", "原值", "新值"]


@handled
def versions(key: Key, db: Db = None, as_json: AsJson = False) -> None:
    """列出一个流程定义的所有版本：部署时间、部署人、变更说明和运行中的实例数。"""
    with opened(db) as runtime:
        views = runtime.queries.definitions(key=key, latest_only=False)
    if not views:
        raise NotFound(f"流程定义 {key!r} 不存在，请先部署")
    if as_json:
        output.print_json({"ok": True, "key": key, "versions": views})
        return
    output.table(
        f"流程定义 {key} 的版本",
        ["ID", "版本", "版本标识", "部署时间", "部署人", "变更说明", "运行中实例"],
        [
            [
                v.id,
                str(v.version),
                v.label,
                output.when(v.deployed_at),
                v.deployed_by or "",
                v.change_note or "",
                str(v.running),
            ]
            for v in views
        ],
    )


@handled
def diff(
    key: Key,
    from_version: Annotated[int, typer.Argument(help="原版本号", metavar="V1")],
    to_version: Annotated[int, typer.Argument(help="新版本号", metavar="V2")],
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """比较同一流程定义的两个版本：节点、连线和流程规则的增删改。"""
    with opened(db) as runtime:
        found = runtime.queries.diff(key, from_version, to_version)
    if as_json:
        output.print_json({"ok": True, **output.plain(found)})
    else:
        print_diff(found)


def print_diff(found: VersionDiff) -> None:
    """The differences grouped by section: nodes, flows, process rules."""
    output.console.print(f"{found.key}：{found.from_label} → {found.to_label}", markup=False)
    changes = found.diff
    if changes.is_empty:
        output.console.print("两个版本的节点、连线和流程规则没有差别。")
        return
    if not changes.nodes.is_empty:
        output.table("节点", _CHANGE_COLUMNS, list(_section_rows(changes.nodes, _node_rows)))
    if not changes.flows.is_empty:
        output.table("连线", _CHANGE_COLUMNS, list(_section_rows(changes.flows, _flow_rows)))
    if changes.rules:
        output.table("流程规则", _CHANGE_COLUMNS, list(_change_rows("流程", changes.rules)))


def _section_rows(
    section: Section[NodeSummary] | Section[FlowSummary], summary: Callable[..., list[str]]
) -> Iterator[list[str]]:
    """Rows of one section: additions, removals, then each changed attribute."""
    for added in section.added:
        yield ["新增", *summary(added, new=True)]
    for removed in section.removed:
        yield ["删除", *summary(removed, new=False)]
    for changed in section.changed:
        yield from _change_rows(_subject(changed), changed.changes)


def _node_rows(node: NodeSummary, *, new: bool) -> list[str]:
    where = f"{node.kind}" + (f"，在子流程 {node.scope} 内" if node.scope else "")
    return [f"{node.id}（{node.name}）", "类型", "" if new else where, where if new else ""]


def _flow_rows(flow: FlowSummary, *, new: bool) -> list[str]:
    route = f"{flow.source} → {flow.target}"
    if flow.condition:
        route += f"（条件 {flow.condition}）"
    if flow.default:
        route += "（默认连线）"
    subject = f"{flow.id}（{flow.name}）" if flow.name else flow.id
    return [subject, "连线", "" if new else route, route if new else ""]


def _subject(changed: ElementChange) -> str:
    return changed.id if changed.name == changed.id else f"{changed.id}（{changed.name}）"


def _change_rows(subject: str, changes: Sequence[AttributeChange]) -> Iterator[list[str]]:
    for change in changes:
        if not change.items:
            yield ["修改", subject, change.label, change.old or "", change.new or ""]
        for item in change.items:
            verb = _ITEM_CHANGES[item.change.value]
            yield [verb, subject, f"{change.label}·{item.name}", item.old or "", item.new or ""]


@handled
def migrate(
    key: Key,
    from_version: Annotated[int, typer.Option("--from", help="实例当前所在的版本号")],
    to_version: Annotated[int, typer.Option("--to", help="迁移到的版本号")],
    mapping: Annotated[
        list[str] | None, typer.Option("--map", help="节点映射 原节点=新节点（可多次；同名节点自动对应）")
    ] = None,
    instances: Annotated[
        list[str] | None, typer.Option("--instance", help="只迁移这些实例（ID 或任务ID，可多次；默认全部）")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只检查并列出将如何迁移，不做修改")] = False,
    user: Annotated[str | None, typer.Option("--user", help="操作人")] = None,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """把运行中的实例从一个版本迁移到另一个版本：全部检查通过才迁移，任何问题都不做修改。

    新版本已删除的边界定时器（超时、提醒）尚未到期的定时随迁移取消，预演时列为“将取消的定时器”。
    """
    action = MigrateInstances(
        key,
        from_version,
        to_version,
        parse_mapping(mapping or []),
        tuple(instances or ()),
        dry_run=dry_run,
        actor=user,
    )
    with opened(db) as runtime:
        done = runtime.execute(action)
    if as_json:
        output.print_json({"ok": True, "migration": done})
    else:
        print_migration(done)


def parse_mapping(pairs: Sequence[str]) -> dict[str, str]:
    """``--map old=new`` options as a mapping; a malformed or contradictory pair is refused."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        old, sign, new = (part.strip() for part in pair.partition("="))
        if not (old and sign and new):
            raise ConfigurationError(f"--map 应写成 原节点=新节点，写的是 {pair!r}")
        if mapping.get(old, new) != new:
            raise ConfigurationError(f"--map 给节点 {old} 指定了两个新节点：{mapping[old]} 和 {new}")
        mapping[old] = new
    return mapping


def print_migration(done: Migration) -> None:
    """What moved (or would move), instance by instance."""
    count = len(done.instances)
    if not count:
        output.console.print(f"{done.from_label} 上没有需要迁移的运行中实例。", markup=False)
        return
    if done.dry_run:
        heading = f"预演（未做任何修改）：{count} 个流程实例可从 {done.from_label} 迁移到 {done.to_label}"
    else:
        heading = f"已将 {count} 个流程实例从 {done.from_label} 迁移到 {done.to_label}"
    output.console.print(heading, markup=False)
    rows = [
        [
            moved.business_key,
            _KINDS.get(element.kind, element.kind),
            element.id,
            "" if element.from_node is None else f"{element.from_node}（{element.from_name}）",
            f"{element.to_node}（{element.to_name}）",
            _TIMERS.get(element.timer or "", ""),
        ]
        for moved in done.instances
        for element in moved.moves
    ]
    output.table("迁移明细", ["任务ID", "对象", "ID", "原节点", "新节点", "说明"], rows)
    cancelled = [
        [
            moved.business_key,
            timer.id,
            f"{timer.node_id}（{timer.name}）",
            output.when(timer.due_at) or "未知",
        ]
        for moved in done.instances
        for timer in moved.cancelled_timers
    ]
    if cancelled:
        title = "将取消的定时器（新版本已删除）" if done.dry_run else "已取消的定时器（新版本已删除）"
        output.table(title, ["任务ID", "定时器", "节点", "原定到期时间"], cancelled)
    for moved in done.instances:
        if moved.dropped_trail:
            steps = "、".join(moved.dropped_trail)
            output.console.print(
                f"{moved.business_key}：已办步骤 {steps} 在新版本中没有对应节点，之后不能再退回到那里",
                markup=False,
            )


def add_version_commands(app: typer.Typer) -> None:
    """Register these commands on the ``orgflow`` app."""
    app.command()(versions)
    app.command()(diff)
    app.command()(migrate)

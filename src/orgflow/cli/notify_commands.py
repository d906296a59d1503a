"""``orgflow notifications`` (站内消息), ``orgflow outbox``, ``orgflow notify test|preview|prefs``."""

from __future__ import annotations

from typing import Annotated

import typer

from orgflow.cli import output
from orgflow.cli.session import AsJson, Db, handled, opened
from orgflow.notify.config import ALL_EVENTS, CHANNEL_LABELS
from orgflow.notify.delivery import templates_for
from orgflow.notify.templates import LOCALES
from orgflow.runtime.actions import (
    ClearNotificationPreference,
    MarkNotificationsRead,
    SetNotificationPreference,
)
from orgflow.runtime.notification_queries import ChannelPreferences
from orgflow.settings import Settings

notifications_app = typer.Typer(help="站内消息：查看、标记已读。")
notify_app = typer.Typer(help="通知渠道：发送测试消息、预览模板、个人通知偏好。")
prefs_app = typer.Typer(help="个人通知偏好：哪些事件通过哪些渠道通知我（站内消息始终保留）。")

#: What ``notify preview`` fills the templates with.
SAMPLE = {
    "business_key": "PROJ20261202001",
    "process": "新产品上市流程",
    "task": "研发方案输出",
    "node": "研发方案输出",
    "holder_name": "李强",
    "recipient_name": "李强",
    "initiator_name": "张敏",
    "actor_name": "吴刚",
    "due_at": "2026-12-05 09:00",
    "remaining": "20 小时",
    "reason": "请补充竞品分析",
    "number": "ABN20261202001",
    "explanation_due": "2026-12-02 17:00",
    "rung": 1,
    "link": "http://127.0.0.1:8000/work-items/01a2",
}


def _required(user: str | None, who: str) -> str:
    """The ``--user`` a command cannot do without."""
    if not user:
        raise typer.BadParameter(f"请用 --user 指定{who}", param_hint="--user")
    return user


@notifications_app.callback(invoke_without_command=True)
@handled
def list_notifications(
    context: typer.Context,
    user: Annotated[str | None, typer.Option("--user", help="收件人")] = None,
    unread: Annotated[bool, typer.Option("--unread", help="只列出未读消息")] = False,
    limit: Annotated[int, typer.Option("--limit", help="最多列出多少条")] = 50,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """列出某人的站内消息（最新在前）及未读数。"""
    if context.invoked_subcommand is not None:
        return
    user = _required(user, "收件人")
    with opened(db) as runtime:
        found = runtime.notifications.inbox(user, unread_only=unread, limit=limit)
    if as_json:
        output.print_json({"ok": True, "notifications": found})
        return
    output.table(
        f"{user} 的站内消息（未读 {found.unread} 条）",
        ["消息 ID", "时间", "标题", "已读"],
        [[m.id, output.when(m.created_at), m.title, "是" if m.read_at else "否"] for m in found.messages],
    )


@notifications_app.command("read")
@handled
def mark_read(
    ids: Annotated[list[str] | None, typer.Argument(help="消息 ID（不写则配合 --all）")] = None,
    user: Annotated[str, typer.Option("--user", help="收件人")] = "",
    everything: Annotated[bool, typer.Option("--all", help="全部标为已读")] = False,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """把站内消息标为已读。"""
    user = _required(user, "收件人")
    if not ids and not everything:
        raise typer.BadParameter("请给出消息 ID，或用 --all 全部标为已读", param_hint="IDS")
    with opened(db) as runtime:
        changed = runtime.execute(MarkNotificationsRead(user, None if everything else tuple(ids or ())))
    if as_json:
        output.print_json({"ok": True, "marked": changed})
    else:
        output.console.print(f"已将 {changed} 条消息标为已读")


@handled
def outbox(
    failed: Annotated[bool, typer.Option("--failed", help="只列出多次发送失败、需要处理的消息")] = False,
    pending: Annotated[bool, typer.Option("--pending", help="只列出尚未送达的消息")] = False,
    limit: Annotated[int, typer.Option("--limit", help="最多列出多少条")] = 100,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """列出发往邮件、Webhook 与机器人的消息及其投递状态（失败的可用 orgflow jobs retry 重试）。"""
    with opened(db) as runtime:
        found = runtime.notifications.outbox(failed_only=failed, pending_only=pending, limit=limit)
    if as_json:
        output.print_json({"ok": True, "outbox": found})
        return
    output.table(
        "投递失败的消息" if failed else "通知发件箱",
        ["消息 ID", "事件", "渠道", "收件人", "状态", "已尝试", "最近错误", "任务 ID"],
        [
            [
                e.notification.id,
                e.notification.event,
                e.notification.channel,
                e.notification.recipient,
                "已送达"
                if e.notification.status == "sent"
                else ("失败" if e.job_status == "failed" else "待发送"),
                str(e.attempts),
                (e.last_error or "").splitlines()[0] if e.last_error else "",
                e.job_id or "",
            ]
            for e in found
        ],
    )


@notify_app.command("test")
@handled
def test_channel(
    channel: Annotated[str, typer.Argument(help="email，或通知配置中 webhook / 机器人的名称")],
    to: Annotated[str | None, typer.Option("--to", help="邮件收件人：用户 ID 或邮箱地址")] = None,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """立即发送一条测试消息，检查渠道配置（不经过发件箱）。"""
    with opened(db) as runtime:
        chart = runtime.queries.org()
        sent_to = runtime.deliveries.send_test(channel, to, chart, runtime.clock.now())
    if as_json:
        output.print_json({"ok": True, "channel": channel, "to": sent_to})
    else:
        output.console.print(f"测试消息已通过 {channel} 发送至 {sent_to}")


@notify_app.command("preview")
@handled
def preview(
    event: Annotated[str, typer.Argument(help="事件，如 assigned、overdue、escalated")],
    locale: Annotated[str, typer.Option("--locale", help=f"语言：{'、'.join(LOCALES)}")] = "zh-CN",
    as_json: AsJson = False,
) -> None:
    """用示例数据渲染某事件的通知模板（含管理员在 ORGFLOW_HOME/templates 下的覆盖）。"""
    templates = templates_for(Settings.from_env().home)
    rendered = templates.render(event, locale, SAMPLE)
    if as_json:
        output.print_json({"ok": True, "event": event, "locale": locale, "rendered": rendered._asdict()})
        return
    output.console.print(f"[bold]{rendered.title}[/bold]", markup=True)
    output.console.print(rendered.text, markup=False)


@prefs_app.callback(invoke_without_command=True)
@handled
def show_preferences(
    context: typer.Context,
    user: Annotated[str | None, typer.Option("--user", help="用户 ID")] = None,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """列出某人每类事件的通知渠道及其来源（本人设置、管理员配置、事件默认、全局默认）。"""
    if context.invoked_subcommand is not None:
        return
    user = _required(user, "用户")
    with opened(db) as runtime:
        found = runtime.notifications.preferences(user)
    if as_json:
        output.print_json({"ok": True, "preferences": found})
        return
    _show(found)


@prefs_app.command("set")
@handled
def set_preference(
    user: Annotated[str, typer.Option("--user", help="用户 ID")],
    channels: Annotated[str, typer.Option("--channels", help="渠道，逗号分隔，如 inbox,email（须含 inbox）")],
    event: Annotated[str | None, typer.Option("--event", help="事件，如 overdue（不写：全部事件）")] = None,
    actor: Annotated[str | None, typer.Option("--actor", help="操作人：本人或系统管理员（默认本人）")] = None,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """设置自己（或管理员为他人设置）某类事件的通知渠道。"""
    chosen = tuple(part.strip() for part in channels.replace("，", ",").split(",") if part.strip())
    with opened(db) as runtime:
        revision = runtime.execute(SetNotificationPreference(user, chosen, event, actor=actor or user))
        found = runtime.notifications.preferences(user)
    if as_json:
        output.print_json({"ok": True, "revision": revision, "preferences": found})
        return
    shown = _channels(found.own.get(event or ALL_EVENTS, chosen))
    scope = _scope(event, found)
    output.console.print(f"已设置：{found.name}（{user}）的{scope}通过 {shown} 通知", markup=False)


@prefs_app.command("reset")
@handled
def reset_preference(
    user: Annotated[str, typer.Option("--user", help="用户 ID")],
    event: Annotated[str | None, typer.Option("--event", help="只清除这一事件（*：全部事件那项）")] = None,
    actor: Annotated[str | None, typer.Option("--actor", help="操作人：本人或系统管理员（默认本人）")] = None,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """清除本人设置，恢复管理员配置与默认（不写 --event：清除全部）。"""
    with opened(db) as runtime:
        cleared = runtime.execute(ClearNotificationPreference(user, event, actor=actor or user))
        found = runtime.notifications.preferences(user)
    if as_json:
        output.print_json({"ok": True, "cleared": cleared, "preferences": found})
    elif cleared:
        output.console.print(f"已清除 {found.name}（{user}）的 {cleared} 项本人设置，恢复默认", markup=False)
    else:
        output.console.print(f"{found.name}（{user}）没有可清除的本人设置", markup=False)


def _scope(event: str | None, found: ChannelPreferences) -> str:
    """How a preference's event reads: 全部事件, or 「新待办」 (assigned)."""
    labels = {row.event: row.label for row in found.events}
    return "全部事件" if event in (None, ALL_EVENTS) else f"「{labels.get(event or '', event)}」（{event}）"


def _channels(channels: tuple[str, ...]) -> str:
    """Channels as people read them (站内消息、邮件)."""
    return "、".join(CHANNEL_LABELS.get(channel, channel) for channel in channels) or "（无）"


def _show(found: ChannelPreferences) -> None:
    output.table(
        f"{found.name}（{found.user}）的通知渠道",
        ["事件", "名称", "渠道", "来源"],
        [
            [
                row.event,
                row.label,
                _channels(row.channels),
                row.source_label,
            ]
            for row in found.events
        ],
    )
    for event, channels in found.own.items():
        output.console.print(f"本人设置：{_scope(event, found)} → {_channels(channels)}", markup=False)


def add_notify_commands(app: typer.Typer) -> None:
    """Register these commands on the ``orgflow`` app."""
    app.add_typer(notifications_app, name="notifications")
    notify_app.add_typer(prefs_app, name="prefs")
    app.add_typer(notify_app, name="notify")
    app.command()(outbox)

"""``orgflow audit list`` shows the audit trail; ``orgflow audit verify`` checks its hash chain."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer

from orgflow.audit.chain import AuditRecord
from orgflow.audit.summary import SYSTEM_ACTOR
from orgflow.audit.verify import Verdict
from orgflow.cli import output
from orgflow.cli.session import AsJson, Db, handled, opened
from orgflow.errors import ConfigurationError
from orgflow.store.audit import AuditFilter

audit_app = typer.Typer(help="审计记录：每个操作的操作人、时间、来源和摘要（只追加，哈希链防篡改）。")


@audit_app.command("verify")
@handled
def verify(db: Db = None, as_json: AsJson = False) -> None:
    """校验审计链：完整则退出码 0；有记录被修改或删除则退出码 1，并指出第几条。"""
    with opened(db) as runtime:
        verdict = runtime.audit.verify()
    if as_json:
        output.print_json({"ok": verdict.intact, **verdict_document(verdict)})
    else:
        output.console.print(verdict.message, markup=False)
    if not verdict.intact:
        raise typer.Exit(1)


@audit_app.command("list")
@handled
def list_records(
    actor: Annotated[str | None, typer.Option("--actor", help="只看该操作人的记录")] = None,
    action: Annotated[
        str | None, typer.Option("--action", help="只看该操作（如 start_process；refused：被拒绝的操作）")
    ] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="从该时间起（ISO 格式，如 2026-12-03 或 2026-12-03T09:00）")
    ] = None,
    until: Annotated[str | None, typer.Option("--until", help="到该时间为止（不含）")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="最多列出多少条")] = 50,
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """列出审计记录（最新的在前）。"""
    where = AuditFilter(
        actor=actor, action=action, since=_moment(since, "--since"), until=_moment(until, "--until")
    )
    with opened(db) as runtime:
        page = runtime.audit.page(where, limit=limit)
    if as_json:
        output.print_json(
            {"ok": True, "total": page.total, "records": [record_document(r) for r in page.records]}
        )
        return
    output.table(
        f"审计记录（共 {page.total} 条，显示 {len(page.records)} 条）",
        ["序号", "时间", "操作人", "来源", "操作", "摘要"],
        [
            [
                str(record.seq),
                output.when(record.entry.at),
                actor_label(record),
                record.entry.source or "",
                record.entry.action,
                record.entry.summary,
            ]
            for record in page.records
        ],
    )


def actor_label(record: AuditRecord) -> str:
    """Who acted, for people: the system for a job's command."""
    if record.entry.actor:
        return record.entry.actor
    return SYSTEM_ACTOR if record.entry.source == "worker" else "（未指定）"


def record_document(record: AuditRecord) -> dict[str, Any]:
    """One link as ``--json`` prints it."""
    entry = record.entry
    return {
        "seq": record.seq,
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "source": entry.source,
        "action": entry.action,
        "summary": entry.summary,
        "details": entry.details,
        "prev_hash": record.prev_hash,
        "hash": record.hash,
    }


def verdict_document(verdict: Verdict) -> dict[str, Any]:
    """A verification as ``--json`` prints it (keep ``head.hash`` elsewhere to catch a cut-off tail later)."""
    broken = verdict.broken
    return {
        "records": verdict.records,
        "message": verdict.message,
        "head": None if verdict.head is None else {"seq": verdict.head.seq, "hash": verdict.head.hash},
        "broken": None
        if broken is None
        else {"seq": broken.seq, "kind": broken.kind.value, "message": broken.message},
    }


def _moment(text: str | None, option: str) -> datetime | None:
    """An ISO time from the command line; without a zone it is this machine's local time."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigurationError(
            f"{option} 不是 ISO 格式的时间：{text!r}（示例：2026-12-03T09:00）"
        ) from None
    return moment.astimezone() if moment.tzinfo is None else moment


def add_audit_commands(app: typer.Typer) -> None:
    """Register ``audit`` on the ``orgflow`` app."""
    app.add_typer(audit_app, name="audit")

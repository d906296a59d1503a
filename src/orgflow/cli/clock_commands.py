"""``orgflow clock``: check a deadline on the business calendar (工作日历); ``--recompute`` applies a new one.

It answers "if a step with this time limit opens at this moment, when is it
due?" with the same calendar the runtime uses (``ORGFLOW_CALENDAR`` or
``<home>/calendar.yaml``, else the built-in PRC calendar), so an administrator
can check next year's holiday overrides or a department's own weekend, and
then count the open work items' due times again with ``orgflow recompute-deadlines``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from orgflow.business_calendar import load_calendar_book
from orgflow.cli import output
from orgflow.cli.org_commands import parse_moment
from orgflow.cli.session import AsJson, Db, handled, opened
from orgflow.errors import ConfigurationError
from orgflow.model.rules import TimeLimit, TimeUnit
from orgflow.runtime.actions import RecomputeDeadlines
from orgflow.settings import Settings


@handled
def clock(
    start: Annotated[str, typer.Argument(help="开始时间，如 2026-09-30T10:00（不带时区时按北京时间）")],
    hours: Annotated[float | None, typer.Option("--hours", min=0, help="自然小时")] = None,
    working_hours: Annotated[float | None, typer.Option("--working-hours", min=0, help="工作小时")] = None,
    working_days: Annotated[float | None, typer.Option("--working-days", min=0, help="工作日")] = None,
    department: Annotated[str | None, typer.Option("--department", help="按该部门自己的工作日历计算")] = None,
    as_json: AsJson = False,
) -> None:
    """计算时限：从开始时间起加上自然小时、工作小时或工作日后的到期时间（按工作日历与法定节假日）。"""
    limit = _limit(hours, working_hours, working_days)
    settings = Settings.from_env()
    calendar = load_calendar_book(settings.calendar_file).for_department(department)
    begins = parse_moment(start, "开始时间")
    due = calendar.add(begins, limit)
    working = calendar.working_seconds_between(begins, due) / 3600
    unknown = sorted({year for year in (begins.year, due.year) if not calendar.covers(year)})
    if as_json:
        output.print_json(
            {
                "ok": True,
                "start": begins.isoformat(),
                "limit": {"amount": limit.amount, "unit": limit.unit.value},
                "due_at": due.isoformat(),
                "zone": str(calendar.zone),
                "working_hours_between": round(working, 2),
                "years_without_official_schedule": unknown,
            }
        )
        return
    local = due.astimezone(calendar.zone)
    output.console.print(
        f"{begins.astimezone(calendar.zone):%Y-%m-%d %H:%M} 起 {limit} → 到期 {local:%Y-%m-%d %H:%M}"
        f"（{calendar.zone}，其间工作时间 {working:.1f} 小时）"
    )
    for year in unknown:
        output.console.print(f"注意：{year} 年的法定节假日安排未知，只按周末计算；可在工作日历配置中补充")


@handled
def recompute_deadlines(
    user: Annotated[str, typer.Option("--user", help="系统管理员")],
    db: Db = None,
    as_json: AsJson = False,
) -> None:
    """工作日历变更后（如公布了下一年的放假安排），按新日历重算未到期待办的时限，并顺延提醒与升级。"""
    with opened(db) as runtime:
        done = runtime.execute(RecomputeDeadlines(user))
    if as_json:
        output.print_json({"ok": True, "recomputed": done})
        return
    output.console.print(f"按工作日历重算了 {done.checked} 个未到期待办的时限，其中 {done.moved} 个有变化")


def _limit(hours: float | None, working_hours: float | None, working_days: float | None) -> TimeLimit:
    given = [
        TimeLimit(amount=amount, unit=unit)
        for amount, unit in (
            (hours, TimeUnit.HOURS),
            (working_hours, TimeUnit.WORKING_HOURS),
            (working_days, TimeUnit.WORKING_DAYS),
        )
        if amount is not None
    ]
    if len(given) != 1:
        raise ConfigurationError("请且只请给出一个时限：--hours、--working-hours 或 --working-days")
    return given[0]


def add_clock_commands(app: typer.Typer) -> None:
    """Register ``orgflow clock`` and ``orgflow recompute-deadlines`` on the ``orgflow`` app."""
    app.command()(clock)
    app.command("recompute-deadlines")(recompute_deadlines)

"""The read side of the 异常 loop: lists, one anomaly with its steps, overdue explanations, analysis, tables.

Like :class:`orgflow.runtime.queries.Queries`, each call runs in its own
read-only transaction and returns frozen views. Whether an instance "is 异常"
is derived here (it has an anomaly not yet verified), never stored.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Sequence
from datetime import datetime

from orgflow.anomalies.causes import cause_category, cause_label
from orgflow.anomalies.lifecycle import OPEN_STATUSES, AnomalyStatus
from orgflow.anomalies.tables import (
    PROGRESS_COLUMNS,
    RECORD_COLUMNS,
    TABLE_ZONE,
    ProgressLine,
    RecordLine,
    delay_causes,
    progress_rows,
    record_rows,
)
from orgflow.clock import Clock
from orgflow.errors import ConfigurationError, NotFound
from orgflow.org.model import OrgSnapshot
from orgflow.runtime.views import HistoryEntry
from orgflow.runtime.views.anomalies import AnomalyDetail, AnomalyView, CountRow, MonthlyAnalysis
from orgflow.store import anomalies, history, instances
from orgflow.store.caches import StoreCaches
from orgflow.store.database import Connection, Database


class AnomalyQueries:
    """Read-only views of anomalies for the CLI, the API and the SLA wiring."""

    def __init__(self, database: Database, caches: StoreCaches, clock: Clock) -> None:
        self._database = database
        self._org = caches.org
        self._clock = clock

    def search(
        self,
        *,
        status: str | None = None,
        department: str | None = None,
        category: str | None = None,
        month: str | None = None,
        instance: str | None = None,
    ) -> tuple[AnomalyView, ...]:
        """Anomalies matching every filter, oldest first.

        ``status`` is a status code, or ``open`` for every status not yet
        verified; ``department`` an id or name; ``category`` a code or label;
        ``month`` ``YYYY-MM`` (found in that month, Asia/Shanghai); ``instance``
        an id or business key.
        """
        with self._database.reading() as connection:
            chart = self._org.current(connection)
            instance_id = None if instance is None else _instance_id(connection, instance)
            found_from, found_until = (None, None) if month is None else month_range(month)
            wanted = None if status in (None, "open") else _status(status or "").value
            rows = anomalies.search(
                connection,
                status=wanted,
                department=None if department is None else _department(chart, department),
                category=None if category is None else cause_category(category).value,
                instance_id=instance_id,
                found_from=found_from,
                found_until=found_until,
            )
        views = tuple(AnomalyView.from_row(row) for row in rows)
        return tuple(view for view in views if view.is_open) if status == "open" else views

    def get(self, number: str) -> AnomalyDetail:
        """One anomaly by number, with the history rows of its steps.

        Raises:
            NotFound: No such anomaly.
        """
        with self._database.reading() as connection:
            row = anomalies.by_number(connection, number)
            if row is None:
                raise NotFound(f"异常 {number} 不存在")
            events = history.for_instance(connection, row["instance_id"])
        steps = tuple(
            HistoryEntry(**{key: value for key, value in event.items() if key not in ("id", "instance_id")})
            for event in events
            if event["kind"].startswith("anomaly_") and (event["data"] or {}).get("anomaly") == row["number"]
        )
        return AnomalyDetail(anomaly=AnomalyView.from_row(row), steps=steps)

    def explanations_overdue(self, now: datetime) -> tuple[AnomalyView, ...]:
        """Anomalies whose 《异常处理说明》 is past due and not filed (the SLA wiring chases these)."""
        with self._database.reading() as connection:
            rows = anomalies.explanations_overdue(connection, now)
        return tuple(AnomalyView.from_row(row) for row in rows)

    def abnormal(self, instance_ids: Collection[str] | None = None) -> frozenset[str]:
        """Which of the instances (all: ``None``) are 异常 now: an anomaly of theirs is not yet verified."""
        with self._database.reading() as connection:
            return anomalies.abnormal_instances(connection, instance_ids)

    def monthly(self, month: str) -> MonthlyAnalysis:
        """Counts by cause category and by department of the anomalies found in ``month`` (unknown last)."""
        found_from, found_until = month_range(month)
        with self._database.reading() as connection:
            chart = self._org.current(connection)
            rows = anomalies.counts(connection, found_from, found_until)
        by_category: Counter[str | None] = Counter()
        by_department: Counter[str | None] = Counter()
        open_category: Counter[str | None] = Counter()
        open_department: Counter[str | None] = Counter()
        for row in rows:
            by_category[row["cause_category"]] += row["count"]
            by_department[row["responsible_department"]] += row["count"]
            if row["status"] in OPEN_STATUSES:
                open_category[row["cause_category"]] += row["count"]
                open_department[row["responsible_department"]] += row["count"]
        return MonthlyAnalysis(
            month=month,
            total=sum(by_category.values()),
            open=sum(open_category.values()),
            by_category=_count_rows(by_category, open_category, lambda code: cause_label(code) or "未说明"),
            by_department=_count_rows(
                by_department,
                open_department,
                lambda code: _department_name(chart, code) if code else "未知部门",
            ),
        )

    def record_table(self, **filters: str | None) -> tuple[tuple[str, ...], list[list[str]]]:
        """The 异常处理记录表 (template 4) of the anomalies :meth:`search` finds with ``filters``."""
        views = self.search(**filters)
        with self._database.reading() as connection:
            chart = self._org.current(connection)
        lines = [
            RecordLine(
                number=view.number,
                business_key=view.business_key,
                node_name=view.node_name,
                department=view.responsible_department,
                description=view.description,
                reporter=view.reporter or view.raised_by,
                reported_at=view.reported_at or (view.found_at if view.raised_by else None),
                plan=view.plan,
                handler=view.handler,
                resolved_at=view.resolved_at,
                status=view.status,
                verification_result=view.verification_result,
                verification_note=view.verification_note,
                verifier=view.verifier,
            )
            for view in views
        ]
        rows = record_rows(lines, chart.name_of, lambda ref: _department_name(chart, ref))
        return RECORD_COLUMNS, rows

    def progress_table(
        self, instances_: Sequence[str] | None = None
    ) -> tuple[tuple[str, ...], list[list[str]]]:
        """The 执行进度跟踪表 (template 3): one row per work item of the instances (ids or business keys)."""
        with self._database.reading() as connection:
            chart = self._org.current(connection)
            ids = None if instances_ is None else [_instance_id(connection, ref) for ref in instances_]
            items = anomalies.work_items_of(connection, ids)
            causes = delay_causes(anomalies.search(connection, instance_ids=ids, limit=100_000))
        lines = [
            ProgressLine(
                business_key=item["business_key"],
                name=item["name"],
                department=item["department"],
                assignee=item["assignee"],
                group=item["candidate_group"],
                status=item["status"],
                due_at=item["due_at"],
                completed_at=item["completed_at"],
                delay_cause=causes.get(("item", item["id"]))
                or causes.get((item["instance_id"], item["node_id"])),
            )
            for item in items
        ]
        rows = progress_rows(
            lines,
            self._clock.now(),
            chart.name_of,
            lambda ref: _department_name(chart, ref),
            chart.group_label,
        )
        return PROGRESS_COLUMNS, rows


def month_range(month: str) -> tuple[datetime, datetime]:
    """``[start, end)`` of a ``YYYY-MM`` month in Asia/Shanghai.

    Raises:
        ConfigurationError: Not a ``YYYY-MM`` month.
    """
    try:
        start = datetime.strptime(month, "%Y-%m").replace(tzinfo=TABLE_ZONE)
    except ValueError:
        raise ConfigurationError(f"月份「{month}」格式不对，请写成 YYYY-MM，如 2026-12") from None
    end = (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )
    return start, end


def _count_rows(
    counts: Counter[str | None], still_open: Counter[str | None], label: Callable[[str | None], str]
) -> tuple[CountRow, ...]:
    ordered = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0] is None, pair[0] or ""))
    return tuple(
        CountRow(code=code, label=label(code), count=count, open=still_open[code]) for code, count in ordered
    )


def _status(text: str) -> AnomalyStatus:
    try:
        return AnomalyStatus(text)
    except ValueError:
        choices = "、".join(f"{status.value}（{status.label}）" for status in AnomalyStatus)
        raise ConfigurationError(f"异常状态「{text}」不存在，可选：open（未闭环）、{choices}") from None


def _department(chart: OrgSnapshot, ref: str) -> str:
    found = chart.department(ref)
    return ref if found is None else found.id


def _department_name(chart: OrgSnapshot, ref: str) -> str:
    found = chart.department(ref)
    return ref if found is None else found.name


def _instance_id(connection: Connection, ref: str) -> str:
    stored = instances.find(connection, ref)
    if stored is None:
        raise NotFound(f"流程实例 {ref} 不存在")
    return stored.state.id

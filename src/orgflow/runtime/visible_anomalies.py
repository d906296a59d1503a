"""Anomalies (异常) as one person may see them: a page of the list, and whether one is theirs to see.

The rule is the API's (:mod:`orgflow.api.routes.anomalies`), decided once
here as an :class:`~orgflow.store.anomaly_scope.AnomalyViewer` and applied
in SQL (:mod:`orgflow.store.anomaly_scope`), so a list page reads one page
and one count whatever the number of anomalies and instances.
"""

from __future__ import annotations

from dataclasses import dataclass

from orgflow.access.roles import Permission, permissions_of, roles_of
from orgflow.access.scope import scope_of
from orgflow.anomalies.causes import cause_category
from orgflow.anomalies.lifecycle import OPEN_STATUSES, AnomalyStatus
from orgflow.auth.principal import Principal
from orgflow.errors import ConfigurationError, NotFound
from orgflow.org.model import OrgSnapshot
from orgflow.runtime.anomaly_queries import month_range
from orgflow.runtime.views.anomalies import AnomalyView
from orgflow.store import anomaly_scope, instances
from orgflow.store.anomaly_scope import AnomalyFilter, AnomalyViewer
from orgflow.store.database import Database


def anomaly_viewer(principal: Principal, chart: OrgSnapshot) -> AnomalyViewer:
    """Which anomalies ``principal`` sees: all (reading every instance), else theirs and their instances'."""
    permissions = permissions_of(roles_of(principal, chart))
    if Permission.INSTANCE_READ_ALL in permissions:
        return AnomalyViewer(user=principal.user_id, everything=True)
    user = principal.user_id
    departments = frozenset(
        department
        for department in chart.departments
        if user in chart.members(department) or chart.head_of(department) == user
    )
    scope = scope_of(principal, chart) if Permission.INSTANCE_READ in permissions else None
    return AnomalyViewer(user=user, departments=departments, scope=scope)


@dataclass(frozen=True, kw_only=True, slots=True)
class AnomalyPage:
    """One page of the list and how many anomalies match in all."""

    items: tuple[AnomalyView, ...]
    total: int
    limit: int
    offset: int


class VisibleAnomalies:
    """Read-only: the anomalies a viewer may see; each call is one read-only transaction."""

    def __init__(self, database: Database) -> None:
        self._database = database

    def page(
        self,
        viewer: AnomalyViewer,
        chart: OrgSnapshot,
        *,
        status: str | None = None,
        department: str | None = None,
        category: str | None = None,
        month: str | None = None,
        instance: str | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> AnomalyPage:
        """One page, newest found first.

        ``status`` is a status code or ``open``; ``month`` ``YYYY-MM``; ``instance`` an id or business key.

        Raises:
            ConfigurationError: An unknown status or a month not written ``YYYY-MM``.
            CommandRejected: An unknown cause category (``field`` ``category``).
            NotFound: No such instance.
        """
        statuses: tuple[str, ...] = ()
        if status == "open":
            statuses = OPEN_STATUSES
        elif status is not None:
            try:
                statuses = (AnomalyStatus(status).value,)
            except ValueError:
                raise ConfigurationError(f"异常状态「{status}」不存在") from None
        departments: tuple[str, ...] = ()
        if department is not None:
            found = chart.department(department)
            departments = (department,) if found is None else tuple(sorted({found.id, found.name}))
        found_from, found_until = (None, None) if month is None else month_range(month)
        with self._database.reading() as connection:
            instance_id = None
            if instance is not None:
                stored = instances.find(connection, instance)
                if stored is None:
                    raise NotFound(f"流程实例 {instance} 不存在")
                instance_id = stored.state.id
            wanted = AnomalyFilter(
                statuses=statuses,
                departments=departments,
                category=None if category is None else cause_category(category).value,
                instance_id=instance_id,
                found_from=found_from,
                found_until=found_until,
            )
            rows = anomaly_scope.search(connection, viewer, wanted, limit=limit, offset=offset)
            total = (
                offset + len(rows)
                if len(rows) < limit and (rows or offset == 0)
                else anomaly_scope.count(connection, viewer, wanted)
            )
        return AnomalyPage(
            items=tuple(AnomalyView.from_row(row) for row in rows), total=total, limit=limit, offset=offset
        )

    def sees(self, viewer: AnomalyViewer, number: str) -> bool:
        """Whether ``viewer`` may see anomaly ``number`` (``False`` also when there is none)."""
        with self._database.reading() as connection:
            rows = anomaly_scope.search(connection, viewer, AnomalyFilter(number=number), limit=1, offset=0)
        return bool(rows)

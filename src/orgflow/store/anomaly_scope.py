"""Anomalies (异常) a caller may see, one page at a time, in SQL.

The rule is the API's (:mod:`orgflow.api.routes.anomalies`): someone who reads
every instance sees every anomaly; anyone else sees those they are a party to
(raised, reported, handle or verified it, or belong to or head its responsible
department) and those of instances in their data scope
(:func:`orgflow.store.instance_scope.scope_condition`). Here it is one
``WHERE``, so a list page reads its 20 rows and one count instead of every
anomaly and an access check per instance.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, false, func, or_, select

from orgflow.access.scope import DataScope
from orgflow.store.anomalies import ANOMALY_COLUMNS
from orgflow.store.instance_scope import scope_condition
from orgflow.store.tables import anomalies, instances


@dataclass(frozen=True, kw_only=True, slots=True)
class AnomalyViewer:
    """Who is looking: ``None`` scope and no user for someone who sees every anomaly.

    Attributes:
        user: Whose part counts (raised, reported, handles, verified).
        departments: Ids of the departments ``user`` belongs to or heads (they explain its anomalies).
        scope: Their data scope, when they may read instances at all (``None``: they may not).
        everything: They see every anomaly.
    """

    user: str | None
    departments: frozenset[str] = frozenset()
    scope: DataScope | None = None
    everything: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class AnomalyFilter:
    """The list's filters (``None`` / empty: not applied); ``statuses`` are stored codes."""

    statuses: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    category: str | None = None
    instance_id: str | None = None
    number: str | None = None
    found_from: datetime | None = None
    found_until: datetime | None = None


def _seen(viewer: AnomalyViewer) -> ColumnElement[bool] | None:
    if viewer.everything:
        return None
    reasons: list[ColumnElement[bool]] = []
    if viewer.user is not None:
        reasons += [
            anomalies.c.raised_by == viewer.user,
            anomalies.c.reporter == viewer.user,
            anomalies.c.handler == viewer.user,
            anomalies.c.verifier == viewer.user,
        ]
    if viewer.departments:
        reasons.append(anomalies.c.responsible_department.in_(sorted(viewer.departments)))
    if viewer.scope is not None:
        readable = scope_condition(viewer.scope)
        if readable is None:
            return None
        reasons.append(readable)
    return or_(*reasons) if reasons else false()


def _query(base: Select[Any], viewer: AnomalyViewer, wanted: AnomalyFilter) -> Select[Any]:
    query = base.join(instances, instances.c.id == anomalies.c.instance_id)
    if wanted.statuses:
        query = query.where(anomalies.c.status.in_(list(wanted.statuses)))
    if wanted.departments:
        query = query.where(anomalies.c.responsible_department.in_(list(wanted.departments)))
    if wanted.category is not None:
        query = query.where(anomalies.c.cause_category == wanted.category)
    if wanted.instance_id is not None:
        query = query.where(anomalies.c.instance_id == wanted.instance_id)
    if wanted.number is not None:
        query = query.where(anomalies.c.number == wanted.number)
    if wanted.found_from is not None:
        query = query.where(anomalies.c.found_at >= wanted.found_from)
    if wanted.found_until is not None:
        query = query.where(anomalies.c.found_at < wanted.found_until)
    seen = _seen(viewer)
    return query if seen is None else query.where(seen)


def search(
    connection: Connection, viewer: AnomalyViewer, wanted: AnomalyFilter, *, limit: int, offset: int
) -> Sequence[Mapping[str, Any]]:
    """One page of the anomalies ``viewer`` may see matching ``wanted``, newest found first."""
    query = _query(select(*ANOMALY_COLUMNS).select_from(anomalies), viewer, wanted)
    query = query.order_by(anomalies.c.found_at.desc(), anomalies.c.number.desc()).limit(limit).offset(offset)
    return [row._asdict() for row in connection.execute(query)]


def count(connection: Connection, viewer: AnomalyViewer, wanted: AnomalyFilter) -> int:
    """How many anomalies ``viewer`` may see match ``wanted``."""
    query = _query(select(func.count()).select_from(anomalies), viewer, wanted)
    return int(connection.execute(query).scalar_one())

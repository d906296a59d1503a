"""Instances inside a caller's data scope (:class:`orgflow.access.scope.DataScope`), in SQL.

The scope is one ``WHERE`` on ``instances``: the caller's own (initiator,
``EXISTS`` a work item that is or was theirs or is open to one of their
groups, ``EXISTS`` a copy to them), or their departments' (initiator in the
list of people whose primary department they oversee, ``EXISTS`` a work item
filed under one of those departments), or everything; an integration token's
grants add ``definition_key IN (...)``. The lists come from the org chart, in
Python; the ``EXISTS`` probes use ``ix_work_items_instance_id`` and the copies'
primary key, the initiator test ``ix_instances_initiator_started_at_id``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, and_, exists, false, func, or_, select

from orgflow.access.scope import DataScope
from orgflow.store.filters import where_given
from orgflow.store.instances import SUMMARY_COLUMNS
from orgflow.store.tables import OPEN_LITERAL, copies, instances, work_items


@dataclass(frozen=True, kw_only=True, slots=True)
class InstanceFilter:
    """The list's own filters (``None``: not applied), on top of the scope."""

    status: str | None = None
    definition_key: str | None = None
    initiator: str | None = None
    business_key: str | None = None


def scope_condition(scope: DataScope) -> ColumnElement[bool] | None:
    """The scope as a condition on ``instances`` (``None``: every instance)."""
    granted = None if scope.definitions is None else instances.c.definition_key.in_(sorted(scope.definitions))
    if scope.everything:
        return granted
    reasons: list[ColumnElement[bool]] = []
    item_reasons: list[ColumnElement[bool]] = []
    if scope.user is not None:
        reasons.append(instances.c.initiator == scope.user)
        item_reasons += [work_items.c.assignee == scope.user, work_items.c.actor == scope.user]
        if scope.groups:
            item_reasons.append(
                and_(
                    work_items.c.status == OPEN_LITERAL,
                    work_items.c.assignee.is_(None),
                    work_items.c.candidate_group.in_(sorted(scope.groups)),
                )
            )
    if scope.initiators:
        reasons.append(instances.c.initiator.in_(sorted(scope.initiators)))
    if scope.departments:
        item_reasons.append(work_items.c.department.in_(sorted(scope.departments)))
    if item_reasons:
        reasons.append(exists().where(work_items.c.instance_id == instances.c.id, or_(*item_reasons)))
    if scope.user is not None:
        reasons.append(exists().where(copies.c.instance_id == instances.c.id, copies.c.user_id == scope.user))
    seen = or_(*reasons) if reasons else false()
    return seen if granted is None else and_(granted, seen)


def _scoped(query: Select[Any], scope: DataScope, wanted: InstanceFilter) -> Select[Any]:
    query = where_given(
        query,
        (instances.c.status, wanted.status),
        (instances.c.definition_key, wanted.definition_key),
        (instances.c.initiator, wanted.initiator),
        (instances.c.business_key, wanted.business_key),
    )
    condition = scope_condition(scope)
    return query if condition is None else query.where(condition)


def search(
    connection: Connection, scope: DataScope, wanted: InstanceFilter, *, limit: int, offset: int
) -> Sequence[Mapping[str, Any]]:
    """One page of the instances in ``scope`` matching ``wanted``, newest first (summary columns)."""
    query = _scoped(select(*SUMMARY_COLUMNS), scope, wanted)
    query = query.order_by(instances.c.started_at.desc(), instances.c.id.desc()).limit(limit).offset(offset)
    return [row._asdict() for row in connection.execute(query)]


def count(connection: Connection, scope: DataScope, wanted: InstanceFilter) -> int:
    """How many instances in ``scope`` match ``wanted``."""
    query = _scoped(select(func.count()).select_from(instances), scope, wanted)
    return int(connection.execute(query).scalar_one())


def filed_under(connection: Connection, instance_id: str, departments: Collection[str]) -> bool:
    """Whether a work item of the instance (open or closed) is filed under one of ``departments``."""
    if not departments:
        return False
    query = select(
        exists().where(
            work_items.c.instance_id == instance_id, work_items.c.department.in_(sorted(departments))
        )
    )
    return bool(connection.execute(query).scalar())

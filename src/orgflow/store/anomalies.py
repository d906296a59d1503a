"""Anomaly rows (异常): numbering, the loop's state writes, and the queries of lists and analysis.

Numbers are ``ABN`` + the day in Asia/Shanghai + a three-digit daily sequence,
taken from the business-key counter (so they roll back with the transaction).
A step updates the row only if it is still in the state the step was checked
against, so two people acting at once cannot both move it: the loser gets
``Conflict``. These are ordinary ``connection.execute`` statements: anomalies
are rare next to work items.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, func, insert, select, update

from orgflow.anomalies.lifecycle import OPEN_STATUSES, AnomalyKind
from orgflow.errors import Conflict
from orgflow.store.business_keys import next_business_key
from orgflow.store.filters import where_given
from orgflow.store.tables import anomalies, instances, work_items

#: The prefix of anomaly numbers.
NUMBER_PREFIX: Final = "ABN"
#: The calendar day of a number is the day in this zone (the seed's offices).
NUMBER_ZONE: Final = ZoneInfo("Asia/Shanghai")

#: The columns of an anomaly row, in table order.
COLUMNS: Final = tuple(column.name for column in anomalies.c)
#: An anomaly row with its instance's business key and initiator.
ANOMALY_COLUMNS: Final = (*anomalies.c, instances.c.business_key, instances.c.initiator)


def next_number(connection: Connection, moment: datetime) -> str:
    """Take the next number for ``moment``'s day in Asia/Shanghai (``ABN20261202001``)."""
    return next_business_key(connection, NUMBER_PREFIX, moment.astimezone(NUMBER_ZONE))


def insert_row(connection: Connection, row: Mapping[str, Any]) -> None:
    """Store a new anomaly."""
    connection.execute(insert(anomalies), dict(row))


def move(connection: Connection, anomaly_id: str, status_was: str, values: Mapping[str, Any]) -> None:
    """Write a step's values, provided the anomaly is still at ``status_was``.

    Raises:
        Conflict: Someone moved it first.
    """
    statement = (
        update(anomalies)
        .where(anomalies.c.id == anomaly_id, anomalies.c.status == status_was)
        .values(**values)
    )
    if connection.execute(statement).rowcount != 1:
        raise Conflict("该异常刚被他人处理，请刷新后重试。")


def _selected() -> Any:
    return select(*ANOMALY_COLUMNS).join(instances, instances.c.id == anomalies.c.instance_id)


def by_number(connection: Connection, number: str) -> Mapping[str, Any] | None:
    """One anomaly by its number (or id)."""
    query = _selected().where((anomalies.c.number == number) | (anomalies.c.id == number))
    row = connection.execute(query).first()
    return None if row is None else row._asdict()


def open_overdue_for(connection: Connection, work_item_id: str) -> Mapping[str, Any] | None:
    """The work item's open overdue anomaly, if it has one."""
    query = _selected().where(
        anomalies.c.work_item_id == work_item_id,
        anomalies.c.kind == AnomalyKind.OVERDUE.value,
        anomalies.c.status.in_(OPEN_STATUSES),
    )
    row = connection.execute(query).first()
    return None if row is None else row._asdict()


def search(
    connection: Connection,
    *,
    status: str | None = None,
    department: str | None = None,
    category: str | None = None,
    instance_id: str | None = None,
    found_from: datetime | None = None,
    found_until: datetime | None = None,
    instance_ids: Collection[str] | None = None,
    limit: int = 500,
) -> Sequence[Mapping[str, Any]]:
    """Anomalies matching every given filter, oldest first; ``found_until`` is exclusive."""
    query = where_given(
        _selected(),
        (anomalies.c.status, status),
        (anomalies.c.responsible_department, department),
        (anomalies.c.cause_category, category),
        (anomalies.c.instance_id, instance_id),
    )
    if found_from is not None:
        query = query.where(anomalies.c.found_at >= found_from)
    if found_until is not None:
        query = query.where(anomalies.c.found_at < found_until)
    if instance_ids is not None:
        query = query.where(anomalies.c.instance_id.in_(list(instance_ids)))
    query = query.order_by(anomalies.c.found_at, anomalies.c.number).limit(limit)
    return [row._asdict() for row in connection.execute(query)]


def explanations_overdue(connection: Connection, now: datetime) -> Sequence[Mapping[str, Any]]:
    """Anomalies still waiting for their 《异常处理说明》 after its due time, most overdue first."""
    query = (
        _selected()
        .where(
            anomalies.c.status == "found",
            anomalies.c.reported_at.is_(None),
            anomalies.c.explanation_due_at < now,
        )
        .order_by(anomalies.c.explanation_due_at, anomalies.c.number)
    )
    return [row._asdict() for row in connection.execute(query)]


def counts(
    connection: Connection, found_from: datetime, found_until: datetime
) -> Sequence[Mapping[str, Any]]:
    """How many anomalies were found in ``[found_from, found_until)``, by category, department and status."""
    query = (
        select(
            anomalies.c.cause_category,
            anomalies.c.responsible_department,
            anomalies.c.status,
            func.count().label("count"),
        )
        .where(anomalies.c.found_at >= found_from, anomalies.c.found_at < found_until)
        .group_by(anomalies.c.cause_category, anomalies.c.responsible_department, anomalies.c.status)
    )
    return [row._asdict() for row in connection.execute(query)]


def abnormal_instances(connection: Connection, instance_ids: Collection[str] | None = None) -> frozenset[str]:
    """Ids of the instances that are 异常 now: they have an anomaly not yet verified (or closed)."""
    query = select(anomalies.c.instance_id).where(anomalies.c.status.in_(OPEN_STATUSES)).distinct()
    if instance_ids is not None:
        query = query.where(anomalies.c.instance_id.in_(list(instance_ids)))
    return frozenset(connection.execute(query).scalars())


#: What an anomaly needs to know about a work item.
WORK_ITEM_COLUMNS: Final = (
    work_items.c.id,
    work_items.c.instance_id,
    work_items.c.node_id,
    work_items.c.name,
    work_items.c.assignee,
    work_items.c.candidate_group,
    work_items.c.department,
    work_items.c.status,
    work_items.c.created_at,
    work_items.c.completed_at,
    work_items.c.due_at,
    instances.c.business_key,
)


def work_item(connection: Connection, work_item_id: str) -> Mapping[str, Any] | None:
    """One work item with its instance's business key, whatever its status."""
    query = (
        select(*WORK_ITEM_COLUMNS)
        .join(instances, instances.c.id == work_items.c.instance_id)
        .where(work_items.c.id == work_item_id)
    )
    row = connection.execute(query).first()
    return None if row is None else row._asdict()


def work_items_of(
    connection: Connection, instance_ids: Collection[str] | None
) -> Sequence[Mapping[str, Any]]:
    """The work items of the given instances (every instance: ``None``), by instance then opening order."""
    query = select(*WORK_ITEM_COLUMNS).join(instances, instances.c.id == work_items.c.instance_id)
    if instance_ids is not None:
        query = query.where(work_items.c.instance_id.in_(list(instance_ids)))
    query = query.order_by(instances.c.started_at, instances.c.id, work_items.c.created_at, work_items.c.id)
    return [row._asdict() for row in connection.execute(query)]

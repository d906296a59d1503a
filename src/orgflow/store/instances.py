"""Instance state in rows: load an ``InstanceState`` in one SELECT, save a new one with a version check.

The hot path of every command lives here, so each operation is one named
statement, compiled once (:mod:`orgflow.store.statements`):

- ``load`` reads the instance row, its tokens and its open work items with three
  indexed SELECTs, found by instance id, business key or work item id (a single
  statement with two LEFT JOINs was measured four times slower on SQLite);
  tokens come back in creation order (``t2`` before ``t10``), work items oldest first;
- ``insert_new`` writes a new instance and its first tokens;
- ``update_state`` bumps the row with ``UPDATE … WHERE id = :id AND version = :expected``
  and raises ``Conflict`` when another transaction got there first, then writes
  only the tokens that changed (delete/update/insert, one executemany each). The
  status and data columns are written only when they changed: SQLite rewrites
  every index on a column named in SET, and the data can be large.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from orgflow.engine.state import InstanceError, InstanceState, InstanceStatus, Token, TokenStatus, WorkItem
from orgflow.errors import Conflict
from orgflow.store.filters import where_given
from orgflow.store.statements import NamedStatement
from orgflow.store.tables import OPEN_LITERAL, instances, tokens, work_items

#: Statuses after which an instance has ended for good (``failed`` may still be repaired).
ENDED = frozenset({InstanceStatus.COMPLETED, InstanceStatus.TERMINATED})


@dataclass(frozen=True, kw_only=True, slots=True)
class StoredInstance:
    """An instance as the store holds it: the engine's state plus bookkeeping the engine never sees.

    Attributes:
        state: What the engine works on.
        version: The optimistic-lock version read with the state; saving expects it unchanged.
        definition_key: The definition's key (denormalised for filtering).
        ended_at: When it completed or was terminated.
        updated_at: When it was last saved.
    """

    state: InstanceState
    version: int
    definition_key: str
    ended_at: datetime | None
    updated_at: datetime


_INSTANCE_COLUMNS = (
    instances.c.id,
    instances.c.definition_id,
    instances.c.business_key,
    instances.c.status,
    instances.c.data,
    instances.c.next_token,
    instances.c.initiator,
    instances.c.started_at,
    instances.c.error_node,
    instances.c.error_message,
    instances.c.version,
    instances.c.definition_key,
    instances.c.ended_at,
    instances.c.updated_at,
)
_TOKEN_COLUMNS = (
    tokens.c.id,
    tokens.c.node_id,
    tokens.c.status,
    tokens.c.scope,
    tokens.c.arrived_by,
    tokens.c.outcome,
)
_ITEM_COLUMNS = (
    work_items.c.id,
    work_items.c.node_id,
    work_items.c.token_id,
    work_items.c.name,
    work_items.c.assignee,
    work_items.c.department,
    work_items.c.created_at,
)


def _columns(table: Any, *skip: str) -> tuple[str, ...]:
    return tuple(column.key for column in table.columns if column.key not in skip)


SELECT_INSTANCE = NamedStatement(
    "select instance", select(*_INSTANCE_COLUMNS).where(instances.c.id == bindparam("key"))
)
SELECT_TOKENS = NamedStatement(
    "select tokens", select(*_TOKEN_COLUMNS).where(tokens.c.instance_id == bindparam("key"))
)
SELECT_OPEN_WORK_ITEMS = NamedStatement(
    "select open work items",
    select(*_ITEM_COLUMNS).where(
        work_items.c.instance_id == bindparam("key"), work_items.c.status == OPEN_LITERAL
    ),
)
ID_BY_BUSINESS_KEY = NamedStatement(
    "instance id by business key", select(instances.c.id).where(instances.c.business_key == bindparam("key"))
)
ID_BY_WORK_ITEM = NamedStatement(
    "instance id by work item", select(work_items.c.instance_id).where(work_items.c.id == bindparam("key"))
)

INSERT_INSTANCE = NamedStatement("insert instance", insert(instances), column_keys=_columns(instances))
_CHECKED_UPDATE = (
    update(instances)
    .where(instances.c.id == bindparam("b_id"), instances.c.version == bindparam("b_expected"))
    .values(version=instances.c.version + 1)
)
_ALWAYS_SAVED = ("next_token", "ended_at", "error_node", "error_message", "updated_at")


def _checked_update(status: bool, data: bool) -> NamedStatement:
    columns = (*_ALWAYS_SAVED, *(("status",) if status else ()), *(("data",) if data else ()))
    return NamedStatement(f"update instance ({', '.join(columns)})", _CHECKED_UPDATE, column_keys=columns)


#: The optimistic lock: 0 rows updated means someone saved this instance since we read it.
#: Keyed by (status changed, data changed): an unchanged status is left out of the SET list
#: because SQLite rewrites every index on a column named there, changed or not.
UPDATE_INSTANCE = {
    (status, data): _checked_update(status, data) for status in (False, True) for data in (False, True)
}
INSERT_TOKENS = NamedStatement("insert tokens", insert(tokens), column_keys=_columns(tokens))
UPDATE_TOKENS = NamedStatement(
    "update tokens",
    update(tokens).where(tokens.c.instance_id == bindparam("b_instance"), tokens.c.id == bindparam("b_id")),
    column_keys=_columns(tokens, "instance_id", "id"),
)
DELETE_TOKENS = NamedStatement(
    "delete tokens",
    delete(tokens).where(tokens.c.instance_id == bindparam("b_instance"), tokens.c.id == bindparam("b_id")),
)


def load(connection: Connection, instance_id: str) -> StoredInstance | None:
    """The instance with this id, or ``None``."""
    row = SELECT_INSTANCE.fetch_first(connection, {"key": instance_id})
    if row is None:
        return None
    token_rows = SELECT_TOKENS.fetch_all(connection, {"key": instance_id})
    item_rows = SELECT_OPEN_WORK_ITEMS.fetch_all(connection, {"key": instance_id})
    return _decode(row, token_rows, item_rows)


def load_by_business_key(connection: Connection, business_key: str) -> StoredInstance | None:
    """The instance with this business key (``PROJ20240301001``), or ``None``."""
    found = ID_BY_BUSINESS_KEY.fetch_first(connection, {"key": business_key})
    return None if found is None else load(connection, found[0])


def load_by_work_item(connection: Connection, work_item_id: str) -> StoredInstance | None:
    """The instance a work item (open or not) belongs to, or ``None`` if the work item does not exist."""
    found = ID_BY_WORK_ITEM.fetch_first(connection, {"key": work_item_id})
    return None if found is None else load(connection, found[0])


def insert_new(
    connection: Connection, state: InstanceState, *, definition_key: str, now: datetime
) -> StoredInstance:
    """Write a new instance and its tokens (version 1)."""
    row = _state_row(state, now)
    row.update(
        id=state.id,
        definition_id=state.definition_id,
        definition_key=definition_key,
        business_key=state.business_key,
        data=state.data,
        initiator=state.initiator,
        started_at=state.started_at,
        version=1,
    )
    INSERT_INSTANCE.execute(connection, row)
    INSERT_TOKENS.execute_many(connection, [_token_row(state.id, token) for token in state.tokens])
    return StoredInstance(
        state=state, version=1, definition_key=definition_key, ended_at=row["ended_at"], updated_at=now
    )


def update_state(
    connection: Connection, before: StoredInstance, after: InstanceState, now: datetime
) -> StoredInstance:
    """Save ``after`` over ``before``: the row first (version check), then only the tokens that changed.

    Raises:
        Conflict: The instance was saved by someone else since ``before`` was read.
    """
    old = before.state
    row = _state_row(after, now, ended_at=before.ended_at)
    row["b_id"] = old.id
    row["b_expected"] = before.version
    row["data"] = after.data
    statement = UPDATE_INSTANCE[after.status is not old.status, after.data is not old.data]
    if statement.execute(connection, row) != 1:
        raise Conflict(f"流程实例 {old.business_key} 刚被他人修改，请刷新后重试。")
    _save_token_changes(connection, old.id, old.tokens, after.tokens)
    return StoredInstance(
        state=after,
        version=before.version + 1,
        definition_key=before.definition_key,
        ended_at=row["ended_at"],
        updated_at=now,
    )


def _save_token_changes(
    connection: Connection, instance_id: str, before: Sequence[Token], after: Sequence[Token]
) -> None:
    old = {token.id: token for token in before}
    gone = [{"b_instance": instance_id, "b_id": token_id} for token_id in old.keys() - {t.id for t in after}]
    added: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    for token in after:
        previous = old.get(token.id)
        if previous is None:
            added.append(_token_row(instance_id, token))
        elif previous != token:
            row = _token_row(instance_id, token)
            del row["instance_id"], row["id"]
            row["b_instance"] = instance_id
            row["b_id"] = token.id
            changed.append(row)
    DELETE_TOKENS.execute_many(connection, gone)
    UPDATE_TOKENS.execute_many(connection, changed)
    INSERT_TOKENS.execute_many(connection, added)


def _state_row(state: InstanceState, now: datetime, ended_at: datetime | None = None) -> dict[str, Any]:
    """The columns every save writes (the rest never change after insert, or change rarely)."""
    error = state.error
    if ended_at is None and state.status in ENDED:
        ended_at = now
    return {
        "status": state.status.value,
        "next_token": state.next_token,
        "ended_at": ended_at,
        "error_node": error.node_id if error else None,
        "error_message": error.message if error else None,
        "updated_at": now,
    }


def _token_row(instance_id: str, token: Token) -> dict[str, Any]:
    return {
        "instance_id": instance_id,
        "id": token.id,
        "node_id": token.node_id,
        "status": token.status.value,
        "scope": token.scope,
        "arrived_by": token.arrived_by,
        "outcome": token.outcome,
    }


def _decode(
    first: Sequence[Any], token_rows: Sequence[Sequence[Any]], item_rows: Sequence[Sequence[Any]]
) -> StoredInstance:
    """Build the engine's state from the instance row, its token rows and its open work-item rows."""
    found_tokens = [
        Token(
            id=row[0],
            node_id=row[1],
            status=TokenStatus(row[2]),
            scope=row[3],
            arrived_by=row[4],
            outcome=row[5],
        )
        for row in token_rows
    ]
    found_items = [
        WorkItem(
            id=row[0],
            node_id=row[1],
            token_id=row[2],
            name=row[3],
            assignee=row[4],
            department=row[5],
            created_at=row[6],
        )
        for row in item_rows
    ]
    error_node, error_message = first[8], first[9]
    state = InstanceState(
        id=first[0],
        definition_id=first[1],
        business_key=first[2],
        status=InstanceStatus(first[3]),
        data=first[4],
        tokens=tuple(sorted(found_tokens, key=_token_order)),
        work_items=tuple(sorted(found_items, key=_item_order)),
        next_token=first[5],
        initiator=first[6],
        started_at=first[7],
        error=None if error_message is None else InstanceError(node_id=error_node, message=error_message),
    )
    return StoredInstance(
        state=state, version=first[10], definition_key=first[11], ended_at=first[12], updated_at=first[13]
    )


def _token_order(token: Token) -> tuple[int, str]:
    """Creation order: ``t2`` before ``t10``."""
    return len(token.id), token.id


def _item_order(item: WorkItem) -> tuple[datetime, int, str]:
    return item.created_at, len(item.id), item.id


#: Columns of instance lists (no data, tokens or work items: a list must stay cheap).
SUMMARY_COLUMNS = (
    instances.c.id,
    instances.c.business_key,
    instances.c.definition_id,
    instances.c.definition_key,
    instances.c.status,
    instances.c.initiator,
    instances.c.started_at,
    instances.c.ended_at,
    instances.c.updated_at,
    instances.c.error_message,
)


def search(
    connection: Connection,
    *,
    status: str | None = None,
    definition_key: str | None = None,
    initiator: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[Mapping[str, Any]]:
    """Instances matching every given filter, newest first."""
    query = where_given(
        select(*SUMMARY_COLUMNS),
        (instances.c.status, status),
        (instances.c.definition_key, definition_key),
        (instances.c.initiator, initiator),
    )
    query = query.order_by(instances.c.started_at.desc(), instances.c.id.desc()).limit(limit).offset(offset)
    return [row._asdict() for row in connection.execute(query)]

"""Instance state in rows: load an ``InstanceState`` in one SELECT, save a new one with a version check.

The hot path of every command lives here, so each operation is one named
statement, compiled once (:mod:`orgflow.store.statements`):

- ``load`` reads the instance row, with its open work items LEFT JOINed (one
  row per open item), found by instance id, business key or work item id. The
  tokens are a JSON column of the row itself (see migration 0002): nothing but
  the instance's own commands reads them, and nearly every command moves one.
  Work items come back oldest first; tokens in the order the engine saved them;
- ``insert_new`` writes a new instance;
- a child instance's caller (调用子流程: the parent instance, its token and call
  activity) is in the ``parent_*`` columns (migration 0020), written with the new
  row and never again: the link does not change, so saves leave them out;
- ``update_state`` writes the row with ``UPDATE … WHERE id = :id AND version = :expected``
  and raises ``Conflict`` when another transaction got there first. Only the
  columns that changed are written: SQLite rewrites every index on a column
  named in SET, the data can be large, and each value costs a conversion.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import compress
from operator import ne
from typing import Any

from sqlalchemy import Connection, FromClause, and_, bindparam, insert, literal_column, select, update

from orgflow.engine.state import (
    Caller,
    InstanceError,
    InstanceState,
    InstanceStatus,
    PendingTimer,
    Signoff,
    Token,
    TokenStatus,
    TrailEntry,
    WorkItem,
)
from orgflow.errors import Conflict
from orgflow.sensitive.sealing import Sealer
from orgflow.store.database import dump_json, load_json
from orgflow.store.filters import where_given
from orgflow.store.statements import NamedStatement
from orgflow.store.tables import OPEN_LITERAL, instances, work_items

#: Statuses after which an instance has ended for good (``failed`` may still be repaired).
ENDED = frozenset({InstanceStatus.COMPLETED, InstanceStatus.TERMINATED, InstanceStatus.WITHDRAWN})


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
    instances.c.tokens,
    instances.c.signoffs,
    instances.c.trail,
    instances.c.timers,
    instances.c.parent_instance_id,
    instances.c.parent_token_id,
    instances.c.parent_node_id,
)
_OPEN_ITEMS = work_items.alias("open_items")
_ITEM_COLUMNS = (
    _OPEN_ITEMS.c.id,
    _OPEN_ITEMS.c.node_id,
    _OPEN_ITEMS.c.token_id,
    _OPEN_ITEMS.c.name,
    _OPEN_ITEMS.c.assignee,
    _OPEN_ITEMS.c.candidate_group,
    _OPEN_ITEMS.c.created_at,
    _OPEN_ITEMS.c.on_behalf_of,
)
#: Where the first work-item column sits in a loaded row.
_ITEMS_AT = len(_INSTANCE_COLUMNS)


def _load_statement(name: str, source: FromClause, condition: Any) -> NamedStatement:
    """The instance row from ``source`` with its open work items joined, one row per item."""
    with_items = source.outerjoin(
        _OPEN_ITEMS, and_(_OPEN_ITEMS.c.instance_id == instances.c.id, _OPEN_ITEMS.c.status == OPEN_LITERAL)
    )
    return NamedStatement(
        name, select(*_INSTANCE_COLUMNS, *_ITEM_COLUMNS).select_from(with_items).where(condition)
    )


_ASKED_ITEM = work_items.alias("asked")
LOAD_BY_ID = _load_statement("load instance", instances, instances.c.id == bindparam("key"))
LOAD_BY_BUSINESS_KEY = _load_statement(
    "load instance by business key", instances, instances.c.business_key == bindparam("key")
)
LOAD_BY_WORK_ITEM = _load_statement(
    "load instance by work item",
    _ASKED_ITEM.join(instances, instances.c.id == _ASKED_ITEM.c.instance_id),
    _ASKED_ITEM.c.id == bindparam("key"),
)

INSERT_INSTANCE = NamedStatement(
    "insert instance", insert(instances), column_keys=tuple(column.key for column in instances.columns)
)
_CHECKED_UPDATE = (
    update(instances)
    .where(instances.c.id == bindparam("b_id"), instances.c.version == bindparam("b_expected"))
    .values(version=instances.c.version + literal_column("1"))  # no parameter: rows are plain tuples
)
#: A child's caller, as columns in the order of ``Caller``'s fields: written by the insert only.
_CALLER_COLUMNS = ("parent_instance_id", "parent_token_id", "parent_node_id")
_NO_CALLER = (None, None, None)
#: The columns a save may change; ``updated_at`` always does (``definition_id`` only when migrated).
_SAVED = (
    "definition_id",
    "status",
    "data",
    "tokens",
    "signoffs",
    "trail",
    "timers",
    "next_token",
    "ended_at",
    "error_node",
    "error_message",
    "updated_at",
)
_ENDED_AT = _SAVED.index("ended_at")
_DATA = _SAVED.index("data")
#: The optimistic lock, by the columns it writes: 0 rows updated means someone saved
#: this instance since we read it. Built on first use (a few combinations occur).
_UPDATES: dict[tuple[str, ...], NamedStatement] = {}


def _checked_update(columns: tuple[str, ...]) -> NamedStatement:
    statement = _UPDATES.get(columns)
    if statement is None:
        name = f"update instance ({', '.join(columns)})"
        statement = _UPDATES[columns] = NamedStatement(
            name, _CHECKED_UPDATE, column_keys=columns, row_keys=(*columns, "b_id", "b_expected")
        )
    return statement


def load(connection: Connection, instance_id: str) -> StoredInstance | None:
    """The instance with this id, or ``None``."""
    return _decode(LOAD_BY_ID.fetch_all(connection, {"key": instance_id}, repeated=_ITEMS_AT))


def load_by_business_key(connection: Connection, business_key: str) -> StoredInstance | None:
    """The instance with this business key (``PROJ20240301001``), or ``None``."""
    return _decode(LOAD_BY_BUSINESS_KEY.fetch_all(connection, {"key": business_key}, repeated=_ITEMS_AT))


def find(connection: Connection, id_or_business_key: str) -> StoredInstance | None:
    """The instance with this id, or else with this business key, or ``None``."""
    return load(connection, id_or_business_key) or load_by_business_key(connection, id_or_business_key)


def load_by_work_item(connection: Connection, work_item_id: str) -> StoredInstance | None:
    """The instance a work item (open or not) belongs to, or ``None`` if the work item does not exist."""
    return _decode(LOAD_BY_WORK_ITEM.fetch_all(connection, {"key": work_item_id}, repeated=_ITEMS_AT))


def insert_new(
    connection: Connection,
    state: InstanceState,
    *,
    definition_key: str,
    now: datetime,
    seal: Sealer | None = None,
) -> StoredInstance:
    """Write a new instance (version 1); ``seal`` encrypts the sensitive fields of its data."""
    row = _saved_values(state, now, ended_at=None)
    if seal is not None:
        row["data"] = seal(row["data"])
    row.update(zip(_CALLER_COLUMNS, state.caller or _NO_CALLER, strict=True))
    row.update(
        id=state.id,
        definition_id=state.definition_id,
        definition_key=definition_key,
        business_key=state.business_key,
        initiator=state.initiator,
        started_at=state.started_at,
        version=1,
    )
    INSERT_INSTANCE.execute(connection, row)
    return StoredInstance(
        state=state, version=1, definition_key=definition_key, ended_at=row["ended_at"], updated_at=now
    )


def update_state(
    connection: Connection,
    before: StoredInstance,
    after: InstanceState,
    now: datetime,
    seal: Sealer | None = None,
) -> StoredInstance:
    """Save ``after`` over ``before``, writing only the columns that changed, under the version check.

    ``seal`` encrypts the sensitive fields of the data when it is written; the
    comparison is of plain values. A move to another version (``definition_id``)
    writes the data again, sealed as the new version says.

    Raises:
        Conflict: The instance was saved by someone else since ``before`` was read.
    """
    old = before.state
    new = _saved_columns(after, now, ended_at=before.ended_at)
    previous = _saved_columns(old, before.updated_at, ended_at=before.ended_at)
    changed = list(map(ne, new, previous))  # compared in C: this runs on every save
    if changed[0]:  # a move to another version (definition_id): the data is written again, sealed anew
        changed[_DATA] = True
    columns = list(compress(_SAVED, changed))
    values = list(compress(new, changed))
    if not columns or columns[-1] != "updated_at":
        columns.append("updated_at")
        values.append(now)
    if seal is not None and "data" in columns:
        at = columns.index("data")
        values[at] = seal(values[at])
    values.append(old.id)
    values.append(before.version)
    if _checked_update(tuple(columns)).execute_rows(connection, (values,)) != 1:
        raise Conflict(f"流程实例 {old.business_key} 刚被他人修改，请刷新后重试。")
    return StoredInstance(
        state=after,
        version=before.version + 1,
        definition_key=before.definition_key,
        ended_at=new[_ENDED_AT],
        updated_at=now,
    )


def _saved_values(state: InstanceState, now: datetime, *, ended_at: datetime | None) -> dict[str, Any]:
    """The columns a save may change, by name (see :func:`_saved_columns`)."""
    return dict(zip(_SAVED, _saved_columns(state, now, ended_at=ended_at), strict=True))


def _saved_columns(state: InstanceState, now: datetime, *, ended_at: datetime | None) -> tuple[Any, ...]:
    """The columns a save may change, in :data:`_SAVED` order, as ``state`` has them.

    ``ended_at`` is set once, when it ends.
    """
    error = state.error
    if ended_at is None and state.status in ENDED:
        ended_at = now
    return (
        state.definition_id,
        _STATUS_VALUE[state.status],
        state.data,
        state.tokens,  # named tuples: JSON arrays as they are
        state.signoffs,
        state.trail,
        [_stored_timer(timer) for timer in state.timers] if state.timers else None,
        state.next_token,
        ended_at,
        error.node_id if error else None,
        error.message if error else None,
        now,
    )


def _decode(rows: Sequence[Sequence[Any]]) -> StoredInstance | None:
    """Build the engine's state from the loaded rows: the instance's columns, then one open item each."""
    if not rows:
        return None
    first = rows[0]
    tokens = tuple(_token(fields) for fields in first[14])
    found_items = [WorkItem(*row[_ITEMS_AT:]) for row in rows if row[_ITEMS_AT] is not None]
    if len(found_items) > 1:
        found_items.sort(key=_item_order)
    if found_items and any(token.loop is not None for token in tokens):
        found_items = _with_loops(found_items, tokens)
    error_node, error_message = first[8], first[9]
    state = InstanceState(
        id=first[0],
        definition_id=first[1],
        business_key=first[2],
        status=_INSTANCE_STATUS[first[3]],
        data=first[4],
        tokens=tokens,
        work_items=tuple(found_items),
        next_token=first[5],
        initiator=first[6],
        started_at=first[7],
        error=None if error_message is None else InstanceError(node_id=error_node, message=error_message),
        signoffs=tuple(_signoff(fields) for fields in first[15]) if first[15] else (),
        trail=tuple(TrailEntry(*fields) for fields in first[16]) if first[16] else (),
        timers=tuple(_timer(fields) for fields in first[17]) if first[17] else (),
        caller=None if first[18] is None else Caller(first[18], first[19], first[20]),
    )
    return StoredInstance(
        state=state, version=first[10], definition_key=first[11], ended_at=first[12], updated_at=first[13]
    )


def as_loaded(stored: StoredInstance, before: StoredInstance | None) -> StoredInstance:
    """``stored`` as :func:`load` would read it back now, without reading it.

    What a save wrote comes back from the row in its stored form: JSON columns as
    JSON decodes them (a tuple becomes a list, a date its ISO text), times in UTC,
    open work items in load order with their loop variables from their tokens. A
    column the save did not write (equal to ``before``'s, which was loaded or made
    by this function) keeps ``before``'s value, as the row does. Values already in
    their stored form (plain strings and numbers, the usual case) are kept as they
    are rather than sent through JSON.
    """
    state = stored.state
    old = before.state if before is not None else None
    changes: dict[str, Any] = {}
    if old is not None and old.definition_id == state.definition_id and _unwritten(state.data, old.data):
        data = old.data  # a move to another version writes the data again
    else:
        data = state.data if _plain_document(state.data) else load_json(dump_json(state.data))
    if data is not state.data:
        changes["data"] = data
    tokens = state.tokens
    if old is not None and _unwritten(tokens, old.tokens):
        tokens = old.tokens
    elif not _plain_tokens(tokens):
        tokens = tuple(_token(fields) for fields in load_json(dump_json(tokens)))
    if tokens is not state.tokens:
        changes["tokens"] = tokens
    if state.signoffs:
        signoffs = (
            old.signoffs
            if old is not None and _unwritten(state.signoffs, old.signoffs)
            else tuple(_signoff(fields) for fields in load_json(dump_json(state.signoffs)))
        )
        changes["signoffs"] = signoffs
    trail = state.trail
    if old is not None and _unwritten(trail, old.trail):
        trail = old.trail
    elif not _plain_trail(trail):
        trail = tuple(TrailEntry(*fields) for fields in load_json(dump_json(trail)))
    if trail is not state.trail:
        changes["trail"] = trail
    if state.timers:  # a save compares timers as stored text: always converted
        stored_timers = load_json(dump_json([_stored_timer(timer) for timer in state.timers]))
        changes["timers"] = tuple(_timer(fields) for fields in stored_timers)
    items = _items_as_loaded(state.work_items, tokens)
    if items is not state.work_items:
        changes["work_items"] = items
    if state.started_at.tzinfo is not UTC:
        changes["started_at"] = state.started_at.astimezone(UTC)
    error = state.error
    if error is not None and (type(error.node_id) not in _PLAIN_TEXT or type(error.message) is not str):
        changes["error"] = InstanceError(node_id=error.node_id, message=error.message)
    caller = state.caller
    if caller is not None and type(caller) is not Caller:
        changes["caller"] = Caller(*caller)
    ended_at = stored.ended_at
    if (
        changes
        or (ended_at is not None and ended_at.tzinfo is not UTC)
        or stored.updated_at.tzinfo is not UTC
    ):
        return StoredInstance(
            state=state.evolve(**changes) if changes else state,
            version=stored.version,
            definition_key=stored.definition_key,
            ended_at=None if ended_at is None else _utc(ended_at),
            updated_at=_utc(stored.updated_at),
        )
    return stored


#: Types a text column or JSON value comes back from the database as they went in.
_PLAIN_TEXT = (str, type(None))
_PLAIN_SCALARS = frozenset({str, int, float, bool, type(None)})


def _unwritten(new: Any, old: Any) -> bool:
    """Whether a save leaves the column as it was (see ``update_state``: it writes changed values only)."""
    return new is old or new == old


def _plain_document(document: Mapping[str, Any]) -> bool:
    """Whether a JSON document would come back as it is: a dict of text keys and plain values.

    The types are gathered by ``map`` (C speed): this is asked after every save.
    """
    if type(document) is not dict:
        return False
    return _TEXT_ONLY.issuperset(map(type, document)) and _PLAIN_SCALARS.issuperset(
        map(type, document.values())
    )


_TEXT_ONLY = frozenset({str})


def _plain_tokens(tokens: Sequence[Token]) -> bool:
    """Whether every token would come back from its JSON array as it is (outcome is what a person sent)."""
    plain_text = _PLAIN_TEXT
    for token in tokens:
        if token.local is not None or type(token.outcome) not in plain_text or type(token) is not Token:
            return False
    return True


def _plain_trail(trail: Sequence[TrailEntry]) -> bool:
    """Whether every trail entry would come back as it is: text actors and outcomes."""
    plain_text = _PLAIN_TEXT
    for entry in trail:
        if type(entry.actor) not in plain_text or type(entry.outcome) is not str:
            return False
    return True


def _items_as_loaded(items: tuple[WorkItem, ...], tokens: tuple[Token, ...]) -> tuple[WorkItem, ...]:
    """Open work items as :func:`_decode` builds them: own columns, load order, loops from tokens."""
    if not items:
        return items
    loaded = [
        item
        if item.loop is None and item.local is None and item.created_at.tzinfo is UTC
        else item._replace(created_at=_utc(item.created_at), loop=None, local=None)
        for item in items
    ]
    if len(loaded) > 1:
        loaded.sort(key=_item_order)
    for token in tokens:
        if token.loop is not None:
            loaded = _with_loops(loaded, tokens)
            break
    for mine, given in zip(loaded, items, strict=True):
        if mine is not given:
            return tuple(loaded)
    return items


def _utc(moment: datetime) -> datetime:
    """A time as the store reads it back: in UTC (see ``tables.UtcDateTime``)."""
    return moment if moment.tzinfo is UTC else moment.astimezone(UTC)


#: Statuses by stored value: a dict lookup, where calling the enum costs about a microsecond.
_INSTANCE_STATUS = {status.value: status for status in InstanceStatus}
_TOKEN_STATUS = {status.value: status for status in TokenStatus}
#: And the other way round (``.value`` of an enum member is a Python-level property: slower).
_STATUS_VALUE = {status: status.value for status in InstanceStatus}


def _token(fields: Sequence[Any]) -> Token:
    """A token from its stored array ``[id, node_id, status, scope, arrived_by, outcome]``."""
    return Token(fields[0], fields[1], _TOKEN_STATUS[fields[2]], *fields[3:])


def _with_loops(items: list[WorkItem], tokens: Sequence[Token]) -> list[WorkItem]:
    """Give the items of multi-instance instances their loop counter and locals (kept on their tokens)."""
    loops = {token.id: token for token in tokens if token.loop is not None}
    return [
        item._replace(loop=loops[item.token_id].loop, local=loops[item.token_id].local)
        if item.token_id in loops
        else item
        for item in items
    ]


def _signoff(fields: Sequence[Any]) -> Signoff:
    """A signoff from its stored array ``[token_id, node_id, mode, signers, votes]``."""
    token_id, node_id, mode, signers, votes = fields
    return Signoff(token_id, node_id, mode, tuple(signers), tuple((user, vote) for user, vote in votes))


def _stored_timer(timer: PendingTimer) -> list[Any]:
    """A timer as its stored array ``[id, node_id, token_id, fired, due_at]``."""
    due = timer.due_at.isoformat() if timer.due_at is not None else None
    return [timer.id, timer.node_id, timer.token_id, timer.fired, due]


def _timer(fields: Sequence[Any]) -> PendingTimer:
    """A timer from its stored array (see :func:`_stored_timer`)."""
    timer_id, node_id, token_id, fired, due = fields
    return PendingTimer(timer_id, node_id, token_id, fired, datetime.fromisoformat(due) if due else None)


def _item_order(item: WorkItem) -> tuple[datetime, int, str]:
    """Oldest first; items opened together in id order (``w2`` before ``w10``)."""
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


#: The instances an instance's call activities started (子流程实例), ended ones too, oldest first:
#: the summary columns and ``parent_node_id`` (the call activity). Found by
#: ``ix_instances_parent_instance_id``, not by reading any instance's JSON.
CHILDREN = (
    select(*SUMMARY_COLUMNS, instances.c.parent_node_id)
    .where(instances.c.parent_instance_id == bindparam("parent"))
    .order_by(instances.c.started_at, instances.c.id)
)


def children(connection: Connection, instance_id: str) -> Sequence[Mapping[str, Any]]:
    """The instances this one's call activities started (see :data:`CHILDREN`)."""
    return [row._asdict() for row in connection.execute(CHILDREN, {"parent": instance_id})]


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

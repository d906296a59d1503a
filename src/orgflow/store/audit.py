"""The audit chain in rows: append a link under the head's lock, read the head, pages and the walk.

Appending takes the next number from the head row (``audit_head``, one row) and
moves the head in the same transaction, so links follow one another in commit
order and numbers never skip, also with several processes writing:

- **PostgreSQL**: ``SELECT … FOR UPDATE`` of the head row, then one statement
  that inserts the link and moves the head (a data-modifying CTE). Callers
  append last in their transaction, just before it commits, so the lock that
  serialises every writer is held for one round trip and the commit.
- **SQLite**: the write transaction (``BEGIN IMMEDIATE``) already serialises
  writers, also across processes. The caller may pass the head it expects
  (the one its last append left); the head is then moved with
  ``UPDATE … WHERE seq = ? AND hash = ?`` and the link inserted: two statements,
  no read. If another process appended meanwhile, the update matches nothing
  and the append reads the head and goes the ordinary way. A guess can only
  cost a statement, never a wrong link.

The head row is created when missing (first append; or after someone deleted
it), from the last link if there is one.

The rows are append-only: migration 0022 adds triggers that refuse UPDATE and
DELETE of ``audit_log`` (and DELETE of the head). Nothing here updates or
deletes a link.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from orgflow.audit.chain import EMPTY_HEAD, AuditEntry, AuditRecord, Link, seal
from orgflow.store.statements import NamedStatement
from orgflow.store.tables import audit_head, audit_log

#: The one head row's id.
HEAD_ID = 1

#: Links read per round trip when walking the whole chain.
WALK_PAGE = 1000

_LINK_COLUMNS = tuple(column.key for column in audit_log.columns)

_INSERT_LINK = NamedStatement("append audit link", insert(audit_log), column_keys=_LINK_COLUMNS)
_MOVE_HEAD = NamedStatement(
    "move audit head", update(audit_head).where(audit_head.c.id == HEAD_ID), column_keys=("seq", "hash")
)
_MOVE_HEAD_FROM = NamedStatement(
    "move audit head from the expected link",
    update(audit_head).where(
        audit_head.c.id == HEAD_ID,
        audit_head.c.seq == bindparam("b_seq"),
        audit_head.c.hash == bindparam("b_hash"),
    ),
    column_keys=("seq", "hash"),
)
_READ_HEAD = NamedStatement(
    "read audit head", select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == HEAD_ID)
)
_LOCK_HEAD = NamedStatement(
    "lock audit head",
    select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == HEAD_ID).with_for_update(),
)
_LAST_LINK = select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)


def _append_and_move() -> Any:
    """PostgreSQL: insert the link and move the head in one statement (one round trip)."""
    appended = (
        insert(audit_log)
        .values({column.key: bindparam(column.key, type_=column.type) for column in audit_log.columns})
        .cte("appended")
    )
    return (
        update(audit_head)
        .values(
            seq=bindparam("seq", type_=audit_head.c.seq.type),
            hash=bindparam("hash", type_=audit_head.c.hash.type),
        )
        .where(audit_head.c.id == HEAD_ID)
        .add_cte(appended)
    )


_APPEND_AND_MOVE = NamedStatement("append audit link and move the head", _append_and_move())

#: Creates the head row if it is missing (another transaction may be creating it too).
_CREATE_HEAD = {
    "postgresql": NamedStatement(
        "create audit head (postgresql)",
        postgresql.insert(audit_head).on_conflict_do_nothing(index_elements=[audit_head.c.id]),
        column_keys=("id", "seq", "hash"),
    ),
    "sqlite": NamedStatement(
        "create audit head (sqlite)",
        sqlite.insert(audit_head).on_conflict_do_nothing(index_elements=[audit_head.c.id]),
        column_keys=("id", "seq", "hash"),
    ),
}


def append(connection: Connection, entry: AuditEntry, *, expected: Link | None = None) -> AuditRecord:
    """Add ``entry`` as the chain's next link and move the head; return the sealed link.

    Call it last in the transaction (see the module docstring). ``expected``:
    the head this caller's last append left (SQLite only; ignored elsewhere).
    """
    if connection.dialect.name == "postgresql":
        head = _head_for_update(connection)
        record = seal(entry, seq=head.seq + 1, prev_hash=head.hash)
        _APPEND_AND_MOVE.execute(connection, _row(record))
        return record
    if expected is not None:
        record = seal(entry, seq=expected.seq + 1, prev_hash=expected.hash)
        moved = _MOVE_HEAD_FROM.execute(
            connection,
            {"seq": record.seq, "hash": record.hash, "b_seq": expected.seq, "b_hash": expected.hash},
        )
        if moved == 1:
            _INSERT_LINK.insert_rows(connection, [_row_values(record)])
            return record
    head = _head_for_update(connection)
    record = seal(entry, seq=head.seq + 1, prev_hash=head.hash)
    _MOVE_HEAD.execute(connection, {"seq": record.seq, "hash": record.hash})
    _INSERT_LINK.insert_rows(connection, [_row_values(record)])
    return record


def head(connection: Connection) -> Link | None:
    """The head row's link (``None``: there is no head row)."""
    row = _READ_HEAD.fetch_first(connection, {})
    return None if row is None else Link(int(row[0]), str(row[1]))


def one_snapshot(connection: Connection) -> None:
    """Make the rest of this read transaction see one snapshot (PostgreSQL: REPEATABLE READ).

    Must come first in the transaction. SQLite's read transactions are one snapshot already.
    """
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")


def walk(connection: Connection, *, up_to: int | None = None, page: int = WALK_PAGE) -> Iterator[AuditRecord]:
    """Every link in sequence order (up to seq ``up_to``), read a page at a time by key."""
    after = 0
    while True:
        query = select(audit_log).where(audit_log.c.seq > after).order_by(audit_log.c.seq).limit(page)
        if up_to is not None:
            query = query.where(audit_log.c.seq <= up_to)
        rows = connection.execute(query).all()
        for row in rows:
            yield _record(row)
        if len(rows) < page:
            return
        after = int(rows[-1].seq)


@dataclass(frozen=True, kw_only=True, slots=True)
class AuditFilter:
    """Which links a listing shows; ``None`` leaves a condition out.

    Attributes:
        actor: Only this actor's.
        action: Only this action's (``refused`` for refusals).
        since: At or after this time.
        until: Before this time.
    """

    actor: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None

    def conditions(self) -> list[Any]:
        """The WHERE conditions of this filter."""
        found: list[Any] = []
        if self.actor is not None:
            found.append(audit_log.c.actor == self.actor)
        if self.action is not None:
            found.append(audit_log.c.action == self.action)
        if self.since is not None:
            found.append(audit_log.c.at >= self.since)
        if self.until is not None:
            found.append(audit_log.c.at < self.until)
        return found


def listing(connection: Connection, where: AuditFilter, *, limit: int, offset: int = 0) -> list[AuditRecord]:
    """Links matching ``where``, newest first."""
    query = (
        select(audit_log)
        .where(*where.conditions())
        .order_by(audit_log.c.seq.desc())
        .limit(limit)
        .offset(offset)
    )
    return [_record(row) for row in connection.execute(query)]


def count(connection: Connection, where: AuditFilter) -> int:
    """How many links match ``where``."""
    return int(
        connection.execute(
            select(func.count()).select_from(audit_log).where(*where.conditions())
        ).scalar_one()
    )


def _head_for_update(connection: Connection) -> Link:
    """The head, locked until commit on PostgreSQL; created first if the row is missing."""
    statement = _LOCK_HEAD if connection.dialect.name == "postgresql" else _READ_HEAD
    row = statement.fetch_first(connection, {})
    if row is None:
        last = connection.execute(_LAST_LINK).first()
        start = EMPTY_HEAD if last is None else Link(int(last.seq), str(last.hash))
        _CREATE_HEAD[connection.dialect.name].execute(
            connection, {"id": HEAD_ID, "seq": start.seq, "hash": start.hash}
        )
        row = statement.fetch_first(connection, {})
        if row is None:
            raise RuntimeError("the audit head row could not be created")
    return Link(int(row[0]), str(row[1]))


def _row(record: AuditRecord) -> dict[str, Any]:
    return dict(zip(_LINK_COLUMNS, _row_values(record), strict=True))


def _row_values(record: AuditRecord) -> Sequence[Any]:
    entry = record.entry
    by_key = {
        "seq": record.seq,
        "at": entry.at,
        "actor": entry.actor,
        "source": entry.source,
        "action": entry.action,
        "summary": entry.summary,
        "details": dict(entry.details) if entry.details is not None else None,
        "prev_hash": record.prev_hash,
        "hash": record.hash,
    }
    return tuple(by_key[key] for key in _LINK_COLUMNS)


def _record(row: Any) -> AuditRecord:
    entry = AuditEntry(
        at=row.at,
        actor=row.actor,
        source=row.source,
        action=row.action,
        summary=row.summary,
        details=row.details,
    )
    return AuditRecord(seq=int(row.seq), entry=entry, prev_hash=row.prev_hash, hash=row.hash)

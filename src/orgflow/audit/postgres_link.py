"""PostgreSQL: append a link in one statement that locks the head, seals the link and moves the head.

The head row's lock serialises every audited command of every process, and
it is held until the command commits. Reading the head first (one round trip)
and writing the link after (a second) meant two waits for the network, and
two for this process's GIL, while every other writer queued behind the lock.
Here the database numbers the link and takes its sha256 itself: Python sends
the link's canonical document cut around the two values only the head knows
(:func:`orgflow.audit.chain.canonical_around`), and one statement locks the
head, hashes ``before || prev_hash || middle || seq || after``, inserts the
link and moves the head. The hash is the one :func:`orgflow.audit.chain.link_hash`
gives (checked here before the transaction commits), so ``orgflow audit verify``
reads the chain as before.

When the head row is missing the statement appends nothing and the caller
goes the ordinary way (:func:`orgflow.store.audit.append`), which creates it.
"""

from __future__ import annotations

from typing import Final

from orgflow.audit.chain import AuditEntry, AuditRecord, canonical_around
from orgflow.store.database import Connection, dump_json

#: Lock the head, seal the next link, insert it, move the head; return the link's seq and hashes.
APPEND_SEALED: Final = """\
WITH head AS (
    SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE
), sealed AS (
    SELECT head.seq + 1 AS seq, head.hash AS prev_hash,
           encode(sha256(%(before)s || convert_to(head.hash || %(middle)s || (head.seq + 1)::text, 'UTF8')
                         || %(after)s), 'hex') AS hash
    FROM head
), appended AS (
    INSERT INTO audit_log (seq, at, actor, source, action, summary, details, prev_hash, hash)
    SELECT seq, %(at)s, %(actor)s, %(source)s, %(action)s, %(summary)s, %(details)s::jsonb, prev_hash, hash
    FROM sealed
    RETURNING seq, prev_hash, hash
)
UPDATE audit_head SET seq = appended.seq, hash = appended.hash
FROM appended WHERE audit_head.id = 1
RETURNING appended.seq, appended.prev_hash, appended.hash"""


def append_sealed(connection: Connection, entry: AuditEntry) -> AuditRecord | None:
    """Append ``entry`` as the next link, sealed by the database; ``None`` if there is no head row.

    Call it last in the transaction, as :func:`orgflow.store.audit.append`.

    Raises:
        RuntimeError: The database's hash differs from Python's (the transaction must not commit).
    """
    before, middle, after = canonical_around(entry)
    parameters = {
        "before": before,
        "middle": middle,
        "after": after,
        "at": entry.at,
        "actor": entry.actor,
        "source": entry.source,
        "action": entry.action,
        "summary": entry.summary,
        "details": dump_json(dict(entry.details)) if entry.details is not None else None,
    }
    row = connection.exec_driver_sql(APPEND_SEALED, parameters).first()
    if row is None:
        return None
    record = AuditRecord(seq=int(row[0]), entry=entry, prev_hash=str(row[1]), hash=str(row[2]))
    if not record.intact:
        raise RuntimeError(f"audit link {record.seq}: the database sealed it with another hash")
    return record

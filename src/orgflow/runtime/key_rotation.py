"""Key rotation: seal every stored sensitive value again with the current key, in batches, resumable.

How an operator rotates (``orgflow keys rotate`` does steps 1-2 for a key file):

1. put the new key first in the ring, keeping the old ones (the key file, or
   ``ORGFLOW_ENCRYPTION_KEY=new:…,old:…``) and restart the services: new values are
   sealed with it, old ones still open;
2. re-encrypt (:meth:`KeyRotation.reseal`, ``orgflow keys reencrypt``): each batch is
   its own short transaction, so the service keeps running, and an interrupted run
   is simply run again (envelopes name their key: those already on the current key
   are skipped);
3. when :meth:`KeyRotation.count` shows nothing left on the old key, remove it from
   the ring.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from orgflow.sensitive.cipher import envelope_key_id, is_envelope
from orgflow.sensitive.sealing import SensitiveData
from orgflow.store import sealed_documents
from orgflow.store.database import Database
from orgflow.store.sealed_documents import SEALED_COLUMNS

#: Rows read and rewritten per transaction.
DEFAULT_BATCH = 200
#: Passes over instances saved meanwhile (each pass retries only what a command got to first).
_PASSES = 3


@dataclass(frozen=True, kw_only=True, slots=True)
class Resealed:
    """What a re-encryption did.

    Attributes:
        key_id: The current key everything was sealed with.
        rows: Rows rewritten, by table.
        values: Sealed values re-encrypted, by table.
        left: Instances that kept changing under the run (run it again).
    """

    key_id: str
    rows: dict[str, int] = field(default_factory=dict)
    values: dict[str, int] = field(default_factory=dict)
    left: int = 0


class KeyRotation:
    """Re-encrypts and counts the sealed values of one database with one runtime's key ring."""

    def __init__(self, database: Database, sensitive: SensitiveData) -> None:
        self._database = database
        self._sensitive = sensitive

    def reseal(self, *, batch: int = DEFAULT_BATCH) -> Resealed:
        """Seal again, with the current key, every stored value sealed with another one.

        Raises:
            ConfigurationError: A value was sealed with a key the ring no longer has.
            SensitiveDataUnreadable: A value does not open with its key.
        """
        current = self._sensitive.keys.get().current
        report = Resealed(key_id=current)
        for column in SEALED_COLUMNS:
            rows = values = 0
            pending = True
            for _ in range(_PASSES):
                if not pending:
                    break
                done_rows, done_values, conflicts = self._pass(column, batch)
                rows += done_rows
                values += done_values
                pending = conflicts > 0
            if pending:
                report = _with_left(report, conflicts)
            report.rows[column.name] = rows
            report.values[column.name] = values
        return report

    def count(self, *, batch: int = DEFAULT_BATCH) -> dict[str, int]:
        """How many stored values each key sealed (read in batches; what retiring a key waits for)."""
        found: Counter[str] = Counter()
        for column in SEALED_COLUMNS:
            after: Any = None
            while True:
                with self._database.reading() as connection:
                    rows = sealed_documents.batch(connection, column, after=after, limit=batch)
                for row in rows:
                    _count(row.data, found)
                if len(rows) < batch:
                    break
                after = rows[-1].key
        return dict(found)

    def _pass(self, column: sealed_documents.SealedColumn, batch: int) -> tuple[int, int, int]:
        """One walk through a column: (rows rewritten, values re-encrypted, instances changed meanwhile)."""
        rows = values = conflicts = 0
        after: Any = None
        while True:
            with self._database.transaction() as connection:
                found = sealed_documents.batch(connection, column, after=after, limit=batch)
                for row in found:
                    data, count = self._sensitive.reseal(row.data, row.instance_id)
                    if not count:
                        continue
                    if sealed_documents.rewrite(connection, column, row, data):
                        rows += 1
                        values += count
                    else:
                        conflicts += 1
            if len(found) < batch:
                return rows, values, conflicts
            after = found[-1].key


def _with_left(report: Resealed, left: int) -> Resealed:
    return Resealed(key_id=report.key_id, rows=report.rows, values=report.values, left=report.left + left)


def _count(document: Any, found: Counter[str]) -> None:
    if isinstance(document, dict):
        if is_envelope(document):
            found[envelope_key_id(document) or "?"] += 1
            return
        for value in document.values():
            _count(value, found)
    elif isinstance(document, list):
        for item in document:
            _count(item, found)

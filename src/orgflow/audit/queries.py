"""The read side of the trail: pages of links for people, and the walk that verifies the chain."""

from __future__ import annotations

from dataclasses import dataclass

from orgflow.audit.chain import AuditRecord
from orgflow.audit.verify import Verdict, verify
from orgflow.store import audit as audit_rows
from orgflow.store.audit import AuditFilter
from orgflow.store.database import Database


@dataclass(frozen=True, slots=True)
class AuditPage:
    """One page of links, newest first, and how many match in all."""

    records: list[AuditRecord]
    total: int


class AuditQueries:
    """Lists and verifies the audit trail (each call one read-only transaction)."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def page(self, where: AuditFilter | None = None, *, limit: int = 100, offset: int = 0) -> AuditPage:
        """Links matching ``where``, newest first, with the total count."""
        where = where or AuditFilter()
        with self.database.reading() as connection:
            records = audit_rows.listing(connection, where, limit=limit, offset=offset)
            total = audit_rows.count(connection, where)
        return AuditPage(records, total)

    def verify(self) -> Verdict:
        """Walk the whole chain and check it against the head (see :mod:`orgflow.audit.verify`).

        Head and links are read in one snapshot, so links that commit while the
        walk runs are neither half seen nor mistaken for rows past the head.
        """
        with self.database.reading() as connection:
            audit_rows.one_snapshot(connection)
            head = audit_rows.head(connection)
            return verify(audit_rows.walk(connection), head)

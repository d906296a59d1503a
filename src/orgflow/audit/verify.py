"""Walking the audit chain: the first broken link, named by its sequence number, or "intact".

What each check catches:

- a link whose hash does not match its content: the row was **edited**;
- a sequence number that skips: rows were **deleted** (the gap names them);
- a previous hash that is not the previous link's hash: the previous row was
  edited and its hash recomputed to match, or a row was put in its place;
- the head (``audit_head``, moved by every append) ahead of the last row, or
  naming another hash: the **last rows were deleted** (or the last one replaced).

What it cannot catch on its own: someone with the database owner's rights who
deletes the last rows *and* sets the head back to match. Keeping the head's
hash somewhere else now and then (``orgflow audit verify --json`` prints it)
closes that gap: a later head that does not descend from it shows the cut.

Pure: walks whatever iterable of links it is given, in sequence order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from orgflow.audit.chain import EMPTY_HEAD, AuditRecord, Link


class BreakKind(StrEnum):
    """What is wrong at a broken link."""

    EDITED = "edited"
    DELETED = "deleted"
    RELINKED = "relinked"
    HEAD = "head"


@dataclass(frozen=True, slots=True)
class Break:
    """The first place the chain does not hold.

    Attributes:
        seq: The row that is wrong, or the last intact row before missing ones.
        kind: What is wrong.
        message: Which row and what, in Chinese.
    """

    seq: int
    kind: BreakKind
    message: str


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of a walk.

    Attributes:
        records: How many rows were walked.
        head: The head the walk was checked against (``None``: there was no head row).
        broken: The first broken link; ``None`` when the chain is intact.
    """

    records: int
    head: Link | None
    broken: Break | None = None

    @property
    def intact(self) -> bool:
        """Whether every link held."""
        return self.broken is None

    @property
    def message(self) -> str:
        """One line for people: intact with the count, or the first break."""
        if self.broken is None:
            return f"审计链完整：{self.records} 条记录"
        return self.broken.message


def verify(records: Iterable[AuditRecord], head: Link | None) -> Verdict:
    """Check every link of ``records`` (in ``seq`` order) and the head; stop at the first break."""
    previous = EMPTY_HEAD
    walked = 0
    for record in records:
        walked += 1
        broken = _check(record, previous)
        if broken is not None:
            return Verdict(walked, head, broken)
        previous = record.link
    return Verdict(walked, head, _check_head(previous, head))


def _check(record: AuditRecord, previous: Link) -> Break | None:
    expected = previous.seq + 1
    if record.seq != expected:
        return Break(previous.seq, BreakKind.DELETED, _missing(previous.seq, expected, record.seq - 1))
    if not record.intact:
        return Break(record.seq, BreakKind.EDITED, f"第 {record.seq} 条记录内容被修改")
    if record.prev_hash != previous.hash:
        if previous.seq == 0:
            return Break(
                record.seq, BreakKind.RELINKED, f"第 {record.seq} 条记录不是链的开头（前一环哈希不符）"
            )
        return Break(
            previous.seq,
            BreakKind.RELINKED,
            f"第 {previous.seq} 条记录被改写或替换（与第 {record.seq} 条记录的前一环哈希不符）",
        )
    return None


def _check_head(last: Link, head: Link | None) -> Break | None:
    if head is None:
        if last.seq == 0:
            return None
        return Break(last.seq, BreakKind.HEAD, f"链头记录缺失：无法确认第 {last.seq} 条之后没有记录被删除")
    if head.seq > last.seq:
        return Break(last.seq, BreakKind.DELETED, _missing(last.seq, last.seq + 1, head.seq))
    if head.seq < last.seq:
        return Break(
            head.seq + 1,
            BreakKind.HEAD,
            f"第 {head.seq + 1} 条起的记录不在链头登记之内"
            f"（链头停在第 {head.seq} 条：记录被插入，或链头被改回）",
        )
    if head.hash != last.hash:
        return Break(last.seq, BreakKind.HEAD, f"第 {last.seq} 条记录与链头登记的哈希不符（该记录被替换）")
    return None


def _missing(after: int, first: int, last: int) -> str:
    gone = f"第 {first} 条" if first == last else f"第 {first}–{last} 条"
    if after == 0:
        return f"链的开头缺少记录（{gone}被删除）"
    return f"第 {after} 条之后缺少记录（{gone}被删除）"

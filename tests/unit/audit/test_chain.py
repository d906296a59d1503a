"""Sealing links and walking the chain, without a database."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from orgflow.audit.chain import (
    EMPTY_HEAD,
    GENESIS_HASH,
    AuditEntry,
    AuditRecord,
    Link,
    canonical,
    canonical_around,
    seal,
)
from orgflow.audit.verify import BreakKind, verify

T0 = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def entry(number: int = 1, **changes: object) -> AuditEntry:
    values: dict[str, object] = {
        "at": T0 + timedelta(seconds=number),
        "actor": "mk1",
        "source": "10.0.0.7",
        "action": "start_process",
        "summary": f"发起流程 purchase（PO2026120300{number}）",
        "details": {"key": "purchase", "business_key": f"PO2026120300{number}"},
    }
    values.update(changes)
    return AuditEntry(**values)  # type: ignore[arg-type]


def chain(count: int) -> list[AuditRecord]:
    records: list[AuditRecord] = []
    previous = GENESIS_HASH
    for number in range(1, count + 1):
        records.append(seal(entry(number), seq=number, prev_hash=previous))
        previous = records[-1].hash
    return records


def head_of(records: list[AuditRecord]) -> Link:
    return records[-1].link if records else EMPTY_HEAD


def edited(record: AuditRecord, **changes: object) -> AuditRecord:
    return dataclasses.replace(record, entry=dataclasses.replace(record.entry, **changes))  # type: ignore[arg-type]


def test_the_first_link_follows_64_zeros_and_hashes_its_canonical_document() -> None:
    first = seal(entry(), seq=1, prev_hash=GENESIS_HASH)

    assert GENESIS_HASH == "0" * 64
    document = json.loads(canonical(1, entry(), GENESIS_HASH))
    assert document == {
        "seq": 1,
        "at": "2026-12-03T09:00:01.000000+00:00",
        "actor": "mk1",
        "source": "10.0.0.7",
        "action": "start_process",
        "summary": "发起流程 purchase（PO20261203001）",
        "details": {"key": "purchase", "business_key": "PO20261203001"},
        "prev_hash": GENESIS_HASH,
    }
    assert first.hash == hashlib.sha256(canonical(1, entry(), GENESIS_HASH)).hexdigest()
    assert first.intact


def test_the_hash_ignores_key_order_and_time_zone_but_not_a_changed_value() -> None:
    shanghai = timezone(timedelta(hours=8))
    one = seal(entry(details={"a": 1, "b": 2}), seq=1, prev_hash=GENESIS_HASH)
    same = seal(
        entry(details={"b": 2, "a": 1}, at=(T0 + timedelta(seconds=1)).astimezone(shanghai)),
        seq=1,
        prev_hash=GENESIS_HASH,
    )
    other = seal(entry(details={"a": 1, "b": 3}), seq=1, prev_hash=GENESIS_HASH)

    assert one.hash == same.hash
    assert other.hash != one.hash


@pytest.mark.parametrize(
    "changes",
    [{"summary": "发起流程 leave"}, {"actor": "admin"}, {"source": "cli"}, {"at": T0}, {"details": None}],
    ids=["summary", "actor", "source", "at", "details"],
)
def test_any_edited_field_breaks_the_link(changes: dict[str, object]) -> None:
    record = seal(entry(), seq=1, prev_hash=GENESIS_HASH)

    assert not edited(record, **changes).intact


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        entry(at=datetime(2026, 12, 3, 9, 0))


def test_an_intact_chain_verifies_with_its_count() -> None:
    records = chain(5)

    verdict = verify(records, head_of(records))

    assert verdict.intact
    assert verdict.records == 5
    assert verdict.message == "审计链完整：5 条记录"


def test_an_empty_chain_verifies_with_or_without_a_head_row() -> None:
    assert verify([], EMPTY_HEAD).message == "审计链完整：0 条记录"
    assert verify([], None).intact


def test_an_edited_row_is_named() -> None:
    records = chain(5)
    records[2] = edited(records[2], summary="办理待办 w1：通过")

    verdict = verify(records, head_of(records))

    assert verdict.broken is not None
    assert (verdict.broken.seq, verdict.broken.kind) == (3, BreakKind.EDITED)
    assert verdict.message == "第 3 条记录内容被修改"


def test_an_edited_row_with_its_hash_recomputed_is_caught_at_the_next_link() -> None:
    records = chain(5)
    forged = edited(records[2], summary="篡改")
    records[2] = seal(forged.entry, seq=3, prev_hash=records[1].hash)

    verdict = verify(records, head_of(records))

    assert verdict.broken is not None
    assert (verdict.broken.seq, verdict.broken.kind) == (3, BreakKind.RELINKED)
    assert "第 3 条记录被改写或替换" in verdict.message


def test_a_deleted_middle_row_is_named_by_the_gap() -> None:
    records = chain(5)
    del records[2]

    verdict = verify(records, head_of(records))

    assert verdict.broken is not None
    assert verdict.broken.kind is BreakKind.DELETED
    assert verdict.message == "第 2 条之后缺少记录（第 3 条被删除）"


def test_several_deleted_rows_are_named_as_a_range() -> None:
    records = chain(6)
    del records[1:4]

    assert verify(records, head_of(chain(6))).message == "第 1 条之后缺少记录（第 2–4 条被删除）"


def test_a_deleted_first_row_is_named() -> None:
    records = chain(3)[1:]

    assert verify(records, head_of(records)).message == "链的开头缺少记录（第 1 条被删除）"


def test_deleted_last_rows_are_named_by_the_head() -> None:
    records = chain(5)
    head = head_of(records)

    verdict = verify(records[:3], head)

    assert verdict.broken is not None
    assert (verdict.broken.seq, verdict.broken.kind) == (3, BreakKind.DELETED)
    assert verdict.message == "第 3 条之后缺少记录（第 4–5 条被删除）"


def test_a_replaced_last_row_is_named_by_the_heads_hash() -> None:
    records = chain(3)
    head = head_of(records)
    records[2] = seal(edited(records[2], summary="篡改").entry, seq=3, prev_hash=records[1].hash)

    verdict = verify(records, head)

    assert verdict.broken is not None
    assert (verdict.broken.seq, verdict.broken.kind) == (3, BreakKind.HEAD)


def test_rows_past_the_head_and_a_missing_head_are_reported() -> None:
    records = chain(4)

    past = verify(records, Link(2, records[1].hash))
    missing = verify(records, None)

    assert past.broken is not None and past.broken.seq == 3
    assert "不在链头登记之内" in past.message
    assert missing.broken is not None and "链头记录缺失" in missing.message


def test_only_the_first_break_is_reported() -> None:
    records = chain(6)
    records[1] = edited(records[1], actor="x")
    del records[4]

    assert verify(records, head_of(chain(6))).message == "第 2 条记录内容被修改"


@pytest.mark.parametrize(
    "details",
    [None, {}, {"prev_hash": "x", "seq": 3, "nested": {"prev_hash": '"prev_hash":"'}}, {"ids": ["a", "b"]}],
)
def test_the_document_cut_around_prev_hash_and_seq_joins_back_to_the_canonical_one(details) -> None:
    entry = AuditEntry(
        at=datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
        actor='mk"1',
        source='"prev_hash":"ab',
        action="start_process",
        summary='发起 "prev_hash":"0" ,"seq":1',
        details=details,
    )
    before, middle, after = canonical_around(entry)
    for seq, prev in ((1, GENESIS_HASH), (12345, "f" * 64)):
        assert before + f"{prev}{middle}{seq}".encode() + after == canonical(seq, entry, prev)

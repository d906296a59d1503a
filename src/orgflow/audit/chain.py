"""The links of the audit chain and how each is sealed: sha256 over its content and the previous hash.

A link's hash covers a canonical JSON document (sorted keys, no spaces,
UTF-8) of its sequence number, time (ISO 8601 in UTC, microseconds), actor,
source, action, summary and details, together with the previous link's hash.
Editing any of those, or taking a link out, breaks the chain from there on;
:mod:`orgflow.audit.verify` says where. The first link's previous hash is
:data:`GENESIS_HASH`.

Pure: no I/O, no clock.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any, Final

#: The previous hash of the first link: 64 zeros.
GENESIS_HASH: Final = "0" * 64

_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
#: The C encoder behind ``_ENCODER``, built once (``JSONEncoder.encode`` builds it again on every
#: call, which cost as much as encoding a link); the same text, sorted keys and all.
_C_ENCODE: Callable[[Any, int], Any] | None = (
    None
    if c_make_encoder is None
    else c_make_encoder(None, _ENCODER.default, encode_basestring, None, ":", ",", True, False, True)
)


@dataclass(frozen=True, slots=True)
class Link:
    """A link's place and hash: what the head row (``audit_head``) records of the last one."""

    seq: int
    hash: str


#: The head of an empty chain: no link yet, the genesis hash.
EMPTY_HEAD: Final = Link(0, GENESIS_HASH)


@dataclass(frozen=True, kw_only=True, slots=True)
class AuditEntry:
    """What one command leaves in the trail, before it takes its place in the chain.

    Attributes:
        at: When (timezone-aware; hashed in UTC).
        actor: Who (``None``: the system, or not said).
        source: From where: the client's address, ``cli`` or ``worker`` (``None``: not said).
        action: The action's name (``start_process``), or ``refused`` for a refusal.
        summary: One line in Chinese, never a data value or a secret.
        details: Identifiers only (keys, ids, counts), JSON scalars and lists of them.
    """

    at: datetime
    actor: str | None
    source: str | None
    action: str
    summary: str
    details: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError(f"naive datetime {self.at!r}: audit times must be timezone-aware")


@dataclass(frozen=True, kw_only=True, slots=True)
class AuditRecord:
    """One link of the chain, as stored.

    Attributes:
        seq: Its place in the chain, from 1, without gaps.
        entry: What it records.
        prev_hash: The previous link's hash (:data:`GENESIS_HASH` for the first).
        hash: sha256 over ``entry``, ``seq`` and ``prev_hash`` (see :func:`link_hash`).
    """

    seq: int
    entry: AuditEntry
    prev_hash: str
    hash: str

    @property
    def link(self) -> Link:
        """Its place and hash."""
        return Link(self.seq, self.hash)

    @property
    def intact(self) -> bool:
        """Whether the stored hash still matches the stored content."""
        return link_hash(self.seq, self.entry, self.prev_hash) == self.hash


def seal(entry: AuditEntry, *, seq: int, prev_hash: str) -> AuditRecord:
    """``entry`` as link number ``seq`` after a link whose hash is ``prev_hash``."""
    return AuditRecord(seq=seq, entry=entry, prev_hash=prev_hash, hash=link_hash(seq, entry, prev_hash))


def link_hash(seq: int, entry: AuditEntry, prev_hash: str) -> str:
    """The sha256 (hex) of a link: its canonical document (see :func:`canonical`)."""
    return hashlib.sha256(canonical(seq, entry, prev_hash)).hexdigest()


def canonical_around(entry: AuditEntry) -> tuple[bytes, str, bytes]:
    """The canonical document of ``entry`` cut around the two values only the head knows.

    Returns ``(before, middle, after)`` such that for every ``seq`` and ``prev_hash``::

        canonical(seq, entry, prev_hash) == before + f"{prev_hash}{middle}{seq}".encode() + after

    so the database can seal a link it numbers itself (:mod:`orgflow.audit.postgres_link`).
    With keys sorted, ``prev_hash`` and ``seq`` come last but for ``source`` and ``summary``,
    whose strings cannot hold an unescaped ``"``: the last ``"prev_hash":"`` is the key's.
    """
    text = canonical(0, entry, GENESIS_HASH).decode()
    key = '"prev_hash":"'
    start = text.rindex(key) + len(key)
    middle = '","seq":'
    rest = text[start + len(GENESIS_HASH) :]
    if text[start : start + len(GENESIS_HASH)] != GENESIS_HASH or not rest.startswith(middle + "0,"):
        raise RuntimeError("the canonical audit document is not laid out as expected")
    return text[:start].encode(), middle, rest[len(middle) + 1 :].encode()


def canonical(seq: int, entry: AuditEntry, prev_hash: str) -> bytes:
    """The bytes a link's hash is taken over: one JSON object, keys sorted, UTF-8, no spaces.

    The time is written in UTC with microseconds, as both databases store it, so a
    link read back hashes the same as when it was written.
    """
    document = {
        "seq": seq,
        "at": entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": entry.actor,
        "source": entry.source,
        "action": entry.action,
        "summary": entry.summary,
        "details": dict(entry.details) if entry.details is not None else None,
        "prev_hash": prev_hash,
    }
    text = _ENCODER.encode(document) if _C_ENCODE is None else "".join(_C_ENCODE(document, 0))
    return text.encode()

"""Identifiers: time-ordered unique ids and business keys like ``PROJ20240301001``."""

from __future__ import annotations

import itertools
import os
import time
from datetime import datetime
from typing import Protocol


class IdSource(Protocol):
    """Makes new unique ids; injected so tests get predictable ones."""

    def new_id(self) -> str:
        """Return a new unique id."""
        ...


class TimeOrderedIds:
    """UUIDv7-style ids (48-bit milliseconds + random bits) as 32 hex digits.

    Time order keeps B-tree inserts at the right-hand edge of indexes.
    """

    def __init__(self) -> None:
        self._last_ms = 0
        self._seq = 0

    def new_id(self) -> str:
        """Return a new time-ordered id."""
        ms = time.time_ns() // 1_000_000
        if ms <= self._last_ms:
            self._seq += 1
            ms = self._last_ms
        else:
            self._last_ms = ms
            self._seq = int.from_bytes(os.urandom(2), "big") & 0x0FFF
        rand = int.from_bytes(os.urandom(8), "big") & 0x3FFF_FFFF_FFFF_FFFF
        value = (ms << 80) | (0x7 << 76) | ((self._seq & 0x0FFF) << 64) | (0b10 << 62) | rand
        return f"{value:032x}"


class SequentialIds:
    """Predictable ids ``prefix1``, ``prefix2``, ... for tests and benchmarks."""

    def __init__(self, prefix: str = "id") -> None:
        self._prefix = prefix
        self._counter = itertools.count(1)

    def new_id(self) -> str:
        """Return the next id in sequence."""
        return f"{self._prefix}{next(self._counter)}"


def business_key(prefix: str, day: datetime, sequence: int) -> str:
    """Format a business key: prefix + YYYYMMDD + a three-digit daily sequence.

    >>> from datetime import UTC
    >>> business_key("PROJ", datetime(2024, 3, 1, tzinfo=UTC), 1)
    'PROJ20240301001'
    """
    return f"{prefix}{day:%Y%m%d}{sequence:03d}"

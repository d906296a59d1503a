"""Identifiers: time-ordered unique ids and business keys like ``PROJ20240301001``."""

from __future__ import annotations

import itertools
import os
import struct
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Protocol


class IdSource(Protocol):
    """Makes new unique ids; injected so tests get predictable ones."""

    def new_id(self) -> str:
        """Return a new unique id."""
        ...


class TimeOrderedIds:
    """UUIDv7-style ids (48-bit milliseconds + random bits) as 32 hex digits.

    Ids from one source strictly increase (a spent millisecond counter goes on
    in the next millisecond): B-tree inserts stay at the right-hand edge. The
    random bits come from the operating system's generator, read a few
    kilobytes at a time: one ``getrandom`` call per id was a system call on
    every command. A forked child starts on fresh bytes, never its parent's.
    """

    _POOL_IDS = 512  #: ids per read of random bytes (8 bytes each)

    def __init__(self) -> None:
        self._last_ms = 0
        self._seq = 0
        self._random: Iterator[int] = iter(())
        self._forks = _forks[0]

    def new_id(self) -> str:
        """Return a new time-ordered id."""
        ms = time.time_ns() // 1_000_000
        rand = next(self._random, None) if self._forks == _forks[0] else None
        if rand is None:
            self._random = _random_words(self._POOL_IDS)
            self._forks = _forks[0]
            rand = next(self._random)
        if ms <= self._last_ms:
            ms = self._last_ms
            self._seq += 1
            if self._seq > 0x0FFF:  # the millisecond's counter is spent: go on in the next one
                ms = self._last_ms = ms + 1
                self._seq = 0
        else:
            self._last_ms = ms
            self._seq = (rand >> 53) & 0x07FF  # a random start in the lower half, leaving room to count
        rand &= 0x3FFF_FFFF_FFFF_FFFF
        value = (ms << 80) | (0x7 << 76) | (self._seq << 64) | (0b10 << 62) | rand
        return f"{value:032x}"


#: How many times this process is a fork away from where it started (counted in the child).
_forks = [0]


def _count_fork() -> None:
    _forks[0] += 1


os.register_at_fork(after_in_child=_count_fork)


def _random_words(count: int) -> Iterator[int]:
    """``count`` random 64-bit integers from one read of the OS generator."""
    data = os.urandom(8 * count)
    return iter(struct.unpack(f">{count}Q", data))


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

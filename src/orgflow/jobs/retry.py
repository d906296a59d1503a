"""When a failed job runs again: exponential backoff with a cap, a pure function of the attempt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True, slots=True, kw_only=True)
class Backoff:
    """``first × factor^(attempt-1)``, at most ``cap``; deterministic, so tests and operators can predict it.

    No jitter: retries of jobs that failed together spread out anyway as they
    were acquired at different instants, and a predictable schedule is easier
    to explain in an incident list.
    """

    first: timedelta = timedelta(seconds=10)
    factor: float = 2.0
    cap: timedelta = timedelta(hours=1)

    def delay(self, attempts: int) -> timedelta:
        """The wait after the ``attempts``-th failed run (1 for the first)."""
        if attempts < 1:
            raise ValueError(f"attempts counts runs begun, at least 1, not {attempts}")
        seconds = self.first.total_seconds() * self.factor ** min(attempts - 1, 64)
        return self.cap if seconds >= self.cap.total_seconds() else timedelta(seconds=seconds)

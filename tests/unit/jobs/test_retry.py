from __future__ import annotations

from datetime import timedelta

import pytest

from orgflow.jobs import Backoff


def test_backoff_doubles_from_the_first_delay_up_to_the_cap() -> None:
    backoff = Backoff(first=timedelta(seconds=10), factor=2, cap=timedelta(minutes=1))
    assert [backoff.delay(n).total_seconds() for n in range(1, 7)] == [10, 20, 40, 60, 60, 60]


def test_backoff_is_deterministic_and_survives_huge_attempt_counts() -> None:
    backoff = Backoff()
    assert backoff.delay(3) == backoff.delay(3) == timedelta(seconds=40)
    assert backoff.delay(10_000) == timedelta(hours=1)


def test_backoff_refuses_attempt_zero() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Backoff().delay(0)

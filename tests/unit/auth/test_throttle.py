"""Login throttling: at most ten attempts a minute per address, on a clock the test moves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from orgflow.auth.throttle import LoginThrottle
from orgflow.clock import FrozenClock
from orgflow.errors import TooManyAttempts

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(T0)


def test_the_eleventh_attempt_in_a_minute_is_refused_with_the_wait(clock: FrozenClock) -> None:
    throttle = LoginThrottle(clock)
    for _ in range(10):
        throttle.attempt("10.0.0.1")
        clock.advance(timedelta(seconds=1))

    with pytest.raises(TooManyAttempts, match="秒后再试") as refused:
        throttle.attempt("10.0.0.1")

    assert refused.value.retry_after == 50  # the first attempt leaves the window at T0 + 60 s
    assert throttle.remaining("10.0.0.1") == 0


def test_attempts_leave_the_window_one_by_one(clock: FrozenClock) -> None:
    throttle = LoginThrottle(clock, attempts=3, window=timedelta(seconds=60))
    for _ in range(3):
        throttle.attempt("10.0.0.1")
        clock.advance(timedelta(seconds=10))
    clock.set(T0 + timedelta(seconds=60))  # the first one (at T0) has left

    throttle.attempt("10.0.0.1")
    with pytest.raises(TooManyAttempts):
        throttle.attempt("10.0.0.1")


def test_a_refused_attempt_does_not_count(clock: FrozenClock) -> None:
    throttle = LoginThrottle(clock, attempts=2, window=timedelta(seconds=60))
    throttle.attempt("a")
    throttle.attempt("a")
    for _ in range(5):
        with pytest.raises(TooManyAttempts):
            throttle.attempt("a")

    clock.advance(timedelta(seconds=60))
    throttle.attempt("a")
    assert throttle.remaining("a") == 1


def test_each_address_has_its_own_allowance(clock: FrozenClock) -> None:
    throttle = LoginThrottle(clock, attempts=1)
    throttle.attempt("10.0.0.1")
    throttle.attempt("10.0.0.2")

    with pytest.raises(TooManyAttempts):
        throttle.attempt("10.0.0.1")
    assert throttle.remaining("10.0.0.3") == 1


def test_it_forgets_the_least_recently_seen_addresses_beyond_its_limit(clock: FrozenClock) -> None:
    throttle = LoginThrottle(clock, attempts=1, max_addresses=2)
    throttle.attempt("old")
    throttle.attempt("middle")
    throttle.attempt("new")  # "old" is forgotten

    throttle.attempt("old")
    with pytest.raises(TooManyAttempts):
        throttle.attempt("new")


def test_nonsense_limits_are_refused(clock: FrozenClock) -> None:
    with pytest.raises(ValueError):
        LoginThrottle(clock, attempts=0)
    with pytest.raises(ValueError):
        LoginThrottle(clock, window=timedelta(0))

"""Recent token look-ups: trusted for their TTL, never past the token's expiry, bounded, forgettable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from orgflow.auth.principal import VIA_TOKEN, Principal
from orgflow.auth.principal_cache import PrincipalCache

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.value = 100.0

    def __call__(self) -> float:
        return self.value


def principal(user: str, token_id: str) -> Principal:
    return Principal(user_id=user, via=VIA_TOKEN, token_kind="personal", credential_id=token_id)


def test_a_lookup_is_trusted_until_its_ttl_passes() -> None:
    ticks = Ticks()
    cache = PrincipalCache(ttl=5.0, monotonic=ticks)
    cache.put("h1", principal("mk1", "t1"), None)
    ticks.value += 4.9
    assert cache.get("h1", NOW) == principal("mk1", "t1")
    ticks.value += 0.1
    assert cache.get("h1", NOW) is None
    assert len(cache) == 0


def test_a_remembered_token_still_expires_on_the_runtimes_clock() -> None:
    cache = PrincipalCache(ttl=60.0, monotonic=Ticks())
    cache.put("h1", principal("mk1", "t1"), NOW + timedelta(seconds=1))
    assert cache.get("h1", NOW) is not None
    assert cache.get("h1", NOW + timedelta(seconds=1)) is None


def test_forgetting_a_token_or_a_user_or_everything() -> None:
    cache = PrincipalCache(monotonic=Ticks())
    cache.put("h1", principal("mk1", "t1"), None)
    cache.put("h2", principal("mk1", "t2"), None)
    cache.put("h3", principal("fin1", "t3"), None)
    cache.forget("t1")
    assert (cache.get("h1", NOW), cache.get("h2", NOW) is not None) == (None, True)
    cache.forget_user("mk1")
    assert (cache.get("h2", NOW), cache.get("h3", NOW) is not None) == (None, True)
    cache.clear()
    assert cache.get("h3", NOW) is None


def test_the_oldest_lookup_goes_first_when_full() -> None:
    cache = PrincipalCache(max_entries=2, monotonic=Ticks())
    for number in range(3):
        cache.put(f"h{number}", principal(f"u{number}", f"t{number}"), None)
    assert [cache.get(f"h{n}", NOW) is not None for n in range(3)] == [False, True, True]

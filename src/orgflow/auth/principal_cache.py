"""Who a bearer token stood for a moment ago: a short-lived, bounded, in-process cache.

Looking a token up costs a read transaction on every request; under load
that is a good part of a quick request. So an answer is kept for a few
seconds (:data:`TTL_SECONDS`, measured on the process's monotonic clock),
keyed by the token's sha256, for at most :data:`MAX_ENTRIES` tokens (the
oldest answer is dropped first).

The window this opens, and what closes it:

- A token revoked, or a user made inactive, *through this process* (the API)
  is forgotten at once (:meth:`PrincipalCache.forget`, :meth:`PrincipalCache.clear`).
- Done elsewhere (another ``serve`` process, the CLI), it is seen at most
  :data:`TTL_SECONDS` later.
- A token's expiry is checked on every use, cached or not, against the runtime's clock.

Only successful look-ups are kept: an unknown, revoked or expired token is
looked up again every time. Browser sessions are not cached (they slide
and carry a CSRF token; the web UI's load is not the API's).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from orgflow.auth.principal import Principal

#: How long a token's look-up is trusted, in seconds.
TTL_SECONDS: Final = 5.0

#: How many tokens are remembered at most.
MAX_ENTRIES: Final = 4096


@dataclass(frozen=True, slots=True)
class _Entry:
    principal: Principal
    expires_at: datetime | None
    until: float


class PrincipalCache:
    """Token hash → the principal it stood for, trusted for ``ttl`` seconds (thread-safe)."""

    def __init__(
        self,
        *,
        ttl: float = TTL_SECONDS,
        max_entries: int = MAX_ENTRIES,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._monotonic = monotonic
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, token_hash: str, now: datetime) -> Principal | None:
        """The principal remembered for ``token_hash``, if still trusted and not expired at ``now``."""
        entry = self._entries.get(token_hash)
        if entry is None:
            return None
        if self._monotonic() >= entry.until or (entry.expires_at is not None and now >= entry.expires_at):
            with self._lock:
                self._entries.pop(token_hash, None)
            return None
        return entry.principal

    def put(self, token_hash: str, principal: Principal, expires_at: datetime | None) -> None:
        """Remember a successful look-up (dropping the oldest when full)."""
        entry = _Entry(principal, expires_at, self._monotonic() + self.ttl)
        with self._lock:
            self._entries[token_hash] = entry
            self._entries.move_to_end(token_hash)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def forget(self, credential_id: str) -> None:
        """Drop the token with id ``credential_id`` (it was revoked)."""
        with self._lock:
            for key in [k for k, e in self._entries.items() if e.principal.credential_id == credential_id]:
                del self._entries[key]

    def forget_user(self, user_id: str) -> None:
        """Drop every token of ``user_id`` (their account changed)."""
        with self._lock:
            for key in [k for k, e in self._entries.items() if e.principal.user_id == user_id]:
                del self._entries[key]

    def clear(self) -> None:
        """Drop everything (the org chart changed: someone may have been made inactive)."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

"""Login throttling per source address: at most so many attempts in a sliding window, in memory.

Pure apart from the lock: the clock is injected, nothing is read from the
request. Each ``serve`` process keeps its own counts (with several processes
an address gets the allowance once per process); the account lockout in the
database (:mod:`orgflow.auth.policy`) is what bounds guessing overall.

Behind a reverse proxy every request comes from the proxy's address unless
uvicorn is told to trust ``X-Forwarded-For`` (``--proxy-headers``,
``--forwarded-allow-ips``); then all users share one allowance.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict, deque
from datetime import datetime, timedelta

from orgflow.auth.policy import THROTTLE_ATTEMPTS, THROTTLE_MAX_ADDRESSES, THROTTLE_WINDOW
from orgflow.clock import Clock
from orgflow.errors import TooManyAttempts


class LoginThrottle:
    """Counts sign-in attempts per address and refuses those beyond ``attempts`` per ``window``."""

    def __init__(
        self,
        clock: Clock,
        *,
        attempts: int = THROTTLE_ATTEMPTS,
        window: timedelta = THROTTLE_WINDOW,
        max_addresses: int = THROTTLE_MAX_ADDRESSES,
    ) -> None:
        if attempts < 1 or window <= timedelta(0) or max_addresses < 1:
            raise ValueError("attempts, window and max_addresses must be positive")
        self.clock = clock
        self.attempts = attempts
        self.window = window
        self.max_addresses = max_addresses
        self._seen: OrderedDict[str, deque[datetime]] = OrderedDict()
        self._lock = threading.Lock()

    def attempt(self, address: str) -> None:
        """Count one attempt from ``address``, or refuse it (a refused attempt is not counted).

        Raises:
            TooManyAttempts: ``address`` already made ``attempts`` attempts in the window;
                ``retry_after`` says in how many seconds the oldest one leaves it.
        """
        now = self.clock.now()
        with self._lock:
            times = self._seen.pop(address, None) or deque()
            while times and now - times[0] >= self.window:
                times.popleft()
            self._seen[address] = times  # most recently seen last
            if len(times) >= self.attempts:
                wait = self.window - (now - times[0])
                raise TooManyAttempts(retry_after=max(1, math.ceil(wait.total_seconds())))
            times.append(now)
            while len(self._seen) > self.max_addresses:
                self._seen.popitem(last=False)

    def remaining(self, address: str) -> int:
        """How many attempts ``address`` may still make now."""
        now = self.clock.now()
        with self._lock:
            times = self._seen.get(address, ())
            return self.attempts - sum(1 for at in times if now - at < self.window)

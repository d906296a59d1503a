"""The sign-in policy's numbers, in one place: lockout, session lifetimes, throttling.

Lockout is per account and kept in the database (so every ``serve`` process
sees it); throttling is per source address and kept in each process's memory
(:mod:`orgflow.auth.throttle`): it only has to slow guessing down, and the
lockout is what stops it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

#: Consecutive failed sign-ins after which an account is locked ...
MAX_FAILED_SIGN_INS: Final = 5
#: ... for this long (then the count starts again from zero).
LOCKOUT: Final = timedelta(minutes=15)

#: A browser session ends after this long without a request (sliding) ...
SESSION_IDLE: Final = timedelta(hours=8)
#: ... and in any case this long after sign-in (absolute), so a stolen cookie does not live forever.
SESSION_ABSOLUTE: Final = timedelta(hours=24)
#: How stale a session's ``last_seen_at`` may be before a request slides it on (not every request writes).
SESSION_TOUCH_EVERY: Final = timedelta(minutes=1)

#: Sign-in attempts one source address may make per ``THROTTLE_WINDOW`` (any outcome counts).
THROTTLE_ATTEMPTS: Final = 10
THROTTLE_WINDOW: Final = timedelta(minutes=1)
#: Addresses the throttle remembers at most; the least recently seen are forgotten first.
THROTTLE_MAX_ADDRESSES: Final = 10_000

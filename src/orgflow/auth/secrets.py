"""Random credentials and their stored form: a token is shown once, only its sha256 is kept.

A sha256 suffices for tokens (unlike passwords) because they are 256 random
bits: there is nothing to guess, so a slow hash would only slow every request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Final

#: Every API token starts with this, so a leaked one is easy to recognise (and to scan for).
TOKEN_PREFIX: Final = "oft_"

#: How many characters of a token are kept in clear to tell tokens apart in lists.
SHOWN_PREFIX: Final = 12


def new_token() -> str:
    """A fresh API token: the prefix and 43 URL-safe characters (256 random bits)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def new_secret() -> str:
    """A fresh session id or CSRF token (256 random bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """The stored form of a token or session id: its sha256, in hex."""
    return hashlib.sha256(secret.encode()).hexdigest()


def same(given: str, expected: str) -> bool:
    """Compare two secrets in constant time."""
    return hmac.compare_digest(given.encode(), expected.encode())

"""Password hashes: argon2id with OWASP's recommended parameters (19 MiB, 2 passes, 1 lane).

Not argon2-cffi's default (RFC 9106's 64 MiB, 3 passes, 4 lanes): a sign-in
checks the password inside its transaction, so that the failure count and the
lockout commit with the answer, and on SQLite that transaction holds the one
write lock. On the 2-core reference machine under load the default took
0.6–1 s per check, stalling every other write; this profile takes about a
tenth of that and is still OWASP's recommended argon2id configuration.
Hashes made with other parameters still verify, and are renewed at the next
sign-in (``needs_rehash``).
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from orgflow.errors import ConfigurationError

#: Shortest password accepted.
MIN_LENGTH = 8

#: argon2id: 2 passes over 19 MiB (19456 KiB), 1 lane (OWASP Password Storage Cheat Sheet).
_hasher = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)


def hash_password(password: str) -> str:
    """The argon2id hash to store for ``password``.

    Raises:
        ConfigurationError: The password is shorter than ``MIN_LENGTH``.
    """
    if len(password) < MIN_LENGTH:
        raise ConfigurationError(f"密码至少需要 {MIN_LENGTH} 个字符")
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash`` (never raises for a wrong or damaged hash)."""
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's and should be renewed."""
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True

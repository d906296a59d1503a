"""Password hashes: argon2id (argon2-cffi's defaults, the RFC 9106 low-memory profile)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from orgflow.errors import ConfigurationError

#: Shortest password accepted.
MIN_LENGTH = 8

_hasher = PasswordHasher()


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

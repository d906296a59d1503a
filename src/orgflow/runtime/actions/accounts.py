"""Sign-in: accounts (password hashes), API tokens, and browser sessions.

Passwords and tokens are fields of these actions but never of their
``log_fields()``: nothing that signs anyone in reaches a log line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from orgflow.auth.principal import PERSONAL


@dataclass(frozen=True, slots=True)
class AddAccount:
    """Let org chart user ``user_id`` sign in with ``password`` (stored as an argon2id hash).

    The user must be active in the org chart and have no account yet.
    ``actor``: who adds it (``None``: the operator at the command line).
    """

    name: ClassVar[str] = "add_account"
    retry_safe: ClassVar[bool] = True

    user_id: str
    password: str = field(repr=False)
    actor: str | None = None

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers (never the password)."""
        return {"user": self.user_id, "actor": self.actor}


@dataclass(frozen=True, slots=True)
class SetPassword:
    """Give ``user_id``'s account a new password; it clears failures and any lock and ends their sessions."""

    name: ClassVar[str] = "set_password"
    retry_safe: ClassVar[bool] = True

    user_id: str
    password: str = field(repr=False)
    actor: str | None = None

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers (never the password)."""
        return {"user": self.user_id, "actor": self.actor}


@dataclass(frozen=True, slots=True)
class UnlockAccount:
    """Lift the lock that failed sign-ins put on ``user_id``'s account (administrators)."""

    name: ClassVar[str] = "unlock_account"
    retry_safe: ClassVar[bool] = True

    user_id: str
    actor: str | None = None

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers."""
        return {"user": self.user_id, "actor": self.actor}


@dataclass(frozen=True, slots=True, init=False)
class CreateApiToken:
    """Issue an API token for ``user_id``; the result carries the token, shown only this once.

    Called as ``CreateApiToken(user_id, name, kind=..., ...)``: the token's name is
    passed as ``name`` and kept as ``token_name``, because ``name`` names the
    action itself (for the logs and the audit trail), as on every action.

    Attributes:
        user_id: Whose it is: the person (personal) or the system's user (integration).
        token_name: What it is for (shown in lists).
        kind: ``personal`` (only for oneself) or ``integration`` (administrators; another system).
        expires_at: When it stops working (``None``: never).
        definitions: An integration token's granted definition keys (at least one, each deployed).
        actor: Who asks (``None``: the operator at the command line).
    """

    name: ClassVar[str] = "create_api_token"
    retry_safe: ClassVar[bool] = True

    user_id: str
    token_name: str
    kind: str
    expires_at: datetime | None
    definitions: tuple[str, ...]
    actor: str | None

    def __init__(
        self,
        user_id: str,
        name: str,
        kind: str = PERSONAL,
        expires_at: datetime | None = None,
        definitions: tuple[str, ...] = (),
        actor: str | None = None,
    ) -> None:
        """Take the token's ``name`` (kept as ``token_name``) and the rest as given."""
        object.__setattr__(self, "user_id", user_id)
        object.__setattr__(self, "token_name", name)
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "expires_at", expires_at)
        object.__setattr__(self, "definitions", tuple(definitions))
        object.__setattr__(self, "actor", actor)

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers (the token does not exist yet, and is never logged)."""
        return {
            "user": self.user_id,
            "kind": self.kind,
            "definitions": list(self.definitions),
            "actor": self.actor,
        }


@dataclass(frozen=True, slots=True)
class RevokeApiToken:
    """Revoke token ``token_id`` (its owner or an administrator); revoking it again changes nothing."""

    name: ClassVar[str] = "revoke_api_token"
    retry_safe: ClassVar[bool] = True

    token_id: str
    actor: str | None = None

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers."""
        return {"token_id": self.token_id, "actor": self.actor}


@dataclass(frozen=True, slots=True)
class SignIn:
    """Sign ``user_id`` in with ``password`` from ``source``, opening a browser session.

    A wrong password is answered (``SignInResult.outcome == "refused"``), not raised,
    so the failure count it adds commits.
    """

    name: ClassVar[str] = "sign_in"
    retry_safe: ClassVar[bool] = True

    user_id: str
    password: str = field(repr=False)
    source: str | None = None

    @property
    def actor(self) -> str:
        """Who acts: the person signing in."""
        return self.user_id

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers (never the password)."""
        return {"user": self.user_id, "source": self.source}


@dataclass(frozen=True, slots=True)
class SignOut:
    """End the browser session whose cookie hashes to ``session_hash``."""

    name: ClassVar[str] = "sign_out"
    retry_safe: ClassVar[bool] = True

    session_hash: str = field(repr=False)
    actor: str | None = None

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers (not the session's hash, which finds the session)."""
        return {"actor": self.actor}

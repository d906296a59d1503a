"""What the sign-in commands and queries hand back: accounts, tokens (the new one shown once), sign-ins."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

#: ``SignInResult.outcome``: signed in; refused (wrong user id or password, told apart to nobody); locked.
SIGNED_IN: Final = "signed_in"
REFUSED: Final = "refused"
LOCKED: Final = "locked"

#: ``TokenView.status``.
TOKEN_ACTIVE: Final = "active"
TOKEN_EXPIRED: Final = "expired"
TOKEN_REVOKED: Final = "revoked"


@dataclass(frozen=True, kw_only=True, slots=True)
class AccountView:
    """An account, without its password hash.

    Attributes:
        user_id: The org chart user it belongs to.
        name: Their name in the org chart.
        failed_logins: Failed sign-ins since the last success, unlock or lockout.
        locked_until: Sign-ins refused until then (``None``: not locked).
        password_changed_at: When the password was last set.
        created_at: When the account was added.
    """

    user_id: str
    name: str
    failed_logins: int
    locked_until: datetime | None
    password_changed_at: datetime | None
    created_at: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class IssuedToken:
    """A token just created: the only time ``token`` itself is seen (only its hash is stored).

    Attributes:
        id: Its id, for lists and for revoking it.
        token: The secret to send as ``Authorization: Bearer <token>``.
        prefix: Its first characters, shown in lists to recognise it.
        kind: ``personal`` or ``integration``.
        user_id: Whose it is (an integration token: the system's user).
        expires_at: When it stops working (``None``: never).
        definitions: The definition keys an integration token may use (empty for a personal one).
    """

    id: str
    token: str = field(repr=False)
    prefix: str
    kind: str
    user_id: str
    expires_at: datetime | None
    definitions: tuple[str, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class TokenView:
    """A token in a list (never the secret).

    Attributes:
        id: Its id (revoke it by this).
        user_id: Whose it is.
        name: What its owner called it.
        kind: ``personal`` or ``integration``.
        prefix: Its first characters.
        definitions: The definition keys an integration token may use (empty for a personal one).
        created_at: When it was made.
        expires_at: When it stops working (``None``: never).
        revoked_at: When it was revoked.
        last_used_at: When it was last used (noted at most once a minute).
        status: ``active``, ``expired`` or ``revoked``, as of the reading.
    """

    id: str
    user_id: str
    name: str
    kind: str
    prefix: str
    definitions: tuple[str, ...]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    status: str


@dataclass(frozen=True, kw_only=True, slots=True)
class SignInResult:
    """How a sign-in went. A refused one is an answer, not an error, so its failure count commits.

    Attributes:
        outcome: ``signed_in``, ``refused`` or ``locked``.
        user_id: Who tried.
        message: What to tell them; the same for an unknown user and a wrong password.
        session: The new session cookie's value (signed in only; only its hash is stored).
        csrf_token: The token unsafe requests on the session must echo (signed in only).
        expires_at: When the session ends without activity (signed in only).
        locked_until: When a locked account takes sign-ins again (locked only).
    """

    outcome: str
    user_id: str
    message: str
    session: str | None = field(default=None, repr=False)
    csrf_token: str | None = field(default=None, repr=False)
    expires_at: datetime | None = None
    locked_until: datetime | None = None

    @property
    def ok(self) -> bool:
        """Whether a session was created."""
        return self.outcome == SIGNED_IN

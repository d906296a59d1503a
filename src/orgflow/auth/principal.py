"""Who is asking: the signed-in person or token behind one request (the API and the web UI share it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

#: ``Principal.via`` for a browser session (cookie) and for an API token (``Authorization: Bearer``).
VIA_SESSION: Final = "session"
VIA_TOKEN: Final = "token"

#: Token kinds: a person's own, and one for another system (OA, ERP, finance).
PERSONAL: Final = "personal"
INTEGRATION: Final = "integration"


@dataclass(frozen=True, kw_only=True, slots=True)
class Principal:
    """The authenticated caller of one request.

    Attributes:
        user_id: The org chart user acting (for an integration token, the system's user).
        via: ``session`` or ``token``.
        token_kind: ``personal`` or ``integration`` for a token; ``None`` for a session.
        definitions: The definition keys an integration token was granted; ``None``: not limited.
        credential_id: The token's id, or the session's hash (for revoking and the audit trail).
        csrf_token: A session's CSRF token, which unsafe requests must echo; ``None`` for tokens.
    """

    user_id: str
    via: str
    token_kind: str | None = None
    definitions: frozenset[str] | None = None
    credential_id: str = ""
    csrf_token: str | None = None

    @property
    def is_integration(self) -> bool:
        """Whether another system (an integration token) is calling."""
        return self.token_kind == INTEGRATION

    def may_use_definition(self, key: str) -> bool:
        """Whether the caller's credential reaches definition ``key`` (integration tokens are limited)."""
        return self.definitions is None or key in self.definitions

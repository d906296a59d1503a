"""Finding who a request comes from: a bearer token (or, later, a session cookie) → ``Principal``.

The authenticator reads credentials only; creating, revoking and expiring them
are commands (:mod:`orgflow.auth` actions). A token's last use is noted at most
once a minute, so reading with a token does not turn every request into a write.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Final

from orgflow.auth.principal import VIA_TOKEN, Principal
from orgflow.auth.secrets import TOKEN_PREFIX, digest
from orgflow.clock import Clock
from orgflow.errors import NotSignedIn
from orgflow.store import credentials
from orgflow.store.database import Database

#: How stale ``last_used_at`` may be before a request refreshes it.
USE_NOTED_EVERY: Final = timedelta(minutes=1)


class Authenticator:
    """Turns a request's credentials into the ``Principal`` acting, or refuses with ``NotSignedIn``."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock

    def authenticate(self, headers: Mapping[str, str], cookies: Mapping[str, str]) -> Principal:
        """Who is calling, from ``Authorization: Bearer <token>``.

        Raises:
            NotSignedIn: No credentials, or ones that are unknown, expired or revoked.
        """
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return self.by_token(token.strip())
        raise NotSignedIn("请先登录：请求没有携带 API 令牌（Authorization: Bearer …）或登录会话")

    def by_token(self, token: str) -> Principal:
        """The principal an API token stands for.

        Raises:
            NotSignedIn: The token is unknown, expired or revoked.
        """
        if not token.startswith(TOKEN_PREFIX):
            raise NotSignedIn("API 令牌无效")
        now = self.clock.now()
        with self.database.reading() as connection:
            stored = credentials.token_by_hash(connection, digest(token))
        if stored is None:
            raise NotSignedIn("API 令牌无效")
        if stored.revoked_at is not None:
            raise NotSignedIn(f"API 令牌 {stored.prefix}… 已吊销")
        if stored.expires_at is not None and now >= stored.expires_at:
            raise NotSignedIn(f"API 令牌 {stored.prefix}… 已过期")
        if stored.last_used_at is None or now - stored.last_used_at >= USE_NOTED_EVERY:
            with self.database.transaction() as connection:
                credentials.note_use(connection, stored.id, now)
        return Principal(
            user_id=stored.user_id,
            via=VIA_TOKEN,
            token_kind=stored.kind,
            definitions=frozenset(stored.definitions) if stored.definitions is not None else None,
            credential_id=stored.id,
        )

"""Finding who a request comes from: a bearer token or a session cookie → ``Principal``.

``Authorization: Bearer <token>`` wins when both are sent: nothing sends a
token unasked, so it needs no CSRF proof; a session cookie does
(:mod:`orgflow.auth.csrf`, checked by the API's ``current_principal``).

The authenticator reads credentials only; creating, revoking and expiring them
are commands (:mod:`orgflow.runtime.accounts`). Reading does not turn every
request into a write: a token's last use is noted, and a session slid on
(its idle expiry moved, up to its absolute limit), at most once a minute.

Whoever the org chart no longer has as active is not signed in any more,
whatever credential they hold.

A token's successful look-up is remembered for a few seconds
(:mod:`orgflow.auth.principal_cache`, which says what that window means for
revocation); :meth:`Authenticator.cached` answers from that memory alone,
without touching the database, so the API can skip a thread hop when it knows.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Final

from orgflow.auth.cookies import SESSION_COOKIE
from orgflow.auth.policy import SESSION_ABSOLUTE, SESSION_IDLE, SESSION_TOUCH_EVERY
from orgflow.auth.principal import VIA_SESSION, VIA_TOKEN, Principal
from orgflow.auth.principal_cache import PrincipalCache
from orgflow.auth.secrets import TOKEN_PREFIX, digest
from orgflow.clock import Clock
from orgflow.errors import NotSignedIn
from orgflow.store import credentials, web_sessions
from orgflow.store.database import Database

#: How stale ``last_used_at`` may be before a request refreshes it.
USE_NOTED_EVERY: Final = timedelta(minutes=1)

#: What an unusable session says (unknown, signed out, or expired and swept away).
SESSION_INVALID: Final = "登录会话无效或已退出，请重新登录"
SESSION_EXPIRED: Final = "登录已过期，请重新登录"
USER_INACTIVE: Final = "该账号已停用，不能再登录或调用 API"


class Authenticator:
    """Turns a request's credentials into the ``Principal`` acting, or refuses with ``NotSignedIn``."""

    def __init__(self, database: Database, clock: Clock, *, recent: PrincipalCache | None = None) -> None:
        self.database = database
        self.clock = clock
        #: Tokens looked up a moment ago (forget one on revoking it; clear on org changes). Without
        #: ``recent`` nothing is remembered, so a revocation counts at once; the API app passes one.
        self.recent = recent if recent is not None else PrincipalCache(ttl=0.0)

    def cached(self, headers: Mapping[str, str]) -> Principal | None:
        """The principal of the request's bearer token if it was looked up a moment ago (no I/O).

        ``None``: not a bearer request, or not remembered; :meth:`authenticate` then decides.
        """
        scheme, _, token = headers.get("authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token.startswith(TOKEN_PREFIX):
            return None
        return self.recent.get(digest(token), self.clock.now())

    def authenticate(self, headers: Mapping[str, str], cookies: Mapping[str, str]) -> Principal:
        """Who is calling, from ``Authorization: Bearer <token>`` or else the ``orgflow_session`` cookie.

        Raises:
            NotSignedIn: No credentials, or ones that are unknown, expired or revoked, or
                whose user is no longer active.
        """
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return self.by_token(token.strip())
        session = cookies.get(SESSION_COOKIE, "").strip()
        if session:
            return self.by_session(session)
        raise NotSignedIn("请先登录：请求没有携带 API 令牌（Authorization: Bearer …）或登录会话")

    def by_token(self, token: str) -> Principal:
        """The principal an API token stands for.

        Raises:
            NotSignedIn: The token is unknown, expired or revoked, or its user inactive.
        """
        if not token.startswith(TOKEN_PREFIX):
            raise NotSignedIn("API 令牌无效")
        now = self.clock.now()
        token_hash = digest(token)
        remembered = self.recent.get(token_hash, now)
        if remembered is not None:
            return remembered
        with self.database.reading() as connection:
            found = credentials.token_for_request(connection, token_hash)
        if found is None:
            raise NotSignedIn("API 令牌无效")
        stored, user_active = found
        if stored.revoked_at is not None:
            raise NotSignedIn(f"API 令牌 {stored.prefix}… 已吊销")
        if stored.expires_at is not None and now >= stored.expires_at:
            raise NotSignedIn(f"API 令牌 {stored.prefix}… 已过期")
        if not user_active:
            raise NotSignedIn(USER_INACTIVE)
        if stored.last_used_at is None or now - stored.last_used_at >= USE_NOTED_EVERY:
            with self.database.transaction() as connection:
                credentials.note_use(connection, stored.id, now)
        principal = Principal(
            user_id=stored.user_id,
            via=VIA_TOKEN,
            token_kind=stored.kind,
            definitions=frozenset(stored.definitions) if stored.definitions is not None else None,
            credential_id=stored.id,
        )
        self.recent.put(token_hash, principal, stored.expires_at)
        return principal

    def by_session(self, session: str) -> Principal:
        """The principal a browser session cookie stands for; slides the session on.

        Raises:
            NotSignedIn: The session is unknown, signed out or expired, or its user inactive.
        """
        now = self.clock.now()
        id_hash = digest(session)
        with self.database.reading() as connection:
            stored = web_sessions.session_by_hash(connection, id_hash)
        if stored is None:
            raise NotSignedIn(SESSION_INVALID)
        if now >= stored.expires_at:
            raise NotSignedIn(SESSION_EXPIRED)
        if not stored.user_active:
            raise NotSignedIn(USER_INACTIVE)
        if now - stored.last_seen_at >= SESSION_TOUCH_EVERY:
            slid = min(now + SESSION_IDLE, stored.created_at + SESSION_ABSOLUTE)
            with self.database.transaction() as connection:
                web_sessions.touch(connection, id_hash, now=now, expires_at=slid)
        return Principal(
            user_id=stored.user_id,
            via=VIA_SESSION,
            credential_id=id_hash,
            csrf_token=stored.csrf_token,
        )

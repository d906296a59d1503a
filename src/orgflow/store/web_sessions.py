"""Browser sessions in rows: add one, find one by the hash of its cookie, slide it on, end it.

The cookie's value is never stored, only its sha256
(:func:`orgflow.auth.secrets.digest`): a copy of the database does not sign
anyone in. Finding a session also says whether its user is still active in
the org chart, so a request needs one look-up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select, update

from orgflow.store.tables import org_users, web_sessions


@dataclass(frozen=True, kw_only=True, slots=True)
class StoredSession:
    """One browser session as stored.

    Attributes:
        id_hash: The sha256 of the cookie's value.
        user_id: Who signed in.
        csrf_token: The token unsafe requests must echo (``X-CSRF-Token``); never logged.
        created_at: When they signed in.
        expires_at: When it ends unless a request slides it on.
        last_seen_at: The last request that slid it on.
        source: The address they signed in from.
        user_active: Whether the org chart has the user, active.
    """

    id_hash: str
    user_id: str
    csrf_token: str = field(repr=False)
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime
    source: str | None
    user_active: bool


_SELECT = select(
    web_sessions.c.id_hash,
    web_sessions.c.user_id,
    web_sessions.c.csrf_token,
    web_sessions.c.created_at,
    web_sessions.c.expires_at,
    web_sessions.c.last_seen_at,
    web_sessions.c.source,
    org_users.c.active.label("user_active"),
).select_from(web_sessions.outerjoin(org_users, org_users.c.id == web_sessions.c.user_id))


def add_session(
    connection: Connection,
    *,
    id_hash: str,
    user_id: str,
    csrf_token: str,
    now: datetime,
    expires_at: datetime,
    source: str | None,
) -> None:
    """Store a new session by the hash of its cookie."""
    connection.execute(
        insert(web_sessions).values(
            id_hash=id_hash,
            user_id=user_id,
            csrf_token=csrf_token,
            created_at=now,
            expires_at=expires_at,
            last_seen_at=now,
            source=source,
        )
    )


def session_by_hash(connection: Connection, id_hash: str) -> StoredSession | None:
    """The session whose cookie hashes to ``id_hash``, expired or not."""
    row = connection.execute(_SELECT.where(web_sessions.c.id_hash == id_hash)).first()
    if row is None:
        return None
    values = row._asdict()
    values["user_active"] = bool(values["user_active"])
    return StoredSession(**values)


def touch(connection: Connection, id_hash: str, *, now: datetime, expires_at: datetime) -> None:
    """Note a request at ``now`` and move the session's end to ``expires_at``."""
    connection.execute(
        update(web_sessions)
        .where(web_sessions.c.id_hash == id_hash)
        .values(last_seen_at=now, expires_at=expires_at)
    )


def delete_session(connection: Connection, id_hash: str) -> bool:
    """End one session; whether there was one."""
    return connection.execute(delete(web_sessions).where(web_sessions.c.id_hash == id_hash)).rowcount == 1


def delete_sessions_of(connection: Connection, user_id: str) -> int:
    """End every session of ``user_id`` (a new password signs them out everywhere); how many ended."""
    return connection.execute(delete(web_sessions).where(web_sessions.c.user_id == user_id)).rowcount


def delete_expired(connection: Connection, now: datetime) -> int:
    """Drop the sessions that ended before ``now``; how many."""
    return connection.execute(delete(web_sessions).where(web_sessions.c.expires_at <= now)).rowcount

"""API tokens in rows: add one, find one by its hash, note its use, revoke it.

Only the sha256 of a token is stored (``orgflow.auth.secrets.digest``); the
token itself exists only in the answer to whoever created it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, insert, select, update

from orgflow.store.tables import api_tokens, org_users


@dataclass(frozen=True, kw_only=True, slots=True)
class StoredToken:
    """One API token as stored (never the token itself).

    Attributes:
        id: The token's id (shown in lists; used to revoke it).
        user_id: Whose it is (for an integration token: the system's user).
        name: What its owner called it.
        kind: ``personal`` or ``integration``.
        prefix: Its first characters, to recognise it.
        definitions: The definition keys an integration token was granted (``None``: not limited).
        created_at: When it was made.
        expires_at: When it stops working (``None``: never).
        revoked_at: When it was revoked (``None``: it was not).
        last_used_at: When it was last used.
    """

    id: str
    user_id: str
    name: str
    kind: str
    prefix: str
    definitions: tuple[str, ...] | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    def usable_at(self, now: datetime) -> bool:
        """Neither revoked nor expired at ``now``."""
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


def add_token(
    connection: Connection,
    *,
    id_: str,
    user_id: str,
    name: str,
    kind: str,
    token_hash: str,
    prefix: str,
    created_at: datetime,
    expires_at: datetime | None = None,
    definitions: Collection[str] | None = None,
) -> None:
    """Store a new token by its hash."""
    connection.execute(
        insert(api_tokens).values(
            id=id_,
            user_id=user_id,
            name=name,
            kind=kind,
            token_hash=token_hash,
            prefix=prefix,
            definitions=sorted(definitions) if definitions is not None else None,
            created_at=created_at,
            expires_at=expires_at,
        )
    )


_COLUMNS = (
    api_tokens.c.id,
    api_tokens.c.user_id,
    api_tokens.c.name,
    api_tokens.c.kind,
    api_tokens.c.prefix,
    api_tokens.c.definitions,
    api_tokens.c.created_at,
    api_tokens.c.expires_at,
    api_tokens.c.revoked_at,
    api_tokens.c.last_used_at,
)


def _stored(row: object) -> StoredToken:
    values = dict(row._mapping)  # type: ignore[attr-defined]
    grants = values.pop("definitions")
    return StoredToken(definitions=tuple(grants) if grants is not None else None, **values)


def token_by_hash(connection: Connection, token_hash: str) -> StoredToken | None:
    """The token whose sha256 is ``token_hash``, usable or not."""
    row = connection.execute(select(*_COLUMNS).where(api_tokens.c.token_hash == token_hash)).first()
    return _stored(row) if row is not None else None


def token_for_request(connection: Connection, token_hash: str) -> tuple[StoredToken, bool] | None:
    """The token whose sha256 is ``token_hash`` and whether its user is active in the org chart."""
    row = connection.execute(
        select(*_COLUMNS, org_users.c.active)
        .select_from(api_tokens.outerjoin(org_users, org_users.c.id == api_tokens.c.user_id))
        .where(api_tokens.c.token_hash == token_hash)
    ).first()
    if row is None:
        return None
    values = dict(row._mapping)
    active = bool(values.pop("active"))
    grants = values.pop("definitions")
    return StoredToken(definitions=tuple(grants) if grants is not None else None, **values), active


def token_by_id(connection: Connection, token_id: str) -> StoredToken | None:
    """The token with id ``token_id``, usable or not."""
    row = connection.execute(select(*_COLUMNS).where(api_tokens.c.id == token_id)).first()
    return _stored(row) if row is not None else None


def tokens_of(
    connection: Connection, user_id: str | None = None, *, limit: int | None = None, offset: int = 0
) -> tuple[StoredToken, ...]:
    """Every token (of ``user_id``, if given), newest first; ``limit``/``offset`` cut a page."""
    query = select(*_COLUMNS).order_by(api_tokens.c.created_at.desc(), api_tokens.c.id)
    if user_id is not None:
        query = query.where(api_tokens.c.user_id == user_id)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return tuple(_stored(row) for row in connection.execute(query))


def count_tokens(connection: Connection, user_id: str | None = None) -> int:
    """How many tokens there are (of ``user_id``, if given), usable or not."""
    query = select(func.count()).select_from(api_tokens)
    if user_id is not None:
        query = query.where(api_tokens.c.user_id == user_id)
    return int(connection.execute(query).scalar_one())


def note_use(connection: Connection, token_id: str, at: datetime) -> None:
    """Record that the token was used at ``at``."""
    connection.execute(update(api_tokens).where(api_tokens.c.id == token_id).values(last_used_at=at))


def revoke(connection: Connection, token_id: str, at: datetime) -> bool:
    """Revoke the token (once); whether it was usable before."""
    result = connection.execute(
        update(api_tokens)
        .where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=at)
    )
    return result.rowcount == 1

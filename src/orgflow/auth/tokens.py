"""Making an API token: a fresh secret, stored by its hash, returned once."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import Connection

from orgflow.auth.principal import INTEGRATION, PERSONAL
from orgflow.auth.secrets import SHOWN_PREFIX, digest, new_token
from orgflow.errors import ConfigurationError
from orgflow.store import credentials


def issue_token(
    connection: Connection,
    *,
    token_id: str,
    user_id: str,
    name: str,
    now: datetime,
    kind: str = PERSONAL,
    expires_at: datetime | None = None,
    definitions: Collection[str] | None = None,
) -> str:
    """Store a new token in the caller's transaction and return it (the only time it is seen).

    Raises:
        ConfigurationError: An unknown kind, an expiry in the past, or an integration
            token without the definitions it is granted.
    """
    if kind not in (PERSONAL, INTEGRATION):
        raise ConfigurationError(f"令牌类型应为 {PERSONAL} 或 {INTEGRATION}，而不是 {kind!r}")
    if expires_at is not None and expires_at <= now:
        raise ConfigurationError("令牌的过期时间必须晚于现在")
    if kind == INTEGRATION and not definitions:
        raise ConfigurationError("系统集成令牌需要指明它可以使用的流程定义（--definition KEY）")
    token = new_token()
    credentials.add_token(
        connection,
        id_=token_id,
        user_id=user_id,
        name=name,
        kind=kind,
        token_hash=digest(token),
        prefix=token[:SHOWN_PREFIX],
        created_at=now,
        expires_at=expires_at,
        definitions=definitions if kind == INTEGRATION else None,
    )
    return token

"""Accounts in rows: who may sign in, their password hash, and how their sign-ins have gone.

An account belongs to an org chart user (``accounts.user_id`` = ``org_users.id``);
whether that user is still active is the chart's to say, read here beside the
account so a sign-in needs one look-up. The rules (how many failures lock an
account, for how long) are :mod:`orgflow.auth.policy`'s; this module only
stores what the runtime decided.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from orgflow.store.tables import accounts, org_users


@dataclass(frozen=True, kw_only=True, slots=True)
class StoredAccount:
    """One account as stored.

    Attributes:
        user_id: The org chart user it belongs to.
        password_hash: The argon2id hash (``None``: may not sign in with a password); never shown.
        failed_logins: Failed sign-ins since the last success, unlock or lockout.
        locked_until: Refused until then after too many failures (``None``: not locked).
        password_changed_at: When the password was last set.
        created_at: When the account was added.
        user_active: Whether the org chart has the user, active (``False``: unknown or inactive).
    """

    user_id: str
    password_hash: str | None = field(repr=False)
    failed_logins: int
    locked_until: datetime | None
    password_changed_at: datetime | None
    created_at: datetime
    user_active: bool

    def locked_at(self, now: datetime) -> bool:
        """Whether sign-ins are refused at ``now`` for too many failures."""
        return self.locked_until is not None and now < self.locked_until


_SELECT = select(
    accounts.c.user_id,
    accounts.c.password_hash,
    accounts.c.failed_logins,
    accounts.c.locked_until,
    accounts.c.password_changed_at,
    accounts.c.created_at,
    org_users.c.active.label("user_active"),
).select_from(accounts.outerjoin(org_users, org_users.c.id == accounts.c.user_id))


def account(connection: Connection, user_id: str) -> StoredAccount | None:
    """The account of ``user_id``, with whether the chart still has them active."""
    row = connection.execute(_SELECT.where(accounts.c.user_id == user_id)).first()
    if row is None:
        return None
    values = row._asdict()
    values["user_active"] = bool(values["user_active"])
    return StoredAccount(**values)


def add_account(connection: Connection, *, user_id: str, password_hash: str, now: datetime) -> None:
    """Store a new account (the caller checked there is none: a duplicate is an ``IntegrityError``)."""
    connection.execute(
        insert(accounts).values(
            user_id=user_id,
            password_hash=password_hash,
            failed_logins=0,
            locked_until=None,
            password_changed_at=now,
            created_at=now,
        )
    )


def set_password_hash(connection: Connection, user_id: str, password_hash: str, now: datetime) -> bool:
    """Replace the password hash (and clear failures and any lock); whether the account exists."""
    result = connection.execute(
        update(accounts)
        .where(accounts.c.user_id == user_id)
        .values(password_hash=password_hash, password_changed_at=now, failed_logins=0, locked_until=None)
    )
    return result.rowcount == 1


def rehash(connection: Connection, user_id: str, password_hash: str) -> None:
    """Store a stronger hash of the same password (its change time stays)."""
    connection.execute(
        update(accounts).where(accounts.c.user_id == user_id).values(password_hash=password_hash)
    )


def count_failure(connection: Connection, user_id: str) -> int:
    """Add one failed sign-in; the count afterwards (one statement, so concurrent failures all count)."""
    count = connection.execute(
        update(accounts)
        .where(accounts.c.user_id == user_id)
        .values(failed_logins=accounts.c.failed_logins + 1)
        .returning(accounts.c.failed_logins)
    ).scalar_one_or_none()
    return int(count or 0)


def lock(connection: Connection, user_id: str, until: datetime) -> None:
    """Refuse sign-ins until ``until``; the failure count starts again from zero."""
    connection.execute(
        update(accounts).where(accounts.c.user_id == user_id).values(locked_until=until, failed_logins=0)
    )


def clear_failures(connection: Connection, user_id: str) -> bool:
    """Forget failed sign-ins and any lock (after a success, or an unlock); whether the account exists."""
    result = connection.execute(
        update(accounts).where(accounts.c.user_id == user_id).values(failed_logins=0, locked_until=None)
    )
    return result.rowcount == 1

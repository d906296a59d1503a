"""The sign-in commands: accounts, API tokens and browser sessions, each one transaction.

Who may do what (``actor=None`` is the operator at the command line, who
already holds the database):

- add an account, unlock one, issue an integration token: administrators;
- set a password: the person themself or an administrator;
- issue a personal token: the person themself only (nobody mints a way to act as someone else);
- revoke a token: its owner or an administrator.

A sign-in never raises for a wrong password: it answers ``refused`` (or
``locked``) so the failure it counts commits with the transaction. Unknown
users, inactive ones and wrong passwords get the same answer, after the same
work (a password is checked against a decoy hash when there is no real one),
so neither the message nor the time taken tells whether a user id exists.
Once an account is locked, though, it answers ``locked``: user ids are not
secret inside a company (every employee may read the org chart), and a
person locked out must be told why.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Final

from orgflow.auth.passwords import hash_password, needs_rehash, verify_password
from orgflow.auth.policy import LOCKOUT, MAX_FAILED_SIGN_INS, SESSION_IDLE
from orgflow.auth.principal import INTEGRATION, PERSONAL
from orgflow.auth.secrets import SHOWN_PREFIX, digest, new_secret
from orgflow.auth.tokens import issue_token
from orgflow.clock import Clock
from orgflow.errors import CommandRejected, ConfigurationError, NotFound, PermissionDenied
from orgflow.ids import IdSource
from orgflow.org.model import OrgSnapshot
from orgflow.runtime.actions.accounts import (
    AddAccount,
    CreateApiToken,
    RevokeApiToken,
    SetPassword,
    SignIn,
    SignOut,
    UnlockAccount,
)
from orgflow.runtime.permissions import is_administrator
from orgflow.runtime.unit_of_work import UnitOfWork
from orgflow.runtime.views.accounts import (
    LOCKED,
    REFUSED,
    SIGNED_IN,
    TOKEN_ACTIVE,
    TOKEN_EXPIRED,
    TOKEN_REVOKED,
    AccountView,
    IssuedToken,
    SignInResult,
    TokenView,
)
from orgflow.store import accounts, credentials, web_sessions
from orgflow.store.accounts import StoredAccount
from orgflow.store.credentials import StoredToken

#: What a refused sign-in says, whether the user id is unknown or the password wrong.
REFUSED_MESSAGE: Final = "用户名或密码错误"

#: ``CommandRejected.reason`` for adding an account a user already has (HTTP 409).
ACCOUNT_EXISTS: Final = "account_exists"

#: Longest token name accepted.
MAX_TOKEN_NAME: Final = 100


@cache
def _decoy_hash() -> str:
    """A hash no password matches, checked when there is no real one so every refusal costs the same."""
    return hash_password(new_secret())


def account_view(stored: StoredAccount, chart: OrgSnapshot) -> AccountView:
    """An account as adapters show it (never the hash)."""
    return AccountView(
        user_id=stored.user_id,
        name=chart.name_of(stored.user_id),
        failed_logins=stored.failed_logins,
        locked_until=stored.locked_until,
        password_changed_at=stored.password_changed_at,
        created_at=stored.created_at,
    )


def token_view(stored: StoredToken, now: datetime) -> TokenView:
    """A token as lists show it, with its status at ``now``."""
    if stored.revoked_at is not None:
        status = TOKEN_REVOKED
    elif stored.expires_at is not None and now >= stored.expires_at:
        status = TOKEN_EXPIRED
    else:
        status = TOKEN_ACTIVE
    return TokenView(
        id=stored.id,
        user_id=stored.user_id,
        name=stored.name,
        kind=stored.kind,
        prefix=stored.prefix,
        definitions=stored.definitions or (),
        created_at=stored.created_at,
        expires_at=stored.expires_at,
        revoked_at=stored.revoked_at,
        last_used_at=stored.last_used_at,
        status=status,
    )


def _who(chart: OrgSnapshot, user: str) -> str:
    return f"{chart.name_of(user)}（{user}）"


def _require_administrator(chart: OrgSnapshot, actor: str | None, what: str) -> None:
    """Refuse a signed-in actor who is not an administrator (``None``, the operator, may).

    Raises:
        PermissionDenied: Naming the actor and what they tried.
    """
    if actor is None or is_administrator(chart, actor):
        return
    raise PermissionDenied(f"{_who(chart, actor)}不是系统管理员，不能{what}", user=actor)


def _active_user(chart: OrgSnapshot, user_id: str) -> None:
    """Refuse a user the org chart does not have, or has as inactive.

    Raises:
        NotFound: No such user.
        ConfigurationError: The user is inactive.
    """
    user = chart.user(user_id)
    if user is None:
        raise NotFound(f"组织架构中没有用户 {user_id}")
    if not user.active:
        raise ConfigurationError(f"用户 {_who(chart, user_id)}已停用")


def _existing_account(uow: UnitOfWork, user_id: str) -> StoredAccount:
    """The account of ``user_id``.

    Raises:
        NotFound: They have none.
    """
    stored = accounts.account(uow.connection, user_id)
    if stored is None:
        raise NotFound(f"用户 {user_id} 还没有账号（orgflow user add {user_id} 可添加）")
    return stored


class AccountHandlers:
    """Handles the sign-in actions; holds the clock and the id source they share."""

    def __init__(self, clock: Clock, ids: IdSource) -> None:
        self.clock = clock
        self.ids = ids

    # --- accounts ---------------------------------------------------------------------------

    def add_account(self, action: AddAccount, uow: UnitOfWork) -> AccountView:
        """Give an active org chart user an account with an argon2id-hashed password."""
        chart = uow.org()
        _require_administrator(chart, action.actor, "添加账号")
        _active_user(chart, action.user_id)
        if accounts.account(uow.connection, action.user_id) is not None:
            raise CommandRejected(
                f"用户 {_who(chart, action.user_id)}已有账号；"
                f"修改密码请用 orgflow user passwd {action.user_id}",
                reason=ACCOUNT_EXISTS,
            )
        password_hash = hash_password(action.password)
        accounts.add_account(
            uow.connection, user_id=action.user_id, password_hash=password_hash, now=self.clock.now()
        )
        return account_view(_existing_account(uow, action.user_id), chart)

    def set_password(self, action: SetPassword, uow: UnitOfWork) -> AccountView:
        """Set a new password; failures and any lock are cleared and the user's sessions end."""
        chart = uow.org()
        if action.actor != action.user_id:
            _require_administrator(chart, action.actor, f"修改 {_who(chart, action.user_id)}的密码")
        _existing_account(uow, action.user_id)
        password_hash = hash_password(action.password)
        accounts.set_password_hash(uow.connection, action.user_id, password_hash, self.clock.now())
        web_sessions.delete_sessions_of(uow.connection, action.user_id)
        return account_view(_existing_account(uow, action.user_id), chart)

    def unlock(self, action: UnlockAccount, uow: UnitOfWork) -> AccountView:
        """Lift a lockout and forget the failed sign-ins."""
        chart = uow.org()
        _require_administrator(chart, action.actor, "解锁账号")
        _existing_account(uow, action.user_id)
        accounts.clear_failures(uow.connection, action.user_id)
        return account_view(_existing_account(uow, action.user_id), chart)

    # --- API tokens -------------------------------------------------------------------------

    def create_token(self, action: CreateApiToken, uow: UnitOfWork) -> IssuedToken:
        """Issue a personal or integration token; the result is the only time the token is seen."""
        chart = uow.org()
        now = self.clock.now()
        if action.kind == PERSONAL:
            if action.actor is not None and action.actor != action.user_id:
                raise PermissionDenied(
                    f"{_who(chart, action.actor)}不能为 {_who(chart, action.user_id)}创建个人令牌："
                    "个人令牌只能由本人创建",
                    user=action.actor,
                )
            if action.definitions:
                raise ConfigurationError(
                    "个人令牌不限定流程定义；限定流程定义的请创建系统集成令牌（integration）"
                )
        elif action.kind == INTEGRATION:
            _require_administrator(chart, action.actor, "创建系统集成令牌")
        else:
            raise ConfigurationError(f"令牌类型应为 {PERSONAL} 或 {INTEGRATION}，而不是 {action.kind!r}")
        _active_user(chart, action.user_id)
        name = action.token_name.strip()
        if not name or len(name) > MAX_TOKEN_NAME:
            raise ConfigurationError(f"令牌名称不能为空，且不超过 {MAX_TOKEN_NAME} 个字符")
        if action.expires_at is not None and action.expires_at.tzinfo is None:
            raise ConfigurationError("令牌的过期时间需要带时区")
        granted = self._deployed_keys(uow, action.definitions) if action.kind == INTEGRATION else ()
        token_id = self.ids.new_id()
        token = issue_token(
            uow.connection,
            token_id=token_id,
            user_id=action.user_id,
            name=name,
            now=now,
            kind=action.kind,
            expires_at=action.expires_at,
            definitions=granted or None,
        )
        return IssuedToken(
            id=token_id,
            token=token,
            prefix=token[:SHOWN_PREFIX],
            kind=action.kind,
            user_id=action.user_id,
            expires_at=action.expires_at,
            definitions=granted,
        )

    def revoke_token(self, action: RevokeApiToken, uow: UnitOfWork) -> TokenView:
        """Revoke a token (again: nothing changes); it is refused from the next request on."""
        stored = credentials.token_by_id(uow.connection, action.token_id)
        if stored is None:
            raise NotFound(f"API 令牌 {action.token_id} 不存在")
        chart = uow.org()
        if action.actor != stored.user_id:
            _require_administrator(chart, action.actor, f"吊销 {_who(chart, stored.user_id)}的令牌")
        now = self.clock.now()
        credentials.revoke(uow.connection, stored.id, now)
        revoked = credentials.token_by_id(uow.connection, stored.id)
        assert revoked is not None
        return token_view(revoked, now)

    @staticmethod
    def _deployed_keys(uow: UnitOfWork, keys: Sequence[str]) -> tuple[str, ...]:
        """The distinct keys, each deployed, sorted.

        Raises:
            ConfigurationError: None given, or some not deployed (naming them).
        """
        wanted = sorted({key.strip() for key in keys if key.strip()})
        if not wanted:
            raise ConfigurationError("系统集成令牌需要指明它可以使用的流程定义（至少一个已部署的流程 key）")
        missing = [key for key in wanted if uow.catalog.latest(uow.connection, key) is None]
        if missing:
            raise ConfigurationError(f"流程定义 {'、'.join(missing)} 尚未部署，不能授权给系统集成令牌")
        return tuple(wanted)

    # --- browser sessions -------------------------------------------------------------------

    def sign_in(self, action: SignIn, uow: UnitOfWork) -> SignInResult:
        """Check the password; open a session, or count the failure (locking after too many)."""
        now = self.clock.now()
        stored = accounts.account(uow.connection, action.user_id)
        if stored is None or not stored.user_active or stored.password_hash is None:
            verify_password(_decoy_hash(), action.password)
            return SignInResult(outcome=REFUSED, user_id=action.user_id, message=REFUSED_MESSAGE)
        if stored.locked_at(now):
            assert stored.locked_until is not None
            return self._locked(action.user_id, stored.locked_until, now)
        if not verify_password(stored.password_hash, action.password):
            failures = accounts.count_failure(uow.connection, action.user_id)
            if failures >= MAX_FAILED_SIGN_INS:
                until = now + LOCKOUT
                accounts.lock(uow.connection, action.user_id, until)
                return self._locked(action.user_id, until, now)
            return SignInResult(outcome=REFUSED, user_id=action.user_id, message=REFUSED_MESSAGE)
        accounts.clear_failures(uow.connection, action.user_id)
        if needs_rehash(stored.password_hash):
            accounts.rehash(uow.connection, action.user_id, hash_password(action.password))
        web_sessions.delete_expired(uow.connection, now)
        session, csrf_token = new_secret(), new_secret()
        expires_at = now + SESSION_IDLE
        web_sessions.add_session(
            uow.connection,
            id_hash=digest(session),
            user_id=action.user_id,
            csrf_token=csrf_token,
            now=now,
            expires_at=expires_at,
            source=action.source,
        )
        return SignInResult(
            outcome=SIGNED_IN,
            user_id=action.user_id,
            message="已登录",
            session=session,
            csrf_token=csrf_token,
            expires_at=expires_at,
        )

    def sign_out(self, action: SignOut, uow: UnitOfWork) -> bool:
        """End a session; whether there was one."""
        return web_sessions.delete_session(uow.connection, action.session_hash)

    @staticmethod
    def _locked(user_id: str, until: datetime, now: datetime) -> SignInResult:
        minutes = max(1, math.ceil((until - now).total_seconds() / 60))
        return SignInResult(
            outcome=LOCKED,
            user_id=user_id,
            message=f"登录失败次数过多，账号已锁定，请 {minutes} 分钟后再试，或请系统管理员解锁",
            locked_until=until,
        )

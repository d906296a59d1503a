"""Sign-in commands on both databases: accounts, lockout, sessions, tokens, and what authenticates.

The test company (:mod:`.api.company`): admin is 系统管理员, mk1 and mk2 work
in 市场部, erp is a system's user.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from orgflow.auth.authenticator import Authenticator
from orgflow.auth.policy import LOCKOUT, MAX_FAILED_SIGN_INS, SESSION_ABSOLUTE, SESSION_IDLE
from orgflow.auth.principal import VIA_SESSION, VIA_TOKEN
from orgflow.auth.secrets import digest
from orgflow.clock import FrozenClock
from orgflow.errors import CommandRejected, ConfigurationError, NotFound, NotSignedIn, PermissionDenied
from orgflow.org.model import build_snapshot
from orgflow.runtime import Runtime
from orgflow.runtime.actions import (
    AddAccount,
    CreateApiToken,
    ImportOrg,
    RevokeApiToken,
    SetPassword,
    SignIn,
    SignOut,
    UnlockAccount,
)
from orgflow.runtime.views.accounts import LOCKED, REFUSED, SIGNED_IN
from orgflow.store.tables import accounts, api_tokens, web_sessions

from .api.company import DEPARTMENTS, LEAVE, PURCHASE, USERS, company
from .conftest import deploy

PASSWORD = "市场部-secret-1"


@pytest.fixture
def people(runtime: Runtime) -> Runtime:
    """The test company, its two processes, and an account for mk1."""
    runtime.execute(ImportOrg(company(), actor="admin"))
    deploy(runtime, PURCHASE)
    deploy(runtime, LEAVE)
    runtime.execute(AddAccount("mk1", PASSWORD))
    return runtime


def _account_row(runtime: Runtime, user: str) -> dict[str, object]:
    with runtime.database.reading() as connection:
        row = connection.execute(select(accounts).where(accounts.c.user_id == user)).one()
    return dict(row._mapping)


def _sign_in(runtime: Runtime, password: str, user: str = "mk1"):
    return runtime.execute(SignIn(user, password, source="10.0.0.7"), source="10.0.0.7")


def _deactivate(runtime: Runtime, user: str) -> None:
    """Import the chart again without ``user`` (who stays in it as inactive)."""
    chart = build_snapshot(DEPARTMENTS, tuple(u for u in USERS if u.id != user))
    runtime.execute(ImportOrg(chart, actor="admin"))


# --- accounts ---------------------------------------------------------------------------------


def test_an_account_keeps_an_argon2id_hash_and_never_the_password(people: Runtime) -> None:
    row = _account_row(people, "mk1")

    assert str(row["password_hash"]).startswith("$argon2id$")
    assert PASSWORD not in str(row)
    assert (row["failed_logins"], row["locked_until"]) == (0, None)


def test_adding_an_account_twice_is_refused_clearly(people: Runtime) -> None:
    with pytest.raises(CommandRejected, match="已有账号") as refused:
        people.execute(AddAccount("mk1", "another-password"))
    assert refused.value.reason == "account_exists"
    assert _sign_in(people, PASSWORD).outcome == SIGNED_IN  # the first password still holds


def test_an_account_needs_an_active_user_of_the_org_chart(people: Runtime) -> None:
    with pytest.raises(NotFound, match="nobody"):
        people.execute(AddAccount("nobody", PASSWORD))
    _deactivate(people, "mk2")
    with pytest.raises(ConfigurationError, match="已停用"):
        people.execute(AddAccount("mk2", PASSWORD))


def test_only_an_administrator_adds_accounts(people: Runtime) -> None:
    with pytest.raises(PermissionDenied, match="不是系统管理员"):
        people.execute(AddAccount("mk2", PASSWORD, actor="mk1"))
    added = people.execute(AddAccount("mk2", PASSWORD, actor="admin"))
    assert (added.user_id, added.name) == ("mk2", "林市场")


def test_a_short_password_is_refused(people: Runtime) -> None:
    with pytest.raises(ConfigurationError, match="至少需要 8 个字符"):
        people.execute(AddAccount("mk2", "short"))


# --- signing in, failures and lockout ---------------------------------------------------------


def test_signing_in_opens_a_session_stored_only_by_its_hash(people: Runtime, clock: FrozenClock) -> None:
    result = _sign_in(people, PASSWORD)

    assert result.outcome == SIGNED_IN and result.ok
    assert result.session and result.csrf_token and result.session != result.csrf_token
    assert result.expires_at == clock.now() + SESSION_IDLE
    with people.database.reading() as connection:
        rows = [dict(r._mapping) for r in connection.execute(select(web_sessions))]
    assert len(rows) == 1
    assert rows[0]["id_hash"] == digest(result.session)
    assert result.session not in str(rows)
    assert (rows[0]["user_id"], rows[0]["source"]) == ("mk1", "10.0.0.7")


def test_five_failures_in_a_row_lock_the_account_for_fifteen_minutes(
    people: Runtime, clock: FrozenClock
) -> None:
    for attempt in range(1, MAX_FAILED_SIGN_INS):
        refused = _sign_in(people, "wrong-password")
        assert refused.outcome == REFUSED and refused.session is None
        assert _account_row(people, "mk1")["failed_logins"] == attempt  # committed, though refused

    fifth = _sign_in(people, "wrong-password")
    assert fifth.outcome == LOCKED
    assert fifth.locked_until == clock.now() + LOCKOUT
    assert "15 分钟" in fifth.message

    clock.advance(LOCKOUT - timedelta(seconds=1))
    still = _sign_in(people, PASSWORD)  # even the right password is refused while locked
    assert (still.outcome, still.session) == (LOCKED, None)

    clock.advance(timedelta(seconds=1))
    assert _sign_in(people, PASSWORD).outcome == SIGNED_IN
    assert (_account_row(people, "mk1")["failed_logins"], _account_row(people, "mk1")["locked_until"]) == (
        0,
        None,
    )


def test_a_success_resets_the_count_of_failures(people: Runtime) -> None:
    for _ in range(MAX_FAILED_SIGN_INS - 1):
        _sign_in(people, "wrong-password")
    assert _sign_in(people, PASSWORD).outcome == SIGNED_IN
    assert _account_row(people, "mk1")["failed_logins"] == 0

    outcomes = [_sign_in(people, "wrong-password").outcome for _ in range(MAX_FAILED_SIGN_INS - 1)]
    assert outcomes == [REFUSED] * (MAX_FAILED_SIGN_INS - 1)


def test_an_unknown_user_and_a_wrong_password_get_the_same_answer(people: Runtime) -> None:
    unknown = _sign_in(people, PASSWORD, user="nobody")
    no_account = _sign_in(people, PASSWORD, user="mk2")
    wrong = _sign_in(people, "wrong-password")

    assert unknown.outcome == no_account.outcome == wrong.outcome == REFUSED
    assert unknown.message == no_account.message == wrong.message == "用户名或密码错误"


def test_an_inactive_user_cannot_sign_in_even_with_the_right_password(people: Runtime) -> None:
    _deactivate(people, "mk1")
    result = _sign_in(people, PASSWORD)
    assert (result.outcome, result.message) == (REFUSED, "用户名或密码错误")


def test_an_administrator_unlocks_a_locked_account(people: Runtime) -> None:
    for _ in range(MAX_FAILED_SIGN_INS):
        _sign_in(people, "wrong-password")
    assert _sign_in(people, PASSWORD).outcome == LOCKED

    with pytest.raises(PermissionDenied):
        people.execute(UnlockAccount("mk1", actor="mk2"))
    unlocked = people.execute(UnlockAccount("mk1", actor="admin"))

    assert (unlocked.locked_until, unlocked.failed_logins) == (None, 0)
    assert _sign_in(people, PASSWORD).outcome == SIGNED_IN


def test_a_new_password_replaces_the_old_and_ends_every_session(people: Runtime) -> None:
    session = _sign_in(people, PASSWORD).session
    assert session is not None
    authenticator = Authenticator(people.database, people.clock)

    with pytest.raises(PermissionDenied):
        people.execute(SetPassword("mk1", "new-password-2", actor="mk2"))
    people.execute(SetPassword("mk1", "new-password-2", actor="mk1"))

    assert _sign_in(people, PASSWORD).outcome == REFUSED
    assert _sign_in(people, "new-password-2").outcome == SIGNED_IN
    with pytest.raises(NotSignedIn, match="登录会话无效"):
        authenticator.by_session(session)
    with pytest.raises(NotFound, match="还没有账号"):
        people.execute(SetPassword("mk2", "new-password-2"))


def test_signing_out_ends_the_session(people: Runtime) -> None:
    session = _sign_in(people, PASSWORD).session
    assert session is not None
    authenticator = Authenticator(people.database, people.clock)
    assert authenticator.by_session(session).via == VIA_SESSION

    assert people.execute(SignOut(digest(session), actor="mk1")) is True
    assert people.execute(SignOut(digest(session), actor="mk1")) is False
    with pytest.raises(NotSignedIn, match="登录会话无效"):
        authenticator.by_session(session)


# --- sessions as the authenticator sees them ---------------------------------------------------


def test_a_session_slides_on_with_use_up_to_its_absolute_limit(people: Runtime, clock: FrozenClock) -> None:
    signed_in_at = clock.now()
    result = _sign_in(people, PASSWORD)
    assert result.session is not None
    authenticator = Authenticator(people.database, people.clock)

    principal = authenticator.by_session(result.session)
    assert (principal.user_id, principal.csrf_token) == ("mk1", result.csrf_token)
    for _ in range(3):  # used every 7 hours: each use moves the idle expiry on, past the first 8 hours
        clock.advance(SESSION_IDLE - timedelta(hours=1))
        assert authenticator.by_session(result.session).user_id == "mk1"
    clock.set(signed_in_at + SESSION_ABSOLUTE)  # 3 h after the last use, but 24 h after sign-in
    with pytest.raises(NotSignedIn, match="登录已过期"):
        authenticator.by_session(result.session)


def test_a_session_left_idle_expires(people: Runtime, clock: FrozenClock) -> None:
    session = _sign_in(people, PASSWORD).session
    assert session is not None
    clock.advance(SESSION_IDLE)
    with pytest.raises(NotSignedIn, match="登录已过期"):
        Authenticator(people.database, people.clock).by_session(session)


def test_the_session_of_a_user_made_inactive_stops_working(people: Runtime) -> None:
    session = _sign_in(people, PASSWORD).session
    assert session is not None
    _deactivate(people, "mk1")
    with pytest.raises(NotSignedIn, match="已停用"):
        Authenticator(people.database, people.clock).by_session(session)


# --- API tokens -------------------------------------------------------------------------------


def test_a_personal_token_is_shown_once_and_stored_by_its_hash(people: Runtime) -> None:
    issued = people.execute(CreateApiToken("mk1", "我的脚本", actor="mk1"))

    assert issued.token.startswith("oft_") and issued.token.startswith(issued.prefix)
    assert (issued.kind, issued.user_id, issued.definitions) == ("personal", "mk1", ())
    assert issued.token not in repr(issued)
    with people.database.reading() as connection:
        row = connection.execute(select(api_tokens).where(api_tokens.c.id == issued.id)).one()
    assert row.token_hash == digest(issued.token) and issued.token not in str(tuple(row))
    principal = Authenticator(people.database, people.clock).by_token(issued.token)
    assert (principal.user_id, principal.via, principal.token_kind) == ("mk1", VIA_TOKEN, "personal")


def test_nobody_creates_a_personal_token_for_someone_else(people: Runtime) -> None:
    with pytest.raises(PermissionDenied, match="只能由本人创建"):
        people.execute(CreateApiToken("mk1", "冒名", actor="admin"))
    with pytest.raises(ConfigurationError, match="不限定流程定义"):
        people.execute(CreateApiToken("mk1", "x", definitions=("leave",), actor="mk1"))
    with pytest.raises(ConfigurationError, match="令牌类型"):
        people.execute(CreateApiToken("mk1", "x", kind="root", actor="mk1"))


def test_an_integration_token_needs_an_administrator_and_deployed_definitions(people: Runtime) -> None:
    with pytest.raises(PermissionDenied, match="不是系统管理员"):
        people.execute(CreateApiToken("erp", "ERP", kind="integration", definitions=("leave",), actor="mk1"))
    with pytest.raises(ConfigurationError, match="至少一个"):
        people.execute(CreateApiToken("erp", "ERP", kind="integration", actor="admin"))
    with pytest.raises(ConfigurationError, match="no_such_process"):
        people.execute(
            CreateApiToken(
                "erp", "ERP", kind="integration", definitions=("leave", "no_such_process"), actor="admin"
            )
        )
    with pytest.raises(NotFound, match="ghost"):
        people.execute(CreateApiToken("ghost", "ERP", kind="integration", definitions=("leave",)))

    issued = people.execute(
        CreateApiToken(
            user_id="erp",
            name="ERP",
            kind="integration",
            definitions=("purchase", "leave", "leave"),
            actor="admin",
        )
    )
    assert issued.definitions == ("leave", "purchase")
    principal = Authenticator(people.database, people.clock).by_token(issued.token)
    assert principal.is_integration and principal.definitions == frozenset({"leave", "purchase"})


def test_a_token_stops_working_when_it_expires(people: Runtime, clock: FrozenClock) -> None:
    with pytest.raises(ConfigurationError, match="晚于现在"):
        people.execute(CreateApiToken("mk1", "旧", expires_at=clock.now() - timedelta(days=1), actor="mk1"))
    issued = people.execute(
        CreateApiToken("mk1", "一天", expires_at=clock.now() + timedelta(days=1), actor="mk1")
    )
    authenticator = Authenticator(people.database, people.clock)
    authenticator.by_token(issued.token)

    clock.advance(timedelta(days=1))
    with pytest.raises(NotSignedIn, match="已过期"):
        authenticator.by_token(issued.token)


def test_a_revoked_token_stops_working_and_only_its_owner_or_an_administrator_revokes(
    people: Runtime,
) -> None:
    issued = people.execute(CreateApiToken("mk1", "脚本", actor="mk1"))
    authenticator = Authenticator(people.database, people.clock)

    with pytest.raises(PermissionDenied, match="吊销"):
        people.execute(RevokeApiToken(issued.id, actor="mk2"))
    authenticator.by_token(issued.token)
    revoked = people.execute(RevokeApiToken(issued.id, actor="mk1"))
    again = people.execute(RevokeApiToken(issued.id, actor="admin"))

    assert revoked.status == "revoked" and again.revoked_at == revoked.revoked_at
    with pytest.raises(NotSignedIn, match="已吊销"):
        authenticator.by_token(issued.token)
    with pytest.raises(NotFound):
        people.execute(RevokeApiToken("no-such-token"))


def test_the_token_of_a_user_made_inactive_stops_working(people: Runtime) -> None:
    issued = people.execute(CreateApiToken("mk2", "脚本", actor="mk2"))
    _deactivate(people, "mk2")
    with pytest.raises(NotSignedIn, match="已停用"):
        Authenticator(people.database, people.clock).by_token(issued.token)

"""The sign-in actions: names for the logs, retry-safe, and no password or secret in a log line or repr."""

from __future__ import annotations

import pytest

from orgflow.runtime.actions import (
    AddAccount,
    CreateApiToken,
    IssuedToken,
    RevokeApiToken,
    SetPassword,
    SignIn,
    SignInResult,
    SignOut,
    UnlockAccount,
)

SECRET = "very-secret-password"

ACTIONS = [
    AddAccount("mk1", SECRET, actor="admin"),
    SetPassword("mk1", SECRET, actor="mk1"),
    UnlockAccount("mk1", actor="admin"),
    CreateApiToken("erp", "ERP", kind="integration", definitions=("leave",), actor="admin"),
    RevokeApiToken("tok1", actor="mk1"),
    SignIn("mk1", SECRET, source="10.0.0.7"),
    SignOut(SECRET, actor="mk1"),
]


@pytest.mark.parametrize("action", ACTIONS, ids=lambda action: type(action).__name__)
def test_no_secret_reaches_a_log_line_or_a_repr(action: object) -> None:
    fields = action.log_fields()  # type: ignore[attr-defined]
    assert SECRET not in str(fields) and SECRET not in repr(action)
    assert action.retry_safe is True  # type: ignore[attr-defined]


def test_each_action_has_its_own_stable_name() -> None:
    names = [type(action).name for action in ACTIONS]  # type: ignore[attr-defined]
    assert names == [
        "add_account",
        "set_password",
        "unlock_account",
        "create_api_token",
        "revoke_api_token",
        "sign_in",
        "sign_out",
    ]


def test_a_token_is_named_by_name_yet_the_action_keeps_its_own_name() -> None:
    by_keyword = CreateApiToken(user_id="erp", name="ERP 对接", kind="integration", definitions=("leave",))
    assert by_keyword == CreateApiToken("erp", "ERP 对接", "integration", None, ("leave",))
    assert (by_keyword.name, by_keyword.token_name) == ("create_api_token", "ERP 对接")
    assert by_keyword.log_fields() == {
        "user": "erp",
        "kind": "integration",
        "definitions": ["leave"],
        "actor": None,
    }


def test_results_keep_their_secrets_out_of_repr() -> None:
    issued = IssuedToken(
        id="tok1", token="oft_secret", prefix="oft_secr", kind="personal", user_id="mk1", expires_at=None,
        definitions=(),
    )  # fmt: skip
    result = SignInResult(
        outcome="signed_in", user_id="mk1", message="已登录", session="cookie", csrf_token="csrf"
    )
    assert "oft_secret" not in repr(issued)
    assert "cookie" not in repr(result) and "csrf" not in repr(result)
    assert result.ok and not SignInResult(outcome="refused", user_id="mk1", message="x").ok

"""CSRF: a browser session's unsafe request must echo its token; tokens and safe methods need none."""

from __future__ import annotations

import pytest

from orgflow.auth.csrf import check_csrf
from orgflow.auth.principal import VIA_SESSION, VIA_TOKEN, Principal
from orgflow.errors import CsrfRefused, PermissionDenied

SESSION = Principal(user_id="mk1", via=VIA_SESSION, credential_id="h", csrf_token="the-csrf-token")
TOKEN = Principal(user_id="mk1", via=VIA_TOKEN, token_kind="personal", credential_id="tok1")


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS", "get"])
def test_safe_methods_need_no_token(method: str) -> None:
    check_csrf(SESSION, method, None)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "post"])
def test_unsafe_methods_on_a_session_need_the_sessions_token(method: str) -> None:
    check_csrf(SESSION, method, "the-csrf-token")
    with pytest.raises(CsrfRefused, match="缺少 X-CSRF-Token"):
        check_csrf(SESSION, method, None)
    with pytest.raises(CsrfRefused, match="不符"):
        check_csrf(SESSION, method, "another-token")


def test_bearer_tokens_need_no_csrf_token() -> None:
    check_csrf(TOKEN, "POST", None)


def test_a_csrf_refusal_is_a_permission_denied() -> None:
    assert issubclass(CsrfRefused, PermissionDenied)

"""The session cookie is Secure unless the browser talks plain http to this machine; the setting decides."""

from __future__ import annotations

import pytest

from orgflow.auth.cookies import cookie_is_secure, is_loopback
from orgflow.errors import ConfigurationError
from orgflow.settings import Settings


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("LocalHost", True),
        ("app.localhost", True),
        ("10.0.0.5", False),
        ("0.0.0.0", False),
        ("orgflow.example.com", False),
        ("localhost.example.com", False),
        ("", False),
    ],
)
def test_loopback_hosts_are_this_machine_only(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_automatic_means_secure_except_plain_http_on_loopback() -> None:
    assert cookie_is_secure(None, scheme="http", host="127.0.0.1") is False
    assert cookie_is_secure(None, scheme="http", host="localhost") is False
    assert cookie_is_secure(None, scheme="https", host="127.0.0.1") is True
    assert cookie_is_secure(None, scheme="http", host="orgflow.example.com") is True
    assert cookie_is_secure(None, scheme="https", host="orgflow.example.com") is True


def test_the_setting_overrides_the_automatic_choice() -> None:
    assert cookie_is_secure(True, scheme="http", host="127.0.0.1") is True
    assert cookie_is_secure(False, scheme="https", host="orgflow.example.com") is False


@pytest.mark.parametrize(
    ("value", "secure"),
    [(None, None), ("", None), ("auto", None), ("1", True), ("true", True), ("0", False), ("off", False)],
)
def test_orgflow_cookie_secure_is_read_from_the_environment(value: str | None, secure: bool | None) -> None:
    env = {} if value is None else {"ORGFLOW_COOKIE_SECURE": value}
    assert Settings.from_env(env).cookie_secure is secure


def test_a_value_that_is_not_on_off_or_auto_is_refused_naming_the_variable() -> None:
    with pytest.raises(ConfigurationError, match="ORGFLOW_COOKIE_SECURE"):
        Settings.from_env({"ORGFLOW_COOKIE_SECURE": "maybe"})

"""Random credentials: recognisable tokens, 256 random bits, only their sha256 stored."""

from __future__ import annotations

import hashlib

from orgflow.auth.secrets import SHOWN_PREFIX, TOKEN_PREFIX, digest, new_secret, new_token, same


def test_a_token_starts_with_the_prefix_and_carries_256_random_bits() -> None:
    tokens = {new_token() for _ in range(200)}

    assert len(tokens) == 200
    for token in tokens:
        assert token.startswith(TOKEN_PREFIX)
        assert len(token) == len(TOKEN_PREFIX) + 43  # 32 bytes, URL-safe base64 without padding
        assert len(token[:SHOWN_PREFIX]) < len(token) // 2  # the part shown in lists reveals little


def test_session_ids_and_csrf_tokens_are_fresh_each_time() -> None:
    secrets = {new_secret() for _ in range(200)}
    assert len(secrets) == 200
    assert all(len(secret) == 43 for secret in secrets)


def test_the_stored_form_is_the_sha256_in_hex() -> None:
    assert digest("oft_abc") == hashlib.sha256(b"oft_abc").hexdigest()
    assert digest("oft_abc") != digest("oft_abd")


def test_secrets_compare_equal_only_when_equal() -> None:
    assert same("abc", "abc") is True
    assert same("abc", "abd") is False
    assert same("abc", "abcd") is False
    assert same("令牌", "令牌") is True

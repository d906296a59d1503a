"""Password hashes: argon2id, checked without ever raising, renewed when the parameters grow."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from orgflow.auth.passwords import MIN_LENGTH, hash_password, needs_rehash, verify_password
from orgflow.errors import ConfigurationError


def test_a_password_is_stored_as_an_argon2id_hash_that_does_not_contain_it() -> None:
    stored = hash_password("correct horse battery")

    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")  # OWASP's recommended parameters
    assert "correct horse battery" not in stored
    assert hash_password("correct horse battery") != stored  # salted


def test_the_right_password_matches_and_a_wrong_one_does_not() -> None:
    stored = hash_password("correct horse battery")

    assert verify_password(stored, "correct horse battery") is True
    assert verify_password(stored, "correct horse batterY") is False
    assert verify_password(stored, "") is False


@pytest.mark.parametrize("damaged", ["", "not a hash", "$argon2id$v=19$m=1,t=1,p=1$broken"])
def test_a_damaged_hash_never_matches_and_never_raises(damaged: str) -> None:
    assert verify_password(damaged, "anything-at-all") is False
    assert needs_rehash(damaged) is True


def test_a_short_password_is_refused_with_the_minimum_named() -> None:
    with pytest.raises(ConfigurationError, match=f"至少需要 {MIN_LENGTH} 个字符"):
        hash_password("x" * (MIN_LENGTH - 1))


def test_a_hash_made_with_weaker_parameters_asks_to_be_renewed() -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("correct horse battery")

    assert verify_password(weak, "correct horse battery") is True
    assert needs_rehash(weak) is True
    assert needs_rehash(hash_password("correct horse battery")) is False

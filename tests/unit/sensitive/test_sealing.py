"""Sealing documents: the named fields become envelopes, opening restores them, rotation re-seals."""

from __future__ import annotations

import pytest

from orgflow.errors import ConfigurationError
from orgflow.sensitive.cipher import envelope_key_id, is_envelope
from orgflow.sensitive.keys import KeyRing, LazyKeyRing
from orgflow.sensitive.sealing import SensitiveData

OLD = KeyRing.single(bytes(32), "old")
FIELDS = frozenset({"customer", "cost"})


def test_only_the_sensitive_fields_are_sealed_nested_ones_too_and_they_open_again() -> None:
    sensitive = SensitiveData(LazyKeyRing.of(OLD))
    document = {"customer": "张三", "cost": 5, "product": "壶", "input": {"cost": 7}, "empty": None}

    sealed = sensitive.seal(document, FIELDS, "i1")

    assert (
        is_envelope(sealed["customer"])
        and is_envelope(sealed["cost"])
        and is_envelope(sealed["input"]["cost"])
    )
    assert (sealed["product"], sealed["empty"]) == ("壶", None)
    assert sensitive.seal(sealed, FIELDS, "i1") == sealed  # sealing twice changes nothing
    assert sensitive.open(sealed, "i1") == document


def test_nothing_to_do_costs_no_copy_and_no_keys() -> None:
    sensitive = SensitiveData()  # no keys configured: refused only if a key is needed
    document = {"product": "壶"}

    assert sensitive.sealer(frozenset(), "i1") is None
    assert sensitive.seal(document, frozenset(), "i1") is document
    assert sensitive.open(document, "i1") is document
    with pytest.raises(ConfigurationError, match="没有配置加密密钥"):
        sensitive.seal({"cost": 1}, FIELDS, "i1")


def test_reseal_moves_every_envelope_to_the_current_key_once() -> None:
    keys = LazyKeyRing.of(OLD)
    sensitive = SensitiveData(keys)
    sealed = sensitive.seal({"customer": "张三", "input": {"cost": 7}}, FIELDS, "i1")
    keys.replace(OLD.with_current("new", bytes([7]) * 32))

    resealed, count = sensitive.reseal(sealed, "i1")
    again, none = sensitive.reseal(resealed, "i1")

    assert count == 2 and none == 0 and again is resealed
    assert {envelope_key_id(resealed["customer"]), envelope_key_id(resealed["input"]["cost"])} == {"new"}
    assert sensitive.open(resealed, "i1") == {"customer": "张三", "input": {"cost": 7}}

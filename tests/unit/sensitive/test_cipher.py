"""AES-GCM envelopes: a round trip keeps the value and its JSON type; anything else is refused clearly."""

from __future__ import annotations

from datetime import date

import pytest

from orgflow.errors import ConfigurationError, SensitiveDataUnreadable
from orgflow.sensitive.cipher import ENVELOPE, FieldCipher, envelope_key_id, is_envelope
from orgflow.sensitive.keys import KeyRing

RING = KeyRing.single(bytes(32), "k1")
CIPHER = FieldCipher(RING)


@pytest.mark.parametrize("value", ["华东某经销商张三", 250000, 12.5, True, ["a", 1], {"x": None}, ""])
def test_a_value_comes_back_as_it_went_in(value: object) -> None:
    sealed = CIPHER.seal(value, field="customer", instance_id="i1")

    assert is_envelope(sealed) and envelope_key_id(sealed) == "k1"
    assert CIPHER.open(sealed, field="customer", instance_id="i1") == value


def test_dates_are_sealed_as_the_column_would_hold_them() -> None:
    sealed = CIPHER.seal(date(2026, 11, 22), field="due", instance_id="i1")

    assert CIPHER.open(sealed, field="due", instance_id="i1") == "2026-11-22"


def test_the_same_value_seals_differently_each_time() -> None:
    one, two = (CIPHER.seal("13912345678", field="phone", instance_id="i1") for _ in range(2))

    assert one != two
    assert "13912345678" not in one[ENVELOPE]


@pytest.mark.parametrize(("field", "instance_id"), [("cost", "i1"), ("customer", "i2")])
def test_a_value_moved_to_another_field_or_instance_does_not_open(field: str, instance_id: str) -> None:
    sealed = CIPHER.seal("secret", field="customer", instance_id="i1")

    with pytest.raises(
        SensitiveDataUnreadable, match=f"流程实例 {instance_id} 的敏感字段 {field} 无法用密钥 k1 解密"
    ):
        CIPHER.open(sealed, field=field, instance_id=instance_id)


def test_another_key_under_the_same_id_is_refused() -> None:
    sealed = CIPHER.seal("secret", field="customer", instance_id="i1")
    other = FieldCipher(KeyRing.single(bytes([1]) * 32, "k1"))

    with pytest.raises(SensitiveDataUnreadable, match="密钥不对"):
        other.open(sealed, field="customer", instance_id="i1")


def test_an_altered_envelope_is_refused() -> None:
    sealed = CIPHER.seal("secret", field="customer", instance_id="i1")
    text = sealed[ENVELOPE]
    altered = {ENVELOPE: text[:-6] + ("AAAA" if text[-6:-2] != "AAAA" else "BBBB") + text[-2:]}

    with pytest.raises(SensitiveDataUnreadable):
        CIPHER.open(altered, field="customer", instance_id="i1")


def test_a_key_missing_from_the_ring_is_named() -> None:
    sealed = FieldCipher(KeyRing.single(bytes(32), "gone")).seal(1, field="cost", instance_id="i1")

    with pytest.raises(ConfigurationError, match="密钥 gone 加密，但密钥环中没有它"):
        CIPHER.open(sealed, field="cost", instance_id="i1")


@pytest.mark.parametrize("text", ["v2:k1:AAAA", "v1:k1", "nonsense"])
def test_an_unknown_format_is_refused(text: str) -> None:
    with pytest.raises(SensitiveDataUnreadable, match="加密格式无法识别"):
        CIPHER.open({ENVELOPE: text}, field="cost", instance_id="i1")

"""Key rings: from the variable, a file, or a key file made on first use (0600); bad keys named."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest

from orgflow.errors import ConfigurationError
from orgflow.sensitive.keys import KeyRing, encode_key, fingerprint, key_source, new_key, parse_key_ring
from orgflow.settings import Settings

A, B = bytes(32), bytes([1]) * 32


def test_one_key_is_named_by_its_fingerprint_and_several_keep_their_order() -> None:
    one = parse_key_ring(encode_key(A), source="x")
    two = parse_key_ring(f"new:{encode_key(B)}, old:{encode_key(A)}", source="x")

    assert (one.current, dict(one.keys)) == (fingerprint(A), {fingerprint(A): A})
    assert (two.current, two.key("old"), two.key("new")) == ("new", A, B)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "没有加密密钥"),
        ("k1:not base64!", "第 1 个密钥不是 base64"),
        (base64.b64encode(b"short").decode(), "应为 32 字节，而是 5 字节"),
        (f"a:{encode_key(A)},a:{encode_key(B)}", "编号 a 重复"),
        (f"a b:{encode_key(A)}", "只能含字母、数字"),
    ],
)
def test_unusable_keys_are_refused_naming_which(text: str, says: str) -> None:
    with pytest.raises(ConfigurationError, match=says):
        parse_key_ring(text, source="ORGFLOW_ENCRYPTION_KEY")


def test_the_ring_never_shows_its_keys() -> None:
    ring = KeyRing.single(A, "k1")

    assert encode_key(A) not in repr(ring) and "k1" in repr(ring)
    assert "encryption_key=" not in repr(Settings(database_url="x", home=Path("h"), encryption_key="secret"))


def test_the_embedded_default_creates_a_private_key_file_once(tmp_path: Path) -> None:
    source = key_source(Settings(database_url="sqlite://", home=tmp_path))

    first = source.load()
    second = source.load()

    assert first == second
    assert stat.S_IMODE((tmp_path / "encryption.key").stat().st_mode) == 0o600


def test_the_variable_wins_and_a_named_file_must_exist(tmp_path: Path) -> None:
    text = f"env:{encode_key(A)}"
    from_env = key_source(Settings.from_env({"ORGFLOW_HOME": str(tmp_path), "ORGFLOW_ENCRYPTION_KEY": text}))
    missing = key_source(Settings.from_env({"ORGFLOW_ENCRYPTION_KEY_FILE": str(tmp_path / "none.key")}))

    assert from_env.load().current == "env" and not from_env.writable
    with pytest.raises(ConfigurationError, match=r"none\.key 不存在"):
        missing.load()
    assert not (tmp_path / "encryption.key").exists()


def test_a_rotated_ring_is_saved_with_the_new_key_first(tmp_path: Path) -> None:
    source = key_source(Settings.from_env({"ORGFLOW_ENCRYPTION_KEY_FILE": str(tmp_path / "keys")}))
    (tmp_path / "keys").write_text(f"old:{encode_key(A)}\n", encoding="utf-8")
    key = new_key()

    source.save(source.load().with_current("new", key))

    again = source.load()
    assert (again.current, again.key("new"), again.key("old")) == ("new", key, A)
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o600

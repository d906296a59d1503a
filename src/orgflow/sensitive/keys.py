"""The keys sensitive fields are encrypted with: a key ring of 256-bit AES keys by id, one of them current.

Where the keys come from (:func:`key_ring_for`), first match wins:

- ``ORGFLOW_ENCRYPTION_KEY``: ``<base64>`` (one key) or ``id:base64,id:base64`` (the
  first is current; the others still open what they sealed);
- ``ORGFLOW_ENCRYPTION_KEY_FILE``: a file with the same text, one key per line or comma;
- neither: ``<home>/encryption.key``, created with a new key (mode 0600) the first time a
  sensitive field is written. Back it up with the database: without it, the sensitive
  fields cannot be read again.

A key without an id is named by its fingerprint (the first 8 hex digits of its
SHA-256), so the same key always has the same id. Rotation (``orgflow keys rotate``)
puts a new key first and re-encrypts; the old key may be removed from the ring once
``orgflow keys status`` shows nothing sealed with it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import os
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Final

from orgflow.errors import ConfigurationError
from orgflow.settings import Settings
from orgflow.store.atomic_files import write_atomically

logger = logging.getLogger("orgflow.sensitive")

#: AES-256: 32 bytes of key.
KEY_BYTES: Final = 32
#: The key file used when neither variable is set, inside the home folder.
DEFAULT_KEY_FILE: Final = "encryption.key"
#: A key id: letters, digits, ``-`` and ``_`` (it is written into every envelope, before a ``:``).
_KEY_ID: Final = re.compile(r"[A-Za-z0-9_-]{1,32}")


@dataclass(frozen=True, slots=True)
class KeyRing:
    """Keys by id; ``current`` seals new values, every key opens what it sealed.

    Attributes:
        current: The id of the key new values are sealed with.
        keys: Every key by id (the current one among them).
    """

    current: str
    keys: Mapping[str, bytes]

    def __post_init__(self) -> None:
        if self.current not in self.keys:
            raise ConfigurationError(f"当前加密密钥 {self.current} 不在密钥环中")
        for key_id, key in self.keys.items():
            if len(key) != KEY_BYTES:
                raise ConfigurationError(
                    f"加密密钥 {key_id} 应为 {KEY_BYTES} 字节（base64 编码），而是 {len(key)} 字节"
                )

    def __repr__(self) -> str:
        return f"KeyRing(current={self.current!r}, ids={sorted(self.keys)!r})"  # never the keys

    @classmethod
    def single(cls, key: bytes, key_id: str | None = None) -> KeyRing:
        """A ring of one key (named by its fingerprint unless ``key_id`` is given)."""
        name = key_id or fingerprint(key)
        return cls(current=name, keys=MappingProxyType({name: key}))

    def key(self, key_id: str) -> bytes:
        """The key with this id.

        Raises:
            ConfigurationError: The ring has no such key (it was retired too early, or is missing).
        """
        found = self.keys.get(key_id)
        if found is None:
            raise ConfigurationError(
                f"敏感字段用密钥 {key_id} 加密，但密钥环中没有它（现有：{'、'.join(sorted(self.keys))}）；"
                "请把该密钥加回 ORGFLOW_ENCRYPTION_KEY 或密钥文件"
            )
        return found

    def with_current(self, key_id: str, key: bytes) -> KeyRing:
        """This ring with ``key`` added (or kept) and made current."""
        return KeyRing(current=key_id, keys=MappingProxyType({key_id: key, **self.keys}))

    def text(self) -> str:
        """The ring as key-file text: one ``id:base64`` line per key, the current one first."""
        order = [self.current, *sorted(key_id for key_id in self.keys if key_id != self.current)]
        return "".join(f"{key_id}:{encode_key(self.keys[key_id])}\n" for key_id in order)


def fingerprint(key: bytes) -> str:
    """The id of a key given without one: the first 8 hex digits of its SHA-256."""
    return hashlib.sha256(key).hexdigest()[:8]


def new_key() -> bytes:
    """32 random bytes from the operating system's generator."""
    return secrets.token_bytes(KEY_BYTES)


def encode_key(key: bytes) -> str:
    """A key as base64 text (what the variable and the file hold)."""
    return base64.b64encode(key).decode("ascii")


def parse_key_ring(text: str, *, source: str) -> KeyRing:
    """Read ``base64`` or ``id:base64`` entries separated by commas or lines; the first is current.

    Raises:
        ConfigurationError: No key, an entry that is not base64 of 32 bytes, a bad or repeated id
            (the message names ``source`` and the entry, never the key).
    """
    keys: dict[str, bytes] = {}
    current: str | None = None
    entries = [
        part.strip() for part in re.split(r"[,\n]", text) if part.strip() and not part.strip().startswith("#")
    ]
    for number, entry in enumerate(entries, start=1):
        key_id, colon, encoded = entry.rpartition(":")
        if not colon:
            key_id, encoded = "", entry
        try:
            key = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise ConfigurationError(f"{source} 的第 {number} 个密钥不是 base64 文本") from None
        if len(key) != KEY_BYTES:
            raise ConfigurationError(
                f"{source} 的第 {number} 个密钥应为 {KEY_BYTES} 字节，而是 {len(key)} 字节"
                "（orgflow keys generate 可生成一个）"
            )
        key_id = key_id.strip() or fingerprint(key)
        if not _KEY_ID.fullmatch(key_id):
            raise ConfigurationError(f"{source} 的第 {number} 个密钥编号 {key_id!r} 只能含字母、数字、- 和 _")
        if key_id in keys:
            raise ConfigurationError(f"{source} 中密钥编号 {key_id} 重复")
        keys[key_id] = key
        current = current or key_id
    if current is None:
        raise ConfigurationError(f"{source} 中没有加密密钥（orgflow keys generate 可生成一个）")
    return KeyRing(current=current, keys=MappingProxyType(keys))


@dataclass(frozen=True, slots=True)
class KeySource:
    """Where a runtime's keys are: the variable's text, or a file (created on first use if ``create``).

    Attributes:
        text: ``ORGFLOW_ENCRYPTION_KEY``'s value, if set.
        file: The key file otherwise.
        create: Whether a missing file is created with a new key (the embedded default only).
    """

    text: str | None
    file: Path
    create: bool

    @property
    def writable(self) -> bool:
        """Whether rotation can add a key here (a file; the variable is the operator's to change)."""
        return self.text is None

    def describe(self) -> str:
        """Where the keys are, for messages."""
        return "环境变量 ORGFLOW_ENCRYPTION_KEY" if self.text is not None else f"密钥文件 {self.file}"

    def load(self) -> KeyRing:
        """Read the ring, creating the default key file first if it is missing and allowed.

        Raises:
            ConfigurationError: The keys are unusable, or the named key file does not exist.
        """
        if self.text is not None:
            return parse_key_ring(self.text, source="ORGFLOW_ENCRYPTION_KEY")
        if not self.file.exists():
            if not self.create:
                raise ConfigurationError(f"加密密钥文件 {self.file} 不存在（ORGFLOW_ENCRYPTION_KEY_FILE）")
            self._create()
        try:
            text = self.file.read_text(encoding="utf-8")
        except OSError as error:
            raise ConfigurationError(f"无法读取加密密钥文件 {self.file}：{error.strerror}") from None
        return parse_key_ring(text, source=f"密钥文件 {self.file}")

    def _create(self) -> None:
        """Write a new one-key file, unless another process just did (then its key is used)."""
        ring = KeyRing.single(new_key())
        try:
            self.file.parent.mkdir(parents=True, exist_ok=True)
            descriptor = os.open(self.file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return
        except OSError as error:
            raise ConfigurationError(f"无法创建加密密钥文件 {self.file}：{error.strerror}") from None
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(ring.text())
            handle.flush()
            os.fsync(handle.fileno())
        logger.info(  # not on stderr: commands' output stays as it was; the file is in the docs
            "created encryption key file",
            extra={"action": "create_key_file", "file": str(self.file), "key_id": ring.current},
        )

    def save(self, ring: KeyRing) -> None:
        """Write the ring to the key file (readable by its owner only), replacing it whole.

        Raises:
            ConfigurationError: The keys come from the variable, or the file cannot be written.
        """
        if not self.writable:
            raise ConfigurationError("加密密钥来自环境变量 ORGFLOW_ENCRYPTION_KEY，请由运维修改该变量")

        def write(path: Path) -> None:
            os.chmod(path, 0o600)
            path.write_text(ring.text(), encoding="utf-8")

        try:
            write_atomically(self.file, write)
        except OSError as error:
            raise ConfigurationError(f"无法写入加密密钥文件 {self.file}：{error.strerror}") from None


def key_source(settings: Settings) -> KeySource:
    """Where ``settings`` say the keys are (see the module docstring for the order)."""
    if settings.encryption_key:
        return KeySource(text=settings.encryption_key, file=settings.home / DEFAULT_KEY_FILE, create=False)
    if settings.encryption_key_file is not None:
        return KeySource(text=None, file=settings.encryption_key_file, create=False)
    return KeySource(text=None, file=settings.home / DEFAULT_KEY_FILE, create=True)


class LazyKeyRing:
    """A key ring read the first time it is needed: a runtime without sensitive fields never touches keys."""

    __slots__ = ("_load", "_ring")

    def __init__(self, load: Callable[[], KeyRing]) -> None:
        self._load = load
        self._ring: KeyRing | None = None

    @classmethod
    def of(cls, ring: KeyRing) -> LazyKeyRing:
        """One that is already loaded."""
        lazy = cls(lambda: ring)
        lazy._ring = ring
        return lazy

    def get(self) -> KeyRing:
        """The ring, read now if it was not yet."""
        if self._ring is None:
            self._ring = self._load()
        return self._ring

    def replace(self, ring: KeyRing) -> None:
        """Use ``ring`` from now on (after a rotation)."""
        self._ring = ring

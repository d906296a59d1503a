r"""One sensitive value sealed with AES-GCM into an envelope that stays a JSON value: ``{"$enc": "v1:…"}``.

The envelope's text is ``v1:<key id>:<base64 of nonce + ciphertext + tag>``:

- ``v1``: this format (AES-256-GCM, 96-bit random nonce, the value as JSON text);
- the key id: which key of the ring opens it, so rotation can re-encrypt at its own
  pace and old envelopes stay readable meanwhile;
- associated data ``<instance id>\x1f<field>``: an envelope copied to another field or
  another instance does not open (GCM authenticates it without storing it).

The value is sealed as its JSON text, so a number comes back a number and a list a list.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Mapping
from typing import Any, Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from orgflow.errors import SensitiveDataUnreadable
from orgflow.sensitive.keys import KeyRing
from orgflow.store.database import dump_json

#: The one key of an envelope object.
ENVELOPE: Final = "$enc"
#: The format written today.
VERSION: Final = "v1"
_NONCE_BYTES: Final = 12


def is_envelope(value: Any) -> bool:
    """Whether ``value`` is a sealed value (a one-key mapping ``{"$enc": "v1:…"}``)."""
    return type(value) is dict and len(value) == 1 and ENVELOPE in value


def envelope_key_id(envelope: Mapping[str, Any]) -> str:
    """The id of the key that sealed ``envelope`` (``""`` if it is not of a known format)."""
    version, _, rest = str(envelope.get(ENVELOPE, "")).partition(":")
    return rest.partition(":")[0] if version == VERSION else ""


def _associated(instance_id: str, field: str) -> bytes:
    return f"{instance_id}\x1f{field}".encode()


class FieldCipher:
    """Seals and opens single values with a key ring's keys (AESGCM objects kept per key)."""

    __slots__ = ("_aead", "ring")

    def __init__(self, ring: KeyRing) -> None:
        self.ring = ring
        self._aead: dict[str, AESGCM] = {}

    def _for(self, key_id: str) -> AESGCM:
        aead = self._aead.get(key_id)
        if aead is None:
            aead = self._aead[key_id] = AESGCM(self.ring.key(key_id))
        return aead

    def seal(self, value: Any, *, field: str, instance_id: str) -> dict[str, str]:
        """``value`` encrypted with the current key, bound to ``field`` of ``instance_id``."""
        key_id = self.ring.current
        nonce = os.urandom(_NONCE_BYTES)
        plain = dump_json(value).encode()  # as the column would hold it: dates as ISO text
        sealed = self._for(key_id).encrypt(nonce, plain, _associated(instance_id, field))
        return {ENVELOPE: f"{VERSION}:{key_id}:{base64.b64encode(nonce + sealed).decode('ascii')}"}

    def open(self, envelope: Mapping[str, Any], *, field: str, instance_id: str) -> Any:
        """The value sealed in ``envelope`` for ``field`` of ``instance_id``.

        Raises:
            SensitiveDataUnreadable: Not an envelope of a known format, or it does not open with its
                key (another key, another field or instance, or altered); names the field and instance.
            ConfigurationError: The key it names is not in the ring.
        """
        version, _, rest = str(envelope.get(ENVELOPE, "")).partition(":")
        key_id, _, body = rest.partition(":")
        where = f"流程实例 {instance_id} 的敏感字段 {field}"
        if version != VERSION or not key_id or not body:
            raise SensitiveDataUnreadable(f"{where} 的加密格式无法识别")
        aead = self._for(key_id)
        try:
            raw = base64.b64decode(body, validate=True)
            plain = aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], _associated(instance_id, field))
        except (binascii.Error, ValueError, InvalidTag):
            raise SensitiveDataUnreadable(
                f"{where} 无法用密钥 {key_id} 解密：密钥不对，或数据被移动、改动过"
            ) from None
        return json.loads(plain)

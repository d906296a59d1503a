"""Sensitive fields in JSON documents: sealed where form data is stored, opened where the engine reads it.

A document (instance data, a work item's submitted form, a history row's data)
is walked for keys naming sensitive fields; each value found (nested ones too,
such as a call's ``input``) is replaced by its envelope
(:mod:`orgflow.sensitive.cipher`). Opening walks for envelopes, whatever
the definition says today, so data sealed under an older version still opens.
Both return the document itself when there is nothing to do: a definition
without sensitive fields costs one empty-set check per save and nothing per load.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from orgflow.errors import ConfigurationError
from orgflow.sensitive.cipher import FieldCipher, envelope_key_id, is_envelope
from orgflow.sensitive.keys import KeyRing, LazyKeyRing

#: Seals one document for one instance (bound to the definition's sensitive fields).
Sealer = Callable[[Any], Any]


def _no_keys() -> KeyRing:
    raise ConfigurationError("该流程含敏感字段，但没有配置加密密钥（ORGFLOW_ENCRYPTION_KEY 或密钥文件）")


class SensitiveData:
    """A runtime's sealing and opening of sensitive fields, with its key ring (read on first use).

    Args:
        keys: The key ring, read lazily; the default refuses (no keys configured).
    """

    __slots__ = ("_cipher", "keys")

    def __init__(self, keys: LazyKeyRing | None = None) -> None:
        self.keys = keys or LazyKeyRing(_no_keys)
        self._cipher: FieldCipher | None = None

    @property
    def cipher(self) -> FieldCipher:
        """The cipher over the current ring (rebuilt when the ring was replaced)."""
        ring = self.keys.get()
        if self._cipher is None or self._cipher.ring is not ring:
            self._cipher = FieldCipher(ring)
        return self._cipher

    def sealer(self, fields: Collection[str], instance_id: str) -> Sealer | None:
        """What seals ``instance_id``'s documents; ``None`` when ``fields`` is empty (nothing to seal)."""
        if not fields:
            return None
        return lambda document: self.seal(document, fields, instance_id)

    def seal(self, document: Any, fields: Collection[str], instance_id: str) -> Any:
        """``document`` with the values of ``fields`` sealed (already sealed ones and ``None`` kept)."""
        if not fields or document is None:
            return document
        cipher = self.cipher

        def walk(value: Any) -> Any:
            if isinstance(value, Mapping):
                if is_envelope(value):
                    return value
                changed = False
                out: dict[str, Any] = {}
                for name, item in value.items():
                    if name in fields and item is not None and not is_envelope(item):
                        new = cipher.seal(item, field=name, instance_id=instance_id)
                    else:
                        new = walk(item)
                    changed = changed or new is not item
                    out[name] = new
                return out if changed else value
            if isinstance(value, list):
                items = [walk(item) for item in value]
                return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
            return value

        return walk(document)

    def open(self, document: Any, instance_id: str) -> Any:
        """``document`` with every envelope in it opened (the document itself when it has none).

        Raises:
            SensitiveDataUnreadable: An envelope does not open (wrong key, moved or altered).
            ConfigurationError: An envelope names a key the ring does not have.
        """
        if not document:
            return document
        return self.rewrite(  # the keys are read only when an envelope is found
            document, lambda name, envelope: self.cipher.open(envelope, field=name, instance_id=instance_id)
        )

    def reseal(self, document: Any, instance_id: str) -> tuple[Any, int]:
        """``document`` with the envelopes not sealed by the current key sealed again by it, and how many.

        What key rotation does to each stored document; re-running it changes nothing more.
        """
        cipher = self.cipher
        current = cipher.ring.current
        count = 0

        def again(name: str, envelope: Mapping[str, Any]) -> Any:
            nonlocal count
            if envelope_key_id(envelope) == current:
                return envelope
            count += 1
            value = cipher.open(envelope, field=name, instance_id=instance_id)
            return cipher.seal(value, field=name, instance_id=instance_id)

        return self.rewrite(document, again), count

    @staticmethod
    def rewrite(document: Any, change: Callable[[str, Mapping[str, Any]], Any]) -> Any:
        """``document`` with ``change(field, envelope)`` put in place of each envelope under a key."""

        def walk(value: Any) -> Any:
            if isinstance(value, Mapping):
                changed = False
                out: dict[str, Any] = {}
                for name, item in value.items():
                    new = change(name, item) if is_envelope(item) else walk(item)
                    changed = changed or new is not item
                    out[name] = new
                return out if changed else value
            if isinstance(value, list):
                items = [walk(item) for item in value]
                return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
            return value

        return walk(document)

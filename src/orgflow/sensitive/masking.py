"""How a sensitive value is shown to someone who may not see it: ``***``, or a phone number's ends.

One rule everywhere (views, lists, notifications, archives, exports): a value that
looks like a phone number (7 to 15 digits, perhaps with ``+``, ``-`` or spaces)
keeps its first 3 and last 4 digits, ``138****5678``, so people can still tell
numbers apart on the phone; anything else becomes ``***``. Nothing about the value
(not its length, not its type) shows through otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any, Final

#: What a masked value reads.
MASK: Final = "***"
_PHONE: Final = re.compile(r"\+?[0-9][0-9 -]{5,18}[0-9]")


def mask_value(value: Any) -> str | None:
    """The masked form of one value (``None`` stays ``None``: an empty field is not a secret)."""
    if value is None:
        return None
    if isinstance(value, str) and _PHONE.fullmatch(value.strip()):
        digits = re.sub(r"[^0-9]", "", value)
        if 7 <= len(digits) <= 15:
            return f"{digits[:3]}****{digits[-4:]}"
    return MASK


def masked(document: Any, fields: Collection[str]) -> Any:
    """``document`` with the values of ``fields`` masked wherever they occur as keys (nested ones too).

    Returns ``document`` itself when nothing in it is masked, so views without
    sensitive values are not copied.
    """
    if not fields:
        return document
    if isinstance(document, Mapping):
        changed = False
        out: dict[str, Any] = {}
        for name, value in document.items():
            if name in fields:
                new = mask_value(value)
            else:
                new = masked(value, fields)
            changed = changed or new is not value
            out[name] = new
        return out if changed else document
    if isinstance(document, list | tuple):
        items = [masked(item, fields) for item in document]
        if any(new is not old for new, old in zip(items, document, strict=True)):
            return type(document)(items) if isinstance(document, tuple) else items
        return document
    return document

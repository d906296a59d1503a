"""File and folder names made safe: no folder parts, no control or reserved characters, bounded length.

Names come from users (an uploaded file's name) and from instance data (an
archive folder's name); both end up as paths under ``<home>``, so whatever
is written, the result is one plain name that cannot climb out of its folder.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

#: Longest name kept, in characters (file systems allow 255 bytes; Chinese takes 3 each in UTF-8).
MAX_CHARS: Final = 80
#: Characters Windows refuses in names, plus both slashes; replaced by ``_``.
_UNSAFE: Final = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
#: Names Windows reserves whatever the extension.
_RESERVED: Final = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(1, 10)), *(f"lpt{n}" for n in range(1, 10))}
)


def safe_name(name: str, *, fallback: str = "未命名") -> str:
    r"""One safe file or folder name for ``name``: only its last path part, cleaned; ``fallback`` if empty.

    ``../../etc/passwd`` → ``passwd``; ``C:\报告\方案.pdf`` → ``方案.pdf``; ``a:b`` → ``a_b``.
    The extension is kept when the name is shortened.
    """
    text = unicodedata.normalize("NFC", name)
    text = re.split(r"[\\/]", text)[-1]
    text = _UNSAFE.sub("_", text).strip().strip(".").strip()
    if not text:
        return fallback
    stem, dot, extension = text.rpartition(".")
    if not dot:
        stem, extension = text, ""
    if stem.lower() in _RESERVED or (not stem and extension.lower() in _RESERVED):
        text = f"_{text}"
    if len(text) > MAX_CHARS:
        tail = f".{extension}" if dot and len(extension) <= 10 else ""
        text = text[: MAX_CHARS - len(tail)].rstrip(". ") + tail
    return text


def safe_folder_name(text: str, *, fallback: str) -> str:
    """A folder name built from text that may hold slashes (instance data): they become ``_``, not folders."""
    return safe_name(re.sub(r"[\\/]", "_", text), fallback=fallback)


def extension_of(name: str) -> str:
    """The lower-case extension of a name without the dot; ``""`` when it has none."""
    stem, dot, extension = name.rpartition(".")
    return extension.lower() if dot and stem else ""

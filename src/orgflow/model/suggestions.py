"""Did-you-mean hints: most unknown names in a definition are typos of a known one."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(name: str, known: Iterable[str]) -> str | None:
    """``是不是想写 assignee？`` for the known name closest to ``name``, or ``None`` if none is close."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"是不是想写 {close[0]}？" if close else None

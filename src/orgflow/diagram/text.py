"""Fitting text into boxes without a font engine: widths estimated per character, lines broken to fit.

CJK characters are about one em wide and Latin ones a little over half, which
is close enough for the sans-serif fonts diagrams are shown in. Chinese breaks
between any two characters; Latin text breaks at spaces where it can.
"""

from __future__ import annotations

import unicodedata

ELLIPSIS = "…"
#: Punctuation that must not begin a line, and that which must not end one.
CLOSING = frozenset("）」』】》〉，。、；：！？)]},.;:!?%")
OPENING = frozenset("（「『【《〈([{")


def char_width(char: str, size: float) -> float:
    """Estimated advance of one character at a font size."""
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return size
    if char in "il.,:;'|!":
        return size * 0.3
    if char.isupper() or char in "mwMW@%":
        return size * 0.72
    return size * 0.56


def text_width(text: str, size: float) -> float:
    """Estimated width of a line of text."""
    return sum(char_width(char, size) for char in text)


def shortened(text: str, width: float, size: float) -> str:
    """The text, cut with … so that it fits the width."""
    if text_width(text, size) <= width:
        return text
    kept = ""
    for char in text:
        if text_width(kept + char + ELLIPSIS, size) > width:
            break
        kept += char
    return kept.rstrip() + ELLIPSIS


def wrapped(text: str, width: float, size: float, max_lines: int) -> list[str]:
    """Lines of at most ``width``; the last of ``max_lines`` ends with … when text is left over."""
    lines: list[str] = []
    rest = " ".join(text.split())
    while rest and len(lines) < max_lines:
        line = _fitting_prefix(rest, width, size)
        lines.append(line.strip())
        rest = rest[len(line) :].lstrip()
    if rest and lines:
        lines[-1] = shortened(lines[-1] + rest, width, size)
    return lines


def _fitting_prefix(text: str, width: float, size: float) -> str:
    """The longest start of the text that fits, broken at a space when the cut falls inside a word."""
    used = 0.0
    end = 0
    for index, char in enumerate(text):
        used += char_width(char, size)
        if used > width:
            break
        end = index + 1
    else:
        return text
    end = max(end, 1)
    if end < len(text) and text[end] in CLOSING:
        return text[: end + 1]  # closing punctuation hangs at the line's end rather than start the next
    if end > 1 and text[end - 1] in OPENING:
        return text[: end - 1]
    inside_word = end < len(text) and text[end - 1].isascii() and text[end].isascii()
    if inside_word and text[end - 1] != " " and text[end] != " ":
        space = text.rfind(" ", 0, end)
        if space > 0:
            return text[: space + 1]
    return text[:end]

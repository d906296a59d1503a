"""Page text in Simplified Chinese by default, English on request.

Templates and page code write their text in Chinese, ``_("待办")``; the
Chinese is the key. An English page looks each text up in the catalogs in
``locales/en/*.json`` (one file per area of the UI, merged, so each page's
text lives beside the others of its kind); a text with no English entry
stays Chinese, and a test lists every such gap. Placeholders use
``str.format`` names: ``_("共 {n} 条", n=3)``. Text kept in Python
constants and translated when shown is marked ``N_("待办")`` so the test
finds it too.

The locale is the ``orgflow_lang`` cookie (set by ``/lang``), else the
server's default (``Settings.locale``).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any, Final

#: Locales the pages speak; the first is the default.
LOCALES: Final = ("zh-CN", "en")

#: The cookie remembering a person's choice of language.
LANG_COOKIE: Final = "orgflow_lang"

_CATALOGS: Final = Path(__file__).parent / "locales"


def known_locale(value: str | None, default: str = LOCALES[0]) -> str:
    """``value`` if it is one of :data:`LOCALES` (``en-US`` counts as ``en``), else ``default``."""
    if not value:
        return default
    if value in LOCALES:
        return value
    if value.lower().startswith("en"):
        return "en"
    if value.lower().startswith("zh"):
        return "zh-CN"
    return default


@cache
def catalog(locale: str) -> dict[str, str]:
    """Chinese text → its translation for ``locale``, from every catalog file of that locale."""
    merged: dict[str, str] = {}
    folder = _CATALOGS / locale
    if folder.is_dir():
        for path in sorted(folder.glob("*.json")):
            merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def translate(text: str, locale: str, **values: Any) -> str:
    """``text`` in ``locale`` (Chinese when no translation is known), its placeholders filled."""
    shown = text if locale == LOCALES[0] else catalog(locale).get(text, text)
    return shown.format(**values) if values else shown


def N_(text: str) -> str:
    """Mark ``text`` as page text translated later (a label in a table of constants); returns it as is."""
    return text


class Translator:
    """``_`` bound to one request's locale, for templates and page code."""

    __slots__ = ("locale",)

    def __init__(self, locale: str) -> None:
        self.locale = locale

    def __call__(self, text: str, **values: Any) -> str:
        """``text`` in this request's locale."""
        return translate(text, self.locale, **values)

    @property
    def html_lang(self) -> str:
        """The page's ``lang`` attribute."""
        return "zh-CN" if self.locale == "zh-CN" else "en"

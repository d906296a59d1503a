"""Every text the pages show has an English translation, and translation itself behaves."""

from __future__ import annotations

import re
from pathlib import Path

import orgflow.web
from orgflow.web.i18n import Translator, catalog, known_locale, translate

WEB = Path(orgflow.web.__file__).parent

#: ``_("…")``, ``page.t("…")``, ``t("…")`` and ``N_("…")`` with a literal first argument.
_MARKED = re.compile(r"""(?:\b_|\bN_|\.t|\bt)\(\s*(?P<q>["'])(?P<text>.+?)(?P=q)""")


def marked_texts() -> dict[str, str]:
    """Every marked text in the web package's templates and code, with the first file it is in."""
    found: dict[str, str] = {}
    for path in sorted([*WEB.rglob("*.html"), *WEB.rglob("*.py")]):
        if path.name == "i18n.py":  # its docstring shows examples
            continue
        for match in _MARKED.finditer(path.read_text(encoding="utf-8")):
            text = match.group("text")
            if re.search(r"[\u4e00-\u9fff]", text):
                found.setdefault(text, str(path.relative_to(WEB)))
    return found


def test_every_page_text_has_an_english_translation() -> None:
    english = catalog("en")
    missing = {text: where for text, where in marked_texts().items() if text not in english}
    assert not missing, f"texts without an English entry in web/locales/en/*.json: {missing}"


def test_the_scan_finds_the_texts_of_the_base_page() -> None:
    texts = marked_texts()
    assert "跳到正文" in texts and "我的工作" in texts and "已超时" in texts


def test_translations_keep_their_placeholders() -> None:
    for chinese, english in catalog("en").items():
        assert set(re.findall(r"{(\w+)}", chinese)) == set(re.findall(r"{(\w+)}", english)), chinese


def test_chinese_is_the_default_and_unknown_text_stays_chinese() -> None:
    assert translate("待办", "zh-CN") == "待办"
    assert translate("待办", "en") == "To do"
    assert translate("从未翻译过的话", "en") == "从未翻译过的话"
    assert Translator("en")("第 {n} / {total} 页", n=2, total=5) == "Page 2 of 5"
    assert Translator("zh-CN")("第 {n} / {total} 页", n=2, total=5) == "第 2 / 5 页"


def test_locales_are_read_leniently() -> None:
    assert known_locale("en-US") == "en"
    assert known_locale("zh-TW") == "zh-CN"
    assert known_locale("fr") == "zh-CN"
    assert known_locale(None, "en") == "en"

"""Notification templates (Jinja2), per event and locale, overridable by administrators without code.

Each locale has ``events.yaml`` (a title and a one-line summary per event) and
one body layout per format: ``message.txt.j2``, ``message.md.j2`` (robots) and
``message.html.j2`` (email, autoescaped). A file of the same name under
``<home>/templates/<locale>/`` replaces the built-in one. A broken template is
reported with its file and line (``orgflow notify preview`` shows it before
any message goes out).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Final, NamedTuple

import jinja2
import yaml

from orgflow.errors import ConfigurationError

#: The locales shipped; zh-CN is the default.
LOCALES: Final = ("zh-CN", "en")
DEFAULT_LOCALE: Final = "zh-CN"
_BUILT_IN: Final = Path(__file__).with_name("templates")


class Rendered(NamedTuple):
    """One message in every format a channel may need."""

    title: str
    text: str
    markdown: str
    html: str


class Templates:
    """Renders notifications from the built-in templates and the administrator's overrides."""

    def __init__(self, overrides: Path | None = None) -> None:
        folders = [str(path) for path in (overrides, _BUILT_IN) if path is not None]
        loader = jinja2.FileSystemLoader(folders)
        self._plain = jinja2.Environment(loader=loader, autoescape=False, keep_trailing_newline=False)
        self._html = jinja2.Environment(loader=loader, autoescape=True)
        self._events: dict[str, Mapping[str, Any]] = {}

    def render(self, event: str, locale: str, data: Mapping[str, Any]) -> Rendered:
        """The message for ``event`` in ``locale`` (unknown locales fall back to zh-CN).

        Raises:
            ConfigurationError: No template for the event, or a template that does not render;
                the message names the file and line.
        """
        chosen = locale if locale in LOCALES else DEFAULT_LOCALE
        entry = self._entry(event, chosen)
        facts = {**data, "event": event}
        title = self._string(entry.get("title", ""), facts, f"{chosen}/events.yaml {event}.title")
        facts["title"] = title
        facts["summary"] = self._string(
            entry.get("summary", ""), facts, f"{chosen}/events.yaml {event}.summary"
        )
        return Rendered(
            title=title,
            text=self._file(self._plain, f"{chosen}/message.txt.j2", facts).strip(),
            markdown=self._file(self._plain, f"{chosen}/message.md.j2", facts).strip(),
            html=self._file(self._html, f"{chosen}/message.html.j2", facts).strip(),
        )

    def _entry(self, event: str, locale: str) -> Mapping[str, Any]:
        name = f"{locale}/events.yaml"
        if name not in self._events:
            try:
                source, filename, _ = self._plain.loader.get_source(self._plain, name)  # type: ignore[union-attr]
                loaded = yaml.safe_load(source)
            except jinja2.TemplateNotFound:
                raise ConfigurationError(f"找不到通知模板 {name}") from None
            except yaml.YAMLError as error:
                mark = getattr(error, "problem_mark", None)
                where = f"第 {mark.line + 1} 行" if mark is not None else ""
                raise ConfigurationError(f"通知模板 {filename} {where}不是合法的 YAML") from None
            if not isinstance(loaded, dict):
                raise ConfigurationError(f"通知模板 {filename} 应为“事件: {{title, summary}}”的映射")
            self._events[name] = loaded
        entry = self._events[name].get(event)
        if not isinstance(entry, dict):
            raise ConfigurationError(f"通知模板 {name} 中没有事件 {event!r} 的标题与摘要")
        return entry

    def _string(self, source: Any, facts: Mapping[str, Any], where: str) -> str:
        try:
            return self._plain.from_string(str(source)).render(facts).strip()
        except jinja2.TemplateError as error:
            raise ConfigurationError(f"通知模板 {where} 有误：{error}") from None

    def _file(self, environment: jinja2.Environment, name: str, facts: Mapping[str, Any]) -> str:
        try:
            return environment.get_template(name).render(facts)
        except jinja2.TemplateSyntaxError as error:
            raise ConfigurationError(
                f"通知模板 {error.filename or name} 第 {error.lineno} 行有误：{error.message}"
            ) from None
        except jinja2.TemplateError as error:
            raise ConfigurationError(f"通知模板 {name} 有误：{error}") from None


def remaining_text(due_at: datetime | None, now: datetime, locale: str) -> str:
    """Time left to the due time as a person says it (5 小时 / 已超时 3 小时)."""
    if due_at is None:
        return ""
    seconds = (due_at - now).total_seconds()
    hours = abs(seconds) / 3600
    amount = f"{hours:.0f}" if hours >= 1 else f"{hours:.1f}"
    if locale == "en":
        return f"{amount} h" if seconds >= 0 else f"overdue by {amount} h"
    return f"{amount} 小时" if seconds >= 0 else f"已超时 {amount} 小时"

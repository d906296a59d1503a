"""Settings read once from the environment; no other module reads ``os.environ``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from orgflow.errors import ConfigurationError

DEFAULT_HOME = Path(".orgflow")

#: Largest attachment accepted by default: 20 MiB.
DEFAULT_ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024

#: File types (extensions) accepted as attachments by default: office documents, PDF, images, text, zip.
DEFAULT_ATTACHMENT_TYPES = (
    "doc", "docx", "xls", "xlsx", "ppt", "pptx", "pdf", "png", "jpg", "jpeg", "gif", "txt", "csv", "zip",
)  # fmt: skip


@dataclass(frozen=True, kw_only=True, slots=True)
class Settings:
    """Process-wide settings.

    Attributes:
        database_url: SQLAlchemy URL; the embedded default is a SQLite file.
        home: Folder for the embedded database and other local state.
        locale: ``zh-CN`` (default) or ``en`` for messages.
        services: Modules (or ``.py`` files) whose ``register(registry)`` adds service task handlers.
        attachment_max_bytes: Largest attachment accepted, in bytes.
        attachment_types: File types (lower-case extensions) accepted as attachments.
        calendar_file: The business calendar's configuration (工作日历); ``None``: the built-in one.
        notify_file: The notification settings (channels, preferences); ``None``: in-app inbox only.
        encryption_key: The keys sensitive fields are encrypted with (``base64`` or
            ``id:base64,id:base64``, the first current; never shown in ``repr``); see
            :mod:`orgflow.sensitive.keys`.
        encryption_key_file: A file holding the keys in the same form; with neither set,
            ``<home>/encryption.key`` (created on first use).
        cookie_secure: Mark the session cookie ``Secure``: ``True``, ``False``, or ``None`` for
            automatic (secure unless the browser reached the server over plain http at a loopback
            address: :func:`orgflow.auth.cookies.cookie_is_secure`).
    """

    database_url: str
    home: Path
    locale: str = "zh-CN"
    services: tuple[str, ...] = ()
    attachment_max_bytes: int = DEFAULT_ATTACHMENT_MAX_BYTES
    attachment_types: tuple[str, ...] = DEFAULT_ATTACHMENT_TYPES
    calendar_file: Path | None = None
    notify_file: Path | None = None
    encryption_key: str | None = field(default=None, repr=False)
    encryption_key_file: Path | None = None
    cookie_secure: bool | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read the ``ORGFLOW_*`` variables.

        ORGFLOW_DATABASE_URL, ORGFLOW_HOME, ORGFLOW_LOCALE, ORGFLOW_SERVICES
        (comma-separated), ORGFLOW_ATTACHMENT_MAX_MB (a number of MiB) and
        ORGFLOW_ATTACHMENT_TYPES (comma-separated extensions, such as ``pdf,docx``) and
        ORGFLOW_CALENDAR (the business calendar's YAML file; by default
        ``<home>/calendar.yaml`` when it exists) and ORGFLOW_NOTIFY (the notification
        settings; by default ``<home>/notify.yaml`` when it exists) and
        ORGFLOW_ENCRYPTION_KEY / ORGFLOW_ENCRYPTION_KEY_FILE (sensitive fields' keys) and
        ORGFLOW_COOKIE_SECURE (``1`` or ``0``; unset or ``auto``: automatic).

        Raises:
            ConfigurationError: ORGFLOW_ATTACHMENT_MAX_MB is not a positive number, or
                ORGFLOW_COOKIE_SECURE is not 1, 0 or auto.
        """
        env = os.environ if env is None else env
        home = Path(env.get("ORGFLOW_HOME", str(DEFAULT_HOME)))
        url = env.get("ORGFLOW_DATABASE_URL") or default_database_url(home)
        types = _listed(env.get("ORGFLOW_ATTACHMENT_TYPES", ""))
        return cls(
            database_url=url,
            home=home,
            locale=env.get("ORGFLOW_LOCALE", "zh-CN"),
            services=_listed(env.get("ORGFLOW_SERVICES", "")),
            attachment_max_bytes=_mebibytes(env.get("ORGFLOW_ATTACHMENT_MAX_MB")),
            attachment_types=tuple(t.lower().lstrip(".") for t in types) or DEFAULT_ATTACHMENT_TYPES,
            calendar_file=_home_file(env.get("ORGFLOW_CALENDAR"), home, "calendar.yaml"),
            notify_file=_home_file(env.get("ORGFLOW_NOTIFY"), home, "notify.yaml"),
            encryption_key=env.get("ORGFLOW_ENCRYPTION_KEY") or None,
            encryption_key_file=Path(env["ORGFLOW_ENCRYPTION_KEY_FILE"])
            if env.get("ORGFLOW_ENCRYPTION_KEY_FILE")
            else None,
            cookie_secure=_switch(env.get("ORGFLOW_COOKIE_SECURE"), "ORGFLOW_COOKIE_SECURE"),
        )


def default_database_url(home: Path) -> str:
    """The embedded SQLite database inside ``home``."""
    return f"sqlite:///{home / 'orgflow.db'}"


def _home_file(given: str | None, home: Path, name: str) -> Path | None:
    """The file a variable names, else ``<home>/<name>`` if it exists, else none (the built-in settings)."""
    if given:
        return Path(given)
    found = home / name
    return found if found.is_file() else None


def _listed(text: str) -> tuple[str, ...]:
    """The non-empty parts of a comma-separated value."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _mebibytes(text: str | None) -> int:
    """ORGFLOW_ATTACHMENT_MAX_MB in bytes; the default when unset."""
    if text is None or not text.strip():
        return DEFAULT_ATTACHMENT_MAX_BYTES
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0 or value == float("inf"):
        raise ConfigurationError(f"ORGFLOW_ATTACHMENT_MAX_MB 应为正数（单位 MB），而不是 {text!r}")
    return int(value * 1024 * 1024)


def _switch(text: str | None, name: str) -> bool | None:
    """An on/off variable: on (``1``/``true``/``yes``/``on``), off (``0``/``false``/``no``/``off``) or auto.

    Raises:
        ConfigurationError: Anything else.
    """
    value = (text or "").strip().lower()
    if value in ("", "auto"):
        return None
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigurationError(f"{name} 应为 1、0 或 auto，而不是 {text!r}")

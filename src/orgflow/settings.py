"""Settings read once from the environment; no other module reads ``os.environ``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOME = Path(".orgflow")


@dataclass(frozen=True, kw_only=True, slots=True)
class Settings:
    """Process-wide settings.

    Attributes:
        database_url: SQLAlchemy URL; the embedded default is a SQLite file.
        home: Folder for the embedded database and other local state.
        locale: ``zh-CN`` (default) or ``en`` for messages.
        services: Modules (or ``.py`` files) whose ``register(registry)`` adds service task handlers.
    """

    database_url: str
    home: Path
    locale: str = "zh-CN"
    services: tuple[str, ...] = ()

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read ORGFLOW_DATABASE_URL, ORGFLOW_HOME, ORGFLOW_LOCALE and ORGFLOW_SERVICES (comma-separated)."""
        env = os.environ if env is None else env
        home = Path(env.get("ORGFLOW_HOME", str(DEFAULT_HOME)))
        url = env.get("ORGFLOW_DATABASE_URL") or default_database_url(home)
        services = tuple(part.strip() for part in env.get("ORGFLOW_SERVICES", "").split(",") if part.strip())
        return cls(database_url=url, home=home, locale=env.get("ORGFLOW_LOCALE", "zh-CN"), services=services)


def default_database_url(home: Path) -> str:
    """The embedded SQLite database inside ``home``."""
    return f"sqlite:///{home / 'orgflow.db'}"

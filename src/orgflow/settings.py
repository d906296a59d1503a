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
    """

    database_url: str
    home: Path
    locale: str = "zh-CN"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read ``ORGFLOW_*`` variables (``ORGFLOW_DATABASE_URL``, ``ORGFLOW_HOME``, ``ORGFLOW_LOCALE``)."""
        env = os.environ if env is None else env
        home = Path(env.get("ORGFLOW_HOME", str(DEFAULT_HOME)))
        url = env.get("ORGFLOW_DATABASE_URL") or default_database_url(home)
        return cls(database_url=url, home=home, locale=env.get("ORGFLOW_LOCALE", "zh-CN"))


def default_database_url(home: Path) -> str:
    """The embedded SQLite database inside ``home``."""
    return f"sqlite:///{home / 'orgflow.db'}"

"""Changing the org chart: importing it, and proxies (代理)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from orgflow.org.model import OrgSnapshot


@dataclass(frozen=True, slots=True)
class SetProxy:
    """Have ``proxy`` receive ``user``'s new work from ``starts`` until ``ends`` (代理)."""

    name: ClassVar[str] = "set_proxy"
    retry_safe: ClassVar[bool] = True

    user: str
    proxy: str
    starts: datetime
    ends: datetime
    reason: str = ""
    actor: str | None = None

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers."""
        return {"user": self.user, "proxy": self.proxy, "actor": self.actor}


@dataclass(frozen=True, slots=True)
class EndProxy:
    """End ``user``'s proxy now (and drop any still to come)."""

    name: ClassVar[str] = "end_proxy"
    retry_safe: ClassVar[bool] = True

    user: str
    actor: str | None = None

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers."""
        return {"user": self.user, "actor": self.actor}


@dataclass(frozen=True, slots=True)
class ImportOrg:
    """Replace the org chart with an imported one; users left out are kept as inactive.

    Attributes:
        org: The chart read from the org file (checked by ``orgflow.org.checks``).
        actor: Who imports it.
    """

    name: ClassVar[str] = "import_org"
    retry_safe: ClassVar[bool] = True

    org: OrgSnapshot
    actor: str | None = None

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers."""
        return {"departments": len(self.org.departments), "users": len(self.org.users), "actor": self.actor}

"""The process-wide read caches a runtime shares between its commands and queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from orgflow.store.definitions import DefinitionCatalog
from orgflow.store.org import OrgCache


@dataclass(frozen=True, slots=True)
class StoreCaches:
    """Parsed definitions (never change once deployed) and the org chart (checked by revision)."""

    definitions: DefinitionCatalog = field(default_factory=DefinitionCatalog)
    org: OrgCache = field(default_factory=OrgCache)

"""The process-wide read caches a runtime shares between its commands and queries, and its field keys."""

from __future__ import annotations

from dataclasses import dataclass, field

from orgflow.sensitive.sealing import SensitiveData
from orgflow.store.definitions import DefinitionCatalog
from orgflow.store.known_writes import KnownWrites
from orgflow.store.org import OrgCache


@dataclass(frozen=True, slots=True)
class StoreCaches:
    """Parsed definitions (never change once deployed) and the org chart (checked by revision).

    ``known`` is what the last command wrote, trusted by the next one on SQLite only while
    nothing else wrote (:mod:`orgflow.store.known_writes`). ``sensitive`` seals and opens
    sensitive fields with the runtime's key ring: whatever reads or writes form data through
    these caches uses the same keys.
    """

    definitions: DefinitionCatalog = field(default_factory=DefinitionCatalog)
    org: OrgCache = field(default_factory=OrgCache)
    sensitive: SensitiveData = field(default_factory=SensitiveData)
    known: KnownWrites = field(default_factory=KnownWrites)

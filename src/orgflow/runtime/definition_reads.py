"""Reading deployed definitions: the list, one version parsed, its source, a diff, its archive rule.

Part of :class:`orgflow.runtime.queries.Queries` (a mixin: the class holds the
database and the definition cache these read through).
"""

from __future__ import annotations

from orgflow.errors import NotFound
from orgflow.model.archive_rule import ArchiveRule
from orgflow.model.diff import diff_definitions
from orgflow.runtime.view_rows import view_of
from orgflow.runtime.views import DefinitionView, VersionDiff
from orgflow.store import definitions
from orgflow.store.database import Database
from orgflow.store.definitions import DefinitionCatalog, DeployedDefinition, StoredSource


class DefinitionReads:
    """Read-only views of deployed definitions."""

    _database: Database
    _catalog: DefinitionCatalog

    def definitions(self, *, key: str | None = None, latest_only: bool = True) -> tuple[DefinitionView, ...]:
        """Deployed definitions: each key's newest version, or every version (``latest_only=False``)."""
        with self._database.reading() as connection:
            rows = definitions.listing(connection, key=key, latest_only=latest_only)
        return tuple(view_of(DefinitionView, row) for row in rows)

    def definition(self, key: str, version: int | None = None) -> DeployedDefinition:
        """A deployed version, parsed: the newest of ``key``, or ``version`` (for export and diagrams).

        Raises:
            NotFound: The key is not deployed, or has no such version.
        """
        with self._database.reading() as connection:
            if version is not None:
                return self._catalog.version(connection, key, version)
            found = self._catalog.latest(connection, key)
        if found is None:
            raise NotFound(f"流程定义 {key} 未部署（orgflow definitions 可列出已部署的流程）")
        return found

    def source(self, definition_id: str) -> StoredSource:
        """What a deployed version was deployed from, its format and stored text (for an exact export).

        Raises:
            NotFound: No such version.
        """
        with self._database.reading() as connection:
            stored = definitions.source_of(connection, definition_id)
        if stored is None:
            raise NotFound(f"流程定义 {definition_id} 不存在")
        return stored

    def diff(self, key: str, from_version: int, to_version: int) -> VersionDiff:
        """What changed from one version of ``key`` to another (nodes, flows, process rules).

        Raises:
            NotFound: The key has no such version.
        """
        with self._database.reading() as connection:
            old, new = (self._catalog.version(connection, key, v) for v in (from_version, to_version))
        return VersionDiff(
            key=key,
            from_version=old.version,
            to_version=new.version,
            from_label=old.label,
            to_label=new.label,
            diff=diff_definitions(old.definition, new.definition),
        )

    def archive_rule(self, definition_id: str) -> ArchiveRule | None:
        """How a deployed version names its archive folder (``None``: it asks for no archive)."""
        deployed = self._catalog.cached(definition_id)
        if deployed is None:  # every completed instance asks: no transaction once it is known
            with self._database.reading() as connection:
                deployed = self._catalog.get(connection, definition_id)
        return None if deployed is None else deployed.definition.archive

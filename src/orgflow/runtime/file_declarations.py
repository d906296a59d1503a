"""What a deployed definition declares about files: each user task's deliverables and its archive rule.

The declarations are part of the parsed definition (``UserTask.deliverables``,
``ProcessDefinition.archive``); this module gathers them per deployed version
for the code that handles files, which asks by definition id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from orgflow.model.archive_rule import ArchiveRule
from orgflow.model.definition import ProcessDefinition
from orgflow.model.deliverables import Deliverable
from orgflow.model.nodes import UserTask
from orgflow.store.database import Connection
from orgflow.store.definitions import DefinitionCatalog


@dataclass(frozen=True, kw_only=True, slots=True)
class FileDeclarations:
    """A definition's declarations about files.

    Attributes:
        deliverables: Node id → the deliverables its user task declares (only nodes that declare some).
        archive: How to name its archive folder; ``None``: by business key, on request only.
    """

    deliverables: Mapping[str, tuple[Deliverable, ...]] = field(default_factory=dict)
    archive: ArchiveRule | None = None

    def of_node(self, node_id: str) -> tuple[Deliverable, ...]:
        """The deliverables a node declares (``()`` for most nodes)."""
        return self.deliverables.get(node_id, ())


NO_DECLARATIONS: Final = FileDeclarations()


def declarations_of(definition: ProcessDefinition) -> FileDeclarations:
    """The file declarations of a parsed definition."""
    deliverables = {
        node.id: node.deliverables
        for node in definition.nodes.values()
        if isinstance(node, UserTask) and node.deliverables
    }
    if not deliverables and definition.archive is None:
        return NO_DECLARATIONS
    return FileDeclarations(deliverables=deliverables, archive=definition.archive)


class DeclarationCache:
    """Declarations by deployed version, from the shared definition catalog (versions never change)."""

    def __init__(self, catalog: DefinitionCatalog | None = None) -> None:
        self._catalog = catalog or DefinitionCatalog()

    def cached(self, definition_id: str) -> FileDeclarations | None:
        """The declarations of a version already parsed, without touching the database."""
        deployed = self._catalog.cached(definition_id)
        return None if deployed is None else declarations_of(deployed.definition)

    def get(self, connection: Connection, definition_id: str) -> FileDeclarations:
        """The declarations of a deployed version (none for an unknown id)."""
        deployed = self._catalog.get(connection, definition_id)
        return NO_DECLARATIONS if deployed is None else declarations_of(deployed.definition)

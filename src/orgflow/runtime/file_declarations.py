"""What a definition declares about files: each user task's deliverables and the archive rule.

Transitional, until the model reads these keys itself: ``yaml_reader`` does
not know ``deliverables`` (on a user task) or ``archive`` (top level) yet and
would refuse them as unknown keys. :func:`load_definition_with_files` reads
them with the model's readers (:mod:`orgflow.model.deliverables`,
:mod:`orgflow.model.archive_rule`), hands the YAML reader the document
without them, and reports every problem of both together, by line.
Definitions are stored with their full source, so the declarations are read
again from it when needed (:class:`DeclarationCache`, once per version).

At the merge, ``UserTask.deliverables`` and ``ProcessDefinition.archive``
replace this module: ``yaml_reader`` calls ``read_deliverables`` and
``read_archive_rule`` and accepts the keys, and the runtime reads the
declarations from the parsed definition.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from orgflow.model.archive_rule import ArchiveRule, read_archive_rule
from orgflow.model.definition import ProcessDefinition
from orgflow.model.deliverables import Deliverable, read_deliverables
from orgflow.model.loaded import LoadedDefinition, accept_definition
from orgflow.model.yaml_document import YamlList, YamlMap, parse_yaml
from orgflow.model.yaml_reader import _DocumentReader
from orgflow.model.yaml_values import Reading
from orgflow.store import definitions
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


def load_definition_with_files(
    text: str, *, source: str = "<yaml>"
) -> tuple[LoadedDefinition, FileDeclarations]:
    """:func:`~orgflow.model.yaml_reader.load_definition`, accepting ``deliverables`` and ``archive``.

    Raises:
        DefinitionError: Listing every problem, the declarations' included, each with its line.
    """
    document = parse_yaml(text, source=source)
    root = document.root
    reading = Reading()
    declarations = read_declarations(reading, root) if isinstance(root, YamlMap) else NO_DECLARATIONS
    reader = _DocumentReader()
    definition = reader.read(_without_file_keys(root), source=source)
    loaded = accept_definition(
        definition,
        loader_problems=[*document.problems, *reader.reading.problems, *reading.problems],
        lines=reader.reading.lines,
        source=source,
    )
    return loaded, declarations


def parse_with_files(text: str, source: str) -> ProcessDefinition:
    """The catalog's parser for stored YAML (see ``orgflow.store.definitions.Parser``)."""
    return load_definition_with_files(text, source=source)[0].definition


def read_declarations(reading: Reading, root: YamlMap) -> FileDeclarations:
    """The deliverables of every node (subprocesses included) and the archive rule of a document."""
    found: dict[str, tuple[Deliverable, ...]] = {}
    for node in _nodes(root):
        if "deliverables" not in node:
            continue
        node_id = node.get("id") if isinstance(node.get("id"), str) else None
        if node.get("type") != "user_task":
            reading.problem(
                "deliverables 只用于 user_task",
                node_id=node_id,
                line=node.line_of("deliverables"),
                field="deliverables",
                hint="把交付物写在负责产出它的用户任务上",
            )
            continue
        declared = read_deliverables(reading, node, node_id or "?")
        if declared and node_id is not None:
            found[node_id] = declared
    return FileDeclarations(deliverables=found, archive=read_archive_rule(reading, root))


def _nodes(mapping: YamlMap) -> list[YamlMap]:
    """Every node mapping under ``mapping["nodes"]``, nested subprocess nodes included."""
    items = mapping.get("nodes")
    if not isinstance(items, YamlList):
        return []
    nodes = [item for item in items if isinstance(item, YamlMap)]
    return [*nodes, *(nested for node in nodes for nested in _nodes(node))]


def _without_file_keys(value: Any, key: str = "archive") -> Any:
    """A copy of the document (or a node) without ``key``, its nodes without ``deliverables``."""
    if not isinstance(value, YamlMap):
        return value
    copy = YamlMap(value.line)
    for name, item in value.items():
        if name == key:
            continue
        if name == "nodes" and isinstance(item, YamlList):
            nodes = YamlList(item.line)
            nodes.extend(_without_file_keys(node, "deliverables") for node in item)
            nodes.item_lines.extend(item.item_lines)
            item = nodes
        copy[name] = item
        copy.key_lines[name] = value.line_of(name)
    return copy


def catalog_with_files() -> DefinitionCatalog:
    """A definition catalog whose YAML parser accepts the file declarations."""
    return DefinitionCatalog({"yaml": parse_with_files})


class DeclarationCache:
    """Each deployed version's declarations, read once from its stored source (versions never change)."""

    def __init__(self) -> None:
        self._cache: dict[str, FileDeclarations] = {}
        self._lock = threading.Lock()

    def cached(self, definition_id: str) -> FileDeclarations | None:
        """The declarations of a version already read, without touching the database."""
        return self._cache.get(definition_id)

    def get(self, connection: Connection, definition_id: str) -> FileDeclarations:
        """The declarations of a deployed version (none if it has no stored source)."""
        cached = self._cache.get(definition_id)
        if cached is not None:
            return cached
        text = definitions.source_of(connection, definition_id)
        found = NO_DECLARATIONS
        if text is not None:
            root = parse_yaml(text, source=definition_id).root
            if isinstance(root, YamlMap):
                found = read_declarations(Reading(), root)
        with self._lock:
            return self._cache.setdefault(definition_id, found)

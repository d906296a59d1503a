"""What a deploy-time rule is: a function of a definition and of where its parts stand in the source.

Rules live in :mod:`orgflow.model.graph_rules` (the shape of the graph) and
:mod:`orgflow.model.validate` (gateways, tasks, forms); this module holds what they share.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from orgflow.model.definition import ProcessDefinition
from orgflow.model.nodes import Node
from orgflow.model.problems import DefinitionProblem

#: ``(node id, attribute) -> line``, given by loaders that know them. The node id ``None`` is the
#: process itself (``(None, "nodes")``); the attributes are the DSL's keys (``assignee``,
#: ``time_limit``, ``next`` ...), and ``form[i]`` for the i-th field of a task's form.
SourceLines = Mapping[tuple[str | None, str], int]


class Where:
    """Finds the line to name for a node's attribute: the attribute's own line if the loader gave it."""

    def __init__(self, definition: ProcessDefinition, lines: SourceLines) -> None:
        self._definition = definition
        self._lines = lines

    def __call__(self, node_id: str | None, field: str | None = None) -> int | None:
        """The line of ``field`` of ``node_id``, else the node's own line, else ``None``."""
        if field is not None and (node_id, field) in self._lines:
            return self._lines[(node_id, field)]
        node = self._definition.nodes.get(node_id) if node_id is not None else None
        return node.line if node is not None else None


#: A deploy-time rule: every problem it finds in the definition.
Rule = Callable[[ProcessDefinition, Where], Iterator[DefinitionProblem]]


def is_placeholder(node: Node | None) -> bool:
    """Whether a node is a loader's stand-in for one whose type it could not tell (already reported).

    Only graph rules look at placeholders, and they never make a placeholder's
    neighbours look broken.
    """
    return type(node) is Node

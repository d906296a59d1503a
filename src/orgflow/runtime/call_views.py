"""Which instances a call activity links (调用子流程): an instance's children and its caller, for views.

The children are the instances whose ``parent_instance_id`` names this one (an
index finds them), so children that have ended are listed too; the caller is the
link the child keeps in its state.
"""

from __future__ import annotations

from orgflow.engine.state import InstanceStatus
from orgflow.model.definition import ProcessDefinition
from orgflow.runtime.views import LinkedInstance
from orgflow.store import instances
from orgflow.store.database import Connection
from orgflow.store.instances import StoredInstance


def linked_instances(
    connection: Connection, stored: StoredInstance, definition: ProcessDefinition
) -> tuple[tuple[LinkedInstance, ...], LinkedInstance | None]:
    """``(children, caller)`` of an instance running on ``definition``, as far as they can still be found."""
    children = tuple(
        LinkedInstance(
            id=row["id"],
            business_key=row["business_key"],
            definition_id=row["definition_id"],
            status=InstanceStatus(row["status"]),
            node_id=row["parent_node_id"],
            node_name=_node_name(definition, row["parent_node_id"]),
        )
        for row in instances.children(connection, stored.state.id)
    )
    caller = stored.state.caller
    parent = instances.load(connection, caller.instance_id) if caller is not None else None
    linked_caller = None
    if parent is not None and caller is not None:
        state = parent.state
        linked_caller = LinkedInstance(
            id=state.id,
            business_key=state.business_key,
            definition_id=state.definition_id,
            status=state.status,
            node_id=caller.node_id,
            node_name=None,
        )
    return children, linked_caller


def _node_name(definition: ProcessDefinition, node_id: str) -> str | None:
    """The call activity's name, if the definition (its version may have moved on) still has it."""
    node = definition.nodes.get(node_id)
    return node.name or None if node is not None else None

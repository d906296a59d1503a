"""Which instances a call activity links (调用子流程): an instance's children and its caller, for views.

The children are read from the instance's own history (``call_started`` keeps the
child's id), so children that have ended are listed too; the caller from the
link the child keeps in its state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from orgflow.runtime.views import LinkedInstance
from orgflow.store import instances
from orgflow.store.database import Connection
from orgflow.store.instances import StoredInstance


def linked_instances(
    connection: Connection, stored: StoredInstance, history_rows: Sequence[Mapping[str, Any]]
) -> tuple[tuple[LinkedInstance, ...], LinkedInstance | None]:
    """``(children, caller)`` of an instance, as far as they can still be found."""
    children = []
    for row in history_rows:
        if row["kind"] != "call_started" or not row["data"]:
            continue
        child = instances.load(connection, row["data"]["child"])
        if child is not None:
            children.append(_linked(child, row["node_id"], row["node_name"]))
    caller = stored.state.caller
    parent = instances.load(connection, caller.instance_id) if caller is not None else None
    linked_caller = None
    if parent is not None and caller is not None:
        linked_caller = _linked(parent, caller.node_id, None)
    return tuple(children), linked_caller


def _linked(stored: StoredInstance, node_id: str, node_name: str | None) -> LinkedInstance:
    state = stored.state
    return LinkedInstance(
        id=state.id,
        business_key=state.business_key,
        definition_id=state.definition_id,
        status=state.status,
        node_id=node_id,
        node_name=node_name,
    )

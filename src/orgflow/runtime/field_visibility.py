"""What one person may see of an instance: its data without the fields hidden from their steps (字段权限).

A field hidden at a step is never sent to that step's assignees: not in the
instance's data, not in the history's recorded form values, not on the form
of their work item. Whose steps count: every step the person holds an open
work item of (for themselves, or as a proxy for someone) and every step they
have completed in this instance.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from types import MappingProxyType

from orgflow.engine.state import InstanceState
from orgflow.model.definition import ProcessDefinition
from orgflow.model.field_access import hidden_in, without
from orgflow.model.nodes import UserTask
from orgflow.runtime.views import HistoryEntry, InstanceView


def hidden_for(definition: ProcessDefinition, state: InstanceState, user: str | None) -> frozenset[str]:
    """The fields ``user`` may not see in this instance (none for the system itself)."""
    if user is None or not definition.hides_fields:
        return frozenset()
    steps = {item.node_id for item in state.work_items if user in (item.assignee, item.on_behalf_of)}
    steps.update(entry.node_id for entry in state.trail if entry.actor == user)
    return hidden_at(definition, steps)


def hidden_at(definition: ProcessDefinition, steps: Iterable[str]) -> frozenset[str]:
    """The fields hidden at any of these steps."""
    hidden: set[str] = set()
    for node_id in steps:
        node = definition.nodes.get(node_id)
        if isinstance(node, UserTask):
            hidden |= hidden_in(node.field_access)
    return frozenset(hidden)


def restrict_view(view: InstanceView, hidden: frozenset[str]) -> InstanceView:
    """The view with the hidden fields left out of its data."""
    if not hidden or not hidden & view.data.keys():
        return view
    return dataclasses.replace(view, data=MappingProxyType(without(view.data, hidden)))


def restrict_history(entries: tuple[HistoryEntry, ...], hidden: frozenset[str]) -> tuple[HistoryEntry, ...]:
    """History with the hidden fields left out of the recorded values."""
    if not hidden:
        return entries
    return tuple(
        dataclasses.replace(entry, data=MappingProxyType(without(entry.data, hidden)))
        if entry.data is not None and hidden & entry.data.keys()
        else entry
        for entry in entries
    )

"""Who may see an instance's sensitive fields unmasked (敏感数据, seed 003: 最小必要), and masking views.

A sensitive field is shown as it is to:

- the instance's initiator (they filled it in or asked for it);
- whoever has or had a work item at a step that works with the field: the field is on
  the step's form, or the step's field permissions list it (``fields: {amount: read}``).
  An open shared item counts for the members of its candidate group;
- administrators (系统管理员).

Everyone else who may read the instance (people it was copied to, department heads and
分管领导 through the data scope, auditors, integration tokens, lists with no viewer)
sees it masked (:mod:`orgflow.sensitive.masking`). Fields hidden from a step
(``hidden``) are left out altogether before this applies
(:mod:`orgflow.runtime.field_visibility`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from orgflow.engine.state import InstanceState
from orgflow.model.definition import ProcessDefinition
from orgflow.model.field_access import FieldAccess
from orgflow.model.nodes import UserTask
from orgflow.org.model import OrgSnapshot
from orgflow.runtime.permissions import is_administrator
from orgflow.runtime.views import HistoryEntry, InstanceDetail, InstanceView, WorkItemView
from orgflow.sensitive.masking import mask_value, masked
from orgflow.sensitive.sealing import SensitiveData
from orgflow.store.instances import StoredInstance


def sensitive_shown_to(
    definition: ProcessDefinition, state: InstanceState, viewer: str | None, chart: OrgSnapshot
) -> frozenset[str]:
    """The sensitive fields ``viewer`` may see unmasked in this instance (none for no viewer)."""
    fields = definition.sensitive_fields
    if not fields or viewer is None:
        return frozenset()
    if viewer == state.initiator or is_administrator(chart, viewer):
        return fields
    groups = chart.groups_of(viewer)
    steps = {
        item.node_id
        for item in state.work_items
        if viewer in (item.assignee, item.on_behalf_of) or (item.assignee is None and item.group in groups)
    }
    steps.update(entry.node_id for entry in state.trail if entry.actor == viewer)
    return fields & worked_with_at(definition, steps)


def opened_instance(sensitive: SensitiveData, stored: StoredInstance) -> StoredInstance:
    """The instance with its data's sealed values opened (itself when there are none)."""
    state = stored.state
    data = sensitive.open(state.data, state.id)
    return stored if data is state.data else dataclasses.replace(stored, state=state.evolve(data=data))


def masked_sealed(sensitive: SensitiveData, document: Any, instance_id: str) -> Any:
    """A stored document with each sealed value shown masked (for lists, where nobody in particular looks)."""
    if not document:
        return document
    return sensitive.rewrite(
        document,
        lambda name, envelope: mask_value(
            sensitive.cipher.open(envelope, field=name, instance_id=instance_id)
        ),
    )


def shown_in(fields: frozenset[str], detail: InstanceDetail) -> frozenset[str]:
    """The ones of ``fields`` that have a value somewhere in the detail (what viewing it really showed)."""
    if not fields:
        return fields
    found: set[str] = set()
    _collect(detail.instance.data, fields, found)
    for entry in detail.history:
        _collect(entry.data, fields, found)
    return frozenset(found)


def _collect(document: Any, fields: frozenset[str], found: set[str]) -> None:
    if isinstance(document, Mapping):
        for name, value in document.items():
            if name in fields and value is not None:
                found.add(name)
            else:
                _collect(value, fields, found)
    elif isinstance(document, list | tuple):
        for item in document:
            _collect(item, fields, found)


def worked_with_at(definition: ProcessDefinition, steps: Iterable[str]) -> frozenset[str]:
    """The fields these steps work with: on their forms, or readable or editable by their permissions."""
    names: set[str] = set()
    for node_id in steps:
        node = definition.nodes.get(node_id)
        if isinstance(node, UserTask):
            names.update(form_field.name for form_field in node.form)
            names.update(name for name, level in node.field_access if level is not FieldAccess.HIDDEN)
    return frozenset(names)


def mask_view(view: InstanceView, fields: frozenset[str]) -> InstanceView:
    """The view with ``fields`` masked in its data."""
    data = masked(view.data, fields)
    return view if data is view.data else dataclasses.replace(view, data=MappingProxyType(dict(data)))


def mask_history(entries: tuple[HistoryEntry, ...], fields: frozenset[str]) -> tuple[HistoryEntry, ...]:
    """History with ``fields`` masked in the recorded values (a call's input and output too)."""
    if not fields:
        return entries
    return tuple(_masked_entry(entry, fields) for entry in entries)


def _masked_entry(entry: HistoryEntry, fields: frozenset[str]) -> HistoryEntry:
    if entry.data is None:
        return entry
    data = masked(entry.data, fields)
    return entry if data is entry.data else dataclasses.replace(entry, data=_frozen(data))


def mask_work_item(item: WorkItemView, fields: frozenset[str]) -> WorkItemView:
    """A work item with ``fields`` masked in its submitted form."""
    if item.data is None or not fields:
        return item
    data = masked(item.data, fields)
    return item if data is item.data else dataclasses.replace(item, data=_frozen(data))


def _frozen(data: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(data))

"""The facts a notification shows (seed 003): task, current node, owner, due time, time left, a link to act.

They are taken when the notice is written and stored with the outbox row, so
a message delivered after a retry still says what was true when it was sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from orgflow.anomalies.tables import shown  # office time, as the seed's tables write it
from orgflow.engine.state import WorkItem
from orgflow.notify.config import NotifyConfig
from orgflow.notify.templates import remaining_text
from orgflow.runtime.unit_of_work import UnitOfWork
from orgflow.store.definitions import DeployedDefinition
from orgflow.store.instances import StoredInstance


def message_facts(
    uow: UnitOfWork,
    stored: StoredInstance,
    deployed: DeployedDefinition,
    item: WorkItem | None,
    now: datetime,
    config: NotifyConfig,
    details: Mapping[str, Any],
) -> dict[str, Any]:
    """What the templates render for a notice about ``stored`` (and ``item``, if it is about one)."""
    org = uow.org()
    state = stored.state
    facts: dict[str, Any] = {
        "business_key": state.business_key,
        "process": deployed.name,
        "initiator_name": org.name_of(state.initiator) if state.initiator else "",
        "link": f"{config.base_url}/instances/{state.business_key}",
    }
    for name, value in details.items():
        facts[name] = shown(value) if isinstance(value, datetime) else value
    if isinstance(details.get("due_at"), str) and item is None:
        facts["explanation_due"] = shown(datetime.fromisoformat(str(details["due_at"])))
    if details.get("actor"):
        facts["actor_name"] = org.name_of(str(details["actor"]))
    if item is not None:
        holder = item.on_behalf_of or item.assignee
        terms = deployed.definition.sla_of(item.node_id)
        due = None if terms is None or terms.time_limit is None else uow.due_at(item.id)
        facts |= {
            "task": item.name,
            "node": item.name,
            "node_id": item.node_id,
            "holder_name": org.name_of(holder) if holder else org.group_label(item.group or ""),
            "link": f"{config.base_url}/work-items/{item.id}",
        }
        if due is not None:
            facts["due_at"] = shown(due)
            facts["remaining"] = remaining_text(due, now, config.locale)
    return facts

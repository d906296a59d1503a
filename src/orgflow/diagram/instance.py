"""One instance's overlay read from the runtime: its version, history, open work items and due times.

The glue between :mod:`orgflow.runtime.queries` and :func:`~orgflow.diagram.overlay.overlay_of`,
shared by the CLI and (later) the web UI. Read-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from orgflow.diagram.overlay import Overlay, overlay_of
from orgflow.runtime.queries import Queries
from orgflow.runtime.views import InstanceView
from orgflow.store.definitions import DeployedDefinition

#: Open work items of one instance read at most (a step with more people is still marked).
MAX_OPEN_ITEMS = 1000


@dataclass(frozen=True, kw_only=True)
class InstanceDiagram:
    """What drawing one instance needs.

    Attributes:
        deployed: The version the instance runs on.
        instance: Where the instance stands.
        overlay: Its nodes' states and the flows it took.
    """

    deployed: DeployedDefinition
    instance: InstanceView
    overlay: Overlay


def instance_diagram(queries: Queries, id_or_business_key: str, now: datetime) -> InstanceDiagram:
    """Read one instance and derive its overlay on the version it runs on.

    Raises:
        NotFound: No such instance.
    """
    detail = queries.instance(id_or_business_key)
    view = detail.instance
    key, _, version = view.definition_id.rpartition(":")
    deployed = queries.definition(key, int(version))
    items = queries.work_items(instance_id=view.id, status="open", limit=MAX_OPEN_ITEMS)
    overlay = overlay_of(
        deployed.definition,
        history=detail.history,
        work_items=items,
        now=now,
        waiting_at=[node.node_id for node in view.active_nodes],
    )
    return InstanceDiagram(deployed=deployed, instance=view, overlay=overlay)

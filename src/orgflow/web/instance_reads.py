"""What the instance page's parts read once per request, and how they word who has a work item.

The diagram, the timeline, the list of waiting work and the Gantt chart of
one page all need the instance's work items and its definition version;
:func:`work_items_of` and :func:`deployed_of` read each once per request.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Final

from orgflow.model.iso_time import LOCAL_ZONE
from orgflow.runtime.views import InstanceDetail, WorkItemView
from orgflow.store.definitions import DeployedDefinition
from orgflow.web.rendering import PageScope

#: Work items of one instance read at most (open and closed).
MAX_ITEMS: Final = 1000


def _cached(page: PageScope, key: str) -> dict[str, Any]:
    cache: dict[str, Any] | None = getattr(page.request.state, "instance_page_cache", None)
    if cache is None:
        cache = {}
        page.request.state.instance_page_cache = cache
    part: dict[str, Any] = cache.setdefault(key, {})
    return part


def work_items_of(page: PageScope, instance_id: str) -> tuple[WorkItemView, ...]:
    """Every work item of the instance (open and closed), oldest first; read once per request."""
    cache = _cached(page, "items")
    if instance_id not in cache:
        cache[instance_id] = page.runtime.queries.work_items(
            instance_id=instance_id, status=None, limit=MAX_ITEMS
        )
    found: tuple[WorkItemView, ...] = cache[instance_id]
    return found


def deployed_of(page: PageScope, detail: InstanceDetail) -> DeployedDefinition:
    """The version the instance runs on; read once per request."""
    cache = _cached(page, "deployed")
    definition_id = detail.instance.definition_id
    if definition_id not in cache:
        key, _, version = definition_id.rpartition(":")
        cache[definition_id] = page.runtime.queries.definition(key, int(version))
    found: DeployedDefinition = cache[definition_id]
    return found


def holder(page: PageScope, assignee: str | None, group: str | None) -> str:
    """Who has a work item: the person's name, else the group's label, in the page's language."""
    if assignee:
        return page.name_of(assignee)
    return page.group_label(group) if group else page.t("待认领")


def short_time(moment: datetime) -> str:
    """A moment as the diagram's notes show it: local month-day and time (``12-04 09:30``)."""
    return moment.astimezone(LOCAL_ZONE).strftime("%m-%d %H:%M")


def joined(page: PageScope, parts: Iterable[str]) -> str:
    """Names listed once each, in order, with the page language's list separator."""
    return page.t("、").join(dict.fromkeys(part for part in parts if part))

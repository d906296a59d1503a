"""Acceptance fixtures: the example processes deployed on a real database, walked by the demo org's people.

A :class:`Walk` is one instance of an example process. Each step is taken the
way a person would take it: ``by`` opens their inbox (待办: their own items
and those of every group they belong to, see ``examples/README.md``), picks
the item of the named node and completes it with an outcome, form data and a
comment. A person who cannot see the item in their inbox cannot take the step,
so every step also checks who the item was assigned to.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from orgflow.clock import FrozenClock
from orgflow.org.spreadsheet import read_org_files
from orgflow.runtime import (
    CompleteWorkItem,
    DeployDefinition,
    Deployed,
    InstanceView,
    Runtime,
    StartProcess,
    open_runtime,
)
from orgflow.runtime.actions import ImportOrg
from orgflow.runtime.service_modules import load_services
from orgflow.runtime.views import HistoryEntry, InstanceDetail, WorkItemView

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
#: The demo company every example is walked in (departments, heads, 分管领导, roles).
DEMO_ORG = [EXAMPLES / "org" / "demo-部门.csv", EXAMPLES / "org" / "demo-人员.csv"]

#: 部门和虚拟组的成员：谁能看到派给该组的待办（见 examples/README.md 的两张用户表）。


def example_source(key: str) -> str:
    return (EXAMPLES / f"{key}.yaml").read_text(encoding="utf-8")


def deploy_example(runtime: Runtime, key: str) -> Deployed:
    """The process owner deploys ``examples/<key>.yaml``."""
    return runtime.execute(DeployDefinition(example_source(key), source_name=f"{key}.yaml", actor="admin"))


@pytest.fixture
def runtime(database_url: str, clock: FrozenClock) -> Iterator[Runtime]:
    """OrgFlow on an empty migrated database, with the example service handlers (``examples/services.py``)."""
    services = load_services([str(EXAMPLES / "services.py")])
    with open_runtime(database_url, upgrade=True, services=services, clock=clock) as opened:
        opened.execute(ImportOrg(read_org_files(DEMO_ORG), actor="admin"))
        yield opened


def who(assignee: str | None, group: str | None) -> str:
    """The person a work item is for, or the department or role sharing it (``dept:``/``role:`` dropped)."""
    return assignee or (group or "?").partition(":")[2] or "?"


class Walk:
    """One instance of an example process, started and handled by the people of the demo org."""

    def __init__(
        self, runtime: Runtime, key: str, *, initiator: str, data: Mapping[str, Any] | None = None
    ) -> None:
        self.runtime = runtime
        self.view: InstanceView = runtime.execute(StartProcess(key, dict(data or {}), initiator=initiator))

    def inbox(self, user: str) -> list[WorkItemView]:
        """This instance's open work items in ``user``'s inbox: their own and their groups'."""
        return list(self.runtime.queries.work_items(assignee=user, instance_id=self.view.id))

    def handle(
        self,
        node_id: str,
        *,
        by: str,
        outcome: str = "approve",
        data: Mapping[str, Any] | None = None,
        comment: str = "",
    ) -> InstanceView:
        """``by`` takes the item of ``node_id`` from their inbox and completes it."""
        (item,) = [w for w in self.inbox(by) if w.node_id == node_id]
        self.view = self.runtime.execute(
            CompleteWorkItem(item.id, actor=by, outcome=outcome, data=dict(data or {}), comment=comment)
        )
        return self.view

    def item(self, node_id: str, by: str) -> WorkItemView:
        """The one item of ``node_id`` in ``by``'s inbox."""
        (item,) = [w for w in self.inbox(by) if w.node_id == node_id]
        return item

    def act(self, action: Any) -> InstanceView:
        """Run a task operation (转交, 加签, 退回 ...) and follow the instance."""
        self.view = self.runtime.execute(action)
        return self.view

    def people(self, node_id: str) -> list[str]:
        """Who has an open item at ``node_id`` now, in opening order."""
        return [
            who(item.assignee, item.candidate_group)
            for item in self.view.work_items
            if item.node_id == node_id
        ]

    def waiting(self) -> dict[str, str]:
        """Open work items now: node id → who has to act."""
        return {item.node_id: who(item.assignee, item.candidate_group) for item in self.view.work_items}

    @property
    def detail(self) -> InstanceDetail:
        return self.runtime.queries.instance(self.view.business_key)

    def history(self, *kinds: str) -> list[HistoryEntry]:
        return [entry for entry in self.detail.history if entry.kind in kinds]

    def opened(self) -> list[tuple[str | None, str]]:
        """Every work item opened so far, in order: (node name, who it was for)."""
        return [
            (entry.node_name, who((entry.data or {}).get("assignee"), (entry.data or {}).get("group")))
            for entry in self.history("work_item_opened")
        ]

    def completed(self) -> list[tuple[str | None, str | None, str | None, str | None]]:
        """Every completion so far, in order: (node name, actor, outcome, comment)."""
        return [(e.node_name, e.actor, e.outcome, e.comment) for e in self.history("work_item_completed")]

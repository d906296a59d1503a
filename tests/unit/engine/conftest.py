from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest

from orgflow.engine.commands import ClaimWorkItem, Command, CompleteWorkItem, StartInstance, UnclaimWorkItem
from orgflow.engine.effects import Rejection, Transition
from orgflow.engine.state import InstanceState, WorkItem
from orgflow.engine.step import apply
from orgflow.ids import SequentialIds
from orgflow.model.definition import ProcessDefinition
from orgflow.model.yaml_reader import load_definition
from orgflow.org.model import EMPTY_ORG, OrgSnapshot

NOW = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


class Walker:
    """Drives one instance through the pure engine, as a person would through the inbox."""

    def __init__(self, definition: ProcessDefinition, org: OrgSnapshot = EMPTY_ORG) -> None:
        self.definition = definition
        self.org = org
        self.ids = SequentialIds("w")
        self.state: InstanceState | None = None
        self.last: Transition | None = None

    def start(
        self, data: Mapping[str, Any] | None = None, initiator: str | None = "starter"
    ) -> InstanceState:
        command = StartInstance(
            instance_id="i1",
            definition_id=f"{self.definition.key}:1",
            business_key="T1",
            initiator=initiator,
            data=data or {},
        )
        return self._take(apply(self.definition, None, command, NOW, self.ids, self.org))

    def item(self, node_id: str) -> str:
        assert self.state is not None
        matches = [item.id for item in self.state.work_items if item.node_id == node_id]
        assert len(matches) == 1, f"expected one open item at {node_id}, have {self.open_nodes()}"
        return matches[0]

    def complete(
        self,
        node_id: str,
        outcome: str = "approve",
        data: Mapping[str, Any] | None = None,
        actor: str | None = None,
    ) -> InstanceState:
        return self._take(self.try_complete(node_id, outcome, data, actor))

    def try_complete(
        self,
        node_id: str,
        outcome: str = "approve",
        data: Mapping[str, Any] | None = None,
        actor: str | None = None,
    ) -> Transition | Rejection:
        """Complete the item at ``node_id``, by default as the person it is for."""
        assert self.state is not None
        item = self.state.work_item(self.item(node_id))
        assert item is not None
        command = CompleteWorkItem(
            work_item_id=item.id, actor=actor or item.assignee or "u1", outcome=outcome, data=data or {}
        )
        return apply(self.definition, self.state, command, NOW, self.ids, self.org)

    def try_complete_item(
        self, work_item_id: str, actor: str | None, outcome: str = "approve"
    ) -> Transition | Rejection:
        """Complete one work item by id (when a node has several) as ``actor``."""
        command = CompleteWorkItem(work_item_id=work_item_id, actor=actor, outcome=outcome)
        return apply(self.definition, self.state, command, NOW, self.ids, self.org)

    def try_claim(self, work_item_id: str, user: str) -> Transition | Rejection:
        return apply(
            self.definition,
            self.state,
            ClaimWorkItem(work_item_id=work_item_id, user=user),
            NOW,
            self.ids,
            self.org,
        )

    def try_unclaim(self, work_item_id: str, user: str) -> Transition | Rejection:
        command = UnclaimWorkItem(work_item_id=work_item_id, user=user)
        return apply(self.definition, self.state, command, NOW, self.ids, self.org)

    def try_do(self, command: Command) -> Transition | Rejection:
        """Apply any command to the current state."""
        return apply(self.definition, self.state, command, NOW, self.ids, self.org)

    def do(self, command: Command) -> InstanceState:
        """Apply a command that must be accepted."""
        return self._take(self.try_do(command))

    def items(self, node_id: str) -> list[WorkItem]:
        """The open work items at a node, oldest first."""
        assert self.state is not None
        return [item for item in self.state.work_items if item.node_id == node_id]

    def by(self, node_id: str, user: str) -> str:
        """The id of the open item at ``node_id`` that is for ``user``."""
        (found,) = [item.id for item in self.items(node_id) if item.assignee == user]
        return found

    def take(self, result: Transition | Rejection) -> InstanceState:
        """Accept a transition (fails the test on a rejection)."""
        return self._take(result)

    def open_nodes(self) -> list[str]:
        assert self.state is not None
        return sorted(item.node_id for item in self.state.work_items)

    def _take(self, result: Transition | Rejection) -> InstanceState:
        assert isinstance(result, Transition), result
        self.last = result
        self.state = result.state
        return result.state


@pytest.fixture
def walk():
    def make(text: str, org: OrgSnapshot = EMPTY_ORG) -> Walker:
        return Walker(load_definition(text).definition, org)

    return make

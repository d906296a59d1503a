from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pytest

from orgflow.engine.commands import CompleteWorkItem, StartInstance
from orgflow.engine.effects import Rejection, Transition
from orgflow.engine.state import InstanceState
from orgflow.engine.step import apply
from orgflow.ids import SequentialIds
from orgflow.model.definition import ProcessDefinition
from orgflow.model.yaml_reader import load_definition

NOW = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)


class Walker:
    """Drives one instance through the pure engine, as a person would through the inbox."""

    def __init__(self, definition: ProcessDefinition) -> None:
        self.definition = definition
        self.ids = SequentialIds("w")
        self.state: InstanceState | None = None
        self.last: Transition | None = None

    def start(self, data: Mapping[str, Any] | None = None) -> InstanceState:
        command = StartInstance(
            instance_id="i1",
            definition_id=f"{self.definition.key}:1",
            business_key="T1",
            initiator="starter",
            data=data or {},
        )
        return self._take(apply(self.definition, None, command, NOW, self.ids))

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
        return apply(self.definition, self.state, command, NOW, self.ids)

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
    def make(text: str) -> Walker:
        return Walker(load_definition(text).definition)

    return make

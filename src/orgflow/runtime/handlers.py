"""Action handlers: load state → engine.apply → answer service calls → persist the transition.

Each handler runs inside the unit of work the executor opened; it reads the
clock once, after the transaction began (on SQLite, after the write lock was
taken), so history times follow commit order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from orgflow.clock import Clock
from orgflow.engine import commands
from orgflow.engine.effects import Rejection, Transition
from orgflow.engine.state import InstanceState
from orgflow.engine.step import apply
from orgflow.ids import IdSource
from orgflow.model.definition import ProcessDefinition
from orgflow.model.yaml_reader import load_definition
from orgflow.runtime.actions import Action, CompleteWorkItem, DeployDefinition, StartProcess
from orgflow.runtime.services import ServiceRegistry, answer_service_calls
from orgflow.runtime.unit_of_work import UnitOfWork
from orgflow.runtime.views import Deployed, InstanceView, instance_view


class ActionHandlers:
    """Dispatches each action type to its handler; holds what handlers share (clock, ids, services)."""

    def __init__(self, *, clock: Clock, ids: IdSource, services: ServiceRegistry) -> None:
        self.clock = clock
        self.ids = ids
        self.services = services
        self._table: Mapping[type[Any], Callable[[Any, UnitOfWork], object]] = {
            DeployDefinition: self.deploy,
            StartProcess: self.start,
            CompleteWorkItem: self.complete,
        }

    def __call__(self, action: Action, uow: UnitOfWork) -> object:
        """Run the handler for ``action`` inside ``uow``."""
        return self._table[type(action)](action, uow)

    def deploy(self, action: DeployDefinition, uow: UnitOfWork) -> Deployed:
        """Validate and store a new version (or return the newest if the source is unchanged)."""
        loaded = load_definition(action.source_text, source=action.source_name or "<yaml>")
        deployed, created = uow.deploy(
            loaded.definition, source_text=action.source_text, actor=action.actor, now=self.clock.now()
        )
        return Deployed(
            id=deployed.id,
            key=deployed.key,
            version=deployed.version,
            label=deployed.label,
            warnings=loaded.warnings,
            created=created,
        )

    def start(self, action: StartProcess, uow: UnitOfWork) -> InstanceView:
        """Start an instance: take a business key, run to the first wait states, persist."""
        now = self.clock.now()
        deployed = uow.definition_to_start(action.key, action.version)
        definition = deployed.definition
        command = commands.StartInstance(
            instance_id=self.ids.new_id(),
            definition_id=deployed.id,
            business_key=uow.next_business_key(definition.business_key_prefix, now),
            initiator=action.initiator,
            data=action.data,
        )
        transition = self._run(definition, None, command, now)
        return instance_view(uow.save(None, transition, deployed, now), deployed)

    def complete(self, action: CompleteWorkItem, uow: UnitOfWork) -> InstanceView:
        """Complete an open work item and move the instance on to its next wait states."""
        now = self.clock.now()
        before = uow.instance_for_work_item(action.work_item_id)
        deployed = uow.definition(before.state.definition_id)
        command = commands.CompleteWorkItem(
            work_item_id=action.work_item_id,
            actor=action.actor,
            outcome=action.outcome,
            data=action.data,
            comment=action.comment,
        )
        transition = self._run(deployed.definition, before.state, command, now)
        return instance_view(uow.save(before, transition, deployed, now), deployed)

    def _run(
        self,
        definition: ProcessDefinition,
        state: InstanceState | None,
        command: commands.Command,
        now: datetime,
    ) -> Transition:
        """Apply the command and answer any service calls; a refused command raises ``CommandRejected``."""
        outcome = apply(definition, state, command, now, self.ids)
        if isinstance(outcome, Rejection):
            raise outcome.to_error()
        return answer_service_calls(definition, outcome, self.services, now, self.ids)

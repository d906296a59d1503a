"""Service tasks: the registry of Python handlers, and the loop that answers the engine's calls.

The engine never runs code: reaching a service task it emits
``ServiceCallRequested`` and the token waits. Inside the same transaction the
runtime calls the registered handler with a read-only copy of the instance
data and feeds the answer back (``CompleteServiceCall``), until no call is
pending. A handler that is not registered, raises, or returns something that
is not a JSON object becomes ``FailServiceCall``: the instance stops as
``failed`` with the reason recorded, and the command that got it there still
succeeds (the person who approved did nothing wrong).

A handler that meets a business outcome the process models (a card declined,
credit refused) raises :class:`~orgflow.errors.BusinessError` with a code instead: that is a
BPMN error (``ThrowError``), caught by an error boundary of the service task or
of a scope around it. A call whose token was cancelled meanwhile (an error or
a terminate end on another path) is not made.
"""

from __future__ import annotations

import copy
import logging
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

from orgflow.engine.commands import CompleteServiceCall, FailServiceCall, ThrowError
from orgflow.engine.effects import Effect, Rejection, ServiceCallRequested, Transition
from orgflow.engine.state import InstanceState, InstanceStatus, TokenStatus
from orgflow.engine.step import apply
from orgflow.errors import BusinessError
from orgflow.ids import IdSource
from orgflow.model.definition import ProcessDefinition
from orgflow.org.model import EMPTY_ORG, OrgSnapshot
from orgflow.store.database import dump_json

#: A service task handler: gets a read-only copy of the instance data, returns values to merge (or None).
ServiceHandler = Callable[[Mapping[str, Any]], Mapping[str, Any] | None]

#: Service calls one command may make before the instance is stopped as a runaway loop.
MAX_SERVICE_CALLS = 1000

logger = logging.getLogger("orgflow.runtime.services")


#: What the runtime answers a service call with.
ServiceAnswer = CompleteServiceCall | FailServiceCall | ThrowError


class ServiceRegistry:
    """Handlers by the name service tasks give in their ``handler`` attribute."""

    def __init__(self, handlers: Mapping[str, ServiceHandler] | None = None) -> None:
        self._handlers: dict[str, ServiceHandler] = dict(handlers or {})

    def register(self, name: str, handler: ServiceHandler) -> None:
        """Register (or replace) the handler called ``name``."""
        self._handlers[name] = handler

    def handler(self, name: str) -> Callable[[ServiceHandler], ServiceHandler]:
        """Decorator form of :meth:`register`."""

        def decorate(function: ServiceHandler) -> ServiceHandler:
            self.register(name, function)
            return function

        return decorate

    def __contains__(self, name: object) -> bool:
        return name in self._handlers

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._handlers))

    def call(self, request: ServiceCallRequested, state: InstanceState, node_name: str) -> ServiceAnswer:
        """Run the handler for one request and turn whatever happens into the engine's answer."""
        where = f"服务任务「{node_name}」的处理程序 {request.handler!r}"
        handler = self._handlers.get(request.handler)
        if handler is None:
            return FailServiceCall(
                token_id=request.token_id, message=f"{where} 未注册，请联系管理员注册后处理。"
            )
        try:
            result = handler(MappingProxyType(copy.deepcopy(dict(state.data))))
        except BusinessError as error:
            return ThrowError(token_id=request.token_id, code=error.code, message=error.detail)
        except Exception as error:
            logger.warning(
                "service handler raised",
                exc_info=True,
                extra={"action": "service_call", "handler": request.handler, "instance_id": state.id},
            )
            return FailServiceCall(
                token_id=request.token_id, message=f"{where} 执行出错：{type(error).__name__}: {error}"
            )
        if result is None:
            result = {}
        if not isinstance(result, Mapping):
            return FailServiceCall(
                token_id=request.token_id,
                message=f"{where} 返回了 {type(result).__name__}，应返回字典或 None。",
            )
        try:
            dump_json(result)
        except (TypeError, ValueError) as error:
            return FailServiceCall(token_id=request.token_id, message=f"{where} 的返回值无法保存：{error}")
        return CompleteServiceCall(token_id=request.token_id, result=dict(result))


def answer_service_calls(
    definition: ProcessDefinition,
    transition: Transition,
    services: ServiceRegistry,
    now: datetime,
    ids: IdSource,
    chart: OrgSnapshot = EMPTY_ORG,
) -> Transition:
    """Call handlers for every pending service call, feeding results back until none is pending.

    Returns:
        One transition covering the original one and every answer, effects in order.
    """
    pending = deque(effect for effect in transition.effects if isinstance(effect, ServiceCallRequested))
    if not pending:
        return transition
    state = transition.state
    effects: list[Effect] = list(transition.effects)
    calls = 0
    while pending and state.status is InstanceStatus.RUNNING:
        request = pending.popleft()
        if not _still_waiting(state, request):
            continue  # cancelled meanwhile, with its scope
        calls += 1
        node_name = definition.nodes[request.node_id].label
        if calls > MAX_SERVICE_CALLS:
            answer: ServiceAnswer = FailServiceCall(
                token_id=request.token_id,
                message=(
                    f"自动步骤在一次办理中执行超过 {MAX_SERVICE_CALLS} 次，"
                    f"流程可能存在死循环（停在「{node_name}」）。"
                ),
            )
        else:
            answer = services.call(request, state, node_name)
        outcome = apply(definition, state, answer, now, ids, chart)
        if isinstance(outcome, Rejection):
            raise outcome.to_error()
        state = outcome.state
        effects.extend(outcome.effects)
        pending.extend(effect for effect in outcome.effects if isinstance(effect, ServiceCallRequested))
    return Transition(state=state, effects=tuple(effects))


def _still_waiting(state: InstanceState, request: ServiceCallRequested) -> bool:
    """Whether the request's token still waits at its service task for this answer."""
    return any(
        token.id == request.token_id
        and token.node_id == request.node_id
        and token.status is TokenStatus.SERVICE
        for token in state.tokens
    )

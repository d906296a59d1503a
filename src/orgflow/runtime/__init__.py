"""The command/transaction boundary: the only place that writes.

Adapters open a :class:`Runtime` with :func:`open_runtime`, run actions with
``runtime.execute(action)`` and read with ``runtime.queries``.
"""

from __future__ import annotations

from orgflow.errors import BusinessError
from orgflow.runtime.actions import CompleteWorkItem, DeployDefinition, Deployed, InstanceView, StartProcess
from orgflow.runtime.facade import Runtime, open_runtime
from orgflow.runtime.services import ServiceHandler, ServiceRegistry

__all__ = [
    "BusinessError",
    "CompleteWorkItem",
    "DeployDefinition",
    "Deployed",
    "InstanceView",
    "Runtime",
    "ServiceHandler",
    "ServiceRegistry",
    "StartProcess",
    "open_runtime",
]

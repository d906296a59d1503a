"""OrgFlow 协同流程平台: cross-department processes with owners and time limits at every step.

The names below are the supported public API; everything else may change.
"""

from __future__ import annotations

from orgflow.engine.step import apply
from orgflow.errors import (
    BusinessError,
    CommandRejected,
    ConfigurationError,
    Conflict,
    DefinitionError,
    ExpressionError,
    NotFound,
    OrgFlowError,
    PermissionDenied,
    ServiceHandlerError,
    WorkItemNotOpen,
)
from orgflow.model.definition import ProcessDefinition
from orgflow.model.yaml_reader import load_definition, load_definition_file
from orgflow.runtime.actions import CompleteWorkItem, DeployDefinition, StartProcess
from orgflow.runtime.facade import Runtime, open_runtime
from orgflow.runtime.services import ServiceRegistry
from orgflow.settings import Settings

__all__ = [
    "BusinessError",
    "CommandRejected",
    "CompleteWorkItem",
    "ConfigurationError",
    "Conflict",
    "DefinitionError",
    "DeployDefinition",
    "ExpressionError",
    "NotFound",
    "OrgFlowError",
    "PermissionDenied",
    "ProcessDefinition",
    "Runtime",
    "ServiceHandlerError",
    "ServiceRegistry",
    "Settings",
    "StartProcess",
    "WorkItemNotOpen",
    "apply",
    "load_definition",
    "load_definition_file",
    "open_runtime",
]

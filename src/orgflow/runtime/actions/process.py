"""Deploying, starting and completing: the actions every process runs on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass(frozen=True, slots=True)
class DeployDefinition:
    """Deploy a definition from its source text; identical source to the newest version is a no-op.

    Attributes:
        source_text: The definition, in ``source_format``.
        source_name: Where it came from (a file name), for error messages.
        actor: Who deploys it.
        source_format: ``yaml`` (the DSL) or another format of ``orgflow.model.loaders.LOADERS``.
        change_note: What changed in this version (变更说明), shown in the list of versions.
    """

    name: ClassVar[str] = "deploy_definition"
    retry_safe: ClassVar[bool] = True

    source_text: str
    source_name: str = ""
    actor: str | None = None
    source_format: str = "yaml"
    change_note: str | None = None

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers (never data values)."""
        return {"source": self.source_name, "actor": self.actor}


@dataclass(frozen=True, slots=True)
class StartProcess:
    """Start an instance of the newest (or a given) version of a definition.

    Attributes:
        key: The definition's key.
        data: Start form values.
        initiator: Who starts it.
        version: A specific version; ``None`` for the newest.
    """

    name: ClassVar[str] = "start_process"
    retry_safe: ClassVar[bool] = True

    key: str
    data: Mapping[str, Any] = field(default_factory=dict)
    initiator: str | None = None
    version: int | None = None

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers (never data values)."""
        return {"key": self.key, "version": self.version, "actor": self.initiator}


@dataclass(frozen=True, slots=True)
class CompleteWorkItem:
    """Complete an open work item with an outcome, form data and a comment.

    Attributes:
        work_item_id: The work item.
        actor: Who completes it.
        outcome: One of the node's outcomes (``approve``/``reject`` by default).
        data: Form values.
        comment: Free text kept in the history.
    """

    name: ClassVar[str] = "complete_work_item"
    retry_safe: ClassVar[bool] = True

    work_item_id: str
    actor: str | None
    outcome: str = "approve"
    data: Mapping[str, Any] = field(default_factory=dict)
    comment: str = ""

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers (never data values)."""
        return {"work_item_id": self.work_item_id, "actor": self.actor, "outcome": self.outcome}

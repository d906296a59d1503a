"""Moving running instances from one version of their definition to another (版本迁移)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar


@dataclass(frozen=True, slots=True)
class MigrateInstances:
    """Move running instances of ``key`` from one version to another, all or none, in one transaction.

    Every token and open work item must have a node to go to; a pending timer of a
    boundary timer (timeout, reminder) the new version removed does not refuse the
    move: it is cancelled, and listed (a dry run lists what would be cancelled).
    Re-running after a lost race is safe: everything is read and checked again.

    Attributes:
        key: The definition's key.
        from_version: The version the instances run on.
        to_version: The version they move to.
        mapping: Old node id → new node id; a node not named moves to the node with the
            same id in the new version.
        instance_ids: The instances to move (ids or business keys); empty: every running
            instance of ``from_version``.
        dry_run: Check and say what would move, without changing anything.
        actor: Who moves them (recorded in each instance's history).
        expected_versions: Instance id → the optimistic version a dry run showed; an
            instance changed since is a conflict (nothing moves).
    """

    name: ClassVar[str] = "migrate_instances"
    retry_safe: ClassVar[bool] = True

    key: str
    from_version: int
    to_version: int
    mapping: Mapping[str, str] = field(default_factory=dict)
    instance_ids: tuple[str, ...] = ()
    dry_run: bool = False
    actor: str | None = None
    expected_versions: Mapping[str, int] = field(default_factory=dict)

    def log_fields(self) -> dict[str, Any]:
        """Safe-to-log identifiers."""
        return {
            "key": self.key,
            "from_version": self.from_version,
            "to_version": self.to_version,
            "instances": len(self.instance_ids),
            "dry_run": self.dry_run,
            "actor": self.actor,
        }

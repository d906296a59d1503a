"""Views of a definition's versions: what changed between two, and instances moved between them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from orgflow.model.diff import DefinitionDiff


@dataclass(frozen=True, kw_only=True, slots=True)
class VersionDiff:
    """What changed from one version of a key to another (``diff``), with both labels."""

    key: str
    from_version: int
    to_version: int
    from_label: str
    to_label: str
    diff: DefinitionDiff


@dataclass(frozen=True, kw_only=True, slots=True)
class MovedElement:
    """A token, work item or timer of an instance and where it goes.

    Attributes:
        kind: ``token``, ``work_item`` or ``timer``.
        id: Its id (a re-armed timer: the new round's).
        from_node: The old node (``None``: a boundary timer the new version adds).
        from_name: The old node's name.
        to_node: The new node.
        to_name: The new node's name.
        timer: For a timer: ``kept`` (same moment), ``rearmed`` (new terms) or ``armed`` (new).
    """

    kind: str
    id: str
    from_node: str | None
    from_name: str | None
    to_node: str
    to_name: str
    timer: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class CancelledTimer:
    """A pending timer round a move cancels: its boundary timer is gone from the new version.

    Attributes:
        id: The round's id.
        node_id: The boundary timer (an old version's node).
        name: Its name in the old version.
        due_at: When it would have fired (``None``: not known).
    """

    id: str
    node_id: str
    name: str
    due_at: datetime | None


@dataclass(frozen=True, kw_only=True, slots=True)
class InstanceMove:
    """One instance moved (or, in a dry run, that would move).

    Attributes:
        instance_id: The instance.
        business_key: Its business key.
        version: Its optimistic version when it was checked (give it back to move exactly that).
        moves: Each token, work item and timer.
        mapping: Old → new node of every node it stood on.
        dropped_trail: Completed steps the new version no longer has (no longer returned to).
        cancelled_timers: Pending timers (将取消的定时器) whose boundary timer the new version removed.
    """

    instance_id: str
    business_key: str
    version: int
    moves: tuple[MovedElement, ...]
    mapping: Mapping[str, str]
    dropped_trail: tuple[str, ...] = ()
    cancelled_timers: tuple[CancelledTimer, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class Migration:
    """The outcome of moving instances between versions (``dry_run``: nothing was changed)."""

    key: str
    from_version: int
    to_version: int
    from_label: str
    to_label: str
    dry_run: bool
    instances: tuple[InstanceMove, ...]

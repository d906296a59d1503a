"""The inbox (待办 / 已办 / 我发起的 / 抄送我的) and what copying (抄送) and urging (催办) return."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from orgflow.runtime.views.instances import ActiveNode, InstanceSummary


@dataclass(frozen=True, kw_only=True, slots=True)
class InboxItem:
    """A work item in 待办 or 已办, with its instance's business key, definition and initiator.

    ``department`` is what the item is filed under (its node's 负责部门, else
    its candidate group's); ``due_at`` its time limit, if it has one.
    """

    id: str
    instance_id: str
    business_key: str
    definition_key: str
    initiator: str | None
    node_id: str
    name: str
    assignee: str | None
    candidate_group: str | None
    department: str | None
    status: str
    created_at: datetime
    due_at: datetime | None
    completed_at: datetime | None
    actor: str | None
    outcome: str | None
    comment: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class CopyNote:
    """How an instance came to be copied to someone (抄送)."""

    copied_by: str | None
    copied_at: datetime
    note: str | None
    read_at: datetime | None


@dataclass(frozen=True, kw_only=True, slots=True)
class InboxInstance:
    """An instance in 我发起的 or 抄送我的: its status, where it waits, and (抄送) the copy.

    Attributes:
        summary: The instance's line in a list.
        active_nodes: Where tokens wait (empty once it has ended).
        copy: For 抄送我的, who copied it, when and why; ``None`` in 我发起的.
    """

    summary: InstanceSummary
    active_nodes: tuple[ActiveNode, ...]
    copy: CopyNote | None = None


Entry = TypeVar("Entry", "InboxItem", "InboxInstance")


@dataclass(frozen=True, kw_only=True, slots=True)
class InboxPage(Generic[Entry]):
    """One page of an inbox view and how many entries the view has in all (same filters).

    Attributes:
        view: ``todo``, ``done``, ``started`` or ``cc``.
        items: The page, in the view's order.
        total: Entries in the whole view.
        limit: The page size asked for.
        offset: How many entries come before this page.
    """

    view: str
    items: tuple[Entry, ...]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True, kw_only=True, slots=True)
class InboxCounts:
    """How many entries each inbox view has, with the same filters."""

    todo: int
    done: int
    started: int
    cc: int


@dataclass(frozen=True, kw_only=True, slots=True)
class Copied:
    """The result of copying an instance (抄送).

    Attributes:
        instance_id: The instance.
        business_key: Its business key.
        added: Users copied now, in the order given (roles expanded).
        already: Users who had been copied before (left as they were).
    """

    instance_id: str
    business_key: str
    added: tuple[str, ...]
    already: tuple[str, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class Urged:
    """The result of urging an instance (催办).

    Attributes:
        instance_id: The instance.
        business_key: Its business key.
        assignees: People its open work items are with.
        groups: Candidate groups of its unclaimed open work items.
        at: When it was urged.
        next_allowed_at: When the same person may urge it again.
    """

    instance_id: str
    business_key: str
    assignees: tuple[str, ...]
    groups: tuple[str, ...]
    at: datetime
    next_allowed_at: datetime

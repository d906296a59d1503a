"""Who a reminder or an escalation reaches, read off the org chart at the moment it happens (pure).

Resolved late on purpose: a head who changed since the step opened is the
one who must hear of it now.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from orgflow.model.sla import Recipient
from orgflow.org.model import OrgSnapshot


class Step(NamedTuple):
    """The facts about a step that recipients are found from."""

    assignee: str | None
    department: str | None  # the node's responsible department (负责部门), by name or id
    initiator: str | None


def resolve_recipients(recipients: Iterable[Recipient], step: Step, org: OrgSnapshot) -> tuple[str, ...]:
    """Users for ``recipients``, in order, without repeats; a role nobody fills is passed over."""
    found: dict[str, None] = {}
    for recipient in recipients:
        for user in _one(recipient, step, org):
            found.setdefault(user)
    return tuple(found)


def _one(recipient: Recipient, step: Step, org: OrgSnapshot) -> tuple[str, ...]:
    if recipient is Recipient.ASSIGNEE:
        return (step.assignee,) if step.assignee else ()
    if recipient is Recipient.INITIATOR:
        return (step.initiator,) if step.initiator else ()
    if recipient is Recipient.ASSIGNEE_HEAD:
        return _head(step.assignee, org) or _department_head(step.department, org)
    if recipient is Recipient.SUPERVISOR:
        department = _department_id(step.department, org) or _primary(step.assignee, org)
        return _supervisor(department, org)
    if recipient is Recipient.INITIATOR_HEAD:
        return _head(step.initiator, org)
    return _supervisor(_primary(step.initiator, org), org)


def _head(user: str | None, org: OrgSnapshot) -> tuple[str, ...]:
    """The user's nearest head (a head's own head: nobody is escalated to themselves)."""
    return org.heads_above(user)[:1] if user else ()


def _department_head(department: str | None, org: OrgSnapshot) -> tuple[str, ...]:
    department_id = _department_id(department, org)
    head = org.head_of(department_id) if department_id else None
    return (head,) if head else ()


def _supervisor(department_id: str | None, org: OrgSnapshot) -> tuple[str, ...]:
    supervisor = org.supervisor_of(department_id) if department_id else None
    return (supervisor,) if supervisor else ()


def _department_id(department: str | None, org: OrgSnapshot) -> str | None:
    found = org.department(department) if department else None
    return found.id if found else None


def _primary(user: str | None, org: OrgSnapshot) -> str | None:
    found = org.user(user) if user else None
    return found.primary_department if found else None

"""The org chart in rows: load a snapshot, replace it with an imported one, and find work it orphans.

An import replaces the chart as a whole, inside the caller's transaction, and
bumps ``org_meta.revision`` so every process can tell with one tiny SELECT
whether its cached snapshot is still current. Users are never deleted: one
missing from the new file is kept, marked inactive (停用), so history and open
work can still name them and nothing points at nobody. Proxies (代理) and
people's own notification preferences are kept across imports; changing one
bumps the revision too.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, or_, select, update

from orgflow.org.model import (
    DEPARTMENT_GROUP,
    EMPTY_ORG,
    Delegation,
    Department,
    OrgSnapshot,
    RoleGrant,
    User,
    build_snapshot,
    department_group,
)
from orgflow.store.statements import NamedStatement
from orgflow.store.tables import (
    OPEN_LITERAL,
    instances,
    org_delegations,
    org_departments,
    org_memberships,
    org_meta,
    org_notification_preferences,
    org_roles,
    org_users,
    work_items,
)

SELECT_REVISION = NamedStatement("org revision", select(org_meta.c.revision).where(org_meta.c.id == 1))


def revision(connection: Connection) -> int:
    """The stored org's revision (0 when none was ever imported)."""
    row = SELECT_REVISION.fetch_first(connection, {})
    return int(row[0]) if row else 0


def load(connection: Connection) -> OrgSnapshot:
    """The stored org chart, whole."""
    current = revision(connection)
    departments = [
        Department(
            id=row.id, name=row.name, parent_id=row.parent_id, head=row.head, supervisor=row.supervisor
        )
        for row in connection.execute(select(org_departments).order_by(org_departments.c.position))
    ]
    memberships: dict[str, list[str]] = {}
    for row in connection.execute(select(org_memberships).order_by(org_memberships.c.position)):
        memberships.setdefault(row.user_id, []).append(row.department_id)
    roles: dict[str, list[RoleGrant]] = {}
    for row in connection.execute(select(org_roles).order_by(org_roles.c.id)):
        roles.setdefault(row.user_id, []).append(RoleGrant(role=row.role, department_id=row.department_id))
    users = [
        User(
            id=row.id,
            name=row.name,
            departments=tuple(memberships.get(row.id, ())),
            roles=tuple(roles.get(row.id, ())),
            email=row.email,
            mobile=row.mobile,
            active=bool(row.active),
        )
        for row in connection.execute(select(org_users).order_by(org_users.c.position))
    ]
    delegations = [
        Delegation(
            user=row.user_id, proxy=row.proxy_id, starts=row.starts, ends=row.ends, reason=row.reason or ""
        )
        for row in connection.execute(select(org_delegations).order_by(org_delegations.c.id))
    ]
    preferences: dict[str, dict[str, tuple[str, ...]]] = {}
    for row in connection.execute(select(org_notification_preferences)):
        preferences.setdefault(row.user_id, {})[row.event] = tuple(row.channels)
    return build_snapshot(
        departments, users, revision=current, delegations=delegations, preferences=preferences
    )


@dataclass(frozen=True, kw_only=True, slots=True)
class OrphanedWorkItem:
    """An open work item whose person or group is no longer in the org: it needs reassigning."""

    id: str
    business_key: str
    name: str
    assignee: str | None
    candidate_group: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class OrgReplaced:
    """What an import changed.

    Attributes:
        revision: The new revision.
        added_users: Ids new in this import.
        deactivated_users: Ids that were active and are now inactive (left the file, or 停用).
        removed_departments: Ids no longer in the chart.
        orphaned: Open work items of deactivated users or removed departments.
    """

    revision: int
    added_users: tuple[str, ...]
    deactivated_users: tuple[str, ...]
    removed_departments: tuple[str, ...]
    orphaned: tuple[OrphanedWorkItem, ...]


def replace(
    connection: Connection, new: OrgSnapshot, *, now: datetime, actor: str | None
) -> tuple[OrgSnapshot, OrgReplaced]:
    """Store ``new`` as the org chart; users it leaves out are kept as inactive.

    Returns the snapshot as stored (with its new revision) and a summary.
    """
    old = load(connection)
    kept = [
        User(
            id=user.id,
            name=user.name,
            departments=tuple(d for d in user.departments if d in new.departments),
            roles=(),
            email=user.email,
            mobile=user.mobile,
            active=False,
        )
        for user in old.users.values()
        if user.id not in new.users
    ]
    users = [*new.users.values(), *kept]
    for table in (org_roles, org_memberships, org_users, org_departments):
        connection.execute(delete(table))
    _insert(connection, new.departments.values(), users)
    next_revision = _bump(connection, now=now, actor=actor)
    stored = build_snapshot(
        new.departments.values(),
        users,
        revision=next_revision,
        delegations=old.delegations,
        preferences=old.preferences,
    )
    deactivated = tuple(
        user.id for user in old.users.values() if user.active and not stored.is_active(user.id)
    )
    removed = tuple(department for department in old.departments if department not in new.departments)
    summary = OrgReplaced(
        revision=next_revision,
        added_users=tuple(user for user in new.users if user not in old.users),
        deactivated_users=deactivated,
        removed_departments=removed,
        orphaned=tuple(orphaned_work(connection, stored)),
    )
    return stored, summary


def _bump(connection: Connection, *, now: datetime, actor: str | None) -> int:
    """Move the org to its next revision (every cached snapshot then reloads); return it.

    The stored revision is incremented in place, not set from what the caller read:
    two changes committed side by side on PostgreSQL (the second waits for the
    first's row lock) get two revisions, so no cache keeps the first one's chart
    under the second one's number.
    """
    moved = connection.execute(
        update(org_meta)
        .where(org_meta.c.id == 1)
        .values(revision=org_meta.c.revision + 1, updated_at=now, updated_by=actor)
    ).rowcount
    if not moved:  # the first change ever: no revision row yet
        connection.execute(insert(org_meta).values(id=1, revision=1, updated_at=now, updated_by=actor))
        return 1
    return revision(connection)


def add_delegation(
    connection: Connection, delegation: Delegation, *, now: datetime, actor: str | None
) -> int:
    """Store a proxy (代理) and move the org to its next revision; return it."""
    connection.execute(
        insert(org_delegations).values(
            user_id=delegation.user,
            proxy_id=delegation.proxy,
            starts=delegation.starts,
            ends=delegation.ends,
            reason=delegation.reason or None,
            created_by=actor,
            created_at=now,
        )
    )
    return _bump(connection, now=now, actor=actor)


def end_delegations(connection: Connection, user: str, *, now: datetime, actor: str | None) -> int:
    """End the user's delegation in force now and drop those still to come; return how many changed."""
    mine = org_delegations.c.user_id == user
    ended = connection.execute(
        update(org_delegations)
        .where(mine, org_delegations.c.starts <= now, org_delegations.c.ends > now)
        .values(ends=now)
    ).rowcount
    dropped = connection.execute(delete(org_delegations).where(mine, org_delegations.c.starts > now)).rowcount
    changed = ended + dropped
    if changed:
        _bump(connection, now=now, actor=actor)
    return int(changed)


def set_preference(
    connection: Connection,
    user: str,
    event: str,
    channels: Sequence[str],
    *,
    now: datetime,
    actor: str | None,
) -> int:
    """Store a person's own channels for ``event`` (``*``: every event), replacing any; return the revision.

    The revision moves first: on PostgreSQL its row lock orders two changes of the
    same choice, so the second replaces the first instead of colliding with it.
    """
    following = _bump(connection, now=now, actor=actor)
    table = org_notification_preferences
    connection.execute(delete(table).where(table.c.user_id == user, table.c.event == event))
    connection.execute(
        insert(table).values(
            user_id=user, event=event, channels=list(channels), updated_at=now, updated_by=actor
        )
    )
    return following


def clear_preferences(
    connection: Connection, user: str, event: str | None, *, now: datetime, actor: str | None
) -> int:
    """Drop a person's own choice for ``event`` (``None``: all of them); return how many were dropped."""
    table = org_notification_preferences
    mine = table.c.user_id == user
    chosen = mine if event is None else mine & (table.c.event == event)
    dropped = int(connection.execute(delete(table).where(chosen)).rowcount)
    if dropped:
        _bump(connection, now=now, actor=actor)
    return dropped


def _insert(connection: Connection, departments: Any, users: Sequence[User]) -> None:
    department_rows = [
        {
            "id": department.id,
            "name": department.name,
            "parent_id": department.parent_id,
            "head": department.head,
            "supervisor": department.supervisor,
            "position": position,
        }
        for position, department in enumerate(departments)
    ]
    user_rows = [
        {
            "id": user.id,
            "name": user.name,
            "email": user.email,
            "mobile": user.mobile,
            "active": user.active,
            "position": position,
        }
        for position, user in enumerate(users)
    ]
    membership_rows = [
        {"user_id": user.id, "department_id": department, "position": position}
        for user in users
        for position, department in enumerate(user.departments)
    ]
    role_rows = [
        {"user_id": user.id, "role": grant.role, "department_id": grant.department_id}
        for user in users
        for grant in user.roles
    ]
    for table, rows in (
        (org_departments, department_rows),
        (org_users, user_rows),
        (org_memberships, membership_rows),
        (org_roles, role_rows),
    ):
        if rows:
            connection.execute(insert(table), rows)


def orphaned_work(connection: Connection, org: OrgSnapshot) -> list[OrphanedWorkItem]:
    """Open work items assigned to inactive users or shared by departments the chart no longer has."""
    inactive = [user.id for user in org.users.values() if not user.active]
    conditions = []
    if inactive:
        conditions.append(work_items.c.assignee.in_(inactive))
    query = (
        select(
            work_items.c.id,
            instances.c.business_key,
            work_items.c.name,
            work_items.c.assignee,
            work_items.c.candidate_group,
        )
        .join(instances, instances.c.id == work_items.c.instance_id)
        .where(work_items.c.status == OPEN_LITERAL)
    )
    conditions.append(work_items.c.candidate_group.like(f"{DEPARTMENT_GROUP}%"))
    found = []
    for row in connection.execute(query.where(or_(*conditions)).order_by(work_items.c.created_at)):
        group = row.candidate_group
        if row.assignee is None and group is not None:
            department = group.removeprefix(DEPARTMENT_GROUP)
            if department_group(department) == group and department in org.departments:
                continue
        elif row.assignee is not None and org.is_active(row.assignee):
            continue
        found.append(
            OrphanedWorkItem(
                id=row.id,
                business_key=row.business_key,
                name=row.name,
                assignee=row.assignee,
                candidate_group=group,
            )
        )
    return found


class OrgCache:
    """The process-wide copy of the stored org chart, reloaded when its revision moves.

    Checking costs one single-row SELECT per command; reloading (10,000 users
    in well under a second) happens only after an import. Only snapshots read
    outside an import's own transaction are kept, so a rolled-back import can
    never leave its chart behind.
    """

    def __init__(self) -> None:
        self._snapshot: OrgSnapshot = EMPTY_ORG
        self._lock = threading.Lock()

    def current(self, connection: Connection) -> OrgSnapshot:
        """The chart as the connection's transaction sees it."""
        stored = revision(connection)
        snapshot = self._snapshot
        if snapshot.revision == stored:
            return snapshot
        with self._lock:
            if self._snapshot.revision != stored:
                self._snapshot = load(connection)
            return self._snapshot

"""Copying an instance to people (抄送): who the copy reaches, and recording it.

Roles are expanded to their current active holders. Every name is checked
before anything is written: an unknown or inactive user, or a role nobody
holds, refuses the whole copy with one message naming each of them. People
already copied are left as they were; when nobody is new, nothing is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from orgflow.errors import CommandRejected
from orgflow.org.model import OrgSnapshot
from orgflow.runtime.actions import CopyInstance
from orgflow.runtime.permissions import check_may_read
from orgflow.runtime.unit_of_work import UnitOfWork
from orgflow.runtime.views import Copied
from orgflow.store.copies import CopyRow
from orgflow.store.history import action_row

#: The history kind a copy records.
INSTANCE_COPIED = "instance_copied"


def recipients(users: Sequence[str], roles: Sequence[str], chart: OrgSnapshot) -> tuple[str, ...]:
    """The users a copy goes to, in the order given, roles expanded, without repeats.

    A role is ``角色`` (held anywhere) or ``角色@部门`` (the department by id or name).

    Raises:
        CommandRejected: Nobody named, or a user is unknown or inactive, or a role has no holder.
    """
    problems = []
    unknown = [user for user in users if chart.user(user) is None]
    inactive = [user for user in users if user not in unknown and not chart.is_active(user)]
    if unknown:
        problems.append(f"用户 {'、'.join(unknown)} 不存在")
    if inactive:
        problems.append(f"用户 {'、'.join(inactive)} 已停用")
    found = list(users)
    for role in roles:
        holders = _holders(role, chart)
        if not holders:
            problems.append(f"角色 {role} 当前无人担任")
        found.extend(holders)
    if problems:
        raise CommandRejected(f"抄送失败，未抄送任何人：{'；'.join(problems)}。", reason="copy_recipients")
    if not found:
        raise CommandRejected("请至少指定一个抄送人或角色。", reason="copy_recipients")
    return tuple(dict.fromkeys(found))


def copy_instance(action: CopyInstance, uow: UnitOfWork, now: datetime) -> Copied:
    """Copy an instance to the action's users and role holders, once each."""
    stored = uow.instance(action.instance)
    state = stored.state
    chart = uow.org()
    actor = check_may_read(
        action.actor,
        initiator=state.initiator,
        business_key=state.business_key,
        chart=chart,
        takes_part=lambda: uow.takes_part(state.id, action.actor or "", chart.groups_of(action.actor or "")),
    )
    wanted = recipients(action.users, action.roles, chart)
    before = uow.copied_users(state.id)
    added = tuple(user for user in wanted if user not in before)
    note = action.note or None
    if added:
        uow.add_copies([CopyRow(state.id, user, actor, now, note) for user in added])
        data = {"users": list(added), "user_names": [chart.name_of(user) for user in added]}
        if action.roles:
            data["roles"] = list(action.roles)
        uow.record(
            [action_row(state.id, now, INSTANCE_COPIED, actor=actor, org=chart, comment=note, data=data)]
        )
    return Copied(
        instance_id=state.id,
        business_key=state.business_key,
        added=added,
        already=tuple(user for user in wanted if user in before),
    )


def _holders(role: str, chart: OrgSnapshot) -> tuple[str, ...]:
    """Active holders of ``角色`` or ``角色@部门``."""
    name, _, ref = role.partition("@")
    if not ref:
        return chart.role_holders(name)
    department = chart.department(ref)
    return chart.role_holders(name, department.id if department is not None else ref)

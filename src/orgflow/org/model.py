"""The organisation as immutable values: departments, users, roles, and the lookups routing needs.

An ``OrgSnapshot`` is the whole org chart at one revision. Assignment rules are
resolved against a snapshot (``orgflow.engine.assignment``), so routing is a
pure function of the rule, the snapshot and the instance, and the simulator can
route on a chart that does not exist yet.

Conventions the lookups follow (what DingTalk and Feishu users expect):

- a user's *head* (直接主管) is the head of their primary department; a
  department head's own head is the head of the parent department, and a
  department without an active head passes the question to its parent;
- the *supervising leader* (分管领导) of a department is its own, or else the
  nearest ancestor's;
- a role is held company-wide (``总经理``) or within one department
  (``财务审核员`` of ``财务部``); a company-wide grant does not satisfy a
  department-scoped lookup, but a department-scoped grant does satisfy a
  company-wide one (``role: 财务审核员`` finds every holder);
- inactive (停用) users are never routed to, but stay in the chart so
  history and open work can still name them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Final

#: The role of the general manager (总经理), the top of every escalation.
GENERAL_MANAGER_ROLE: Final = "总经理"
#: The role of administrators: where unroutable work goes when a definition says so.
ADMINISTRATOR_ROLE: Final = "系统管理员"

#: Prefixes of candidate-group keys stored on shared work items.
DEPARTMENT_GROUP: Final = "dept:"
ROLE_GROUP: Final = "role:"


def department_group(department_id: str) -> str:
    """The candidate-group key of a department's members (``dept:研发部``)."""
    return f"{DEPARTMENT_GROUP}{department_id}"


def role_group(role: str, department_id: str | None = None) -> str:
    """The candidate-group key of a role's holders (``role:总经理``, ``role:财务审核员@财务部``)."""
    return f"{ROLE_GROUP}{role}" if department_id is None else f"{ROLE_GROUP}{role}@{department_id}"


@dataclass(frozen=True, kw_only=True, slots=True)
class Department:
    """A department (部门) of the tree.

    Attributes:
        id: The department code; also its name when the org file gives no code.
        name: What people call it (``研发部``).
        parent_id: The department above it; ``None`` for a top-level department.
        head: The head (负责人), a user id.
        supervisor: The supervising leader (分管领导), a user id; inherited from
            the nearest ancestor when not set.
    """

    id: str
    name: str
    parent_id: str | None = None
    head: str | None = None
    supervisor: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class RoleGrant:
    """A position or role a user holds (岗位/角色), company-wide or in one department."""

    role: str
    department_id: str | None = None

    def __str__(self) -> str:
        return self.role if self.department_id is None else f"{self.role}@{self.department_id}"


@dataclass(frozen=True, kw_only=True, slots=True)
class User:
    """A person who can start processes and be given work.

    Attributes:
        id: The login id (``li_yanfa``); what definitions and history refer to.
        name: The display name (``李研发``).
        departments: Departments the user belongs to, the primary one first.
        roles: Positions and roles held.
        email: Where email notifications go.
        mobile: Mobile number (IM robots mention users by it).
        active: ``False`` once the user has left or is disabled (停用).
    """

    id: str
    name: str
    departments: tuple[str, ...] = ()
    roles: tuple[RoleGrant, ...] = ()
    email: str | None = None
    mobile: str | None = None
    active: bool = True

    @property
    def primary_department(self) -> str | None:
        """The primary department (主部门): routing by "the initiator's department" uses it."""
        return self.departments[0] if self.departments else None


@dataclass(frozen=True, kw_only=True, slots=True)
class Delegation:
    """A proxy (代理): while ``user`` is away, new work for them goes to ``proxy``.

    Attributes:
        user: Who is away.
        proxy: Who acts for them.
        starts: From when (inclusive).
        ends: Until when (exclusive).
        reason: Why (休假, 出差), shown in history.
    """

    user: str
    proxy: str
    starts: datetime
    ends: datetime
    reason: str = ""

    def covers(self, at: datetime) -> bool:
        """The delegation is in force at ``at``."""
        return self.starts <= at < self.ends


@dataclass(frozen=True, slots=True)
class OrgSnapshot:
    """The whole org chart at one revision, indexed for routing.

    Build it with :func:`build_snapshot`; the indexes are derived once, so
    every lookup is a dictionary access.

    Attributes:
        departments: By id, in the order given.
        users: By id, in the order given.
        revision: Bumped by every change to the stored org (0: nothing stored).
        delegations: Proxies (代理), in force or to come.
        preferences: People's own notification channels: user → event (or ``*``,
            every event) → channels. How to reach a person belongs beside their
            email address, and it comes with the chart at no extra query.
    """

    departments: Mapping[str, Department]
    users: Mapping[str, User]
    revision: int = 0
    delegations: tuple[Delegation, ...] = ()
    preferences: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)
    _by_name: Mapping[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    _members: Mapping[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    _holders: Mapping[tuple[str, str | None], tuple[str, ...]] = field(default_factory=dict, repr=False)

    @property
    def is_empty(self) -> bool:
        """No org has been imported: rules that need the chart cannot be resolved."""
        return not self.departments and not self.users

    # --- departments ----------------------------------------------------------------------

    def department(self, ref: str) -> Department | None:
        """The department with this id, or else the one department with this name."""
        found = self.departments.get(ref)
        if found is not None:
            return found
        named = self._by_name.get(ref, ())
        return self.departments[named[0]] if len(named) == 1 else None

    def ambiguous(self, ref: str) -> tuple[str, ...]:
        """Ids of the departments sharing the name ``ref`` when it names more than one."""
        if ref in self.departments:
            return ()
        named = self._by_name.get(ref, ())
        return named if len(named) > 1 else ()

    def ancestors(self, department_id: str) -> Iterator[Department]:
        """The department itself, then each one above it up to the top (cycles are refused at build)."""
        current = self.departments.get(department_id)
        while current is not None:
            yield current
            current = self.departments.get(current.parent_id) if current.parent_id else None

    def members(self, department_id: str) -> tuple[str, ...]:
        """Active users belonging to the department (primary or not), in the order given."""
        return self._members.get(department_id, ())

    def head_of(self, department_id: str) -> str | None:
        """The department's own head, if it has an active one."""
        department = self.departments.get(department_id)
        if department is None or department.head is None:
            return None
        return department.head if self.is_active(department.head) else None

    def supervisor_of(self, department_id: str) -> str | None:
        """The supervising leader (分管领导): the department's own, or else the nearest ancestor's."""
        for department in self.ancestors(department_id):
            if department.supervisor is not None and self.is_active(department.supervisor):
                return department.supervisor
        return None

    # --- users ----------------------------------------------------------------------------

    def user(self, user_id: str) -> User | None:
        """The user with this id, active or not."""
        return self.users.get(user_id)

    def is_active(self, user_id: str) -> bool:
        """The user exists and may be given work."""
        found = self.users.get(user_id)
        return found is not None and found.active

    def name_of(self, user_id: str) -> str:
        """The display name, or the id for someone the chart does not know."""
        found = self.users.get(user_id)
        return found.name if found is not None and found.name else user_id

    def heads_above(self, user_id: str) -> tuple[str, ...]:
        """The user's chain of heads (主管链), nearest first, without the user and without repeats.

        Starts at the primary department: its head, then the head of each
        department above. A user who heads their own department starts one
        level up; departments without an active head are passed over.
        """
        found = self.users.get(user_id)
        if found is None or found.primary_department is None:
            return ()
        chain: list[str] = []
        for department in self.ancestors(found.primary_department):
            head = self.head_of(department.id)
            if head is not None and head != user_id and head not in chain:
                chain.append(head)
        return tuple(chain)

    def role_holders(self, role: str, department_id: str | None = None) -> tuple[str, ...]:
        """Active holders of a role: in one department, or (``None``) anywhere."""
        return self._holders.get((role, department_id), ())

    def proxy_for(self, user_id: str, at: datetime) -> str | None:
        """Who acts for ``user_id`` at ``at`` (代理), if a delegation is in force and its proxy can work.

        One level only: a proxy's own delegation is not followed, so work never
        travels in a circle and history can say plainly "X 代 Y".
        """
        for delegation in self.delegations:
            if delegation.user == user_id and delegation.covers(at) and self.is_active(delegation.proxy):
                return delegation.proxy
        return None

    def groups_of(self, user_id: str) -> frozenset[str]:
        """The candidate-group keys whose shared work the user may claim."""
        found = self.users.get(user_id)
        if found is None or not found.active:
            return frozenset()
        groups = {department_group(department) for department in found.departments}
        for grant in found.roles:
            groups.add(role_group(grant.role))
            if grant.department_id is not None:
                groups.add(role_group(grant.role, grant.department_id))
        return frozenset(groups)

    def group_label(self, group: str) -> str:
        """How a candidate group reads (``部门：研发部``, ``角色：财务审核员（财务部）``)."""
        if group.startswith(DEPARTMENT_GROUP):
            ref = group.removeprefix(DEPARTMENT_GROUP)
            department = self.departments.get(ref)
            return f"部门：{department.name if department else ref}"
        if group.startswith(ROLE_GROUP):
            role, _, ref = group.removeprefix(ROLE_GROUP).partition("@")
            if not ref:
                return f"角色：{role}"
            department = self.departments.get(ref)
            return f"角色：{role}（{department.name if department else ref}）"
        return group


#: The snapshot of a system with no org imported yet.
EMPTY_ORG: Final = OrgSnapshot(departments=MappingProxyType({}), users=MappingProxyType({}))


def build_snapshot(
    departments: Iterable[Department],
    users: Iterable[User],
    *,
    revision: int = 0,
    delegations: Iterable[Delegation] = (),
    preferences: Mapping[str, Mapping[str, tuple[str, ...]]] | None = None,
) -> OrgSnapshot:
    """Index departments and users into a snapshot (structure is checked by ``orgflow.org.checks``)."""
    by_id = {department.id: department for department in departments}
    user_map = {user.id: user for user in users}
    by_name: dict[str, list[str]] = {}
    for department in by_id.values():
        by_name.setdefault(department.name, []).append(department.id)
    members: dict[str, list[str]] = {}
    holders: dict[tuple[str, str | None], list[str]] = {}
    for user in user_map.values():
        if not user.active:
            continue
        for department_id in user.departments:
            members.setdefault(department_id, []).append(user.id)
        for grant in user.roles:
            keys = (
                [(grant.role, None)]
                if grant.department_id is None
                else [
                    (grant.role, grant.department_id),
                    (grant.role, None),
                ]
            )
            for key in keys:
                listed = holders.setdefault(key, [])
                if user.id not in listed:
                    listed.append(user.id)
    return OrgSnapshot(
        departments=MappingProxyType(by_id),
        users=MappingProxyType(user_map),
        revision=revision,
        delegations=tuple(delegations),
        preferences=MappingProxyType(
            {user: MappingProxyType(dict(chosen)) for user, chosen in (preferences or {}).items()}
        ),
        _by_name=MappingProxyType({name: tuple(ids) for name, ids in by_name.items()}),
        _members=MappingProxyType({key: tuple(ids) for key, ids in members.items()}),
        _holders=MappingProxyType({key: tuple(ids) for key, ids in holders.items()}),
    )

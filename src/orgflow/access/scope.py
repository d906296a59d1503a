"""The data scope (seed 003): which instances a caller may read, as one value both lists and reads use.

A person sees the instances they started, take part in (hold or held a work
item, or may claim one now) or were copied on, plus those *of the departments
they head or supervise*: an instance is a department's when its initiator's
primary department is, or when one of its work items is filed under it
(``work_items.department``). Heading or supervising a department covers its
whole subtree, so the head of the top department (总经理) sees the company.
Administrators (系统管理员) and auditors (审计员) read everything; an
integration token reads every instance of the definitions it was granted and
nothing else.

The rule is decided here once, as a :class:`DataScope`: the list query turns
it into a ``WHERE`` (:mod:`orgflow.store.instance_scope`), and a single read
asks :meth:`DataScope.may_read` (:func:`orgflow.runtime.permissions.check_may_read`).
Whether someone takes part, or an instance has work under a department, is a
database question: those come in as callables, asked only when the cheaper
answers do not settle it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from typing import Final

from orgflow.access.roles import Permission, permissions_of, roles_of
from orgflow.auth.principal import Principal
from orgflow.org.model import OrgSnapshot

#: ``Principal.via`` of a user named without credentials (the CLI's ``--user``, the runtime's checks).
VIA_NAMED: Final = "named"


@dataclass(frozen=True, kw_only=True, slots=True)
class DataScope:
    """Which instances one caller may read.

    Attributes:
        user: Whose own part counts (started, takes part, copied); ``None``: nobody's.
        groups: ``user``'s candidate groups: an open unclaimed item of one is a part they take.
        everything: Every instance (administrators, auditors, an integration token within its grants).
        departments: Ids and names of the departments ``user`` heads or supervises, subtrees included
            (work items are filed under a department's id or its name).
        initiators: Users whose primary department is one of those: their instances are the
            departments' too.
        definitions: Only instances of these definition keys (an integration token's grants);
            ``None``: any definition.
    """

    user: str | None
    groups: frozenset[str] = frozenset()
    everything: bool = False
    departments: frozenset[str] = frozenset()
    initiators: frozenset[str] = frozenset()
    definitions: frozenset[str] | None = None

    def may_read(
        self,
        *,
        initiator: str | None,
        definition_key: str | None,
        takes_part: Callable[[], bool],
        filed_under: Callable[[Collection[str]], bool],
    ) -> bool:
        """Whether an instance started by ``initiator``, of ``definition_key``, is in this scope.

        Args:
            initiator: Who started it.
            definition_key: Its definition's key (``None``: unknown, outside any grant).
            takes_part: Whether ``user`` has or had a work item on it, or it was copied to them.
            filed_under: Whether one of its work items is filed under one of these departments.
        """
        if self.definitions is not None and definition_key not in self.definitions:
            return False
        if self.everything:
            return True
        if initiator is not None and (initiator == self.user or initiator in self.initiators):
            return True
        if self.user is not None and takes_part():
            return True
        return bool(self.departments) and filed_under(self.departments)


def overseen_departments(chart: OrgSnapshot, user: str) -> frozenset[str]:
    """Ids of the departments ``user`` heads or supervises (分管), with every department below them.

    An inactive user oversees nothing: they keep only their own part.
    """
    if not chart.is_active(user):
        return frozenset()
    tops = [d.id for d in chart.departments.values() if user in (d.head, d.supervisor)]
    if not tops:
        return frozenset()
    children: dict[str, list[str]] = {}
    for department in chart.departments.values():
        if department.parent_id is not None:
            children.setdefault(department.parent_id, []).append(department.id)
    seen: set[str] = set()
    waiting = list(tops)
    while waiting:
        current = waiting.pop()
        if current not in seen:
            seen.add(current)
            waiting.extend(children.get(current, ()))
    return frozenset(seen)


def person_scope(user: str, chart: OrgSnapshot, *, reads_everything: bool | None = None) -> DataScope:
    """The scope of a person by the org chart (``reads_everything``: given, or from their roles)."""
    if reads_everything is None:
        named = Principal(user_id=user, via=VIA_NAMED)
        reads_everything = Permission.INSTANCE_READ_ALL in permissions_of(roles_of(named, chart))
    if reads_everything:
        return DataScope(user=user, everything=True)
    overseen = overseen_departments(chart, user)
    names = {chart.departments[d].name for d in overseen}
    initiators = frozenset(
        found.id
        for found in chart.users.values()
        if found.primary_department is not None and found.primary_department in overseen
    )
    return DataScope(
        user=user,
        groups=chart.groups_of(user),
        departments=frozenset(overseen | names),
        initiators=initiators,
    )


def scope_of(principal: Principal, chart: OrgSnapshot) -> DataScope:
    """An authenticated caller's scope: a person's by their roles, an integration token's by its grants."""
    if principal.is_integration:
        return DataScope(
            user=principal.user_id, everything=True, definitions=principal.definitions or frozenset()
        )
    reads_everything = Permission.INSTANCE_READ_ALL in permissions_of(roles_of(principal, chart))
    found = person_scope(principal.user_id, chart, reads_everything=reads_everything)
    return found if principal.definitions is None else replace(found, definitions=principal.definitions)

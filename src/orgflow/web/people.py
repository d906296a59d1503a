"""Choosing people on a page: the few the viewer most likely means in a list, everyone else by search.

Why: a ``<select>`` of a whole org chart of thousands makes the work item and
instance pages megabytes long and slow to build (issue 8 asks for 300 ms
with 10,000 people). A small chart (up to :data:`LIST_WHOLE_CHART` people) is
still listed whole, as before; a bigger one lists the viewer's own
departments and those of the people taking part, and offers a text field
beside the list: a user id or an exact name, several separated by commas,
with suggestions from ``GET /people/search`` as one types (``orgflow.js``).
Without scripts the text field still works; the server resolves what was
typed and names anything it cannot.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from starlette.datastructures import FormData

from orgflow.errors import CommandRejected
from orgflow.org.model import OrgSnapshot, User
from orgflow.runtime.views import InstanceDetail
from orgflow.web.rendering import PageScope

#: A chart with at most this many people is listed whole.
LIST_WHOLE_CHART: Final = 300

#: Suggestions one search returns.
SEARCH_LIMIT: Final = 20

#: The typed field's name is the list's name with this suffix.
TYPED_SUFFIX: Final = "_other"

_SEPARATORS: Final = re.compile(r"[,，、;；\s]+")


@dataclass(frozen=True, slots=True)
class Choice:
    """One option of a select: the value posted and what is shown."""

    value: str
    label: str


@dataclass(frozen=True, slots=True)
class PeopleGroup:
    """Active people of one department, for an ``<optgroup>``."""

    label: str
    people: tuple[Choice, ...]


@dataclass(frozen=True, slots=True)
class PeoplePicker:
    """What a people field offers: ``groups`` to pick from; ``partial`` when others are found by search."""

    groups: tuple[PeopleGroup, ...]
    partial: bool

    def __bool__(self) -> bool:
        """Whether there is anyone to choose (the forms are left out otherwise)."""
        return bool(self.groups) or self.partial


#: Nobody to choose (the forms that need people are left out).
NOBODY: Final = PeoplePicker((), partial=False)


def taking_part(detail: InstanceDetail) -> list[str | None]:
    """The people an instance involves so far: its initiator and everyone in its history."""
    return [detail.instance.initiator, *(entry.actor for entry in detail.history)]


def person_label(user: User) -> str:
    """How a person is shown in a list: ``陈静（chen_yanfa）``."""
    return f"{user.name}（{user.id}）"


def people_picker(
    page: PageScope, leave_out: Sequence[str] = (), near: Iterable[str | None] = ()
) -> PeoplePicker:
    """Active people other than the viewer and ``leave_out``, by primary department.

    ``near``: people whose departments are listed too when the chart is too big to list
    whole (those taking part in the instance); the viewer's own departments come first.
    """
    chart = page.org
    skipped = {page.user_id, *leave_out}
    if len(chart.users) <= LIST_WHOLE_CHART:
        return PeoplePicker(_whole_chart(page, skipped), partial=False)
    departments: dict[str, None] = {}
    for user_id in (page.user_id, *near):
        found = chart.user(user_id) if user_id else None
        if found is not None:
            departments.update(dict.fromkeys(found.departments))
    groups = []
    listed: set[str] = set(skipped)
    for department in departments:
        people = []
        for member in chart.members(department):
            if member not in listed:
                listed.add(member)
                people.append(Choice(member, person_label(chart.users[member])))
        if people:
            groups.append(PeopleGroup(page.department_name(department), tuple(people)))
    return PeoplePicker(tuple(groups), partial=True)


def _whole_chart(page: PageScope, skipped: set[str]) -> tuple[PeopleGroup, ...]:
    by_department: dict[str, list[Choice]] = {}
    for user in page.org.users.values():
        if not user.active or user.id in skipped:
            continue
        department = user.primary_department or ""
        by_department.setdefault(department, []).append(Choice(user.id, person_label(user)))
    groups = []
    for department in [*page.org.departments, ""]:
        people = by_department.pop(department, None)
        if people:
            label = page.department_name(department) if department else page.t("其他")
            groups.append(PeopleGroup(label, tuple(people)))
    for department, people in by_department.items():  # a department missing from the chart's list
        groups.append(PeopleGroup(page.department_name(department), tuple(people)))
    return tuple(groups)


def _contains(user: User, needle: str) -> bool:
    """Whether a person's id or name contains ``needle`` (already case-folded)."""
    return needle in user.id.casefold() or needle in user.name.casefold()


def people_shown(chart: OrgSnapshot, search: str) -> list[User]:
    """The chart's people, active or not, whose id or name contains ``search`` (everyone for none), by id."""
    needle = search.strip().casefold()
    return sorted((u for u in chart.users.values() if not needle or _contains(u, needle)), key=lambda u: u.id)


def search_people(chart: OrgSnapshot, query: str, limit: int = SEARCH_LIMIT) -> list[User]:
    """Active people whose id or name contains ``query`` (case-insensitive): exact matches first."""
    needle = query.strip().casefold()
    if not needle:
        return []
    exact: list[User] = []
    partly: list[User] = []
    for user in chart.users.values():
        if not user.active or not _contains(user, needle):
            continue
        (exact if needle in (user.name.casefold(), user.id.casefold()) else partly).append(user)
    return (exact + partly)[:limit]


def chosen_people(page: PageScope, form: FormData, name: str, label: str) -> tuple[str, ...]:
    """The people a form names: picked in the list ``name`` and typed in ``name`` + ``_other``.

    Typed entries are user ids or exact names; one that matches nobody, or a name
    several people share, is refused naming it. At least one person is required.
    """
    picked = [value.strip() for value in form.getlist(name) if isinstance(value, str) and value.strip()]
    typed = form.get(name + TYPED_SUFFIX)
    entries = [entry for entry in _SEPARATORS.split(typed) if entry] if isinstance(typed, str) else []
    chosen = picked + [_resolve(page, name + TYPED_SUFFIX, entry) for entry in entries]
    if not chosen:
        raise CommandRejected(
            page.t("请选择「{label}」", label=page.t(label)), reason="field_required", field=name
        )
    return tuple(dict.fromkeys(chosen))


def chosen_person(page: PageScope, form: FormData, name: str, label: str) -> str:
    """The one person a form names (see :func:`chosen_people`); more than one is refused."""
    chosen = chosen_people(page, form, name, label)
    if len(chosen) > 1:
        raise CommandRejected(
            page.t("「{label}」只能选一个人，现在选了 {count} 个", label=page.t(label), count=len(chosen)),
            reason="field_invalid",
            field=name,
        )
    return chosen[0]


def _resolve(page: PageScope, field: str, entry: str) -> str:
    chart = page.org
    if entry in chart.users:
        return entry
    named = [user.id for user in chart.users.values() if user.name == entry and user.active]
    if len(named) == 1:
        return named[0]
    if named:
        raise CommandRejected(
            page.t(
                "「{name}」有 {count} 人同名，请输入账号：{ids}",
                name=entry,
                count=len(named),
                ids="、".join(named),
            ),
            reason="field_invalid",
            field=field,
        )
    raise CommandRejected(
        page.t("找不到「{name}」：请输入账号或准确的姓名", name=entry), reason="field_invalid", field=field
    )

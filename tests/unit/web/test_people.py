"""Choosing people: the whole chart when small, the departments taking part and a search when big."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.datastructures import FormData

from orgflow.auth.principal import Principal
from orgflow.errors import CommandRejected
from orgflow.org.model import Department, OrgSnapshot, User, build_snapshot
from orgflow.web.i18n import Translator
from orgflow.web.people import LIST_WHOLE_CHART, chosen_people, chosen_person, people_picker, search_people
from orgflow.web.rendering import PageScope


def chart(people_per_department: int, departments: int = 4) -> OrgSnapshot:
    """``departments`` departments d0… of ``people_per_department`` people u<d>_<n>, plus two called 王芳."""
    users = [
        User(id=f"u{d}_{n}", name=f"员工{d}-{n}", departments=(f"d{d}",))
        for d in range(departments)
        for n in range(people_per_department)
    ]
    users += [
        User(id="wang_a", name="王芳", departments=("d1",)),
        User(id="wang_b", name="王芳", departments=("d2",)),
        User(id="gone", name="离职者", departments=("d0",), active=False),
    ]
    return build_snapshot([Department(id=f"d{d}", name=f"部门{d}") for d in range(departments)], users)


def scope(snapshot: OrgSnapshot, viewer: str = "u0_0") -> PageScope:
    page: Any = PageScope(request=None, runtime=None, t=Translator("zh-CN"))  # type: ignore[arg-type]
    page.viewer = Principal(user_id=viewer, via="session")
    page.chart = snapshot
    return page  # type: ignore[no-any-return]


def listed(picker: Any) -> list[str]:
    return [person.value for group in picker.groups for person in group.people]


def test_a_small_chart_is_listed_whole_without_the_viewer_and_the_inactive() -> None:
    picker = people_picker(scope(chart(3)), leave_out=["u1_1"])
    assert not picker.partial
    people = listed(picker)
    assert "u0_0" not in people and "u1_1" not in people and "gone" not in people
    assert {"u0_1", "u3_2", "wang_a", "wang_b"} <= set(people)
    assert [group.label for group in picker.groups] == ["部门0", "部门1", "部门2", "部门3"]


def test_a_big_chart_lists_the_viewers_and_the_participants_departments_only() -> None:
    big = chart(LIST_WHOLE_CHART // 2)
    picker = people_picker(scope(big), near=["u2_5", None, "nobody"])
    assert picker.partial
    assert [group.label for group in picker.groups] == ["部门0", "部门2"]
    people = listed(picker)
    assert "u0_1" in people and "u2_0" in people and "wang_b" in people
    assert "u1_0" not in people and "u3_0" not in people and "u0_0" not in people
    assert len(people) == len(set(people))


def test_search_finds_by_id_or_name_exact_matches_first_and_only_active_people() -> None:
    big = chart(50)
    assert [user.id for user in search_people(big, "王芳")] == ["wang_a", "wang_b"]
    assert search_people(big, "U1_4")[0].id == "u1_4"  # exact id first, then u1_40 … u1_49
    assert len(search_people(big, "u1_4")) == 11
    assert len(search_people(big, "员工", limit=7)) == 7
    assert search_people(big, "离职") == [] and search_people(big, "  ") == []


def form(**fields: str | list[str]) -> FormData:
    items = [
        (key, value)
        for key, values in fields.items()
        for value in ([values] if isinstance(values, str) else values)
    ]
    return FormData(items)


def test_picked_and_typed_people_are_merged_without_repeats() -> None:
    page = scope(chart(3))
    chosen = chosen_people(
        page, form(users=["u1_0", "u2_0"], users_other="u2_0，员工3-1、 wang_a"), "users", "抄送给"
    )
    assert chosen == ("u1_0", "u2_0", "u3_1", "wang_a")


@pytest.mark.parametrize(
    ("typed", "message", "field"),
    [
        ("王芳", "「王芳」有 2 人同名，请输入账号：wang_a、wang_b", "users_other"),
        ("张三", "找不到「张三」：请输入账号或准确的姓名", "users_other"),
        ("", "请选择「抄送给」", "users"),
    ],
)
def test_what_cannot_be_resolved_is_refused_naming_it(typed: str, message: str, field: str) -> None:
    with pytest.raises(CommandRejected) as refused:
        chosen_people(scope(chart(3)), form(users_other=typed), "users", "抄送给")
    assert str(refused.value) == message
    assert refused.value.field == field


def test_one_person_fields_refuse_two() -> None:
    page = scope(chart(3))
    assert chosen_person(page, form(to_user="", to_user_other="u1_2"), "to_user", "转交给") == "u1_2"
    with pytest.raises(CommandRejected) as refused:
        chosen_person(page, form(to_user="u1_0", to_user_other="u1_2"), "to_user", "转交给")
    assert str(refused.value) == "「转交给」只能选一个人，现在选了 2 个"

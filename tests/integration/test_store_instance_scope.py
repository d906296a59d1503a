"""The data scope in SQL on both databases: the WHERE, the page and total, single reads agreeing."""

from __future__ import annotations

import pytest

from orgflow.access.scope import DataScope, person_scope
from orgflow.clock import FrozenClock
from orgflow.errors import PermissionDenied
from orgflow.runtime import CompleteWorkItem, Runtime
from orgflow.runtime.actions import ClaimWorkItem, CopyInstance
from orgflow.runtime.views import InstanceView
from orgflow.store import instance_scope

from .api.instances_fixtures import EVERY, SEES, set_up_company, start_instances


@pytest.fixture
def started(runtime: Runtime, clock: FrozenClock) -> dict[str, InstanceView]:
    set_up_company(runtime)
    return start_instances(runtime, clock)


def _seen(runtime: Runtime, scope: DataScope, started: dict[str, InstanceView], **filters: str) -> set[str]:
    names = {view.id: name for name, view in started.items()}
    found = runtime.queries.instances_in_scope(scope, limit=200, **filters)
    assert found.total == len(found.items)
    return {names[item.id] for item in found.items}


def test_every_user_sees_their_own_and_their_departments_instances(
    runtime: Runtime, started: dict[str, InstanceView]
) -> None:
    chart = runtime.queries.org()
    seen = {user: _seen(runtime, person_scope(user, chart), started) for user in SEES}
    assert seen == SEES


def test_a_single_read_agrees_with_the_list_for_every_user_and_instance(
    runtime: Runtime, started: dict[str, InstanceView]
) -> None:
    for user, visible in SEES.items():
        for name, view in started.items():
            if name in visible:
                assert runtime.queries.instance_for(user, view.business_key).instance.id == view.id
            else:
                with pytest.raises(PermissionDenied, match=f"用户 {user} 无权查看"):
                    runtime.queries.instance_for(user, view.id)


def test_work_filed_under_a_department_by_its_name_brings_in_its_head(
    runtime: Runtime, started: dict[str, InstanceView]
) -> None:
    chart = runtime.queries.org()
    (rd_item,) = started["p_rd"].work_items
    assert "p_rd" not in _seen(runtime, person_scope("fin_head", chart), started)

    runtime.execute(ClaimWorkItem(rd_item.id, "dev2"))
    after = runtime.execute(CompleteWorkItem(rd_item.id, "dev2"))  # on to 财务审核, filed under 财务部

    assert [item.node_id for item in after.work_items] == ["fin"]
    assert _seen(runtime, person_scope("fin_head", chart), started) == {"p_rd", "l_fin"}
    assert _seen(runtime, person_scope("vp_fin", chart), started) == {"p_rd", "l_fin"}
    assert runtime.queries.instance_for("fin_head", started["p_rd"].id).instance.id == started["p_rd"].id
    # dev1's share of 研发评估 ended when dev2 claimed it; dev_head still oversees the 研发部 step done
    assert "p_rd" not in _seen(runtime, person_scope("dev1", chart), started)
    assert "p_rd" in _seen(runtime, person_scope("dev_head", chart), started)


def test_a_copy_brings_the_instance_into_the_copied_users_scope(
    runtime: Runtime, started: dict[str, InstanceView]
) -> None:
    runtime.execute(CopyInstance(started["l_fin"].id, users=("mk1",), actor="fin1"))

    assert _seen(runtime, person_scope("mk1", runtime.queries.org()), started) == {"p_mk", "l_fin"}


def test_granted_definitions_limit_even_a_scope_that_sees_everything(
    runtime: Runtime, started: dict[str, InstanceView]
) -> None:
    granted = DataScope(user="erp", everything=True, definitions=frozenset({"leave"}))
    nothing = DataScope(user="erp", everything=True, definitions=frozenset())
    limited = DataScope(user="mk2", definitions=frozenset({"leave"}))

    assert _seen(runtime, granted, started) == {"l_dev", "l_fin", "l_mk"}
    assert _seen(runtime, nothing, started) == set()
    assert _seen(runtime, limited, started) == {"l_mk"}


def test_filters_narrow_the_scope(runtime: Runtime, started: dict[str, InstanceView]) -> None:
    scope = person_scope("vp_rd", runtime.queries.org())

    assert _seen(runtime, scope, started, definition_key="leave") == {"l_dev", "l_mk"}
    assert _seen(runtime, scope, started, initiator="mk2") == {"p_rd", "l_mk"}
    assert _seen(runtime, scope, started, business_key=started["p_mk"].business_key) == {"p_mk"}
    assert _seen(runtime, scope, started, business_key=started["l_fin"].business_key) == set()
    assert _seen(runtime, scope, started, status="completed") == set()


def test_pages_come_newest_first_with_the_total_of_the_whole_scope(
    runtime: Runtime, started: dict[str, InstanceView]
) -> None:
    scope = DataScope(user="auditor", everything=True)
    newest_first = [started[name].id for name in ("l_mk", "l_fin", "l_dev", "p_rd", "p_mk")]

    pages = [runtime.queries.instances_in_scope(scope, limit=2, offset=offset) for offset in (0, 2, 4, 6)]

    assert [item.id for page in pages for item in page.items] == newest_first
    assert [page.total for page in pages] == [5, 5, 5, 5]
    assert [len(page.items) for page in pages] == [2, 2, 1, 0]


def test_filed_under_asks_about_open_and_closed_items(
    runtime: Runtime, started: dict[str, InstanceView]
) -> None:
    with runtime.database.reading() as connection:
        assert instance_scope.filed_under(connection, started["p_rd"].id, ["yf"])
        assert not instance_scope.filed_under(connection, started["p_rd"].id, ["cw", "财务部"])
        assert not instance_scope.filed_under(connection, started["p_rd"].id, [])
        assert not instance_scope.filed_under(connection, started["p_mk"].id, sorted(EVERY))


def test_the_scope_is_one_where_clause_of_one_statement() -> None:
    scope = DataScope(
        user="u",
        groups=frozenset({"dept:yf"}),
        departments=frozenset({"yf", "研发部"}),
        initiators=frozenset({"u", "v"}),
        definitions=frozenset({"leave"}),
    )
    condition = instance_scope.scope_condition(scope)
    assert condition is not None
    sql = str(condition.compile(compile_kwargs={"render_postcompile": True}))

    assert sql.count("EXISTS") == 2  # work items (own, shared, departments') and copies
    assert "instances.definition_key IN" in sql and "instances.initiator IN" in sql
    assert instance_scope.scope_condition(DataScope(user="a", everything=True)) is None

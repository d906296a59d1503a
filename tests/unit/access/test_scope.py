"""The data scope's pure parts: who oversees which departments, whose instances those are, and the rule."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from orgflow.access.scope import DataScope, overseen_departments, person_scope, scope_of
from orgflow.auth.principal import INTEGRATION, PERSONAL, VIA_TOKEN, Principal
from orgflow.org.model import Department, OrgSnapshot, RoleGrant, User, build_snapshot

#: 总部 (gm) → 产品中心 (pc_head, 分管 vp) → 研发部 (rd_head), 设计部 (ds_head); 财务部 (fin_head, 分管 vp2).
DEPARTMENTS = (
    Department(id="hq", name="总部", head="gm"),
    Department(id="pc", name="产品中心", parent_id="hq", head="pc_head", supervisor="vp"),
    Department(id="rd", name="研发部", parent_id="pc", head="rd_head"),
    Department(id="ds", name="设计部", parent_id="pc", head="ds_head"),
    Department(id="cw", name="财务部", parent_id="hq", head="fin_head", supervisor="vp2"),
)
USERS = (
    User(id="gm", name="总经理", departments=("hq",)),
    User(id="vp", name="分管", departments=("hq",)),
    User(id="vp2", name="财务分管", departments=("hq",), active=False),
    User(id="pc_head", name="中心负责人", departments=("pc",)),
    User(id="rd_head", name="研发负责人", departments=("rd",)),
    User(id="rd1", name="研发甲", departments=("rd", "cw")),
    User(id="ds_head", name="设计负责人", departments=("ds",)),
    User(id="ds1", name="设计甲", departments=("ds",)),
    User(id="fin_head", name="财务负责人", departments=("cw",)),
    User(id="fin1", name="财务甲", departments=("cw",)),
    User(id="admin", name="管理员", departments=("hq",), roles=(RoleGrant(role="系统管理员"),)),
    User(id="auditor", name="审计", departments=("hq",), roles=(RoleGrant(role="审计员"),)),
    User(id="nobody", name="无部门"),
)


@pytest.fixture
def chart() -> OrgSnapshot:
    return build_snapshot(DEPARTMENTS, USERS)


def test_a_head_oversees_their_department_and_everything_below(chart: OrgSnapshot) -> None:
    assert overseen_departments(chart, "rd_head") == {"rd"}
    assert overseen_departments(chart, "pc_head") == {"pc", "rd", "ds"}
    assert overseen_departments(chart, "gm") == {"hq", "pc", "rd", "ds", "cw"}


def test_a_supervisor_oversees_the_subtrees_they_supervise(chart: OrgSnapshot) -> None:
    assert overseen_departments(chart, "vp") == {"pc", "rd", "ds"}


def test_employees_and_inactive_leaders_oversee_nothing(chart: OrgSnapshot) -> None:
    assert overseen_departments(chart, "rd1") == frozenset()
    assert overseen_departments(chart, "vp2") == frozenset()  # 停用
    assert overseen_departments(chart, "stranger") == frozenset()


def test_a_leaders_scope_names_departments_by_id_and_name_and_their_peoples_instances(
    chart: OrgSnapshot,
) -> None:
    scope = person_scope("pc_head", chart)

    assert not scope.everything and scope.definitions is None
    assert scope.departments == {"pc", "rd", "ds", "产品中心", "研发部", "设计部"}
    # by primary department: rd1 also belongs to 财务部, but is 研发部's
    assert scope.initiators == {"pc_head", "rd_head", "rd1", "ds_head", "ds1"}
    assert scope.groups == {"dept:pc"}


def test_an_employees_scope_is_their_own_part_only(chart: OrgSnapshot) -> None:
    scope = person_scope("rd1", chart)

    assert scope == DataScope(user="rd1", groups=frozenset({"dept:rd", "dept:cw"}))


@pytest.mark.parametrize("user", ["admin", "auditor"])
def test_administrators_and_auditors_read_everything(chart: OrgSnapshot, user: str) -> None:
    assert person_scope(user, chart).everything
    assert scope_of(Principal(user_id=user, via=VIA_TOKEN, token_kind=PERSONAL), chart).everything


def test_an_integration_token_reads_its_grants_whatever_its_user_holds(chart: OrgSnapshot) -> None:
    token = Principal(
        user_id="admin", via=VIA_TOKEN, token_kind=INTEGRATION, definitions=frozenset({"leave"})
    )

    scope = scope_of(token, chart)

    assert scope.everything and scope.definitions == {"leave"}
    assert not scope.may_read(
        initiator="admin", definition_key="purchase", takes_part=_never, filed_under=_never
    )
    assert scope.may_read(initiator="rd1", definition_key="leave", takes_part=_never, filed_under=_never)


def test_a_personal_tokens_scope_is_its_persons(chart: OrgSnapshot) -> None:
    token = Principal(user_id="rd_head", via=VIA_TOKEN, token_kind=PERSONAL)

    assert scope_of(token, chart) == person_scope("rd_head", chart)


def _never(*args: object) -> bool:
    return False


def _asked(log: list[str], name: str, answer: bool) -> Callable[..., bool]:
    def ask(*args: object) -> bool:
        log.append(name)
        return answer

    return ask


def test_the_own_and_department_answers_settle_it_before_the_database_is_asked(chart: OrgSnapshot) -> None:
    scope = person_scope("rd_head", chart)
    asked: list[str] = []
    part, filed = _asked(asked, "takes_part", False), _asked(asked, "filed_under", False)

    assert scope.may_read(initiator="rd_head", definition_key="x", takes_part=part, filed_under=filed)
    assert scope.may_read(initiator="rd1", definition_key="x", takes_part=part, filed_under=filed)
    assert asked == []
    assert not scope.may_read(initiator="fin1", definition_key="x", takes_part=part, filed_under=filed)
    assert asked == ["takes_part", "filed_under"]


def test_work_filed_under_an_overseen_department_makes_it_theirs(chart: OrgSnapshot) -> None:
    scope = person_scope("vp", chart)
    seen: list[object] = []

    def filed_under(departments: object) -> bool:
        seen.append(departments)
        return True

    assert scope.may_read(initiator="fin1", definition_key="x", takes_part=_never, filed_under=filed_under)
    assert seen == [scope.departments]


def test_someone_overseeing_nothing_never_asks_about_departments(chart: OrgSnapshot) -> None:
    asked: list[str] = []
    scope = person_scope("fin1", chart)

    assert not scope.may_read(
        initiator="rd1", definition_key="x", takes_part=_never, filed_under=_asked(asked, "filed_under", True)
    )
    assert asked == []


def test_taking_part_and_grants(chart: OrgSnapshot) -> None:
    limited = DataScope(user="fin1", definitions=frozenset({"leave"}))

    assert limited.may_read(
        initiator="x", definition_key="leave", takes_part=lambda: True, filed_under=_never
    )
    assert not limited.may_read(
        initiator="fin1", definition_key=None, takes_part=lambda: True, filed_under=_never
    )

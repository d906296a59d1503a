"""谁能做什么：责任部门说明、发起部门重新计划、处理负责人完成、另一人验证（不能是处理人本人）。"""

from __future__ import annotations

import pytest

from orgflow.anomalies.parties import (
    Parties,
    check_may_explain,
    check_may_replan,
    check_may_resolve,
    check_may_verify,
)
from orgflow.errors import PermissionDenied
from orgflow.org.model import Department, OrgSnapshot, RoleGrant, User, build_snapshot

CHART: OrgSnapshot = build_snapshot(
    (
        Department(id="sc", name="市场部", head="boss"),
        Department(id="yf", name="研发部", head="dev1"),
    ),
    (
        User(id="boss", name="市场经理", departments=("sc",)),
        User(id="sales", name="销售", departments=("sc",)),
        User(id="starter", name="发起人", departments=("sc",)),
        User(id="dev1", name="李研发", departments=("yf",)),
        User(id="dev2", name="周研发", departments=("yf",)),
        User(id="admin", name="管理员", roles=(RoleGrant(role="系统管理员"),)),
    ),
    revision=1,
)
PARTIES = Parties(number="ABN20261202001", initiator="starter", responsible_department="yf", handler="dev2")


def test_the_responsible_department_explains() -> None:
    check_may_explain(CHART, PARTIES, "dev2")
    check_may_explain(CHART, PARTIES, "dev1")
    with pytest.raises(PermissionDenied, match="责任部门「研发部」"):
        check_may_explain(CHART, PARTIES, "sales")


def test_without_a_department_the_assignee_explains() -> None:
    parties = Parties(number="ABN1", initiator="starter", responsible_department=None, assignee="sales")

    check_may_explain(CHART, parties, "sales")
    with pytest.raises(PermissionDenied, match="销售"):
        check_may_explain(CHART, parties, "dev1")


def test_the_initiator_their_head_or_an_administrator_replans() -> None:
    for actor in ("starter", "boss", "admin"):
        check_may_replan(CHART, PARTIES, actor)
    with pytest.raises(PermissionDenied, match="发起部门「市场部」负责人"):
        check_may_replan(CHART, PARTIES, "sales")


def test_only_the_handler_resolves() -> None:
    check_may_resolve(CHART, PARTIES, "dev2")
    with pytest.raises(PermissionDenied, match="周研发（dev2）"):
        check_may_resolve(CHART, PARTIES, "dev1")


def test_the_verifier_is_not_the_handler() -> None:
    for actor in ("starter", "boss", "dev1", "admin"):
        check_may_verify(CHART, PARTIES, actor)
    with pytest.raises(PermissionDenied, match="不能是处理负责人"):
        check_may_verify(CHART, PARTIES, "dev2")
    with pytest.raises(PermissionDenied, match="发起人"):
        check_may_verify(CHART, PARTIES, "sales")
    head_handles = Parties(number="ABN1", initiator="starter", responsible_department="yf", handler="dev1")
    with pytest.raises(PermissionDenied, match="不能是处理负责人"):
        check_may_verify(CHART, head_handles, "dev1")

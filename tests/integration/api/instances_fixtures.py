"""Running instances of the test company (:mod:`.company`) and who may see each, for the scope tests.

::

    p_mk   purchase by mk1, waits at 部门审核 (mk_head)                 市场部 only
    p_rd   purchase by mk2, 部门审核 done, waits at 研发评估 (研发部, shared) 市场部 and 研发部
    l_dev  leave by dev1, waits at dev_head                              研发部
    l_fin  leave by fin1, waits at fin_head                              财务部
    l_mk   leave by mk2, waits at mk_head                                市场部

:data:`SEES` is the data scope's answer for every user of the company.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from orgflow.clock import FrozenClock
from orgflow.runtime import CompleteWorkItem, Runtime, StartProcess
from orgflow.runtime.actions import ImportOrg
from orgflow.runtime.views import InstanceView

from ..conftest import deploy
from .company import LEAVE, PURCHASE, USERS, company

EVERY = frozenset({"p_mk", "p_rd", "l_dev", "l_fin", "l_mk"})

#: Which of the instances each user sees.
SEES: Mapping[str, frozenset[str]] = {
    "gm": EVERY,  # heads 总经办, the top department
    "admin": EVERY,
    "auditor": EVERY,
    "owner": frozenset(),  # 流程负责人 models processes; it gives no data scope
    "vp_rd": frozenset({"p_mk", "p_rd", "l_dev", "l_mk"}),  # 分管 研发部 and 市场部
    "vp_fin": frozenset({"l_fin"}),
    "erp": frozenset(),
    "dev_head": frozenset({"p_rd", "l_dev"}),
    "dev1": frozenset({"p_rd", "l_dev"}),  # 研发部's shared item; started l_dev
    "dev2": frozenset({"p_rd"}),
    "fin_head": frozenset({"l_fin"}),
    "fin1": frozenset({"l_fin"}),
    "mk_head": frozenset({"p_mk", "p_rd", "l_mk"}),
    "mk1": frozenset({"p_mk"}),
    "mk2": frozenset({"p_rd", "l_mk"}),
}
assert set(SEES) == {user.id for user in USERS}


def set_up_company(runtime: Runtime) -> None:
    """The company's org chart and its two processes."""
    runtime.execute(ImportOrg(company(), actor="admin"))
    deploy(runtime, PURCHASE)
    deploy(runtime, LEAVE)


def start_instances(runtime: Runtime, clock: FrozenClock) -> dict[str, InstanceView]:
    """Start the five instances above, a minute apart in this order (the company must be set up)."""
    starts = {
        "p_mk": StartProcess("purchase", {"amount": 300}, initiator="mk1"),
        "p_rd": StartProcess("purchase", {"amount": 800}, initiator="mk2"),
        "l_dev": StartProcess("leave", initiator="dev1"),
        "l_fin": StartProcess("leave", initiator="fin1"),
        "l_mk": StartProcess("leave", initiator="mk2"),
    }
    started = {}
    for name, action in starts.items():
        started[name] = runtime.execute(action)
        clock.advance(timedelta(minutes=1))
    (head_step,) = started["p_rd"].work_items
    started["p_rd"] = runtime.execute(CompleteWorkItem(head_step.id, "mk_head", data={"amount": 800}))
    assert [item.candidate_group for item in started["p_rd"].work_items] == ["dept:yf"]
    return started

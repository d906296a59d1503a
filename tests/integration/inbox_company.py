"""A small company and two processes for the inbox, copy and urge tests.

研发部 yf: dev1, dev2 (and 财务部's fin2 part-time); 财务部 cw: fin1, fin2 (财务审核员 of 财务部);
总经办 zjb: gm (总经理), admin (系统管理员); starter u1 in 市场部 sc; gone has left.

``req``: 研发评审 (shared by 研发部) → 财务会签 (fin1, the node is 财务部's) → end.
``leave``: 总经理审批 (role 总经理, shared) → end.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from orgflow.org.model import Department, OrgSnapshot, RoleGrant, User, build_snapshot
from orgflow.runtime import Runtime
from orgflow.runtime.actions import ImportOrg
from orgflow.store.database import create_database
from orgflow.store.tables import work_items

from .conftest import deploy

DEPARTMENTS = (
    Department(id="zjb", name="总经办", head="gm"),
    Department(id="yf", name="研发部", parent_id="zjb", head="dev1"),
    Department(id="cw", name="财务部", parent_id="zjb", head="fin1"),
    Department(id="sc", name="市场部", parent_id="zjb", head="u1"),
)
USERS = (
    User(id="gm", name="郑总", departments=("zjb",), roles=(RoleGrant(role="总经理"),)),
    User(id="admin", name="管理员", departments=("zjb",), roles=(RoleGrant(role="系统管理员"),)),
    User(id="u1", name="发起人", departments=("sc",)),
    User(id="dev1", name="李研发", departments=("yf",)),
    User(id="dev2", name="周研发", departments=("yf",)),
    User(
        id="fin1",
        name="王财务",
        departments=("cw",),
        roles=(RoleGrant(role="财务审核员", department_id="cw"),),
    ),
    User(
        id="fin2",
        name="钱财务",
        departments=("cw", "yf"),
        roles=(RoleGrant(role="财务审核员", department_id="cw"),),
    ),
    User(id="gone", name="离职员工", departments=("yf",), active=False),
    User(id="outsider", name="路人", departments=("sc",)),
)

REQ = """\
key: req
name: 需求评审
business_key_prefix: RQ
nodes:
  - {id: start, type: start, next: review}
  - {id: review, type: user_task, name: 研发评审, assignee: {department: 研发部}, next: sign}
  - {id: sign, type: user_task, name: 财务会签, department: 财务部, assignee: {user: fin1}, next: end}
  - {id: end, type: end}
"""

LEAVE = """\
key: leave
name: 请假
business_key_prefix: LV
nodes:
  - {id: start, type: start, next: approve}
  - {id: approve, type: user_task, name: 总经理审批, assignee: {role: 总经理}, next: end}
  - {id: end, type: end}
"""


def company() -> OrgSnapshot:
    return build_snapshot(DEPARTMENTS, USERS, revision=1)


def set_up(runtime: Runtime) -> None:
    """The company imported and both processes deployed."""
    runtime.execute(ImportOrg(company(), actor="admin"))
    deploy(runtime, REQ)
    deploy(runtime, LEAVE)


def set_due(url: str, work_item_id: str, due: datetime) -> None:
    """What time-limit scheduling will do: give an open item its due time."""
    database = create_database(url)
    try:
        with database.transaction() as connection:
            connection.execute(
                sa.update(work_items).where(work_items.c.id == work_item_id).values(due_at=due)
            )
    finally:
        database.dispose()

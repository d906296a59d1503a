"""The company every API test runs against: departments with heads and 分管领导, and one of each role.

::

    总经办 zjb   head gm (总经理); admin (系统管理员), auditor (审计员), owner (流程负责人),
                 vp_rd (分管领导 of 研发部 and 市场部), vp_fin (分管领导 of 财务部), erp (a system's user)
    研发部 yf    head dev_head; dev1, dev2
    财务部 cw    head fin_head; fin1
    市场部 sc    head mk_head; mk1, mk2

``purchase`` (采购申请, key ``purchase``): 市场部 starts → 部门审核 (the initiator's head) →
研发评估 (研发部, shared) → 财务审核 (fin1) → end. ``leave`` (请假): 部门审批 (the initiator's
head) → end.
"""

from __future__ import annotations

from orgflow.org.model import Department, OrgSnapshot, RoleGrant, User, build_snapshot

DEPARTMENTS = (
    Department(id="zjb", name="总经办", head="gm"),
    Department(id="yf", name="研发部", parent_id="zjb", head="dev_head", supervisor="vp_rd"),
    Department(id="cw", name="财务部", parent_id="zjb", head="fin_head", supervisor="vp_fin"),
    Department(id="sc", name="市场部", parent_id="zjb", head="mk_head", supervisor="vp_rd"),
)
USERS = (
    User(id="gm", name="郑总", departments=("zjb",), roles=(RoleGrant(role="总经理"),)),
    User(id="admin", name="管理员", departments=("zjb",), roles=(RoleGrant(role="系统管理员"),)),
    User(id="auditor", name="审计员甲", departments=("zjb",), roles=(RoleGrant(role="审计员"),)),
    User(id="owner", name="流程负责人乙", departments=("zjb",), roles=(RoleGrant(role="流程负责人"),)),
    User(id="vp_rd", name="研发分管", departments=("zjb",)),
    User(id="vp_fin", name="财务分管", departments=("zjb",)),
    User(id="erp", name="ERP 系统", departments=("zjb",)),
    User(id="dev_head", name="研发部长", departments=("yf",)),
    User(id="dev1", name="李研发", departments=("yf",)),
    User(id="dev2", name="周研发", departments=("yf",)),
    User(id="fin_head", name="财务部长", departments=("cw",)),
    User(id="fin1", name="王财务", departments=("cw",)),
    User(id="mk_head", name="市场部长", departments=("sc",)),
    User(id="mk1", name="陈市场", departments=("sc",)),
    User(id="mk2", name="林市场", departments=("sc",)),
)

PURCHASE = """\
key: purchase
name: 采购申请
business_key_prefix: PO
nodes:
  - {id: start, type: start, next: head}
  - {id: head, type: user_task, name: 部门审核, assignee: {initiator_head: 1}, next: rd,
     form: [{name: amount, label: 金额, type: number, required: true, min: 0}]}
  - {id: rd, type: user_task, name: 研发评估, assignee: {department: 研发部}, next: fin}
  - {id: fin, type: user_task, name: 财务审核, department: 财务部, assignee: {user: fin1}, next: end}
  - {id: end, type: end}
"""

LEAVE = """\
key: leave
name: 请假
business_key_prefix: LV
nodes:
  - {id: start, type: start, next: approve}
  - {id: approve, type: user_task, name: 部门审批, assignee: {initiator_head: 1}, next: end}
  - {id: end, type: end}
"""


def company() -> OrgSnapshot:
    """The org chart above."""
    return build_snapshot(DEPARTMENTS, USERS)

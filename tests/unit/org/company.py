"""A small company for routing tests: every convention of the org lookups has a case here.

总经办 zjb (head gm 总经理)
├── 研发部 yf (head li_yanfa, 分管领导 vp)
│   ├── 前端组 qd (head old_head, who has left)
│   └── 综合组 yf_zh (no head)
└── 财务部 cw (head wang_caiwu, no 分管领导 anywhere above)
    └── 综合组 cw_zh (no head)
"""

from __future__ import annotations

from orgflow.org.model import Department, OrgSnapshot, RoleGrant, User, build_snapshot

DEPARTMENTS = (
    Department(id="zjb", name="总经办", head="gm"),
    Department(id="yf", name="研发部", parent_id="zjb", head="li_yanfa", supervisor="vp"),
    Department(id="qd", name="前端组", parent_id="yf", head="old_head"),
    Department(id="yf_zh", name="综合组", parent_id="yf"),
    Department(id="cw", name="财务部", parent_id="zjb", head="wang_caiwu"),
    Department(id="cw_zh", name="综合组", parent_id="cw"),
)

USERS = (
    User(id="gm", name="张总", departments=("zjb",), roles=(RoleGrant(role="总经理"),)),
    User(id="vp", name="钱副总", departments=("zjb",)),
    User(id="li_yanfa", name="李研发", departments=("yf",)),
    User(id="zhao_qd", name="赵前端", departments=("qd",)),
    User(id="old_head", name="老组长", departments=("qd",), active=False),
    User(id="zhou_yf", name="周研发", departments=("yf",)),
    User(
        id="wang_caiwu",
        name="王财务",
        departments=("cw",),
        roles=(RoleGrant(role="财务审核员", department_id="cw"),),
    ),
    # in two departments: 财务部 first (primary), then 研发部's 综合组
    User(
        id="chen",
        name="陈会计",
        departments=("cw", "yf_zh"),
        roles=(RoleGrant(role="财务审核员", department_id="cw"),),
    ),
    # a company-wide 财务审核员: found by role 财务审核员, not by 财务部's 财务审核员
    User(id="sun", name="孙审计", departments=("zjb",), roles=(RoleGrant(role="财务审核员"),)),
    User(
        id="left",
        name="离职员工",
        departments=("cw",),
        roles=(RoleGrant(role="财务审核员", department_id="cw"),),
        active=False,
    ),
    User(id="admin", name="管理员", roles=(RoleGrant(role="系统管理员"),)),
)


def company() -> OrgSnapshot:
    """The company above, as a snapshot."""
    return build_snapshot(DEPARTMENTS, USERS, revision=3)

"""Who can sign in to the demo, as what, with which password (printed for whoever runs the demo).

One account per role the service knows (seed 003's roles), each a person of
the demo company in ``examples/org``: the passwords are public on purpose and
only fit a demo on one's own machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, kw_only=True, slots=True)
class DemoAccount:
    """One demo account.

    Attributes:
        user_id: The org chart user (``examples/org/demo-人员.csv``).
        role: What they are in the demo, as people would say it.
        password: Their demo password.
        tries: What to try with this account.
    """

    user_id: str
    role: str
    password: str
    tries: str


#: The demo accounts, in the order they are printed.
DEMO_ACCOUNTS: Final = (
    DemoAccount(
        user_id="admin", role="系统管理员", password="orgflow-admin", tries="组织架构、后台任务、账号与令牌"
    ),
    DemoAccount(
        user_id="zheng_zongjingli",
        role="总经理（总经办负责人）",
        password="orgflow-zheng",
        tries="大额审批、全公司进展",
    ),
    DemoAccount(
        user_id="wu_fenguan",
        role="分管领导（市场、研发、生产、销售）",
        password="orgflow-wu",
        tries="待确认接收的需求审核",
    ),
    DemoAccount(
        user_id="li_yanfa", role="部门负责人（研发部）", password="orgflow-li", tries="办理中的研发评审"
    ),
    DemoAccount(
        user_id="wang_shichang",
        role="员工（市场部）",
        password="orgflow-wang",
        tries="被驳回、待修改的上市需求",
    ),
    DemoAccount(
        user_id="chen_yanfa", role="员工（研发部）", password="orgflow-chen", tries="我发起的新品上市审批"
    ),
    DemoAccount(user_id="qin_yunying", role="流程负责人", password="orgflow-qin", tries="部署流程、版本对比"),
    DemoAccount(
        user_id="shen_shenji", role="审计员", password="orgflow-shen", tries="只读查看全部流程与审计记录"
    ),
)

"""Who gets a user task (处理人规则), as data: rules, multi-person modes and the empty-result policy.

Rules name people through the org chart (a department's head, the initiator's
head two levels up, a role) rather than by id, so a process survives a
reorganisation. They are resolved against an org snapshot by the pure
:mod:`orgflow.engine.assignment`; nothing here knows the org.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from orgflow.model.expressions import CompiledExpression


class Pick(StrEnum):
    """Which people of a department a rule means."""

    MEMBERS = "members"  #: every member: a candidate group whose members claim the work
    HEAD = "head"  #: the department's head (部门负责人)
    SUPERVISOR = "supervisor"  #: the department's supervising leader (分管领导)


@dataclass(frozen=True, kw_only=True, slots=True)
class NamedDepartment:
    """A department named in the definition (by id or name)."""

    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, kw_only=True, slots=True)
class DepartmentFromField:
    """The department chosen in a form field (发起人自选部门)."""

    field: str

    def __str__(self) -> str:
        return f"表单字段 {self.field} 所选部门"


@dataclass(frozen=True, kw_only=True, slots=True)
class InitiatorDepartment:
    """The initiator's primary department."""

    def __str__(self) -> str:
        return "发起人所在部门"


@dataclass(frozen=True, kw_only=True, slots=True)
class MappedDepartment:
    """A department looked up from a form value in a table (complaint type → department).

    Attributes:
        field: The form field whose value is looked up.
        table: ``(value, department)`` pairs, in the order written.
        default: The department for values the table does not list; ``None``: nobody.
    """

    field: str
    table: tuple[tuple[str, str], ...]
    default: str | None = None

    def department_for(self, value: object) -> str | None:
        """The department for a form value (compared as text: ``1`` matches ``"1"``)."""
        text = "" if value is None else str(value)
        for key, department in self.table:
            if key == text:
                return department
        return self.default

    def __str__(self) -> str:
        return f"按 {self.field} 对照表所得部门"


DepartmentSource = NamedDepartment | DepartmentFromField | InitiatorDepartment | MappedDepartment


@dataclass(frozen=True, kw_only=True, slots=True)
class UserRule:
    """One named user."""

    user: str

    def __str__(self) -> str:
        return self.user


@dataclass(frozen=True, kw_only=True, slots=True)
class UserFromField:
    """The user (or users) chosen in a form field (发起人自选)."""

    field: str

    def __str__(self) -> str:
        return f"表单字段 {self.field} 所选人员"


@dataclass(frozen=True, kw_only=True, slots=True)
class UserFromExpression:
    """The user (or users) an expression over the data gives (``'reviewer_' + str(loopCounter)``).

    It sees a multi-instance task's locals (``loopCounter``, the element variable), so each
    instance can go to someone else; BPMN's ``camunda:assignee="kermit_${loopCounter}"``
    is read into one of these. The value must be a user id or a list of them.
    """

    expression: CompiledExpression

    def __str__(self) -> str:
        return f"表达式 {self.expression.source} 所得人员"


@dataclass(frozen=True, kw_only=True, slots=True)
class DepartmentRule:
    """People of a department: its members, head or supervising leader, or holders of a role in it.

    Attributes:
        source: Where the department comes from.
        pick: Which of its people; ignored when ``role`` is set.
        role: A role within the department (``财务审核员`` of ``财务部``).
    """

    source: DepartmentSource
    pick: Pick = Pick.MEMBERS
    role: str | None = None

    def __str__(self) -> str:
        if self.role is not None:
            return f"{self.source}的{self.role}"
        suffix = {Pick.MEMBERS: "成员", Pick.HEAD: "负责人", Pick.SUPERVISOR: "分管领导"}[self.pick]
        return f"{self.source}{suffix}"


@dataclass(frozen=True, kw_only=True, slots=True)
class HeadChainRule:
    """The initiator's head, or the head ``level`` levels up (主管链: 1 = 直接主管)."""

    level: int = 1

    def __str__(self) -> str:
        return "发起人的直接主管" if self.level == 1 else f"发起人的第 {self.level} 级主管"


@dataclass(frozen=True, kw_only=True, slots=True)
class RoleRule:
    """Holders of a role anywhere in the company (总经理, 财务审核员)."""

    role: str

    def __str__(self) -> str:
        return f"角色 {self.role}"


@dataclass(frozen=True, kw_only=True, slots=True)
class Tier:
    """One amount tier: values up to ``max`` (inclusive; ``None``: any) go to ``rule``."""

    max: float | None
    rule: AssignmentRule


@dataclass(frozen=True, kw_only=True, slots=True)
class TierRule:
    """Routing by amount (≤ 10万 head, ≤ 50万 分管领导, otherwise 总经理): the first tier that fits."""

    field: str
    tiers: tuple[Tier, ...]

    def tier_for(self, value: object) -> Tier | None:
        """The first tier whose ``max`` is at least ``value`` (a missing or non-number value fits none)."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        for tier in self.tiers:
            if tier.max is None or value <= tier.max:
                return tier
        return None

    def __str__(self) -> str:
        return f"按 {self.field} 金额分级"


@dataclass(frozen=True, kw_only=True, slots=True)
class AnyOfRule:
    """Several candidates (候选人/候选组), each offered the work; the first to act decides (或签).

    Each group a rule names shares one item its members may claim, each person a
    rule names gets one; BPMN's ``candidateUsers`` and ``candidateGroups`` with
    more than one entry are read into one of these.
    """

    rules: tuple[AssignmentRule, ...]

    def __str__(self) -> str:
        return "、".join(str(rule) for rule in self.rules) + "（任一人办理）"


AssignmentRule = (
    UserRule
    | UserFromField
    | UserFromExpression
    | DepartmentRule
    | HeadChainRule
    | RoleRule
    | TierRule
    | AnyOfRule
)


class CountersignMode(StrEnum):
    """How several people share one step."""

    SINGLE = "single"  #: one person (or one claim from a group) decides
    ALL = "all"  #: 会签: everyone votes; passes by threshold, one veto may reject
    ANY = "any"  #: 或签: the first to act decides for everyone
    IN_TURN = "in_turn"  #: 依次审批: one after another, in order; a rejection stops the turn


@dataclass(frozen=True, kw_only=True, slots=True)
class Countersign:
    """A multi-person step.

    Attributes:
        mode: How the people share it.
        pass_percent: For ``all``: the share of approvals that passes (100 when not set).
        veto: For ``all``: one rejection rejects at once (一票否决), whatever the threshold.
    """

    mode: CountersignMode = CountersignMode.SINGLE
    pass_percent: float | None = None
    veto: bool = False


#: One person decides: the mode of a task that states none.
SINGLE_PERSON = Countersign()


class EmptyPolicy(StrEnum):
    """What to do when a rule resolves to nobody (no head, an empty role)."""

    ERROR = "error"  #: stop the instance with a clear error on the node
    SKIP = "skip"  #: pass the step by, recording why
    FALLBACK = "fallback"  #: give it to the definition's fallback assignee
    ADMIN = "admin"  #: give it to the administrators (角色 系统管理员)


@dataclass(frozen=True, kw_only=True, slots=True)
class AssignmentPolicy:
    """A definition's routing policies (each user task may override ``on_empty``).

    Attributes:
        on_empty: What to do when a rule finds nobody.
        fallback: Who gets the work under ``on_empty: fallback``.
        skip_repeat_approver: Auto-approve when the same person already approved
            earlier in this instance (自动去重).
        skip_initiator: Auto-approve when the approver is the initiator.
        resubmit: After a return (退回), ``rerun`` the steps in between, or go
            ``direct`` back to the step that returned it.
    """

    on_empty: EmptyPolicy = EmptyPolicy.ERROR
    fallback: AssignmentRule | None = None
    skip_repeat_approver: bool = False
    skip_initiator: bool = False
    resubmit: str = "rerun"


#: The policy of a definition that states none.
DEFAULT_POLICY = AssignmentPolicy()

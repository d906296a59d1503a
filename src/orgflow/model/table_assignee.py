"""The 负责部门/人 cell: who handles a step, in the words of the seed, as the YAML DSL's assignment rules.

A cell says one of (a trailing ``*`` is a footnote mark and ignored)::

    研发部              the department's members share the step (候选组)
    研发部负责人         its head (部门负责人)          → {department: 研发部, pick: head}
    研发部分管领导       its supervising leader          → {department: 研发部, pick: supervisor}
    研发部/li_yanfa     a person (用户ID) of the department → department 研发部, {user: li_yanfa}
    研发部/李强          a person by display name (姓名)   → department 研发部, {user: 李强}, until deploy:
    研发部/李强（li_yanfa） the same person, as deploy writes it → department 研发部, {user: li_yanfa}
    财务部/角色:财务审核员 a role within the department   → {department: 财务部, role: 财务审核员}
    发起部门            the initiator's department       → {initiator_department: true}
    部门负责人          the initiator's department head  → {initiator_department: true, pick: head}
    分管领导            the initiator's 分管领导          → {initiator_department: true, pick: supervisor}
    直接主管 / 第2级主管 the initiator's head (主管链)     → {initiator_head: 1} / {initiator_head: 2}
    角色:总经理          a role anywhere                  → {role: 总经理}
    用户:li_yanfa        a person, no department named    → {user: li_yanfa}

The cell is turned into the DSL's ``assignee`` mapping and read by
:func:`orgflow.model.yaml_assignment.read_rule`, so both formats share one
vocabulary and one reader; :func:`write_owner` is the way back. Names of
departments, roles and users are checked against the org chart at deploy.

A person written by display name is found in the org chart at deploy
(:mod:`orgflow.org.people`), and the stored table says who it was: the cell gets
the user id in brackets (:func:`with_user_id`). A person part ending in a
bracketed login id (ASCII letters, digits, ``_ . @ -``) is read as that user id,
the name before it being the reader's note, so the stored text alone says who
handles the step.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Final

from orgflow.model.assignment_rules import (
    AssignmentRule,
    DepartmentRule,
    HeadChainRule,
    InitiatorDepartment,
    NamedDepartment,
    Pick,
    RoleRule,
    UserRule,
)
from orgflow.model.nodes import UserTask
from orgflow.model.yaml_assignment import read_rule
from orgflow.model.yaml_document import YamlMap
from orgflow.model.yaml_values import Reading

_INITIATOR_DEPARTMENT: Final = frozenset({"发起部门", "发起人部门", "发起人所在部门", "本部门"})
_INITIATOR_PICKS: Final = {
    "部门负责人": Pick.HEAD,
    "发起部门负责人": Pick.HEAD,
    "发起人部门负责人": Pick.HEAD,
    "分管领导": Pick.SUPERVISOR,
    "发起部门分管领导": Pick.SUPERVISOR,
}
_HEAD_CHAIN: Final = frozenset({"直接主管", "发起人主管", "发起人的直接主管", "上级主管"})
_LEVEL: Final = re.compile(r"(?:发起人的?)?第(\d{1,2})级主管")
_SUFFIX_PICKS: Final = (("分管领导", Pick.SUPERVISOR), ("负责人", Pick.HEAD))
_PICK_WORDS: Final = {Pick.MEMBERS: "", Pick.HEAD: "负责人", Pick.SUPERVISOR: "分管领导"}
_ROLE: Final = "角色:"
_USER: Final = "用户:"
#: A person part naming the user id after the display name: ``李强(li_yanfa)`` (or in full-width brackets).
_NAMED_ID: Final = re.compile(r"(?P<name>.+)\((?P<id>[A-Za-z0-9][A-Za-z0-9_.@\-]*)\)")
#: How to fill in the cell, for messages.
OWNER_HINT: Final = (
    "写部门（研发部）、部门负责人（研发部负责人）、部门/姓名或用户ID（研发部/李强、研发部/li_yanfa）、"
    "分管领导、部门负责人、直接主管或 角色:总经理"
)


def read_owner(
    reading: Reading, text: str, *, node_id: str, line: int
) -> tuple[str | None, AssignmentRule | None]:
    """The step's department (负责部门, when the cell names one) and its assignment rule.

    Problems (an empty part, a level out of range) go to ``reading``, as the DSL's reader reports them.
    """
    department, spec = owner_spec(text)
    mapping = YamlMap(line)
    for key, value in spec.items():
        mapping[key] = value
        mapping.key_lines[key] = line
    return department, read_rule(reading, mapping, node_id=node_id, line=line, field="assignee")


def owner_spec(text: str) -> tuple[str | None, dict[str, Any]]:
    """The department a cell names and the DSL ``assignee`` mapping it means."""
    written = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).rstrip("*")
    if written.startswith(_ROLE):
        return None, {"role": written.removeprefix(_ROLE)}
    if written.startswith(_USER):
        return None, {"user": _user_id(written.removeprefix(_USER))}
    if "/" in written:
        where, _, who = written.partition("/")
        source: dict[str, Any] = (
            {"initiator_department": True} if where in _INITIATOR_DEPARTMENT else {"department": where}
        )
        department = None if where in _INITIATOR_DEPARTMENT else where
        if who.startswith(_ROLE):
            return department, {**source, "role": who.removeprefix(_ROLE)}
        return department, {"user": _user_id(who)}
    if written in _INITIATOR_DEPARTMENT:
        return None, {"initiator_department": True}
    if written in _INITIATOR_PICKS:
        return None, {"initiator_department": True, "pick": _INITIATOR_PICKS[written].value}
    if written in _HEAD_CHAIN:
        return None, {"initiator_head": 1}
    level = _LEVEL.fullmatch(written)
    if level is not None:
        return None, {"initiator_head": int(level.group(1))}
    for suffix, pick in _SUFFIX_PICKS:
        if written.endswith(suffix) and len(written) > len(suffix):
            department = written.removesuffix(suffix)
            return department, {"department": department, "pick": pick.value}
    return written, {"department": written}


def with_user_id(cell: str, user_id: str) -> str:
    """The cell naming a person by display name, with their user id added: ``研发部/李强（li_yanfa）``."""
    return f"{cell.strip().rstrip('*').rstrip()}（{user_id}）"


def _user_id(who: str) -> str:
    """The user a person part names: the bracketed id after a display name, else the part as written."""
    named = _NAMED_ID.fullmatch(who)
    return named.group("id") if named is not None else who


def write_owner(task: UserTask) -> str | None:
    """The cell for a task's rule, or ``None`` when the table has no words for it (tiers, form fields)."""
    rule = task.assignee
    if isinstance(rule, UserRule):
        return f"{task.department}/{rule.user}" if task.department else f"{_USER}{rule.user}"
    if isinstance(rule, RoleRule):
        return f"{_ROLE}{rule.role}"
    if isinstance(rule, HeadChainRule):
        return "直接主管" if rule.level == 1 else f"第{rule.level}级主管"
    if not isinstance(rule, DepartmentRule):
        return None
    if isinstance(rule.source, InitiatorDepartment):
        if rule.role is not None:
            return f"发起部门/{_ROLE}{rule.role}"
        return {Pick.MEMBERS: "发起部门", Pick.HEAD: "部门负责人", Pick.SUPERVISOR: "分管领导"}[rule.pick]
    if not isinstance(rule.source, NamedDepartment):
        return None
    name = rule.source.name
    if rule.role is not None:
        return f"{name}/{_ROLE}{rule.role}"
    return name + _PICK_WORDS[rule.pick]


def owner_department(task: UserTask) -> str | None:
    """The department the written cell will name on reading, to tell when writing loses the task's own."""
    written = write_owner(task)
    return None if written is None else owner_spec(written)[0]

"""Reading assignment rules, countersign modes and routing policies from the YAML DSL.

The forms an ``assignee`` may take (see :mod:`orgflow.model.assignment_rules`)::

    assignee: li_kefu                               # a user (also {user: li_kefu})
    assignee: {user_field: reviewer}                # 发起人自选: the user(s) chosen in a form field
    assignee: {expression: "'reviewer_' + str(loopCounter)"}   # the user(s) an expression gives
                                                    #   (sees a multi-instance task's locals)
    assignee: {department: 研发部}                   # the department's members claim it (候选组)
    assignee: {department: 研发部, pick: head}        # its head; pick: members | head | supervisor
    assignee: {department: 财务部, role: 财务审核员}    # a role within a department
    assignee: {department_field: budget_department, pick: head}   # 发起人自选部门
    assignee: {initiator_department: true, pick: supervisor}      # the initiator's 分管领导
    assignee: {department_map: {field: complaint_type, map: {质量: 生产部}, default: 客服部}}
    assignee: {initiator_head: 1}                   # 主管链: 1 = 直接主管, 2 = the head above ...
    assignee: {role: 总经理}                         # a role anywhere
    assignee:                                      # amount tiers, the first that fits
      tiers:
        field: amount
        levels:
          - {max: 100000, assignee: {department_field: budget_department, pick: head}}
          - {max: 500000, assignee: {department_field: budget_department, pick: supervisor}}
          - {assignee: {role: 总经理}}
    countersign: all                               # or any | in_turn | single, or
    countersign: {mode: all, pass_percent: 60, veto: true}
    on_empty: skip                                 # error | skip | fallback | admin (per node)

and at the top of a definition::

    policies: {on_empty: fallback, fallback: {user: admin}, skip_repeat_approver: true,
               skip_initiator: false, resubmit: rerun}   # resubmit: rerun | direct (after 退回)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from orgflow.model.assignment_rules import (
    DEFAULT_POLICY,
    AssignmentPolicy,
    AssignmentRule,
    Countersign,
    CountersignMode,
    DepartmentFromField,
    DepartmentRule,
    DepartmentSource,
    EmptyPolicy,
    HeadChainRule,
    InitiatorDepartment,
    MappedDepartment,
    NamedDepartment,
    Pick,
    RoleRule,
    Tier,
    TierRule,
    UserFromExpression,
    UserFromField,
    UserRule,
)
from orgflow.model.yaml_document import YamlList, YamlMap
from orgflow.model.yaml_expressions import read_expression
from orgflow.model.yaml_values import Reading

#: Keys that say where a department comes from (at most one).
_DEPARTMENT_KEYS: Final = ("department", "department_field", "initiator_department", "department_map")
#: Keys that make a rule on their own (exactly one of these or of the department keys).
_ALONE_KEYS: Final = ("user", "user_field", "expression", "initiator_head", "tiers")
ASSIGNEE_KEYS: Final = frozenset({*_DEPARTMENT_KEYS, *_ALONE_KEYS, "role", "pick"})
_PICKS: Final = tuple(pick.value for pick in Pick)
_MODES: Final = tuple(mode.value for mode in CountersignMode)
_EMPTY: Final = tuple(policy.value for policy in EmptyPolicy)
_POLICY_KEYS: Final = frozenset(
    {"on_empty", "fallback", "skip_repeat_approver", "skip_initiator", "resubmit"}
)
_RESUBMIT: Final = ("rerun", "direct")
_HINT: Final = "例如 assignee: {department: 研发部, pick: head}，或 {role: 总经理}，或 {initiator_head: 1}"


def read_rule(
    reading: Reading, value: Any, *, node_id: str | None, line: int, field: str
) -> AssignmentRule | None:
    """One assignment rule from its YAML value; ``None`` (with the problem recorded) if unreadable."""
    if isinstance(value, str) and value.strip():
        return UserRule(user=value.strip())
    if not isinstance(value, YamlMap) or not value:
        reading.problem(f"{field} 写法不对：{value!r}", node_id=node_id, line=line, field=field, hint=_HINT)
        return None
    reading.check_keys(value, ASSIGNEE_KEYS, node_id=node_id, what=f"{field} ", field_prefix=f"{field}.")
    alone = [key for key in _ALONE_KEYS if key in value]
    departments = [key for key in _DEPARTMENT_KEYS if key in value]
    if len(alone) + len(departments) > 1 or (alone and ("role" in value or "pick" in value)):
        given = "、".join([*alone, *departments, *(k for k in ("role", "pick") if k in value)])
        reading.problem(
            f"{field} 同时写了 {given}，只能选一种规则",
            node_id=node_id,
            line=value.line,
            field=field,
            hint=_HINT,
        )
        return None
    if alone:
        return _alone(reading, value, alone[0], node_id=node_id, field=field)
    if departments:
        return _department_rule(reading, value, departments[0], node_id=node_id, field=field)
    if "role" in value and "pick" not in value:
        role = reading.text(value, "role", node_id=node_id, required=True, field=f"{field}.role")
        return RoleRule(role=role.strip()) if role else None
    if "pick" in value:
        reading.problem(
            f"{field}.pick 要和 department、department_field、initiator_department 或 department_map 一起写",
            node_id=node_id,
            line=value.line_of("pick"),
            field=f"{field}.pick",
            hint=_HINT,
        )
        return None
    reading.problem(
        f"{field} 缺少规则：写 user、department、role、initiator_head 等其中之一",
        node_id=node_id,
        line=value.line,
        field=field,
        hint=_HINT,
    )
    return None


def _alone(
    reading: Reading, value: YamlMap, key: str, *, node_id: str | None, field: str
) -> AssignmentRule | None:
    where = f"{field}.{key}"
    if key == "user":
        user = reading.text(value, key, node_id=node_id, required=True, field=where)
        return UserRule(user=user.strip()) if user else None
    if key == "user_field":
        name = reading.text(value, key, node_id=node_id, required=True, field=where)
        return UserFromField(field=name.strip()) if name else None
    if key == "expression":
        hint = "例如 assignee: {expression: \"'reviewer_' + str(loopCounter)\"}"
        expression = read_expression(reading, value, key, node_id=node_id, field=where, hint=hint)
        return UserFromExpression(expression=expression) if expression is not None else None
    if key == "initiator_head":
        level = reading.number(value, key, node_id=node_id, field=where)
        if level is None or not float(level).is_integer() or level < 1 or level > 20:
            if level is not None:
                reading.problem(
                    f"initiator_head 应为 1 到 20 的整数（1 = 直接主管），写的是 {value[key]!r}",
                    node_id=node_id,
                    line=value.line_of(key),
                    field=where,
                )
            return None
        return HeadChainRule(level=int(level))
    return _tiers(reading, value, node_id=node_id, field=field)


def _department_rule(
    reading: Reading, value: YamlMap, key: str, *, node_id: str | None, field: str
) -> DepartmentRule | None:
    where = f"{field}.{key}"
    source: DepartmentSource | None = None
    if key == "department":
        name = reading.text(value, key, node_id=node_id, required=True, field=where)
        source = NamedDepartment(name=name.strip()) if name else None
    elif key == "department_field":
        name = reading.text(value, key, node_id=node_id, required=True, field=where)
        source = DepartmentFromField(field=name.strip()) if name else None
    elif key == "initiator_department":
        if value.get(key) is not True:
            reading.problem(
                "initiator_department 只能写 true", node_id=node_id, line=value.line_of(key), field=where
            )
        source = InitiatorDepartment()
    else:
        source = _mapped(reading, value, node_id=node_id, field=where)
    role = reading.text(value, "role", node_id=node_id, field=f"{field}.role") if "role" in value else None
    pick = _choice(reading, value, "pick", _PICKS, node_id=node_id, field=f"{field}.pick")
    if role is not None and pick is not None:
        reading.problem(
            f"{field} 写了 role 就不用写 pick",
            node_id=node_id,
            line=value.line_of("pick"),
            field=f"{field}.pick",
        )
    if source is None:
        return None
    return DepartmentRule(source=source, pick=Pick(pick or Pick.MEMBERS), role=role.strip() if role else None)


def _mapped(reading: Reading, value: YamlMap, *, node_id: str | None, field: str) -> MappedDepartment | None:
    table = value.get("department_map")
    hint = (
        "例如 department_map: {field: complaint_type, map: {质量: 生产部, 物流延迟: 物流部}, default: 客服部}"
    )
    if not isinstance(table, YamlMap):
        reading.problem(
            f"department_map 应为映射，写的是 {table!r}",
            node_id=node_id,
            line=value.line_of("department_map"),
            field=field,
            hint=hint,
        )
        return None
    reading.check_keys(
        table, ("field", "map", "default"), node_id=node_id, what="department_map ", field_prefix=f"{field}."
    )
    source_field = reading.text(table, "field", node_id=node_id, required=True, field=f"{field}.field")
    default = reading.text(table, "default", node_id=node_id, field=f"{field}.default")
    pairs = table.get("map")
    if not isinstance(pairs, YamlMap) or not pairs:
        reading.problem(
            "department_map 缺少 map（表单值 → 部门）",
            node_id=node_id,
            line=table.line_of("map"),
            field=f"{field}.map",
            hint=hint,
        )
        return None
    rows: list[tuple[str, str]] = []
    for key, department in pairs.items():
        if not isinstance(department, str) or not department.strip():
            reading.problem(
                f"对照表中 {key!r} 对应的部门应为部门名称，写的是 {department!r}",
                node_id=node_id,
                line=pairs.line_of(key),
                field=f"{field}.map",
            )
            continue
        rows.append((str(key), department.strip()))
    if source_field is None:
        return None
    return MappedDepartment(
        field=source_field.strip(), table=tuple(rows), default=default.strip() if default else None
    )


def _tiers(reading: Reading, value: YamlMap, *, node_id: str | None, field: str) -> TierRule | None:
    spec = value.get("tiers")
    where = f"{field}.tiers"
    hint = "例如 tiers: {field: amount, levels: [{max: 100000, assignee: {...}}, {assignee: {role: 总经理}}]}"
    if not isinstance(spec, YamlMap):
        reading.problem(
            f"tiers 应为映射，写的是 {spec!r}",
            node_id=node_id,
            line=value.line_of("tiers"),
            field=where,
            hint=hint,
        )
        return None
    reading.check_keys(spec, ("field", "levels"), node_id=node_id, what="tiers ", field_prefix=f"{where}.")
    amount_field = reading.text(spec, "field", node_id=node_id, required=True, field=f"{where}.field")
    levels = reading.sequence(spec, "levels", node_id=node_id, required=True, field=f"{where}.levels")
    if levels is None:
        return None
    tiers: list[Tier] = []
    for index, level in enumerate(levels):
        tier = _tier(reading, level, levels, index, node_id=node_id, field=f"{where}.levels[{index + 1}]")
        if tier is not None:
            tiers.append(tier)
    if amount_field is None or len(tiers) != len(levels):
        return None
    return TierRule(field=amount_field.strip(), tiers=tuple(tiers))


def _tier(
    reading: Reading, level: Any, levels: YamlList, index: int, *, node_id: str | None, field: str
) -> Tier | None:
    line = levels.line_of(index)
    if not isinstance(level, YamlMap):
        reading.problem(f"{field} 应为 {{max: 金额, assignee: ...}}", node_id=node_id, line=line, field=field)
        return None
    reading.check_keys(
        level, ("max", "assignee"), node_id=node_id, what=f"{field} ", field_prefix=f"{field}."
    )
    top = reading.number(level, "max", node_id=node_id, field=f"{field}.max")
    if "assignee" not in level:
        reading.problem(f"{field} 缺少 assignee", node_id=node_id, line=line, field=f"{field}.assignee")
        return None
    rule = read_rule(
        reading, level["assignee"], node_id=node_id, line=level.line_of("assignee"), field=f"{field}.assignee"
    )
    if rule is None or (top is None and "max" in level):
        return None
    return Tier(max=top, rule=rule)


def read_countersign(reading: Reading, node: YamlMap, node_id: str) -> Countersign:
    """``countersign: all`` or ``{mode: all, pass_percent: 60, veto: true}``; single when absent."""
    value = node.get("countersign")
    if value is None:
        return Countersign()
    if isinstance(value, str):
        holder = YamlMap(node.line_of("countersign"))
        holder["mode"] = value
        holder.key_lines["mode"] = node.line_of("countersign")
        value = holder
    if not isinstance(value, YamlMap):
        reading.problem(
            f"countersign 应为 {'/'.join(_MODES)} 或 {{mode, pass_percent, veto}}，写的是 {value!r}",
            node_id=node_id,
            line=node.line_of("countersign"),
            field="countersign",
        )
        return Countersign()
    reading.check_keys(
        value,
        ("mode", "pass_percent", "veto"),
        node_id=node_id,
        what="countersign ",
        field_prefix="countersign.",
    )
    mode = _choice(reading, value, "mode", _MODES, node_id=node_id, field="countersign.mode")
    percent = reading.number(value, "pass_percent", node_id=node_id, field="countersign.pass_percent")
    veto = reading.boolean(value, "veto", node_id=node_id, field="countersign.veto")
    return Countersign(
        mode=CountersignMode(mode or CountersignMode.SINGLE), pass_percent=percent, veto=bool(veto)
    )


def read_on_empty(reading: Reading, node: YamlMap, node_id: str) -> EmptyPolicy | None:
    """A node's ``on_empty`` override, if written."""
    chosen = _choice(reading, node, "on_empty", _EMPTY, node_id=node_id, field="on_empty")
    return EmptyPolicy(chosen) if chosen else None


def read_policies(reading: Reading, document: Mapping[str, Any], line: int) -> AssignmentPolicy:
    """The definition's ``policies:`` mapping (defaults when absent)."""
    value = document.get("policies")
    if value is None:
        return DEFAULT_POLICY
    reading.lines[(None, "policies")] = line  # for the checks that name the policies' line later
    if not isinstance(value, YamlMap):
        reading.problem(f"policies 应为映射，写的是 {value!r}", node_id=None, line=line, field="policies")
        return DEFAULT_POLICY
    reading.check_keys(value, _POLICY_KEYS, node_id=None, what="policies ", field_prefix="policies.")
    on_empty = _choice(reading, value, "on_empty", _EMPTY, node_id=None, field="policies.on_empty")
    fallback = None
    if "fallback" in value:
        fallback = read_rule(
            reading,
            value["fallback"],
            node_id=None,
            line=value.line_of("fallback"),
            field="policies.fallback",
        )
    repeat = reading.boolean(
        value, "skip_repeat_approver", node_id=None, field="policies.skip_repeat_approver"
    )
    initiator = reading.boolean(value, "skip_initiator", node_id=None, field="policies.skip_initiator")
    resubmit = _choice(reading, value, "resubmit", _RESUBMIT, node_id=None, field="policies.resubmit")
    return AssignmentPolicy(
        resubmit=resubmit or "rerun",
        on_empty=EmptyPolicy(on_empty or EmptyPolicy.ERROR),
        fallback=fallback,
        skip_repeat_approver=bool(repeat),
        skip_initiator=bool(initiator),
    )


def _choice(
    reading: Reading, mapping: YamlMap, key: str, allowed: tuple[str, ...], *, node_id: str | None, field: str
) -> str | None:
    """A text value that must be one of ``allowed``."""
    if key not in mapping:
        return None
    text = reading.text(mapping, key, node_id=node_id, field=field)
    if text is None:
        return None
    if text not in allowed:
        reading.problem(
            f"{key} 的值 {text!r} 不认识",
            node_id=node_id,
            line=mapping.line_of(key),
            field=field,
            hint="可选：" + "、".join(allowed),
        )
        return None
    return text

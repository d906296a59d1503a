"""Checking a proxy (代理) before it is stored: real, active people, a sensible period, no overlap."""

from __future__ import annotations

from orgflow.org.model import Delegation, OrgSnapshot


def delegation_problem(org: OrgSnapshot, delegation: Delegation) -> str | None:
    """What is wrong with ``delegation`` against the current chart, or ``None``."""
    for role, person in (("被代理人", delegation.user), ("代理人", delegation.proxy)):
        found = org.user(person)
        if found is None:
            return f"{role} {person} 不在组织架构中"
        if not found.active:
            return f"{role} {found.name}（{person}）已停用"
    if delegation.user == delegation.proxy:
        return "不能把自己设为自己的代理人"
    if delegation.starts.tzinfo is None or delegation.ends.tzinfo is None:
        return "代理起止时间须带时区（例如 2026-12-01T09:00+08:00）"
    if delegation.ends <= delegation.starts:
        return "代理结束时间应晚于开始时间"
    for existing in org.delegations:
        overlaps = existing.starts < delegation.ends and delegation.starts < existing.ends
        if existing.user == delegation.user and overlaps:
            period = f"{existing.starts:%Y-%m-%d %H:%M} 至 {existing.ends:%Y-%m-%d %H:%M}"
            who = org.name_of(existing.proxy)
            return f"{org.name_of(delegation.user)} 在 {period} 已由 {who} 代理，时间重叠"
    return None

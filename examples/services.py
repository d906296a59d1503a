"""Service task handlers used by the example processes (``ORGFLOW_SERVICES=examples/services.py``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from orgflow.runtime.services import ServiceRegistry

#: Approval tiers of the annual budget (seed 003): up to 10万 the department head, up to 50万 the 分管领导.
TIERS = ((100_000, "部门负责人"), (500_000, "分管领导"))


def budget_check(data: Mapping[str, Any]) -> dict[str, Any]:
    """Check a submitted budget and say which tier must approve it (预算校验汇总)."""
    amount = float(data.get("amount") or 0)
    if amount < 0:
        raise ValueError("预算金额不能为负数")
    tier = next((name for limit, name in TIERS if amount <= limit), "总经理")
    return {"amount_wan": round(amount / 10_000, 2), "approval_tier": tier, "budget_checked": True}


def register(registry: ServiceRegistry) -> None:
    """Register the example handlers."""
    registry.register("budget_check", budget_check)

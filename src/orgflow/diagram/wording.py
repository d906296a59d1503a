"""The words a diagram shows, in Simplified Chinese (``zh-CN``, the default) or English (``en``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from orgflow.errors import ConfigurationError
from orgflow.model.number_text import number_text
from orgflow.model.rules import TimeLimit, TimeUnit

#: The locales a diagram can be drawn in.
LOCALES = ("zh-CN", "en")


@dataclass(frozen=True, kw_only=True)
class Wording:
    """One locale's words.

    Attributes:
        time_limit: ``{amount}`` and unit word, per time unit (``时限 {amount} 小时``).
        unassigned: The lane of steps without a department.
        departments: The legend's heading for department colours.
        states: The legend's heading for runtime states.
        state_names: Each runtime state as a person reads it.
        default_flow: Label of a default flow that has no name.
    """

    time_limit: Mapping[TimeUnit, str]
    unassigned: str
    departments: str
    states: str
    state_names: Mapping[str, str]
    default_flow: str

    def limit(self, limit: TimeLimit) -> str:
        """``时限 24 小时`` / ``Limit 24 h``."""
        return self.time_limit[limit.unit].format(amount=number_text(limit.amount))


ZH = Wording(
    time_limit={
        TimeUnit.HOURS: "时限 {amount} 小时",
        TimeUnit.WORKING_HOURS: "时限 {amount} 工作小时",
        TimeUnit.WORKING_DAYS: "时限 {amount} 个工作日",
    },
    unassigned="未指定部门",
    departments="部门",
    states="办理状态",
    state_names={"done": "已完成", "active": "办理中", "overdue": "已超时", "returned": "退回"},
    default_flow="默认",
)

EN = Wording(
    time_limit={
        TimeUnit.HOURS: "Limit {amount} h",
        TimeUnit.WORKING_HOURS: "Limit {amount} work h",
        TimeUnit.WORKING_DAYS: "Limit {amount} work days",
    },
    unassigned="No department",
    departments="Departments",
    states="Status",
    state_names={"done": "Done", "active": "In progress", "overdue": "Overdue", "returned": "Returned"},
    default_flow="default",
)


def wording(locale: str) -> Wording:
    """The words of a locale.

    Raises:
        ConfigurationError: Not one of :data:`LOCALES`.
    """
    if locale == "zh-CN":
        return ZH
    if locale == "en":
        return EN
    raise ConfigurationError(f"不支持的语言 {locale!r}：可选 {', '.join(LOCALES)}")

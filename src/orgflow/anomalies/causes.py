"""Cause categories (原因分类) of anomalies: fixed codes with labels, for the monthly analysis."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from orgflow.errors import CommandRejected


class CauseCategory(StrEnum):
    """Why a step is late or blocked; stored as the code, shown as the label."""

    INCOMPLETE_DATA = "incomplete_data"
    WAITING_CUSTOMER = "waiting_customer"
    SUPPLIER_DELAY = "supplier_delay"
    LACK_OF_RESOURCES = "lack_of_resources"
    REQUIREMENT_CHANGE = "requirement_change"
    SYSTEM_FAILURE = "system_failure"
    OTHER = "other"


#: The label of each category as the seed's forms name it.
CAUSE_LABELS: Mapping[CauseCategory, str] = MappingProxyType(
    {
        CauseCategory.INCOMPLETE_DATA: "数据不完整",
        CauseCategory.WAITING_CUSTOMER: "等待客户确认",
        CauseCategory.SUPPLIER_DELAY: "外部供应商延迟",
        CauseCategory.LACK_OF_RESOURCES: "资源不足",
        CauseCategory.REQUIREMENT_CHANGE: "需求变更",
        CauseCategory.SYSTEM_FAILURE: "系统故障",
        CauseCategory.OTHER: "其他",
    }
)


def cause_category(text: str) -> CauseCategory:
    """The category given by its code (``supplier_delay``) or its label (``外部供应商延迟``).

    Raises:
        CommandRejected: Neither a code nor a label; the message lists the choices.
    """
    wanted = text.strip()
    for category, label in CAUSE_LABELS.items():
        if wanted in (category.value, label):
            return category
    choices = "、".join(f"{label}（{category.value}）" for category, label in CAUSE_LABELS.items())
    raise CommandRejected(
        f"异常原因分类「{text}」不存在，可选：{choices}", reason="field_invalid", field="category"
    )


def cause_label(code: str | None) -> str:
    """The label of a stored code (the code itself if it is not one of ours, ``""`` for none)."""
    if code is None:
        return ""
    try:
        return CAUSE_LABELS[CauseCategory(code)]
    except ValueError:
        return code

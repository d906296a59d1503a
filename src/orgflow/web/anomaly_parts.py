"""What the 异常 pages share: their limits and labels, who sees what, and where a step returns.

The list and reporting (:mod:`orgflow.web.routes.anomalies`) and one anomaly with
its loop (:mod:`orgflow.web.routes.anomaly`) both use these.
"""

from __future__ import annotations

from typing import Any, Final
from urllib.parse import quote

from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from orgflow.anomalies.lifecycle import AnomalyStatus
from orgflow.runtime.visible_anomalies import VisibleAnomalies, anomaly_viewer
from orgflow.web.i18n import N_
from orgflow.web.rendering import PageScope

#: Longest text a form field takes (the runtime's limit).
TEXT_MAX: Final = 2000

#: Each status and how it reads (the runtime's labels).
STATUS_LABELS: Final = {
    AnomalyStatus.FOUND.value: N_("已发现"),
    AnomalyStatus.REPORTED.value: N_("已上报"),
    AnomalyStatus.HANDLING.value: N_("处理中"),
    AnomalyStatus.RESOLVED.value: N_("待验证"),
    AnomalyStatus.VERIFIED.value: N_("已验证闭环"),
    AnomalyStatus.CLOSED.value: N_("已关闭"),
}

#: Cause categories and their labels (the runtime's), in the order offered.
CAUSES: Final = (
    ("incomplete_data", N_("数据不完整")),
    ("waiting_customer", N_("等待客户确认")),
    ("supplier_delay", N_("外部供应商延迟")),
    ("lack_of_resources", N_("资源不足")),
    ("requirement_change", N_("需求变更")),
    ("system_failure", N_("系统故障")),
    ("other", N_("其他")),
)

#: ``?notice=`` codes and what each tells the person.
NOTICES: Final = {
    "raised": N_("异常已上报，责任部门需在 4 小时内提交《异常处理说明》。"),
    "explained": N_("已提交《异常处理说明》，等待发起部门调整计划。"),
    "replanned": N_("计划已调整：新的时限和处理负责人已生效。"),
    "resolved": N_("已处理完成，等待验证。"),
    "verified": N_("验证通过，异常已闭环。"),
    "reopened": N_("验证未通过，已退回处理负责人。"),
}


def anomalies_seen(page: PageScope) -> tuple[VisibleAnomalies, Any]:
    """The runtime's visible-anomaly reads and the viewer as they see them."""
    assert page.viewer is not None
    return page.runtime.visible_anomalies, anomaly_viewer(page.viewer, page.org)


def department_label(page: PageScope, ref: str | None) -> str:
    """A department's name, empty for none."""
    return page.department_name(ref) if ref else ""


def texts(form: FormData, names: tuple[str, ...]) -> dict[str, str]:
    """The posted text fields ``names``, trimmed (empty when missing)."""
    values = {}
    for name in names:
        value = form.get(name)
        values[name] = value.strip() if isinstance(value, str) else ""
    return values


def back_to(number: str, code: str) -> RedirectResponse:
    """303 to the anomaly's page with one of :data:`NOTICES`' codes."""
    assert code in NOTICES
    return RedirectResponse(f"/anomalies/{quote(number, safe='')}?notice={code}", status_code=303)

"""The 异常 (exception) closed loop as pure rules: states, causes, who may do what, export tables.

In code the domain word is *anomaly*, to keep it apart from Python
exceptions; everything a person reads says 异常. Seed 003: an overdue or
blocked step is found (发觉), the responsible department explains it within
4 hours (上报), the initiating department re-plans it (处理), the handler
resolves it and someone else verifies the result (验证); a failed
verification sends it back to handling.
"""

from __future__ import annotations

from orgflow.anomalies.causes import CAUSE_LABELS, CauseCategory, cause_category
from orgflow.anomalies.lifecycle import (
    EXPLANATION_WINDOW,
    AnomalyKind,
    AnomalyStatus,
    Step,
    require_step,
)

__all__ = [
    "CAUSE_LABELS",
    "EXPLANATION_WINDOW",
    "AnomalyKind",
    "AnomalyStatus",
    "CauseCategory",
    "Step",
    "cause_category",
    "require_step",
]

"""异常的状态流转：发觉 → 上报 → 处理 → 完成 → 验证；验证不通过退回处理；顺序不对时拒绝并说明先做什么。"""

from __future__ import annotations

import pytest

from orgflow.anomalies.lifecycle import ALLOWED_FROM, AnomalyStatus, Step, after, require_step
from orgflow.errors import CommandRejected


def test_the_loop_goes_forward_one_step_at_a_time() -> None:
    status = AnomalyStatus.FOUND
    for step in (Step.EXPLAIN, Step.REPLAN, Step.RESOLVE, Step.VERIFY):
        require_step("ABN20261202001", status, step)
        status = after(step)

    assert status is AnomalyStatus.VERIFIED and not status.is_open


def test_a_failed_verification_goes_back_to_handling_and_may_be_replanned() -> None:
    back = after(Step.VERIFY, passed=False)

    assert back is AnomalyStatus.HANDLING and back.is_open
    require_step("ABN20261202001", back, Step.REPLAN)
    require_step("ABN20261202001", back, Step.RESOLVE)


@pytest.mark.parametrize(
    ("status", "step", "hint"),
    [
        (AnomalyStatus.FOUND, Step.RESOLVE, "请先由责任部门提交《异常处理说明》"),
        (AnomalyStatus.REPORTED, Step.RESOLVE, "请先由发起部门重新计划"),
        (AnomalyStatus.HANDLING, Step.VERIFY, "请先由处理负责人完成处理"),
        (AnomalyStatus.RESOLVED, Step.EXPLAIN, "请先验证处理结果"),
        (AnomalyStatus.VERIFIED, Step.CLOSE, "已验证闭环"),
    ],
)
def test_a_step_out_of_order_is_refused_with_what_comes_first(
    status: AnomalyStatus, step: Step, hint: str
) -> None:
    with pytest.raises(CommandRejected) as refused:
        require_step("ABN20261202001", status, step)

    assert refused.value.reason == "anomaly_wrong_state"
    assert "ABN20261202001" in str(refused.value) and status.label in str(refused.value)
    assert hint in str(refused.value)


def test_only_open_anomalies_can_be_closed_and_every_state_has_a_label() -> None:
    assert ALLOWED_FROM[Step.CLOSE] == {status for status in AnomalyStatus if status.is_open}
    assert all(status.label for status in AnomalyStatus)

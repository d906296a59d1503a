"""How event kinds, statuses and outcomes read in Chinese: shared by the command line and the archive."""

from __future__ import annotations

from collections.abc import Mapping

#: History event kinds as a person reads them.
EVENT_LABELS: Mapping[str, str] = {
    "instance_started": "发起流程",
    "node_entered": "到达节点",
    "node_left": "离开节点",
    "node_passed": "经过节点",
    "work_item_opened": "生成待办",
    "work_item_completed": "办理完成",
    "work_item_cancelled": "待办取消",
    "work_item_claimed": "认领待办",
    "work_item_unclaimed": "取消认领",
    "task_skipped": "跳过节点",
    "countersign_decided": "会签结果",
    "work_item_transferred": "转交",
    "signers_changed": "加签/减签",
    "work_item_returned": "退回",
    "instance_withdrawn": "撤回",
    "task_auto_approved": "自动通过",
    "service_call_requested": "调用服务",
    "service_call_completed": "服务返回",
    "timer_scheduled": "定时器开始计时",
    "timer_fired": "定时器触发",
    "timer_cancelled": "定时器取消",
    "instance_ended": "流程结束",
    "instance_failed": "流程出错",
    "error_thrown": "抛出错误",
    "error_caught": "捕获错误",
    "error_escalated": "错误交给调用方",
    "call_started": "启动子流程",
    "call_completed": "子流程结束",
    "call_cancelled": "子流程取消",
    "multi_instance_started": "多实例开始",
    "multi_instance_completed": "多实例完成",
    "comment_added": "评论",
    "attachment_added": "上传附件",
    "progress_reported": "更新进度",
    "instance_copied": "抄送",
    "instance_urged": "催办",
    "work_item_acknowledged": "确认接收",
    "notified": "通知",
    "anomaly_found": "发现异常",
    "anomaly_reported": "提交异常处理说明",
    "anomaly_handling": "异常重新计划",
    "anomaly_resolved": "异常处理完成",
    "anomaly_verified": "异常验证通过",
    "anomaly_reopened": "异常验证未通过",
    "migrated": "迁移到新版本",
}

STATUS_LABELS: Mapping[str, str] = {
    "running": "进行中",
    "completed": "已完成",
    "withdrawn": "已撤回",
    "terminated": "已终止",
    "failed": "出错停止",
    "open": "待办",
    "cancelled": "已取消",
    "returned": "已退回",
}

OUTCOME_LABELS: Mapping[str, str] = {"approve": "通过", "reject": "驳回", "submit": "提交", "done": "完成"}


def person_label(user: str | None, name: str | None) -> str:
    """Who acted, by the name they had then: ``王工（wang）``; the id alone when the name adds nothing."""
    if user is None:
        return ""
    return f"{name}（{user}）" if name and name != user else user


#: Background job statuses as an administrator reads them.
JOB_STATUS_LABELS: Mapping[str, str] = {"pending": "待执行", "failed": "已失败"}

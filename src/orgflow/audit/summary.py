"""What an audit row says about a command: who did it, a one-line Chinese summary, and its identifiers.

Everything here is built from the action's ``log_fields()`` (identifiers an
action declares safe to log: ids, keys, outcomes, counts) and a few
identifiers of its result (the business key a start was given, a deployed
version). Form data, comments, file contents, passwords and tokens are never
among them; as a second guard, a field whose name says it is a secret
(``password``, ``token``, ``secret`` …) or whose value looks like an API token
is dropped whatever the action declared. So a new action (signing in, creating
a token) is audited safely without any change here: it gets the generic
summary, its label and its safe fields.

Pure: no I/O.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, NamedTuple, Protocol

from orgflow.auth.secrets import TOKEN_PREFIX
from orgflow.labels import OUTCOME_LABELS
from orgflow.runtime.views import AnomalyOpened, AnomalyView, Deployed, InstanceView, Migration, OrgImported
from orgflow.runtime.views.accounts import LOCKED, SIGNED_IN, IssuedToken, SignInResult

#: How an audit row names the actor of a command nobody signed (a background job).
SYSTEM_ACTOR: Final = "系统"

#: The action name of a recorded refusal (the command itself was rolled back).
REFUSED: Final = "refused"

#: Parts of a field name that mark a secret: such fields never reach the trail.
_SECRET_NAMES: Final = ("password", "passwd", "secret", "credential", "csrf", "cookie")

#: Fields about a token that identify it without being it.
_TOKEN_IDENTIFIERS: Final = frozenset({"token_id", "token_kind", "token_name", "token_prefix"})

#: Longest text kept of one field value (a file path, a name).
_MAX_TEXT: Final = 200

#: Placement of an added signer, as people say it.
_POSITIONS: Final[Mapping[str, str]] = {"before": "前加签", "after": "后加签", "parallel": "并行加签"}


class Loggable(Protocol):
    """What the trail needs of an action: its name and the fields it declares safe to log."""

    @property
    def name(self) -> str:
        """The action's stable name (``start_process``)."""
        ...

    def log_fields(self) -> dict[str, Any]:
        """Identifiers safe to log (never data values)."""
        ...


@dataclass(frozen=True, slots=True)
class Attempt:
    """Something refused that is not an action run by the executor (reading the trail itself, say).

    Attributes:
        name: What was attempted (``read_audit``).
        actor: Who attempted it.
    """

    name: str
    actor: str | None

    def log_fields(self) -> dict[str, Any]:
        """Only who tried."""
        return {"actor": self.actor}


#: Chinese names of actions, for refusals and the generic summary.
ACTION_LABELS: Final[Mapping[str, str]] = {
    "deploy_definition": "部署流程定义",
    "start_process": "发起流程",
    "complete_work_item": "办理待办",
    "claim_work_item": "认领待办",
    "unclaim_work_item": "取消认领",
    "transfer_work_item": "转交待办",
    "add_signer": "加签",
    "remove_signer": "减签",
    "return_work_item": "退回待办",
    "withdraw_instance": "撤回流程",
    "import_org": "导入组织架构",
    "set_proxy": "设置代理",
    "end_proxy": "结束代理",
    "set_notification_preference": "设置通知方式",
    "clear_notification_preference": "清除通知方式",
    "add_comment": "评论",
    "add_attachment": "上传附件",
    "report_progress": "报告进度",
    "copy_instance": "抄送",
    "urge_instance": "催办",
    "acknowledge_work_item": "确认接收",
    "fire_timer": "定时器到期",
    "mark_notifications_read": "消息标为已读",
    "recompute_deadlines": "重算时限",
    "raise_anomaly": "登记异常",
    "open_overdue_anomaly": "登记超时异常",
    "explain_anomaly": "提交异常处理说明",
    "replan_anomaly": "重新安排异常",
    "resolve_anomaly": "异常已处理",
    "verify_anomaly": "验证异常",
    "migrate_instances": "迁移流程实例",
    "sign_in": "登录",
    "sign_out": "退出登录",
    "add_account": "添加账号",
    "set_password": "设置密码",
    "unlock_account": "解锁账号",
    "create_api_token": "创建 API 令牌",
    "revoke_api_token": "吊销 API 令牌",
    "read_audit": "查看审计记录",
    "verify_audit": "校验审计链",
    REFUSED: "操作被拒绝",
}

#: One summary per action, filled from its safe fields and its result's identifiers.
_TEMPLATES: Final[Mapping[str, str]] = {
    "deploy_definition": "部署流程定义 {key} 版本 {version}",
    "start_process": "发起流程 {key}（{business_key}）",
    "complete_work_item": "办理待办 {work_item_id}：{outcome_label}",
    "claim_work_item": "认领待办 {work_item_id}",
    "unclaim_work_item": "取消认领待办 {work_item_id}",
    "transfer_work_item": "转交待办 {work_item_id} 给 {to}",
    "add_signer": "{position_label}：待办 {work_item_id}",
    "remove_signer": "减签：待办 {work_item_id} 去掉 {user}",
    "return_work_item": "退回待办 {work_item_id}{target_text}",
    "withdraw_instance": "撤回流程 {instance}",
    "import_org": "导入组织架构：{departments} 个部门、{users} 人",
    "set_proxy": "设置代理：{proxy} 代理 {user}",
    "end_proxy": "结束代理：{user}",
    "set_notification_preference": "设置通知方式：{user}（{event_text}）",
    "clear_notification_preference": "清除通知方式：{user}（{event_text}）",
    "add_comment": "评论流程 {instance}",
    "add_attachment": "上传附件：{attached_to}",
    "report_progress": "报告进度：待办 {work_item_id} {percent}%",
    "copy_instance": "抄送流程 {instance}（{users} 人、{roles} 个角色）",
    "urge_instance": "催办流程 {instance}",
    "acknowledge_work_item": "确认接收待办 {work_item_id}",
    "fire_timer": "定时器到期：流程实例 {instance_id}",
    "mark_notifications_read": "站内消息标为已读：{user}",
    "recompute_deadlines": "按工作日历重算未到期的时限",
    "raise_anomaly": "登记异常 {number}：流程 {instance}",
    "open_overdue_anomaly": "登记超时异常 {number}：待办 {work_item_id}",
    "explain_anomaly": "提交异常处理说明 {number}",
    "replan_anomaly": "重新安排异常 {number}：处理人 {handler}",
    "resolve_anomaly": "异常 {number} 已处理",
    "verify_anomaly": "验证异常 {number}：{passed_text}",
    "migrate_instances": "迁移流程 {key} 版本 {from_version} → {to_version}：{moved} 个实例{dry_run_text}",
    "sign_in": "登录 {user}：{sign_in_text}",
    "sign_out": "退出登录",
    "add_account": "添加账号 {user}",
    "set_password": "设置密码：账号 {user}",
    "unlock_account": "解锁账号 {user}",
    "create_api_token": "创建 API 令牌 {token_id}（{kind}，属于 {user}）",
    "revoke_api_token": "吊销 API 令牌 {token_id}",
}


def actor_of(action: object, fields: Mapping[str, Any]) -> str | None:
    """Who a command acts for: its ``actor`` (``initiator`` is logged as one), else its ``user``.

    ``None`` for a command nobody signed (a job's); rendered as :data:`SYSTEM_ACTOR`.
    """
    for name in ("actor", "user", "user_id", "initiator"):
        if name in fields:
            value = fields[name]
        elif hasattr(action, name):
            value = getattr(action, name)
        else:
            continue
        return value if isinstance(value, str) else None
    return None


def safe_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The fields fit for the trail: secrets dropped, values made plain JSON (so they hash the same back)."""
    kept: dict[str, Any] = {}
    for name, value in fields.items():
        if _secret_name(name):
            continue
        plain = _plain(value)
        if plain is _DROPPED:
            continue
        kept[name] = plain
    return kept


class Described(NamedTuple):
    """What an audit row says about one command."""

    #: Who did it (``None``: nobody signed it, a job's command).
    actor: str | None
    #: One line in Chinese.
    summary: str
    #: Identifiers only: the safe fields (without the actor) and the result's identifiers.
    details: dict[str, Any]


def describe(action: Loggable, result: object) -> Described:
    """The actor, summary and details of a command that succeeded with ``result``."""
    declared = action.log_fields()
    fields = safe_fields(declared)
    facts = {**fields, **_result_facts(result)}
    details = {name: value for name, value in facts.items() if name != "actor" and value is not None}
    return Described(actor_of(action, declared), _summary(action.name, facts), details)


def describe_refusal(action: Loggable, reason: str) -> Described:
    """The actor, summary and details of a refused command (``reason``: the message the caller got)."""
    declared = action.log_fields()
    fields = safe_fields(declared)
    label = ACTION_LABELS.get(action.name, action.name)
    details = {name: value for name, value in fields.items() if name != "actor" and value is not None}
    reason_line = _clip(" ".join(reason.split()))
    return Described(
        actor_of(action, declared),
        f"被拒绝：{label}（{reason_line}）",
        {"attempted": action.name, **details, "reason": reason_line},
    )


def _summary(name: str, facts: Mapping[str, Any]) -> str:
    template = _TEMPLATES.get(name)
    if template is not None:
        try:
            return template.format_map(_Facts(facts))
        except KeyError:
            pass
    return _generic(name, facts)


def _generic(name: str, facts: Mapping[str, Any]) -> str:
    label = ACTION_LABELS.get(name, name)
    shown = "，".join(
        f"{key}={_text(value)}" for key, value in facts.items() if key != "actor" and value is not None
    )
    return f"{label}（{shown}）" if shown else label


class _Facts(dict[str, Any]):
    """The values a template is filled from, with the phrases derived from them."""

    def __missing__(self, key: str) -> Any:
        derived = _derived(self, key)
        if derived is None:
            raise KeyError(key)
        return derived


def _derived(facts: Mapping[str, Any], key: str) -> str | None:
    if key == "outcome_label":
        outcome = str(facts.get("outcome", ""))
        return OUTCOME_LABELS.get(outcome, outcome)
    if key == "position_label":
        return _POSITIONS.get(str(facts.get("position")), "加签")
    if key == "target_text":
        return f" 至节点 {facts['target']}" if facts.get("target") else ""
    if key == "event_text":
        event = facts.get("event")
        return "全部事件" if event in (None, "*") else str(event)
    if key == "attached_to":
        if facts.get("work_item_id"):
            return f"待办 {facts['work_item_id']}" + (
                f"（交付物 {facts['deliverable']}）" if facts.get("deliverable") else ""
            )
        return f"流程 {facts.get('instance')}"
    if key == "passed_text":
        return "通过" if facts.get("passed") else "未通过"
    if key == "sign_in_text":
        result = facts.get("outcome")
        if result == SIGNED_IN:
            return "成功"
        return "账号已锁定，拒绝" if result == LOCKED else "失败（用户名或密码不对）"
    if key == "dry_run_text":
        return "（试运行，未迁移）" if facts.get("dry_run") else ""
    return None


def _result_facts(result: object) -> dict[str, Any]:
    """Identifiers of a command's result worth keeping: the business key, the version, the anomaly."""
    if isinstance(result, InstanceView):
        return {"instance_id": result.id, "business_key": result.business_key}
    if isinstance(result, Deployed):
        return {"key": result.key, "version": result.version, "created": result.created}
    if isinstance(result, AnomalyView):
        return {"number": result.number, "business_key": result.business_key}
    if isinstance(result, AnomalyOpened):
        return {"number": result.anomaly.number} if result.anomaly is not None else {}
    if isinstance(result, Migration):
        return {"moved": len(result.instances)}
    if isinstance(result, OrgImported):
        return {"revision": result.revision}
    if isinstance(result, SignInResult):
        return {"outcome": result.outcome}
    if isinstance(result, IssuedToken):
        return {"token_id": result.id}
    business_key = getattr(result, "business_key", None)
    return {"business_key": business_key} if isinstance(business_key, str) else {}


@functools.lru_cache(maxsize=512)
def _secret_name(name: str) -> bool:
    lowered = name.lower()
    if any(part in lowered for part in _SECRET_NAMES):
        return True
    if lowered in _TOKEN_IDENTIFIERS:
        return False
    return "token" in lowered


#: Marks a value that must not be kept.
_DROPPED: Final = object()


def _plain(value: Any) -> Any:
    """A JSON value that reads back identically from both databases (no floats: JSONB rewrites them)."""
    kind = type(value)
    if kind is str:
        if value.startswith(TOKEN_PREFIX):
            return _DROPPED
        return value if len(value) <= _MAX_TEXT and "\x00" not in value else _clip(value)
    if value is None or kind is bool or kind is int:
        return value
    if isinstance(value, str):
        return _DROPPED if value.startswith(TOKEN_PREFIX) else _clip(value)
    if isinstance(value, bool | int):
        return value
    if isinstance(value, list | tuple | frozenset | set):
        items = [_plain(item) for item in value]
        return [item for item in items if item is not _DROPPED and not isinstance(item, list)]
    return _clip(str(value))


def _clip(text: str) -> str:
    text = text.replace("\x00", "")
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1] + "…"


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "、".join(str(item) for item in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)

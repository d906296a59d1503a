"""The exceptions OrgFlow raises to its callers.

Every class's docstring is its default message; instances carry the context a
business user can act on (which node, which field, what to do). Adapters (CLI,
API) print ``str(error)`` and never a stack trace.

::

    OrgFlowError
    ├── DefinitionError              a definition cannot be deployed (lists every problem)
    ├── ExpressionError              a condition does not parse or uses something not allowed
    ├── NotFound                     a definition, instance or work item does not exist
    ├── CommandRejected              the engine refused a command (wrong state, bad form data)
    ├── NotSignedIn                  the caller is not signed in (no, expired or revoked credentials)
    │   └── AccountLocked            too many failed sign-ins: the account is locked for a while
    ├── PermissionDenied             the user may not see or do this (not theirs, not their role)
    │   └── CsrfRefused              a browser session's change lacks its CSRF token
    ├── TooManyAttempts              too many sign-in attempts from one address: wait and retry
    ├── Conflict                     someone else changed the same instance first
    │   ├── WorkItemNotOpen          the work item was already completed or cancelled
    │   └── LeaseLost                a job's lease expired and another worker took it over
    ├── ServiceHandlerError          a service task's handler is unknown or failed
    ├── BusinessError                a service handler's business error (BPMN error), caught by its code
    ├── UnknownJobKind               no handler is registered for a job's kind
    ├── ConfigurationError           settings or input files are unusable
    ├── AttachmentRefused            a file is too large, of a type not accepted, or unnamed
    │   └── AttachmentTooLarge       a file over the size limit (also a PayloadTooLarge)
    ├── PayloadTooLarge              a request is larger than the service accepts
    └── StorageError                 the database failed in a way the user cannot fix by retrying the form
        ├── AttachmentDamaged        a stored file is missing or no longer matches its checksum
        └── SensitiveDataUnreadable  an encrypted field does not open: wrong key, or moved or altered
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from orgflow.model.problems import DefinitionProblem


class OrgFlowError(Exception):
    """OrgFlow 出错。"""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or (type(self).__doc__ or "").strip())

    @property
    def message(self) -> str:
        """The message shown to the user."""
        return str(self)


class DefinitionError(OrgFlowError):
    """流程定义有误，未部署。"""

    def __init__(self, problems: Sequence[DefinitionProblem], source: str = "") -> None:
        self.problems = tuple(problems)
        self.source = source
        where = f"{source}: " if source else ""
        lines = [f"{where}流程定义有 {len(self.problems)} 处问题，未部署："]
        lines += [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


class ExpressionError(OrgFlowError):
    """条件表达式有误。"""

    def __init__(self, message: str, *, expression: str = "", offset: int | None = None) -> None:
        self.expression = expression
        self.offset = offset
        detail = f"条件表达式 {expression!r} 有误：{message}" if expression else message
        super().__init__(detail)


class NotFound(OrgFlowError):
    """要找的对象不存在。"""


class CommandRejected(OrgFlowError):
    """操作被拒绝。"""

    def __init__(
        self, message: str, *, reason: str, node_id: str | None = None, field: str | None = None
    ) -> None:
        self.reason = reason
        self.node_id = node_id
        self.field = field
        super().__init__(message)


class PermissionDenied(OrgFlowError):
    """没有权限执行该操作。"""

    def __init__(self, message: str | None = None, *, user: str | None = None) -> None:
        self.user = user
        super().__init__(message)


class NotSignedIn(OrgFlowError):
    """请先登录：没有提供凭据，或凭据已过期、已吊销。"""


class AccountLocked(NotSignedIn):
    """登录失败次数过多，账号已暂时锁定，请稍后再试或联系系统管理员解锁。"""


class CsrfRefused(PermissionDenied):
    """请求缺少或带错了 CSRF 令牌（X-CSRF-Token），未执行。"""


class TooManyAttempts(OrgFlowError):
    """登录尝试过于频繁，请稍后再试。"""

    def __init__(self, message: str | None = None, *, retry_after: int = 60) -> None:
        """``retry_after``: seconds until another attempt is accepted."""
        self.retry_after = retry_after
        super().__init__(message or f"登录尝试过于频繁，请 {retry_after} 秒后再试")


class PayloadTooLarge(OrgFlowError):
    """请求内容过大，未处理。"""


class Conflict(OrgFlowError):
    """该流程实例刚被他人修改，请刷新后重试。"""


class WorkItemNotOpen(Conflict):
    """该待办已被处理或已取消。"""


class LeaseLost(Conflict):
    """任务的执行期限已过并已由其他执行器接手，本次执行的结果已撤销。"""


class ServiceHandlerError(OrgFlowError):
    """服务任务的处理程序不存在或执行失败。"""


class BusinessError(OrgFlowError):
    """业务错误：由流程里捕获该错误码的边界错误事件处理。"""

    def __init__(self, code: str, detail: str = "") -> None:
        """Raised as ``BusinessError("DECLINED", "卡被拒绝")``; an error boundary catches it by ``code``."""
        self.code = code
        self.detail = detail
        super().__init__(f"业务错误 {code}：{detail}" if detail else f"业务错误 {code}")


class UnknownJobKind(OrgFlowError):
    """没有注册该类型后台任务的处理程序。"""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        super().__init__(f"没有注册后台任务类型 {kind!r} 的处理程序；任务保留，注册后可由管理员重试。")


class ConfigurationError(OrgFlowError):
    """配置或输入文件有误。"""


class StorageError(OrgFlowError):
    """数据库读写失败，请稍后重试；如果一再出现，请联系系统管理员。"""


class AttachmentRefused(OrgFlowError):
    """附件不符合要求，未上传。"""


class AttachmentTooLarge(AttachmentRefused, PayloadTooLarge):
    """附件超过大小上限，未上传。"""


class AttachmentDamaged(StorageError):
    """附件文件已损坏或丢失（校验和不符），为安全起见不提供下载；请联系系统管理员。"""


class SensitiveDataUnreadable(StorageError):
    """敏感字段无法解密：密钥不对，或数据被移动、改动过；请联系系统管理员检查加密密钥。"""


class DeliveryFailed(OrgFlowError):
    """通知未能送达（渠道配置有误或接收方出错）；将按退避策略重试，多次失败后由管理员处理。

    The message names the channel and what went wrong, never a password or secret.
    """

    def __init__(self, channel: str, problem: str) -> None:
        self.channel = channel
        self.problem = problem
        super().__init__(f"通知渠道 {channel} 发送失败：{problem}")

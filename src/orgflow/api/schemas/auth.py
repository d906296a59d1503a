"""Bodies of signing in and out, and of API tokens (a new token's secret appears in one answer only)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

UserRef = Annotated[str, Field(min_length=1, max_length=200)]


class LoginBody(BaseModel):
    """A person signing in with their user id and password."""

    model_config = ConfigDict(extra="forbid")

    user_id: UserRef = Field(description="用户ID（组织架构中的编号）")
    password: str = Field(min_length=1, max_length=1024, description="密码")


class LoginOut(BaseModel):
    """Signed in: the session cookie is set; unsafe requests must send ``csrf_token`` as ``X-CSRF-Token``."""

    user_id: str
    name: str = Field(description="姓名")
    csrf_token: str = Field(description="修改类请求（POST、PUT、PATCH、DELETE）需放在 X-CSRF-Token 请求头中")
    expires_at: datetime = Field(
        description="无操作时会话到期的时间（每次访问顺延，登录 24 小时后必须重新登录）"
    )


class TokenBody(BaseModel):
    """A new API token: one's own personal token, or (administrators) an integration token for a system."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, description="令牌名称（用途），如 ERP 对接")
    kind: Literal["personal", "integration"] = Field(
        default="personal", description="personal：本人的个人令牌；integration：其他系统的集成令牌（管理员）"
    )
    user_id: UserRef | None = Field(
        default=None, description="令牌归属的用户；个人令牌只能是本人（默认本人），集成令牌是系统的用户"
    )
    definitions: list[UserRef] = Field(
        default_factory=list, max_length=200, description="集成令牌可使用的流程定义 key（至少一个）"
    )
    expires_days: int | None = Field(default=None, ge=1, le=3650, description="多少天后过期（不填：不过期）")


class TokenOut(BaseModel):
    """An API token in a list (never the secret)."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    user_id: str
    name: str
    kind: str
    prefix: str = Field(description="令牌开头的几个字符，用于辨认")
    definitions: list[str] = Field(description="集成令牌可使用的流程定义 key")
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    status: str = Field(description="active（可用）、expired（已过期）或 revoked（已吊销）")


class IssuedTokenOut(BaseModel):
    """A token just created: ``token`` is shown this once and never again (only its hash is stored)."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    token: str = Field(description="令牌本身：以 Authorization: Bearer <token> 使用；只显示这一次")
    prefix: str
    kind: str
    user_id: str
    name: str
    expires_at: datetime | None
    definitions: list[str]
    warning: str = Field(default="请立即保存该令牌：它只显示这一次，之后无法再次查看。")

"""Bodies of following an instance: urge (催办), copy (抄送), comment (评论) and attachments (附件)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from orgflow.api.schemas.work_items import View

UserRef = Annotated[str, Field(min_length=1, max_length=200)]


class UrgeBody(BaseModel):
    """Urge the people the instance waits on."""

    model_config = ConfigDict(extra="forbid")

    note: str = Field(default="", max_length=2000, description="催办说明")


class UrgedOut(View):
    """Who was urged, and when the caller may urge again."""

    instance_id: str
    business_key: str
    assignees: list[str] = Field(description="被催办的处理人")
    groups: list[str] = Field(description="被催办的候选组（尚未认领的共享待办）")
    at: datetime
    next_allowed_at: datetime = Field(description="下次可催办时间")


class CopyBody(BaseModel):
    """Copy the instance to people, or to a role's current holders (抄送)."""

    model_config = ConfigDict(extra="forbid")

    users: list[UserRef] = Field(default_factory=list, max_length=200, description="抄送给（用户ID）")
    roles: list[UserRef] = Field(
        default_factory=list, max_length=50, description="抄送给该角色的现任人员，如 总经理、财务审核员@cw"
    )
    note: str = Field(default="", max_length=2000, description="抄送说明")


class CopiedOut(View):
    """Who was copied now and who had been before."""

    instance_id: str
    business_key: str
    added: list[str]
    already: list[str]


class CommentBody(BaseModel):
    """A comment on the instance's record."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=10_000, description="评论内容")


class CommentOut(View):
    """The comment as recorded in the instance's history."""

    at: datetime
    kind: str
    node_id: str | None
    node_name: str | None
    work_item_id: str | None
    actor: str | None
    actor_name: str | None
    comment: str | None


class AttachmentOut(View):
    """A file added to an instance (附件) or handed in for a deliverable (交付物)."""

    id: str = Field(description="附件 ID（下载：GET /api/v1/attachments/{id}）")
    instance_id: str
    work_item_id: str | None = Field(description="上传时所在的待办；为空：整个流程实例")
    node_id: str | None
    file_name: str
    content_type: str
    size: int = Field(description="字节数")
    sha256: str
    uploaded_by: str
    uploaded_at: datetime
    kind: str = Field(description="attachment 附件 | deliverable 交付物")
    deliverable: str | None = Field(description="交付物名称")

"""Bodies of the audit endpoints: links of the trail and the outcome of verifying the chain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from orgflow.audit.chain import AuditRecord
from orgflow.audit.verify import Verdict


class AuditRecordOut(BaseModel):
    """One link of the audit trail: who did what, when, from where."""

    seq: int = Field(description="序号：链中的位置，从 1 起连续")
    at: datetime = Field(description="时间（UTC）")
    actor: str | None = Field(description="操作人（空：系统或未署名）")
    source: str | None = Field(description="来源：客户端地址，或 cli、worker")
    action: str = Field(description="操作名，如 start_process；refused：被拒绝的操作")
    summary: str = Field(description="摘要（不含表单数据、密码、令牌）")
    details: dict[str, Any] | None = Field(description="标识信息：编号、ID、结果等")
    prev_hash: str = Field(description="前一条记录的哈希（第 1 条为 64 个 0）")
    hash: str = Field(description="本条记录的 sha256 哈希")

    @classmethod
    def of(cls, record: AuditRecord) -> AuditRecordOut:
        """The response body of a stored link."""
        entry = record.entry
        return cls(
            seq=record.seq,
            at=entry.at,
            actor=entry.actor,
            source=entry.source,
            action=entry.action,
            summary=entry.summary,
            details=dict(entry.details) if entry.details is not None else None,
            prev_hash=record.prev_hash,
            hash=record.hash,
        )


class HeadOut(BaseModel):
    """The chain's last link as the head row records it."""

    seq: int
    hash: str = Field(description="另行保存此哈希，日后可发现末尾记录被整体截去")


class BreakOut(BaseModel):
    """The first place the chain does not hold."""

    seq: int = Field(description="出问题的记录（或缺失记录之前的最后一条）")
    kind: str = Field(
        description="edited 内容被修改 | deleted 记录被删除 | relinked 被改写或替换 | head 链头不符"
    )
    message: str


class VerifyOut(BaseModel):
    """The outcome of verifying the whole chain."""

    ok: bool = Field(description="审计链是否完整")
    records: int = Field(description="校验的记录条数")
    message: str
    head: HeadOut | None
    broken: BreakOut | None

    @classmethod
    def of(cls, verdict: Verdict) -> VerifyOut:
        """The response body of a verification."""
        broken = verdict.broken
        return cls(
            ok=verdict.intact,
            records=verdict.records,
            message=verdict.message,
            head=None if verdict.head is None else HeadOut(seq=verdict.head.seq, hash=verdict.head.hash),
            broken=None
            if broken is None
            else BreakOut(seq=broken.seq, kind=broken.kind.value, message=broken.message),
        )

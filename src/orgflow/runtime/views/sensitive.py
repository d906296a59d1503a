"""What the read side says about sensitive fields: who was shown which of them unmasked, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class SensitiveViewEntry:
    """One time someone was shown an instance's sensitive fields unmasked (the 查看记录).

    Attributes:
        at: When.
        viewer: Who (a user id).
        instance_id: Which instance.
        fields: The sensitive fields shown unmasked.
        source: Where from: the client's address, ``cli``, or ``None`` when not said.
    """

    at: datetime
    viewer: str
    instance_id: str
    fields: tuple[str, ...]
    source: str | None

"""OrgFlow 协同流程平台: cross-department processes with owners and time limits at every step."""

from __future__ import annotations

__all__: list[str] = []

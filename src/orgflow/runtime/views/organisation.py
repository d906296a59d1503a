"""What an import of the org chart changed."""

from __future__ import annotations

from dataclasses import dataclass

from orgflow.store.org import OrphanedWorkItem


@dataclass(frozen=True, kw_only=True, slots=True)
class OrgImported:
    """The result of importing the org chart.

    Attributes:
        revision: The org's new revision.
        departments: How many departments it has now.
        users: How many active users it has now.
        added_users: Ids new in this import.
        deactivated_users: Ids now inactive (left out of the file, or 停用).
        removed_departments: Ids no longer in the chart.
        orphaned: Open work items that need reassigning (their person or department is gone).
    """

    revision: int
    departments: int
    users: int
    added_users: tuple[str, ...]
    deactivated_users: tuple[str, ...]
    removed_departments: tuple[str, ...]
    orphaned: tuple[OrphanedWorkItem, ...]

"""What commands and queries hand back to adapters: plain frozen values, never database rows.

The CLI and the API render these; they carry names (node names, the version
label) so an adapter never needs the definition to show them.

One module per area; everything is importable from here.
"""

from __future__ import annotations

from orgflow.runtime.views.anomalies import (
    AnomalyDetail,
    AnomalyOpened,
    AnomalyView,
    CountRow,
    MonthlyAnalysis,
)
from orgflow.runtime.views.deadlines import Acknowledged, Recomputed
from orgflow.runtime.views.files import ArchiveBuilt, AttachmentView, ProgressReported
from orgflow.runtime.views.inbox import (
    Copied,
    CopyNote,
    InboxCounts,
    InboxInstance,
    InboxItem,
    InboxPage,
    Urged,
)
from orgflow.runtime.views.instances import (
    ActiveNode,
    DefinitionView,
    Deployed,
    HistoryEntry,
    InstanceDetail,
    InstanceList,
    InstanceProblem,
    InstanceSummary,
    InstanceView,
    LinkedInstance,
    OpenWorkItem,
    WorkItemForm,
    WorkItemView,
    instance_view,
)
from orgflow.runtime.views.organisation import OrgImported
from orgflow.runtime.views.versions import (
    CancelledTimer,
    InstanceMove,
    Migration,
    MovedElement,
    VersionDiff,
)

__all__ = [
    "Acknowledged",
    "ActiveNode",
    "AnomalyDetail",
    "AnomalyOpened",
    "AnomalyView",
    "ArchiveBuilt",
    "AttachmentView",
    "CancelledTimer",
    "Copied",
    "CopyNote",
    "CountRow",
    "DefinitionView",
    "Deployed",
    "HistoryEntry",
    "InboxCounts",
    "InboxInstance",
    "InboxItem",
    "InboxPage",
    "InstanceDetail",
    "InstanceList",
    "InstanceMove",
    "InstanceProblem",
    "InstanceSummary",
    "InstanceView",
    "LinkedInstance",
    "Migration",
    "MonthlyAnalysis",
    "MovedElement",
    "OpenWorkItem",
    "OrgImported",
    "ProgressReported",
    "Recomputed",
    "Urged",
    "VersionDiff",
    "WorkItemForm",
    "WorkItemView",
    "instance_view",
]

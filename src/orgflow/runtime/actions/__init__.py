"""Application commands: what a person or a system asks OrgFlow to do, each run as one transaction.

Every action names itself for the logs (``name``) and says whether running it
again after a lost race is safe (``retry_safe``): an action is safe to re-run
when it re-reads everything it depends on and fails cleanly if its premise no
longer holds (a work item already done raises ``WorkItemNotOpen``).

The results the executor returns are re-exported here (``Deployed``,
``InstanceView``) so callers import actions and results from one place.

One module per kind of action; everything is importable from here.
"""

from __future__ import annotations

from orgflow.runtime.actions.accounts import (
    AddAccount,
    CreateApiToken,
    RevokeApiToken,
    SetPassword,
    SignIn,
    SignOut,
    UnlockAccount,
)
from orgflow.runtime.actions.anomalies import (
    AnomalyAction,
    ExplainAnomaly,
    OpenOverdueAnomaly,
    RaiseAnomaly,
    ReplanAnomaly,
    ResolveAnomaly,
    VerifyAnomaly,
)
from orgflow.runtime.actions.contributions import AddAttachment, AddComment, ReportProgress
from orgflow.runtime.actions.deadlines import AcknowledgeWorkItem, FireTimer, RecomputeDeadlines
from orgflow.runtime.actions.following import CopyInstance, MarkNotificationsRead, UrgeInstance
from orgflow.runtime.actions.migration import MigrateInstances
from orgflow.runtime.actions.organisation import (
    ClearNotificationPreference,
    EndProxy,
    ImportOrg,
    SetNotificationPreference,
    SetProxy,
)
from orgflow.runtime.actions.process import CompleteWorkItem, DeployDefinition, StartProcess
from orgflow.runtime.actions.task_operations import (
    AddSigner,
    ClaimWorkItem,
    RemoveSigner,
    ReturnWorkItem,
    TransferWorkItem,
    UnclaimWorkItem,
    WithdrawInstance,
    WorkItemAction,
)
from orgflow.runtime.views import Copied, Deployed, InstanceView, OrgImported, Urged
from orgflow.runtime.views.accounts import AccountView, IssuedToken, SignInResult, TokenView

__all__ = [
    "AccountView",
    "AcknowledgeWorkItem",
    "Action",
    "AddAccount",
    "AddAttachment",
    "AddComment",
    "AddSigner",
    "AnomalyAction",
    "ClaimWorkItem",
    "ClearNotificationPreference",
    "CompleteWorkItem",
    "Copied",
    "CopyInstance",
    "CreateApiToken",
    "DeployDefinition",
    "Deployed",
    "EndProxy",
    "ExplainAnomaly",
    "FireTimer",
    "ImportOrg",
    "InstanceView",
    "IssuedToken",
    "MarkNotificationsRead",
    "MigrateInstances",
    "OpenOverdueAnomaly",
    "OrgImported",
    "RaiseAnomaly",
    "RecomputeDeadlines",
    "RemoveSigner",
    "ReplanAnomaly",
    "ReportProgress",
    "ResolveAnomaly",
    "ReturnWorkItem",
    "RevokeApiToken",
    "SetNotificationPreference",
    "SetPassword",
    "SetProxy",
    "SignIn",
    "SignInResult",
    "SignOut",
    "StartProcess",
    "TokenView",
    "TransferWorkItem",
    "UnclaimWorkItem",
    "UnlockAccount",
    "UrgeInstance",
    "Urged",
    "VerifyAnomaly",
    "WithdrawInstance",
    "WorkItemAction",
]

Action = (
    DeployDefinition
    | StartProcess
    | CompleteWorkItem
    | WorkItemAction
    | WithdrawInstance
    | ImportOrg
    | SetProxy
    | EndProxy
    | SetNotificationPreference
    | ClearNotificationPreference
    | AddComment
    | AddAttachment
    | ReportProgress
    | CopyInstance
    | UrgeInstance
    | AcknowledgeWorkItem
    | FireTimer
    | MarkNotificationsRead
    | RecomputeDeadlines
    | AnomalyAction
    | MigrateInstances
    | AddAccount
    | SetPassword
    | UnlockAccount
    | CreateApiToken
    | RevokeApiToken
    | SignIn
    | SignOut
)

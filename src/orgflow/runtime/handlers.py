"""Action handlers: load state → engine.apply → answer service calls → persist the transition.

Each handler runs inside the unit of work the executor opened; it reads the
clock once, after the transaction began (on SQLite, after the write lock was
taken), so history times follow commit order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from orgflow.clock import Clock
from orgflow.engine import commands
from orgflow.engine.effects import (
    Rejection,
    RejectionReason,
    ServiceCallRequested,
    TimerCancelled,
    TimerScheduled,
    Transition,
)
from orgflow.engine.state import InstanceState, InstanceStatus
from orgflow.engine.step import apply
from orgflow.errors import CommandRejected, ConfigurationError, DefinitionError, NotFound, PermissionDenied
from orgflow.ids import IdSource
from orgflow.model.definition import ProcessDefinition
from orgflow.model.problems import Severity
from orgflow.org.model import Delegation, OrgSnapshot
from orgflow.org.people import resolve_people
from orgflow.org.proxies import delegation_problem
from orgflow.org.references import check_references
from orgflow.runtime.accounts import AccountHandlers
from orgflow.runtime.acknowledgement import Acknowledgements
from orgflow.runtime.actions import (
    AcknowledgeWorkItem,
    Action,
    AddAccount,
    AddAttachment,
    AddComment,
    AddSigner,
    ClaimWorkItem,
    ClearNotificationPreference,
    CompleteWorkItem,
    CopyInstance,
    CreateApiToken,
    DeployDefinition,
    EndProxy,
    ExplainAnomaly,
    FireTimer,
    ImportOrg,
    MarkNotificationsRead,
    MigrateInstances,
    OpenOverdueAnomaly,
    RaiseAnomaly,
    RecomputeDeadlines,
    RemoveSigner,
    ReplanAnomaly,
    ReportProgress,
    ResolveAnomaly,
    ReturnWorkItem,
    RevokeApiToken,
    SetNotificationPreference,
    SetPassword,
    SetProxy,
    SignIn,
    SignOut,
    StartProcess,
    TransferWorkItem,
    UnclaimWorkItem,
    UnlockAccount,
    UrgeInstance,
    VerifyAnomaly,
    WithdrawInstance,
    WorkItemAction,
)
from orgflow.runtime.anomalies import AnomalyHandlers
from orgflow.runtime.calls import CallLinks
from orgflow.runtime.contributions import Contributions
from orgflow.runtime.copying import copy_instance
from orgflow.runtime.deadlines import Deadlines
from orgflow.runtime.field_visibility import hidden_for, restrict_view
from orgflow.runtime.migration import Migrations
from orgflow.runtime.notices import Notice
from orgflow.runtime.permissions import is_administrator
from orgflow.runtime.preferences import PreferenceHandlers
from orgflow.runtime.services import ServiceRegistry, answer_service_calls
from orgflow.runtime.timers import Timers
from orgflow.runtime.translation import engine_command
from orgflow.runtime.unit_of_work import UnitOfWork
from orgflow.runtime.urging import urge_instance
from orgflow.runtime.views import (
    Copied,
    Deployed,
    InstanceView,
    OrgImported,
    Recomputed,
    Urged,
    instance_view,
)
from orgflow.store import notifications
from orgflow.store.definitions import DeployedDefinition
from orgflow.store.instances import StoredInstance

#: The effects :meth:`Timers.after_save` acts on (it is not called for a transition without them).
_TIMER_EFFECTS = frozenset({TimerScheduled, TimerCancelled})

#: Told of every new version in the deploy's transaction (timer starts schedule their first round).
OnDeploy = Callable[[UnitOfWork, DeployedDefinition, datetime], None]


def _seen_by(stored: StoredInstance, deployed: DeployedDefinition, user: str | None) -> InstanceView:
    """The instance as ``user`` may see it: without the fields hidden from their steps."""
    view = instance_view(stored, deployed)
    return restrict_view(view, hidden_for(deployed.definition, stored.state, user))


def _actor_of(action: WorkItemAction) -> str | None:
    """Who performs an operation on a work item (claims name the claimer ``user``)."""
    return action.user if isinstance(action, ClaimWorkItem | UnclaimWorkItem) else action.actor


class ActionHandlers:
    """Dispatches each action type to its handler; holds what handlers share (clock, ids, services).

    Comments, attachments and progress reports are handled by ``contributions``; people's
    notification preferences by ``preferences``; the 异常 loop by
    :class:`orgflow.runtime.anomalies.AnomalyHandlers`.
    """

    def __init__(
        self,
        *,
        clock: Clock,
        ids: IdSource,
        services: ServiceRegistry,
        contributions: Contributions,
        deadlines: Deadlines,
        timers: Timers,
        preferences: PreferenceHandlers,
        on_deploy: OnDeploy | None = None,
    ) -> None:
        self.clock = clock
        self.ids = ids
        self.services = services
        self.contributions = contributions
        self.deadlines = deadlines
        self.timers = timers
        self.on_deploy = on_deploy
        self.calls = CallLinks(run=self._run, save=self._save)
        anomalies = AnomalyHandlers(clock=clock, ids=ids, transfer=self.on_work_item, deadlines=deadlines)
        accounts = AccountHandlers(clock, ids)
        self._table: Mapping[type[Any], Callable[[Any, UnitOfWork], object]] = {
            DeployDefinition: self.deploy,
            StartProcess: self.start,
            CompleteWorkItem: self.complete,
            ClaimWorkItem: self.on_work_item,
            UnclaimWorkItem: self.on_work_item,
            TransferWorkItem: self.on_work_item,
            AddSigner: self.on_work_item,
            RemoveSigner: self.on_work_item,
            ReturnWorkItem: self.on_work_item,
            WithdrawInstance: self.withdraw,
            ImportOrg: self.import_org,
            SetProxy: self.set_proxy,
            EndProxy: self.end_proxy,
            SetNotificationPreference: preferences.set,
            ClearNotificationPreference: preferences.clear,
            AddComment: contributions.add_comment,
            AddAttachment: contributions.add_attachment,
            ReportProgress: contributions.report_progress,
            CopyInstance: self.copy,
            UrgeInstance: self.urge,
            AcknowledgeWorkItem: Acknowledgements(clock).acknowledge,
            FireTimer: self.fire_timer,
            RecomputeDeadlines: self.recompute_deadlines,
            MarkNotificationsRead: self.mark_read,
            RaiseAnomaly: anomalies.raise_anomaly,
            OpenOverdueAnomaly: anomalies.open_overdue,
            ExplainAnomaly: anomalies.explain,
            ReplanAnomaly: anomalies.replan,
            ResolveAnomaly: anomalies.resolve,
            VerifyAnomaly: anomalies.verify,
            MigrateInstances: Migrations(clock, ids, deadlines, timers).migrate,
            AddAccount: accounts.add_account,
            SetPassword: accounts.set_password,
            UnlockAccount: accounts.unlock,
            CreateApiToken: accounts.create_token,
            RevokeApiToken: accounts.revoke_token,
            SignIn: accounts.sign_in,
            SignOut: accounts.sign_out,
        }

    def __call__(self, action: Action, uow: UnitOfWork) -> object:
        """Run the handler for ``action`` inside ``uow``."""
        return self._table[type(action)](action, uow)

    def deploy(self, action: DeployDefinition, uow: UnitOfWork) -> Deployed:
        """Validate and store a new version (or return the newest if the source is unchanged).

        People named by display name are found in the org chart first, and the text stored says
        who they are (:mod:`orgflow.org.people`); the org's problems are named as the source names
        its parts (a node table's by row and column).
        """
        source = action.source_name or f"<{action.source_format}>"
        chart = uow.org()
        text, loaded = resolve_people(
            action.source_text, source_format=action.source_format, source=source, org=chart
        )
        problems = loaded.in_source_terms(check_references(loaded.definition, chart, loaded.lines))
        errors = [problem for problem in problems if problem.severity is Severity.ERROR]
        if errors:
            raise DefinitionError(errors, source=source)
        now = self.clock.now()
        deployed, created = uow.deploy(
            loaded.definition,
            source_text=text,
            source_format=action.source_format,
            actor=action.actor,
            now=now,
            change_note=(action.change_note or "").strip() or None,
        )
        if created and self.on_deploy is not None:
            self.on_deploy(uow, deployed, now)
        return Deployed(
            id=deployed.id,
            key=deployed.key,
            version=deployed.version,
            label=deployed.label,
            warnings=(*loaded.warnings, *problems),
            created=created,
        )

    def start(self, action: StartProcess, uow: UnitOfWork) -> InstanceView:
        """Start an instance: take a business key, run to the first wait states, persist."""
        now = self.clock.now()
        deployed = uow.definition_to_start(action.key, action.version)
        definition = deployed.definition
        command = commands.StartInstance(
            instance_id=self.ids.new_id(),
            definition_id=deployed.id,
            business_key=uow.next_business_key(definition.business_key_prefix, now),
            initiator=action.initiator,
            data=action.data,
        )
        chart = uow.org()
        transition = self._run(definition, None, command, now, chart)
        return _seen_by(self._save(uow, None, transition, deployed, now, chart), deployed, action.initiator)

    def complete(self, action: CompleteWorkItem, uow: UnitOfWork) -> InstanceView:
        """Complete an open work item and move the instance on to its next wait states."""
        now = self.clock.now()
        before = uow.instance_for_work_item(action.work_item_id)
        deployed = uow.definition(before.state.definition_id)
        self.contributions.require_deliverables(uow, before, action.work_item_id, deployed)
        command = commands.CompleteWorkItem(
            work_item_id=action.work_item_id,
            actor=action.actor,
            outcome=action.outcome,
            data=action.data,
            comment=action.comment,
        )
        chart = uow.org()
        transition = self._run(deployed.definition, before.state, command, now, chart)
        return _seen_by(self._save(uow, before, transition, deployed, now, chart), deployed, action.actor)

    def on_work_item(self, action: WorkItemAction, uow: UnitOfWork) -> InstanceView:
        """Claim, unclaim, transfer, add or remove a signer, or return: an operation on a work item's step."""
        now = self.clock.now()
        before = uow.instance_for_work_item(action.work_item_id)
        deployed = uow.definition(before.state.definition_id)
        chart = uow.org()
        transition = self._run(deployed.definition, before.state, engine_command(action), now, chart)
        if not transition.effects:  # e.g. claimed again by its own claimer: nothing to write
            return instance_view(before, deployed)
        return _seen_by(
            self._save(uow, before, transition, deployed, now, chart), deployed, _actor_of(action)
        )

    def withdraw(self, action: WithdrawInstance, uow: UnitOfWork) -> InstanceView:
        """End an instance at its initiator's request (撤回)."""
        now = self.clock.now()
        before = uow.instance(action.instance)
        deployed = uow.definition(before.state.definition_id)
        chart = uow.org()
        command = commands.WithdrawInstance(
            actor=action.actor, reason=action.reason, by_system=action.by_system
        )
        transition = self._run(deployed.definition, before.state, command, now, chart)
        return _seen_by(self._save(uow, before, transition, deployed, now, chart), deployed, action.actor)

    def fire_timer(self, action: FireTimer, uow: UnitOfWork) -> InstanceView | None:
        """Fire an armed timer round; ``None`` (nothing done) when it is no longer pending."""
        now = self.clock.now()
        before = uow.instance(action.instance_id)
        if before.state.status is not InstanceStatus.RUNNING:
            return None
        deployed = uow.definition(before.state.definition_id)
        chart = uow.org()
        command = commands.FireTimer(timer_id=action.timer_id)
        try:
            transition = self._run(deployed.definition, before.state, command, now, chart)
        except CommandRejected as refused:
            if refused.reason == RejectionReason.TIMER_NOT_PENDING.value:
                return None
            raise
        return instance_view(self._save(uow, before, transition, deployed, now, chart), deployed)

    def recompute_deadlines(self, action: RecomputeDeadlines, uow: UnitOfWork) -> Recomputed:
        """Count the due times still ahead again on the current calendar (administrators only)."""
        chart = uow.org()
        if not is_administrator(chart, action.actor):
            raise PermissionDenied(
                f"{chart.name_of(action.actor)}（{action.actor}）不是系统管理员，不能重算时限",
                user=action.actor,
            )
        checked, moved = self.deadlines.recompute(uow, self.clock.now())
        return Recomputed(checked=checked, moved=moved, fingerprint=self.deadlines.calendars.fingerprint)

    def mark_read(self, action: MarkNotificationsRead, uow: UnitOfWork) -> int:
        """Mark a person's in-app messages read; returns how many were unread."""
        return notifications.mark_read(uow.connection, action.user, action.ids, self.clock.now())

    def set_proxy(self, action: SetProxy, uow: UnitOfWork) -> int:
        """Store a proxy after checking it against the chart; returns the org's new revision."""
        delegation = Delegation(
            user=action.user, proxy=action.proxy, starts=action.starts, ends=action.ends, reason=action.reason
        )
        problem = delegation_problem(uow.org(), delegation)
        if problem is not None:
            raise ConfigurationError(problem)
        return uow.add_delegation(delegation, now=self.clock.now(), actor=action.actor)

    def end_proxy(self, action: EndProxy, uow: UnitOfWork) -> int:
        """End a user's proxy now; returns how many delegations changed (0: there was none)."""
        if uow.org().user(action.user) is None:
            raise NotFound(f"组织架构中没有用户 {action.user}")
        return uow.end_delegations(action.user, now=self.clock.now(), actor=action.actor)

    def import_org(self, action: ImportOrg, uow: UnitOfWork) -> OrgImported:
        """Store an imported org chart and list the open work it leaves without a person."""
        replaced = uow.replace_org(action.org, now=self.clock.now(), actor=action.actor)
        return OrgImported(
            revision=replaced.revision,
            departments=len(action.org.departments),
            users=sum(1 for user in action.org.users.values() if user.active),
            added_users=replaced.added_users,
            deactivated_users=replaced.deactivated_users,
            removed_departments=replaced.removed_departments,
            orphaned=replaced.orphaned,
        )

    def copy(self, action: CopyInstance, uow: UnitOfWork) -> Copied:
        """Copy an instance to people (抄送); see :mod:`orgflow.runtime.copying`."""
        now = self.clock.now()
        copied = copy_instance(action, uow, now)
        stored = uow.instance(copied.instance_id)
        self.deadlines.notices.tell(
            uow,
            stored,
            Notice.COPIED,
            copied.added,
            now,
            record=False,
            actor=action.actor,
            reason=action.note,
        )
        return copied

    def urge(self, action: UrgeInstance, uow: UnitOfWork) -> Urged:
        """Urge the people an instance waits on (催办); see :mod:`orgflow.runtime.urging`."""
        now = self.clock.now()
        urged = urge_instance(action, uow, now)
        stored = uow.instance(urged.instance_id)
        notices = self.deadlines.notices
        for item in stored.state.work_items:  # everyone the instance waits on, groups too
            holder = item.waiting_on
            if holder is not None:
                notices.tell(
                    uow,
                    stored,
                    Notice.URGED,
                    (holder,),
                    now,
                    item=item,
                    record=False,
                    actor=action.actor,
                    reason=action.note,
                )
        return urged

    def _save(
        self,
        uow: UnitOfWork,
        before: StoredInstance | None,
        transition: Transition,
        deployed: DeployedDefinition,
        now: datetime,
        chart: OrgSnapshot,
    ) -> StoredInstance:
        """Persist the transition, then write its deadline and timer jobs in the same transaction.

        Called processes are started, cancelled and reported back to in it too
        (:mod:`orgflow.runtime.calls`); the instance comes back as it is after that.
        """
        stored = uow.save(before, transition, deployed, now, chart)
        self.deadlines.after_save(uow, stored, transition, deployed, now)
        if not _TIMER_EFFECTS.isdisjoint(map(type, transition.effects)):  # most transitions have none
            self.timers.after_save(uow, stored, transition, now)
        self.deadlines.notices.after_save(uow, stored, transition, deployed, now)
        return self.calls.after_save(uow, stored, transition, now, chart)

    def _run(
        self,
        definition: ProcessDefinition,
        state: InstanceState | None,
        command: commands.Command,
        now: datetime,
        chart: OrgSnapshot,
    ) -> Transition:
        """Apply the command and answer any service calls; a refused command raises ``CommandRejected``."""
        outcome = apply(definition, state, command, now, self.ids, chart)
        if isinstance(outcome, Rejection):
            raise outcome.to_error()
        if ServiceCallRequested not in set(map(type, outcome.effects)):  # nothing to answer: the usual case
            return outcome
        return answer_service_calls(definition, outcome, self.services, now, self.ids, chart)

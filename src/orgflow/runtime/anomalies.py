"""Handlers of the 异常 loop: found → reported → handling → resolved → verified, each one transaction.

None of these moves the instance, so none goes through the engine, except a
re-plan that gives the work to a new handler: that runs the ordinary transfer
(转交) operation. Each step writes the anomaly row (only if it is still in
the state it was checked in: see :func:`orgflow.store.anomalies.move`) and
one history row on the instance (``anomaly_found`` … ``anomaly_verified``,
``anomaly_reopened`` for a failed verification), so ``orgflow show`` shows the
loop. The rules themselves are :mod:`orgflow.anomalies`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Final

from orgflow.anomalies.causes import cause_category
from orgflow.anomalies.lifecycle import (
    EXPLANATION_JOB,
    AnomalyKind,
    AnomalyStatus,
    Step,
    after,
    require_step,
)
from orgflow.anomalies.parties import (
    Parties,
    check_may_explain,
    check_may_replan,
    check_may_resolve,
    check_may_verify,
)
from orgflow.anomalies.tables import shown
from orgflow.clock import Clock
from orgflow.engine.state import InstanceStatus
from orgflow.errors import CommandRejected, NotFound, PermissionDenied
from orgflow.ids import IdSource
from orgflow.org.model import OrgSnapshot
from orgflow.runtime.actions import TransferWorkItem
from orgflow.runtime.actions.anomalies import (
    ExplainAnomaly,
    OpenOverdueAnomaly,
    RaiseAnomaly,
    ReplanAnomaly,
    ResolveAnomaly,
    VerifyAnomaly,
)
from orgflow.runtime.deadlines import Deadlines
from orgflow.runtime.explanations import ask_for_explanation
from orgflow.runtime.permissions import is_administrator
from orgflow.runtime.unit_of_work import UnitOfWork
from orgflow.runtime.views.anomalies import AnomalyOpened, AnomalyView
from orgflow.store import anomalies
from orgflow.store.history import HistoryRow
from orgflow.store.instances import StoredInstance
from orgflow.store.work_items import WorkItemStatus

#: Longest text in any anomaly field, in characters.
TEXT_MAX_CHARS: Final = 2000

#: Runs the ordinary transfer operation inside the same unit of work.
Transfer = Callable[[TransferWorkItem, UnitOfWork], object]


class AnomalyHandlers:
    """The handlers of the anomaly actions; ``transfer`` is the runtime's own transfer handler.

    ``deadlines`` gives a re-planned work item its new due time and deadline jobs,
    and an anomaly on a timed step the step's explanation window (4 h by default).
    """

    def __init__(self, *, clock: Clock, ids: IdSource, transfer: Transfer, deadlines: Deadlines) -> None:
        self.clock = clock
        self.ids = ids
        self.transfer = transfer
        self.deadlines = deadlines

    def raise_anomaly(self, action: RaiseAnomaly, uow: UnitOfWork) -> AnomalyView:
        """Record an anomaly raised by hand on a running instance.

        Raises:
            PermissionDenied: The actor has no part in the instance.
            CommandRejected: Empty description, instance not running, unknown node or department.
        """
        stored = uow.instance(action.instance)
        state = stored.state
        chart = uow.org()
        if not (
            action.actor == state.initiator
            or is_administrator(chart, action.actor)
            or uow.takes_part(state.id, action.actor, chart.groups_of(action.actor))
        ):
            raise PermissionDenied(
                f"{chart.name_of(action.actor)}（{action.actor}）不是流程实例 {state.business_key} 的"
                "发起人或经办人，不能上报异常",
                user=action.actor,
            )
        if state.status is not InstanceStatus.RUNNING:
            raise CommandRejected(
                f"流程实例 {state.business_key} 已结束，不能再上报异常", reason="instance_not_running"
            )
        description = _text(action.description, "异常描述", "description", required=True)
        node_id, node_name, work_item_id, department = self._target(action, stored, uow)
        department = _department_id(chart, action.department or department)
        category = None if not action.category else cause_category(action.category).value
        now = self.clock.now()
        row = self._new_row(
            uow,
            stored,
            now,
            kind=AnomalyKind.MANUAL,
            node_id=node_id,
            node_name=node_name,
            work_item_id=work_item_id,
            description=description,
            department=department,
            raised_by=action.actor,
        )
        row["cause_category"] = category
        return self._insert(uow, stored, row, action.actor)

    def open_overdue(self, action: OpenOverdueAnomaly, uow: UnitOfWork) -> AnomalyOpened:
        """Open the work item's overdue anomaly unless it has one or is no longer open.

        Raises:
            NotFound: No such work item.
        """
        item = anomalies.work_item(uow.connection, action.work_item_id)
        if item is None:
            raise NotFound(f"待办 {action.work_item_id} 不存在")
        if item["status"] != WorkItemStatus.OPEN.value:
            return AnomalyOpened(anomaly=None, created=False)
        existing = anomalies.open_overdue_for(uow.connection, action.work_item_id)
        if existing is not None:
            return AnomalyOpened(anomaly=AnomalyView.from_row(existing), created=False)
        stored = uow.instance(item["instance_id"])
        chart = uow.org()
        due = item["due_at"]
        when = f"（时限 {shown(due)}）" if due is not None else ""
        row = self._new_row(
            uow,
            stored,
            self.clock.now(),
            kind=AnomalyKind.OVERDUE,
            node_id=item["node_id"],
            node_name=item["name"],
            work_item_id=item["id"],
            description=f"「{item['name']}」超过时限未完成{when}",
            department=_department_id(chart, item["department"], strict=False)
            or _home_department(chart, item["assignee"]),
            raised_by=None,
        )
        return AnomalyOpened(anomaly=self._insert(uow, stored, row, None), created=True)

    def explain(self, action: ExplainAnomaly, uow: UnitOfWork) -> AnomalyView:
        """File the 《异常处理说明》: found → reported."""
        row, chart = self._step(uow, action.number, Step.EXPLAIN)
        check_may_explain(chart, _parties(uow, row), action.actor)
        now = self.clock.now()
        cause = _text(action.cause, "异常原因", "cause", required=True)
        category = cause_category(action.category).value
        values = {
            "reported_at": now,
            "reporter": action.actor,
            "cause_category": category,
            "cause": cause,
            "expected_resolution_at": _aware(action.expected_resolution_at, "expected_resolution_at"),
            "resources_needed": _text(action.resources_needed, "需协调资源", "resources_needed") or None,
        }
        data = {"category": category, "late": now > row["explanation_due_at"]}
        uow.cancel_jobs(row["number"], (EXPLANATION_JOB,))
        return self._move(uow, row, Step.EXPLAIN, now, action.actor, values, cause, data)

    def replan(self, action: ReplanAnomaly, uow: UnitOfWork) -> AnomalyView:
        """Set a new time limit and handler: reported (or handling) → handling; moves the work item too."""
        row, chart = self._step(uow, action.number, Step.REPLAN)
        check_may_replan(chart, _parties(uow, row), action.actor)
        now = self.clock.now()
        new_due = _aware(action.new_due_at, "new_due_at")
        assert new_due is not None
        if new_due <= now:
            raise CommandRejected(
                f"新的时限 {shown(new_due)} 已经过去，请给出将来的时间",
                reason="field_invalid",
                field="new_due_at",
            )
        if not chart.is_empty and not chart.is_active(action.handler):
            raise CommandRejected(
                f"组织架构中没有在职用户 {action.handler}，不能指定为处理负责人",
                reason="unknown_user",
                field="handler",
            )
        work_item_id = self._move_work_item(uow, row, action.handler, new_due)
        plan = _text(action.plan, "处理方案", "plan") or None
        values = {
            "plan": plan,
            "handler": action.handler,
            "new_due_at": new_due,
            "work_item_id": work_item_id,
        }
        data = {"handler": action.handler, "new_due_at": new_due.isoformat(), "work_item_id": work_item_id}
        return self._move(uow, row, Step.REPLAN, now, action.actor, values, plan, data)

    def resolve(self, action: ResolveAnomaly, uow: UnitOfWork) -> AnomalyView:
        """The handler reports it solved: handling → resolved."""
        row, chart = self._step(uow, action.number, Step.RESOLVE)
        check_may_resolve(chart, _parties(uow, row), action.actor)
        now = self.clock.now()
        resolution = _text(action.resolution, "处理结果", "resolution") or None
        values = {"resolved_at": now, "resolution": resolution}
        return self._move(uow, row, Step.RESOLVE, now, action.actor, values, resolution, {})

    def verify(self, action: VerifyAnomaly, uow: UnitOfWork) -> AnomalyView:
        """Verify the result: resolved → verified, or back to handling when it failed."""
        row, chart = self._step(uow, action.number, Step.VERIFY)
        check_may_verify(chart, _parties(uow, row), action.actor)
        now = self.clock.now()
        note = _text(action.note, "验证说明", "note") or None
        if not action.passed and note is None:
            raise CommandRejected(
                "验证未通过时请写明原因（还有什么问题）", reason="field_required", field="note"
            )
        values: dict[str, Any] = {
            "verifier": action.actor,
            "verified_at": now,
            "verification_result": "passed" if action.passed else "failed",
            "verification_note": note,
        }
        if not action.passed:
            values["resolved_at"] = None
        data = {"passed": action.passed}
        return self._move(uow, row, Step.VERIFY, now, action.actor, values, note, data, passed=action.passed)

    # --- shared steps ---------------------------------------------------------------------------

    def _target(
        self, action: RaiseAnomaly, stored: StoredInstance, uow: UnitOfWork
    ) -> tuple[str | None, str | None, str | None, str | None]:
        """Node id and name, work item id and its department for a raised anomaly."""
        state = stored.state
        if action.work_item_id is not None:
            item = anomalies.work_item(uow.connection, action.work_item_id)
            if item is None or item["instance_id"] != state.id:
                raise CommandRejected(
                    f"待办 {action.work_item_id} 不属于流程实例 {state.business_key}",
                    reason="field_invalid",
                    field="work_item_id",
                )
            return item["node_id"], item["name"], item["id"], item["department"]
        if action.node_id is not None:
            definition = uow.definition(state.definition_id).definition
            if action.node_id not in definition.nodes:
                raise CommandRejected(
                    f"流程 {definition.key} 没有节点 {action.node_id}",
                    reason="field_invalid",
                    field="node_id",
                )
            node = definition.node(action.node_id)
            open_item = next((item for item in state.work_items if item.node_id == action.node_id), None)
            department = getattr(node, "department", None)
            return node.id, node.name or node.id, None if open_item is None else open_item.id, department
        if action.department is None:
            raise CommandRejected(
                "请指明异常所在的待办、节点或责任部门（三者至少其一）",
                reason="field_required",
                field="work_item_id",
            )
        return None, None, None, None

    def _new_row(
        self,
        uow: UnitOfWork,
        stored: StoredInstance,
        now: datetime,
        *,
        kind: AnomalyKind,
        node_id: str | None,
        node_name: str | None,
        work_item_id: str | None,
        description: str,
        department: str | None,
        raised_by: str | None,
    ) -> dict[str, Any]:
        columns: dict[str, Any] = dict.fromkeys(anomalies.COLUMNS)
        return columns | {
            "id": self.ids.new_id(),
            "number": anomalies.next_number(uow.connection, now),
            "instance_id": stored.state.id,
            "node_id": node_id,
            "node_name": node_name,
            "work_item_id": work_item_id,
            "kind": kind.value,
            "status": AnomalyStatus.FOUND.value,
            "description": description,
            "responsible_department": department,
            "found_at": now,
            "raised_by": raised_by,
            "explanation_due_at": self.deadlines.explanation_due(
                uow.definition(stored.state.definition_id).definition, node_id, now
            ),
            "updated_at": now,
        }

    def _insert(
        self, uow: UnitOfWork, stored: StoredInstance, row: dict[str, Any], actor: str | None
    ) -> AnomalyView:
        anomalies.insert_row(uow.connection, row)
        data = {"kind": row["kind"], "department": row["responsible_department"]}
        chart = uow.org()
        uow.record([_history(chart, row, "anomaly_found", row["found_at"], actor, row["description"], data)])
        ask_for_explanation(self.deadlines.notices, uow, stored, row, chart)
        found = anomalies.by_number(uow.connection, row["number"])
        assert found is not None
        return AnomalyView.from_row(found)

    def _step(self, uow: UnitOfWork, number: str, step: Step) -> tuple[Mapping[str, Any], OrgSnapshot]:
        """The anomaly, checked to allow ``step``, and the org chart."""
        row = anomalies.by_number(uow.connection, number)
        if row is None:
            raise NotFound(f"异常 {number} 不存在")
        require_step(row["number"], AnomalyStatus(row["status"]), step)
        return row, uow.org()

    def _move(
        self,
        uow: UnitOfWork,
        row: Mapping[str, Any],
        step: Step,
        now: datetime,
        actor: str,
        values: Mapping[str, Any],
        comment: str | None,
        data: dict[str, Any],
        *,
        passed: bool = True,
    ) -> AnomalyView:
        status = after(step, passed=passed)
        anomalies.move(
            uow.connection, row["id"], row["status"], {**values, "status": status, "updated_at": now}
        )
        kind = "anomaly_reopened" if step is Step.VERIFY and not passed else f"anomaly_{status.value}"
        uow.record([_history(uow.org(), {**row, **values}, kind, now, actor, comment, data)])
        moved = anomalies.by_number(uow.connection, row["number"])
        assert moved is not None
        return AnomalyView.from_row(moved)

    def _move_work_item(
        self, uow: UnitOfWork, row: Mapping[str, Any], handler: str, due: datetime
    ) -> str | None:
        """Give the linked open work item the new due time, transferred to ``handler`` if it is not theirs."""
        item_id: str | None = row["work_item_id"]
        if item_id is None:
            return None
        stored = uow.instance_if_open(item_id)
        item = None if stored is None else stored.state.work_item(item_id)
        if stored is None or item is None:
            return item_id
        if handler != (item.on_behalf_of or item.assignee):
            reason = f"异常 {row['number']} 重新计划：转交处理负责人 {uow.org().name_of(handler)}"
            self.transfer(TransferWorkItem(item_id, None, handler, reason), uow)
            after_transfer = uow.instance(stored.state.id).state
            item_id = next(
                (
                    opened.id
                    for opened in after_transfer.work_items
                    if opened.token_id == item.token_id and handler in (opened.assignee, opened.on_behalf_of)
                ),
                item_id,
            )
        moved = uow.instance_if_open(item_id)
        opened = None if moved is None else moved.state.work_item(item_id)
        if moved is not None and opened is not None:
            self.deadlines.replan(uow, moved, opened, due, self.clock.now())
        else:
            uow.set_due({item_id: due})
        return item_id


def _parties(uow: UnitOfWork, row: Mapping[str, Any]) -> Parties:
    item = None if row["work_item_id"] is None else anomalies.work_item(uow.connection, row["work_item_id"])
    return Parties(
        number=row["number"],
        initiator=row["initiator"],
        responsible_department=row["responsible_department"],
        assignee=None if item is None else item["assignee"],
        handler=row["handler"],
    )


def _history(
    chart: OrgSnapshot,
    row: Mapping[str, Any],
    kind: str,
    at: datetime,
    actor: str | None,
    comment: str | None,
    data: Mapping[str, Any],
) -> HistoryRow:
    """The instance history row of one step, carrying the anomaly's number."""
    known = chart.users.get(actor) if actor else None
    return HistoryRow(
        instance_id=row["instance_id"],
        at=at,
        kind=kind,
        node_id=row["node_id"],
        node_name=row["node_name"],
        token_id=None,
        work_item_id=row["work_item_id"],
        actor=actor,
        actor_name=None if known is None else known.name,
        outcome=None,
        comment=comment or None,
        data={"anomaly": row["number"], **data},
    )


def _department_id(chart: OrgSnapshot, ref: str | None, *, strict: bool = True) -> str | None:
    """The department's id, given its id or name (work items keep the node's spelling).

    Unknown departments are refused (``strict``) or kept as written, once a chart exists.
    """
    if ref is None or chart.is_empty:
        return ref
    found = chart.department(ref)
    if found is None and not strict:
        return ref
    if found is None:
        raise CommandRejected(f"组织架构中没有部门「{ref}」", reason="field_invalid", field="department")
    return found.id


def _home_department(chart: OrgSnapshot, user: str | None) -> str | None:
    found = chart.user(user) if user else None
    return None if found is None else found.primary_department


def _text(value: str, what: str, field: str, *, required: bool = False) -> str:
    text = value.strip()
    if required and not text:
        raise CommandRejected(f"{what}不能为空", reason="field_required", field=field)
    if len(text) > TEXT_MAX_CHARS:
        raise CommandRejected(
            f"{what}最多 {TEXT_MAX_CHARS} 个字，现在有 {len(text)} 个字；请精简后再提交",
            reason="field_invalid",
            field=field,
        )
    return text


def _aware(moment: datetime | None, field: str) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        raise CommandRejected(
            f"时间 {moment} 没有时区，请带上时区（如 +08:00）", reason="field_invalid", field=field
        )
    return moment

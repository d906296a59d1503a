"""Camunda 7's own engine tests, replayed against OrgFlow: ``../shared/conformance/scenarios.json``.

Each scenario (format in the corpus README) names BPMN files written by
Camunda's engineers and the behaviour Camunda's tests assert for them. The
adapter deploys every file through the BPMN importer (``source_format="bpmn"``),
starts the named process (``start_user`` as the initiator), and runs the steps
against the runtime on a real database and a frozen clock:

* ``expect_active`` / ``expect_not_active``: the node ids of every open work
  item in the instance tree (called children included);
* ``complete``: the one open item of that node, or the one picked by ``index``
  (its multi-instance loop counter, else opening order), ``assignee`` or ``local``,
  completed with ``data``;
* ``advance``: the clock moves on by an ISO-8601 duration and the worker runs every
  job that falls due on the way, at its moment (timers fire through the jobs table);
* ``expect_ended``, ``expect_data`` (``task``: the data of the instance that owns
  that open task), ``expect_error`` (the instance stopped, naming ``element``),
  ``expect_timers`` (pending timer jobs), ``expect_tasks``, ``query_tasks``
  (``candidate_user`` by the scenario's ``identity``, groups being departments; a
  task offered to several groups has one item per group, and counts once);
* ``set_data``: OrgFlow changes an instance's data only through a step, so the
  values go in with the next completion in the instance that owns the task.

Scenarios that need message events or Camunda's external service tasks are
skipped with that reason (OrgFlow has neither). The whole module is skipped
when ``../shared/conformance`` is absent (a clone outside CI). No org chart is
imported: as in Camunda's tests, a named user is taken at their word and a
candidate group is a department whose members share the item.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from orgflow.clock import FrozenClock
from orgflow.engine.state import InstanceStatus
from orgflow.errors import OrgFlowError
from orgflow.model.iso_time import parse_duration
from orgflow.runtime import CompleteWorkItem, DeployDefinition, Runtime, StartProcess, open_runtime
from orgflow.runtime.services import ServiceRegistry
from orgflow.runtime.views.instances import OpenWorkItem
from orgflow.store.jobs import JobStatus

CONFORMANCE = Path(__file__).resolve().parents[2].parent / "shared" / "conformance"

if not (CONFORMANCE / "scenarios.json").is_file():
    pytest.skip(
        f"the Camunda conformance corpus is not here ({CONFORMANCE}): a clone outside CI",
        allow_module_level=True,
    )

SCENARIOS: list[dict[str, Any]] = json.loads((CONFORMANCE / "scenarios.json").read_text(encoding="utf-8"))

#: Features OrgFlow does not have; a scenario using one is skipped with this reason.
_SKIPPED_FEATURES = {
    "message-boundary-interrupting": "needs message events (OrgFlow has none)",
    "service-task-external": "needs Camunda external service tasks (OrgFlow has none)",
}
_SKIPPED_STEPS = {
    "message": "needs message events (OrgFlow has none)",
    "expect_messages": "needs message events (OrgFlow has none)",
    "expect_external": "needs Camunda external service tasks (OrgFlow has none)",
    "complete_external": "needs Camunda external service tasks (OrgFlow has none)",
    "external_bpmn_error": "needs Camunda external service tasks (OrgFlow has none)",
}

#: Scenarios that fail only because an engine feature being built elsewhere is missing (strict xfail).
MISSING_FEATURES: dict[str, str] = {}


def _skip_reason(scenario: Mapping[str, Any]) -> str | None:
    for feature in scenario["features"]:
        if feature in _SKIPPED_FEATURES:
            return _SKIPPED_FEATURES[feature]
    for step in scenario["steps"]:
        for kind in step:
            if kind in _SKIPPED_STEPS:
                return _SKIPPED_STEPS[kind]
    if scenario.get("inject"):
        return f"sets engine options in code that are not in the XML: {sorted(scenario['inject'])}"
    return None


def _cases() -> Iterator[Any]:
    for scenario in SCENARIOS:
        marks: list[Any] = []
        reason = _skip_reason(scenario)
        if reason is not None:
            marks.append(pytest.mark.skip(reason=reason))
        elif scenario["id"] in MISSING_FEATURES:
            marks.append(pytest.mark.xfail(strict=True, reason=MISSING_FEATURES[scenario["id"]]))
        yield pytest.param(scenario, id=scenario["id"], marks=marks)


@pytest.fixture
def engine(database_url: str, clock: FrozenClock) -> Iterator[Runtime]:
    """OrgFlow on an empty migrated database, without an org chart (Camunda's tests have none either)."""
    with open_runtime(database_url, upgrade=True, services=ServiceRegistry(), clock=clock) as runtime:
        yield runtime


@dataclass
class _Replay:
    """One scenario being replayed: the runtime, the root instance and what the last step did."""

    runtime: Runtime
    clock: FrozenClock
    scenario: Mapping[str, Any]
    root: str = ""
    failed: OrgFlowError | None = None
    pending_data: dict[str, dict[str, Any]] = field(default_factory=dict)

    # -- reading the instance tree ------------------------------------------------------------

    def instance_ids(self) -> list[str]:
        return [summary.id for summary in self.runtime.queries.instances(limit=1000)]

    def open_items(self) -> list[tuple[str, OpenWorkItem]]:
        """Every open work item of every instance, as (instance id, item), in opening order."""
        found = []
        for instance_id in self.instance_ids():
            view = self.runtime.queries.instance(instance_id).instance
            found.extend((instance_id, item) for item in view.work_items)
        found.sort(key=lambda pair: (pair[1].created_at, pair[1].loop or 0, pair[1].id))
        return found

    def items_of(self, node_id: str) -> list[tuple[str, OpenWorkItem]]:
        return [(instance, item) for instance, item in self.open_items() if item.node_id == node_id]

    def root_view(self) -> Any:
        return self.runtime.queries.instance(self.root).instance

    def owner_of(self, node_id: str) -> str:
        owners = {instance for instance, _ in self.items_of(node_id)}
        assert len(owners) == 1, f"{node_id} is open in {len(owners)} instances"
        return owners.pop()

    # -- steps ---------------------------------------------------------------------------------

    def start(self) -> None:
        for name in self.scenario["files"]:
            text = (CONFORMANCE / "files" / name).read_text(encoding="utf-8")
            self.runtime.execute(
                DeployDefinition(text, source_name=name, actor="admin", source_format="bpmn")
            )
        action = StartProcess(
            self.scenario["process_id"],
            dict(self.scenario.get("start_data") or {}),
            initiator=self.scenario.get("start_user"),
        )
        try:
            self.root = self.runtime.execute(action).id
        except OrgFlowError as error:
            self.failed = error

    def run(self, step: Mapping[str, Any]) -> None:
        kind = next(key for key in step if key in _STEPS)
        _STEPS[kind](self, step)

    def expect_active(self, step: Mapping[str, Any]) -> None:
        active = [item.node_id for _, item in self.open_items()]
        if step.get("ordered"):
            assert active == list(step["expect_active"])
        assert Counter(active) == Counter(step["expect_active"]), active

    def expect_not_active(self, step: Mapping[str, Any]) -> None:
        active = {item.node_id for _, item in self.open_items()}
        assert not active & set(step["expect_not_active"]), active

    def complete(self, step: Mapping[str, Any]) -> None:
        candidates = self.items_of(step["complete"])
        if "index" in step:
            looped = [pair for pair in candidates if pair[1].loop == step["index"]]
            candidates = looped or candidates[step["index"] : step["index"] + 1]
        if "assignee" in step:
            candidates = [pair for pair in candidates if pair[1].assignee == step["assignee"]]
        if "local" in step:
            candidates = [pair for pair in candidates if _contains(pair[1].local or {}, step["local"])]
        assert len(candidates) == 1, f"{step}: {len(candidates)} open items match"
        instance, item = candidates[0]
        data = {**self.pending_data.pop(instance, {}), **(step.get("data") or {})}
        action = CompleteWorkItem(item.id, actor=item.assignee or "conformance", data=data)
        self.failed = None
        try:
            self.runtime.execute(action)
        except OrgFlowError as error:
            self.failed = error

    def advance(self, step: Mapping[str, Any]) -> None:
        end = parse_duration(step["advance"]).after(self.clock.now())
        self.drain_until(end)

    def drain_until(self, end: datetime) -> None:
        worker = self.runtime.worker(owner="conformance")
        while True:
            pending = self.runtime.jobs.list(status=JobStatus.PENDING, limit=1)
            if not pending or pending[0].run_at > end:
                break
            self.clock.set(max(self.clock.now(), pending[0].run_at))
            assert worker.run_once() > 0, f"job {pending[0]} is due but did not run"
        self.clock.set(max(self.clock.now(), end))

    def expect_ended(self, step: Mapping[str, Any]) -> None:
        ended = self.root_view().status in (InstanceStatus.COMPLETED, InstanceStatus.TERMINATED)
        assert ended is step["expect_ended"], self.root_view()

    def expect_data(self, step: Mapping[str, Any]) -> None:
        instance = self.owner_of(step["task"]) if "task" in step else self.root
        data = dict(self.runtime.queries.instance(instance).instance.data)
        expected = step["expect_data"]
        if step.get("exact"):
            assert data == expected
        else:
            assert _contains(data, expected), data

    def expect_error(self, step: Mapping[str, Any]) -> None:
        if self.failed is not None:
            return
        views = [self.runtime.queries.instance(instance).instance for instance in self.instance_ids()]
        stopped = [view for view in views if view.status is InstanceStatus.FAILED]
        assert stopped, "no instance stopped with an error"
        element = step.get("element")
        if element is not None:
            assert any(view.error is not None and view.error.node_id == element for view in stopped), [
                view.error for view in stopped
            ]

    def expect_timers(self, step: Mapping[str, Any]) -> None:
        pending = self.runtime.jobs.list(status=JobStatus.PENDING, kind="timer.fire", limit=1000)
        assert len(pending) == step["expect_timers"], pending

    def expect_tasks(self, step: Mapping[str, Any]) -> None:
        items = [item for _, item in self.open_items()]
        assert len(items) == len(step["expect_tasks"]), items
        for expected in step["expect_tasks"]:
            match = next((item for item in items if _matches(item, expected)), None)
            assert match is not None, f"no open task matches {expected}: {items}"
            items.remove(match)

    def query_tasks(self, step: Mapping[str, Any]) -> None:
        query = step["query_tasks"]
        identity = self.scenario.get("identity") or {}
        found: dict[tuple[str, str, int | None], str] = {}
        for instance, item in self.open_items():
            if "assignee" in query:
                hit = item.assignee == query["assignee"]
            elif "candidate_group" in query:
                hit = item.assignee is None and item.candidate_group == f"dept:{query['candidate_group']}"
            else:
                user = query["candidate_user"]
                groups = {f"dept:{group}" for group in identity.get(user, ())}
                hit = item.assignee == user or (item.assignee is None and item.candidate_group in groups)
            if hit:  # a task offered to several groups is one task, seen once
                found[(instance, item.node_id, item.loop)] = item.node_id
        assert Counter(found.values()) == Counter(step["expect"]), found

    def set_data(self, step: Mapping[str, Any]) -> None:
        self.pending_data.setdefault(self.owner_of(step["task"]), {}).update(step["set_data"])


def _contains(data: Mapping[str, Any], expected: Mapping[str, Any]) -> bool:
    return all(key in data and data[key] == value for key, value in expected.items())


def _matches(item: OpenWorkItem, expected: Mapping[str, Any]) -> bool:
    if item.node_id != expected["id"]:
        return False
    if "name" in expected and item.name != expected["name"]:
        return False
    if "assignee" in expected and item.assignee != expected["assignee"]:
        return False
    if "local" in expected and not _contains(item.local or {}, expected["local"]):
        return False
    return all(key in (item.local or {}) for key in expected.get("local_present", ()))


_STEPS = {
    "expect_active": _Replay.expect_active,
    "expect_not_active": _Replay.expect_not_active,
    "complete": _Replay.complete,
    "advance": _Replay.advance,
    "expect_ended": _Replay.expect_ended,
    "expect_data": _Replay.expect_data,
    "expect_error": _Replay.expect_error,
    "expect_timers": _Replay.expect_timers,
    "expect_tasks": _Replay.expect_tasks,
    "query_tasks": _Replay.query_tasks,
    "set_data": _Replay.set_data,
}


@pytest.mark.parametrize("scenario", list(_cases()))
def test_camunda_scenario(engine: Runtime, clock: FrozenClock, scenario: dict[str, Any]) -> None:
    replay = _Replay(engine, clock, scenario)
    replay.start()
    for number, step in enumerate(scenario["steps"], start=1):
        if replay.failed is not None and "expect_error" not in step:
            raise AssertionError(f"step {number - 1} failed: {replay.failed}")
        try:
            replay.run(step)
        except AssertionError as error:
            raise AssertionError(
                f"{scenario['id']} step {number} {json.dumps(step, ensure_ascii=False)}: {error}"
            ) from None

"""OrgFlow vs SpiffWorkflow on the reference approval process, in one run.

The process is ``../shared/bench/approval.bpmn`` (submit -> tech || legal review ->
GM approval when amount > 100000 -> finance review); OrgFlow runs the same graph
from ``benchmarks/approval.yaml``. Half the instances are over 100000.

Measured, each as the median of ``--runs`` rounds in fresh subprocesses:

- persisted: OrgFlow's runtime on SQLite (WAL, synchronous=NORMAL, one transaction
  per command, history on, notifications and the audit trail off since SpiffWorkflow has
  neither; the outbox's own cost is ``notify_bench.py``'s, and the audited figure is
  printed beside) vs SpiffWorkflow serializing the workflow to SQLite
  after every task (``spiff_bench.py persisted``, the shared fair driver);
- in memory: OrgFlow's pure engine vs SpiffWorkflow in memory;
- memory: bytes of Python heap per instance waiting at its first user task.

Usage: ``python benchmarks/approval_bench.py [--json] [--runs 3]``.
SpiffWorkflow is a benchmark-only dependency: ``pip install -e '.[bench]'``.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent
DEFINITION = HERE / "approval.yaml"
SHARED_BENCH = Path(os.environ.get("ORGFLOW_SHARED_BENCH", HERE.parent.parent / "shared" / "bench"))
NOW = datetime(2026, 11, 2, 9, tzinfo=UTC)


def amount_for(i: int) -> int:
    """Even instances take the GM path, as in spiff_bench.py."""
    return 250000 if i % 2 == 0 else 50000


def task_data(node_id: str, amount: int) -> dict[str, Any]:
    """What each completion submits (the same variables spiff_bench.py sets)."""
    data: dict[str, Any] = {f"{node_id}_decision": "approved"}
    if node_id == "submit_request":
        data.update(amount=amount, title="New laptop fleet")
    return data


def load_definition() -> Any:
    from orgflow.model.yaml_reader import load_definition as load

    return load(DEFINITION.read_text(encoding="utf-8"), source=str(DEFINITION)).definition


def orgflow_inmem(n: int) -> dict[str, float]:
    """Create and complete n instances with the pure engine, first open work item first."""
    from orgflow.engine.commands import CompleteWorkItem, StartInstance
    from orgflow.engine.effects import Transition
    from orgflow.engine.state import InstanceStatus
    from orgflow.engine.step import apply
    from orgflow.ids import SequentialIds

    definition = load_definition()
    ids = SequentialIds("w")
    tasks = gm = 0
    t0 = time.perf_counter()
    for i in range(n):
        amount = amount_for(i)
        start = StartInstance(instance_id=f"i{i}", definition_id="bench:1", business_key=f"B{i}")
        result = apply(definition, None, start, NOW, ids)
        assert isinstance(result, Transition)
        state = result.state
        while state.status is InstanceStatus.RUNNING:
            item = state.work_items[0]
            command = CompleteWorkItem(work_item_id=item.id, data=task_data(item.node_id, amount))
            result = apply(definition, state, command, NOW, ids)
            assert isinstance(result, Transition), result
            state = result.state
            tasks += 1
            gm += item.node_id == "gm_approval"
    seconds = time.perf_counter() - t0
    assert gm == (n + 1) // 2, gm
    return {"instances_per_s": n / seconds, "user_tasks_per_s": tasks / seconds, "seconds": seconds}


def orgflow_persisted(n: int, db_path: str, *, audit: bool = False) -> dict[str, float]:
    """Start and complete n instances through the runtime: one SQLite transaction per command.

    The audit trail is off for the comparison (SpiffWorkflow keeps none, as it sends no
    notifications); ``orgflow-persisted-audited`` measures the same with it, as the service runs.
    """
    from orgflow.notify.config import NotifyConfig
    from orgflow.runtime.actions import CompleteWorkItem, DeployDefinition, StartProcess
    from orgflow.runtime.facade import open_runtime

    for suffix in ("", "-wal", "-shm"):
        Path(db_path + suffix).unlink(missing_ok=True)
    # Notifications off: SpiffWorkflow has none, so both sides persist the same work (state and history).
    runtime = open_runtime(
        f"sqlite:///{db_path}", upgrade=True, notify=NotifyConfig(enabled=False), audit=audit
    )
    runtime.execute(
        DeployDefinition(source_text=DEFINITION.read_text(encoding="utf-8"), source_name="approval")
    )
    tasks = gm = 0
    t0 = time.perf_counter()
    for i in range(n):
        amount = amount_for(i)
        view = runtime.execute(StartProcess(key="cross_dept_approval", data={}, initiator="requester"))
        while view.work_items:
            item = view.work_items[0]
            view = runtime.execute(
                CompleteWorkItem(
                    work_item_id=item.id, actor=item.assignee or "bench", data=task_data(item.node_id, amount)
                )
            )
            tasks += 1
            gm += item.node_id == "gm_approval"
        assert view.status == "completed", view.status
    seconds = time.perf_counter() - t0
    runtime.close()
    assert gm == (n + 1) // 2, gm
    return {"instances_per_s": n / seconds, "user_tasks_per_s": tasks / seconds, "seconds": seconds}


def orgflow_memory(k: int) -> dict[str, float]:
    """Heap bytes per instance state parked at its first user task (the definition is shared)."""
    from orgflow.engine.commands import StartInstance
    from orgflow.engine.effects import Transition
    from orgflow.engine.step import apply
    from orgflow.ids import TimeOrderedIds

    definition = load_definition()
    ids = TimeOrderedIds()
    warm = apply(
        definition, None, StartInstance(instance_id="w", definition_id="d", business_key="W"), NOW, ids
    )
    assert isinstance(warm, Transition)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    parked = []
    for i in range(k):
        command = StartInstance(
            instance_id=ids.new_id(),
            definition_id="cross_dept_approval:1",
            business_key=f"APR20261102{i:05d}",
        )
        result = apply(definition, None, command, NOW, ids)
        assert isinstance(result, Transition)
        parked.append(result.state)
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert all(state.work_items[0].node_id == "submit_request" for state in parked[:10])
    return {"bytes_per_waiting_instance": (after - before) / k}


def spiff_module() -> ModuleType:
    """The shared, fair SpiffWorkflow driver (``../shared/bench/spiff_bench.py``)."""
    path = SHARED_BENCH / "spiff_bench.py"
    if not path.exists():
        raise SystemExit(f"找不到 {path}；设置 ORGFLOW_SHARED_BENCH 指向 shared/bench 目录")
    spec = importlib.util.spec_from_file_location("spiff_bench", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def spiff_inmem(n: int) -> dict[str, float]:
    return spiff_module().mode_inmem(argparse.Namespace(n=n))  # type: ignore[no-any-return]


def spiff_persisted(n: int, db_path: str) -> dict[str, float]:
    args = argparse.Namespace(n=n, db=db_path, sync="NORMAL")
    return spiff_module().mode_persisted(args)  # type: ignore[no-any-return]


MODES = {
    "orgflow-inmem": lambda a: orgflow_inmem(a.n),
    "orgflow-persisted": lambda a: orgflow_persisted(a.n, a.db),
    "orgflow-persisted-audited": lambda a: orgflow_persisted(a.n, a.db, audit=True),
    "orgflow-memory": lambda a: orgflow_memory(a.n),
    "spiff-inmem": lambda a: spiff_inmem(a.n),
    "spiff-persisted": lambda a: spiff_persisted(a.n, a.db),
}


def run_in_subprocess(mode: str, n: int, db: str) -> dict[str, float]:
    """One measurement in a fresh interpreter, so neither side inherits the other's heap or caches.

    The file system is synced first, so neither side's round pays for the kernel writing
    back what the previous round left dirty (SpiffWorkflow's rounds write tens of MB).
    """
    os.sync()
    command = [sys.executable, __file__, "--mode", mode, "--n", str(n), "--db", db]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def paired(
    ours: str, theirs: str, n: int, runs: int, db: str
) -> tuple[dict[str, float], dict[str, float], float]:
    """Alternate OrgFlow and SpiffWorkflow rounds so both see the machine in the same state.

    Returns the median figures of each side and the median of the per-round ratios
    (instances/s), which is what a drifting machine disturbs least.
    """
    mine, peer, ratios = [], [], []
    for _ in range(runs):
        a = run_in_subprocess(ours, n, db)
        b = run_in_subprocess(theirs, n, db)
        mine.append(a)
        peer.append(b)
        ratios.append(a["instances_per_s"] / b["instances_per_s"])
    return _median(mine), _median(peer), statistics.median(ratios)


def _median(rounds: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(r[key] for r in rounds) for key in rounds[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--runs", type=int, default=3, help="rounds per figure (median)")
    parser.add_argument("--inmem-n", type=int, default=2000)
    parser.add_argument("--persist-n", type=int, default=500)
    parser.add_argument("--mem-n", type=int, default=10000)
    parser.add_argument("--mode", choices=sorted(MODES), help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, default=100, help=argparse.SUPPRESS)
    parser.add_argument("--db", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.mode:
        print(json.dumps(MODES[args.mode](args)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "bench.db")
        ours_p, spiff_p, persisted_ratio = paired(
            "orgflow-persisted", "spiff-persisted", args.persist_n, args.runs, db
        )
        audited = _median(
            [run_in_subprocess("orgflow-persisted-audited", args.persist_n, db) for _ in range(args.runs)]
        )
        ours_m, spiff_m, memory_ratio = paired("orgflow-inmem", "spiff-inmem", args.inmem_n, args.runs, db)
        memory = _median([run_in_subprocess("orgflow-memory", args.mem_n, db) for _ in range(args.runs)])[
            "bytes_per_waiting_instance"
        ]
    figures = {
        "orgflow_persisted_instances_per_s": round(ours_p["instances_per_s"], 1),
        "spiff_persisted_instances_per_s": round(spiff_p["instances_per_s"], 1),
        "persisted_ratio": round(persisted_ratio, 2),
        "orgflow_persisted_audited_instances_per_s": round(audited["instances_per_s"], 1),
        "orgflow_persisted_tasks_per_s": round(ours_p["user_tasks_per_s"], 1),
        "spiff_persisted_tasks_per_s": round(spiff_p["user_tasks_per_s"], 1),
        "orgflow_memory_instances_per_s": round(ours_m["instances_per_s"], 1),
        "spiff_memory_instances_per_s": round(spiff_m["instances_per_s"], 1),
        "memory_ratio": round(memory_ratio, 2),
        "orgflow_memory_tasks_per_s": round(ours_m["user_tasks_per_s"], 1),
        "spiff_memory_tasks_per_s": round(spiff_m["user_tasks_per_s"], 1),
        "bytes_per_waiting_instance": round(memory),
    }
    if args.json:
        print(json.dumps(figures))
        return
    print(f"approval.bpmn, median of {args.runs} alternating rounds (ratio: median of per-round ratios)")
    print(f"{'':22}{'OrgFlow':>14}{'SpiffWorkflow':>16}{'ratio':>9}   target")
    rows = [
        ("persisted  inst/s", ours_p["instances_per_s"], spiff_p["instances_per_s"], persisted_ratio, ">= 5"),
        ("persisted  tasks/s", ours_p["user_tasks_per_s"], spiff_p["user_tasks_per_s"], persisted_ratio, ""),
        ("in memory  inst/s", ours_m["instances_per_s"], spiff_m["instances_per_s"], memory_ratio, ">= 10"),
        ("in memory  tasks/s", ours_m["user_tasks_per_s"], spiff_m["user_tasks_per_s"], memory_ratio, ""),
    ]
    for label, ours, theirs, ratio, target in rows:
        print(f"{label:22}{ours:14.1f}{theirs:16.1f}{ratio:9.2f}   {target}")
    print(f"persisted with the audit trail (as the service runs): {audited['instances_per_s']:.1f} inst/s")
    print(f"memory per waiting instance: {memory:.0f} bytes (target <= 2048)")
    print(f"(persisted n={args.persist_n}, in memory n={args.inmem_n}, memory k={args.mem_n})")


if __name__ == "__main__":
    main()

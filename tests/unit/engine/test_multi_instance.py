"""Multi-instance user tasks and subprocesses (多实例) with Camunda's semantics."""

from __future__ import annotations

from orgflow.engine.commands import CompleteWorkItem, FireTimer
from orgflow.engine.effects import (
    InstanceFailed,
    MultiInstanceCompleted,
    MultiInstanceStarted,
    WorkItemCancelled,
)
from orgflow.engine.state import InstanceStatus, TokenStatus
from orgflow.model.assignment_rules import CountersignMode


def of(effects, kind):
    return [effect for effect in effects if type(effect) is kind]


def loops(walker, node_id):
    return sorted(item.loop for item in walker.items(node_id))


def complete_loop(walker, node_id, loop, data=None, outcome="approve"):
    (item,) = [item for item in walker.items(node_id) if item.loop == loop]
    command = CompleteWorkItem(work_item_id=item.id, actor=item.assignee, outcome=outcome, data=data or {})
    return walker.do(command)


PARALLEL = """
key: mi_parallel
name: 并行多实例
nodes:
  - {id: start, type: start, next: review}
  - id: review
    type: user_task
    assignee: {expression: "'reviewer_' + str(loopCounter)"}
    multi: {cardinality: 5, completion: "nrOfCompletedInstances / nrOfInstances >= 0.5"}
    next: after
  - {id: after, type: user_task, assignee: {user: boss}, next: end}
  - {id: end, type: end}
"""


def test_parallel_instances_complete_by_condition_and_the_rest_are_cancelled(walk):
    walker = walk(PARALLEL)
    state = walker.start()
    assert loops(walker, "review") == [0, 1, 2, 3, 4]
    assert sorted(item.assignee for item in walker.items("review")) == [f"reviewer_{n}" for n in range(5)]
    assert all(item.local == {"loopCounter": item.loop} for item in walker.items("review"))
    (started,) = of(walker.last.effects, MultiInstanceStarted)
    assert (started.instances, started.sequential) == (5, False)
    (body,) = [token for token in state.tokens if token.status is TokenStatus.MULTI]
    assert body.local == {"nrOfInstances": 5, "nrOfCompletedInstances": 0, "nrOfActiveInstances": 5}

    complete_loop(walker, "review", 0)
    complete_loop(walker, "review", 3)
    (body,) = [token for token in walker.state.tokens if token.status is TokenStatus.MULTI]
    assert body.local["nrOfCompletedInstances"] == 2 and body.local["nrOfActiveInstances"] == 3
    assert loops(walker, "review") == [1, 2, 4]
    remaining = {item.id for item in walker.items("review")} - {walker.items("review")[0].id}
    complete_loop(walker, "review", 1)  # 3 of 5 >= 0.5
    cancelled = {effect.work_item_id for effect in of(walker.last.effects, WorkItemCancelled)}
    assert cancelled == remaining
    (done,) = of(walker.last.effects, MultiInstanceCompleted)
    assert (done.completed, done.instances, done.outcome) == (3, 5, "approve")
    assert walker.open_nodes() == ["after"]
    assert [token.node_id for token in walker.state.tokens] == ["after"]


SEQUENTIAL = """
key: mi_sequential
name: 依次多实例
nodes:
  - {id: start, type: start, next: review}
  - id: review
    type: user_task
    assignee: {expression: "'kermit_' + str(loopCounter)"}
    multi: {sequential: true, cardinality: nrOfLoops, completion: "nrOfCompletedInstances == 5"}
    next: end
  - {id: end, type: end}
"""


def test_sequential_instances_come_one_at_a_time_in_loop_counter_order(walk):
    walker = walk(SEQUENTIAL)
    walker.start({"nrOfLoops": 3})
    seen = []
    for _ in range(3):
        (item,) = walker.items("review")
        seen.append((item.loop, item.assignee, item.local["loopCounter"]))
        walker.do(CompleteWorkItem(work_item_id=item.id, actor=item.assignee))
    assert seen == [(0, "kermit_0", 0), (1, "kermit_1", 1), (2, "kermit_2", 2)]
    assert walker.state.status is InstanceStatus.COMPLETED


COLLECTION = """
key: mi_collection
name: 集合多实例
nodes:
  - {id: start, type: start, next: review}
  - id: review
    type: user_task
    assignee: {user_field: assignee}
    multi:
      collection: assigneeList
      element: assignee
      completion: "nrOfCompletedInstances / nrOfInstances >= 0.6"
      output: {collection: opinions}
    form: [{name: opinion, type: string}]
    next: end
  - {id: end, type: end}
"""


def test_a_collection_gives_each_element_its_own_item_and_submitted_data_stays_local(walk):
    walker = walk(COLLECTION)
    people = ["kermit", "gonzo", "mispiggy", "fozzie", "bubba"]
    walker.start({"assigneeList": people})
    by_person = {item.assignee: item for item in walker.items("review")}
    assert sorted(by_person) == sorted(people)
    assert all(by_person[p].local == {"loopCounter": n, "assignee": p} for n, p in enumerate(people))
    for person in ("bubba", "fozzie", "gonzo"):
        item = by_person[person]
        walker.do(CompleteWorkItem(work_item_id=item.id, actor=person, data={"opinion": f"{person} ok"}))
        assert "opinion" not in walker.state.data  # local to the instance
    assert walker.state.status is InstanceStatus.COMPLETED
    assert walker.state.data["opinions"] == [
        None,
        {"opinion": "gonzo ok"},
        None,
        {"opinion": "fozzie ok"},
        {"opinion": "bubba ok"},
    ]


ANY = """
key: mi_any
name: 或签多实例
nodes:
  - {id: start, type: start, next: approve}
  - id: approve
    type: user_task
    assignee: {user_field: who}
    multi: {collection: people, element: who, mode: any}
    next: gw
  - id: gw
    type: exclusive_gateway
    next:
      - {to: rejected, when: "outcome == 'reject'"}
      - {to: end, default: true}
  - {id: rejected, type: user_task, assignee: {user: boss}, next: end}
  - {id: end, type: end}
"""


def test_mode_any_is_decided_by_the_first_completion_and_carries_its_outcome(walk):
    walker = walk(ANY)
    assert walker.definition.nodes["approve"].multi.countersign is CountersignMode.ANY
    walker.start({"people": ["a", "b", "c"]})
    item = next(item for item in walker.items("approve") if item.assignee == "b")
    walker.do(CompleteWorkItem(work_item_id=item.id, actor="b", outcome="reject"))
    assert walker.items("approve") == []
    assert walker.open_nodes() == ["rejected"]


def test_all_must_complete_without_a_condition_and_one_rejection_rejects(walk):
    text = ANY.replace("mode: any", "mode: all")
    walker = walk(text)
    assert walker.definition.nodes["approve"].multi.countersign is CountersignMode.ALL
    walker.start({"people": ["a", "b"]})
    first, second = walker.items("approve")
    walker.do(CompleteWorkItem(work_item_id=first.id, actor=first.assignee, outcome="reject"))
    assert [item.id for item in walker.items("approve")] == [second.id]
    walker.do(CompleteWorkItem(work_item_id=second.id, actor=second.assignee))
    assert walker.open_nodes() == ["rejected"]


def test_an_empty_collection_passes_the_activity_at_once(walk):
    walker = walk(ANY)
    walker.start({"people": []})
    assert walker.state.status is InstanceStatus.COMPLETED


def test_a_collection_that_is_not_a_list_stops_the_instance_at_the_node(walk):
    walker = walk(ANY)
    state = walker.start({"people": 7})
    assert state.status is InstanceStatus.FAILED and state.error.node_id == "approve"
    assert "people" in of(walker.last.effects, InstanceFailed)[0].message


SUBPROCESS = """
key: mi_sub
name: 依次子流程
nodes:
  - {id: start, type: start, next: round}
  - id: round
    type: subprocess
    multi: {sequential: true, cardinality: 4, completion: "nrOfCompletedInstances == 3"}
    nodes:
      - {id: s_start, type: start, next: fork}
      - {id: fork, type: parallel_gateway, next: [one, two]}
      - {id: one, type: user_task, assignee: {expression: "'p' + str(loopCounter)"}, next: e1}
      - {id: two, type: user_task, assignee: {user: q}, next: e2}
      - {id: e1, type: end}
      - {id: e2, type: end}
    next: end
  - {id: end, type: end}
"""


def test_a_sequential_subprocess_runs_its_scope_per_instance_until_the_condition_holds(walk):
    walker = walk(SUBPROCESS)
    walker.start()
    people = []
    for _ in range(3):
        assert walker.open_nodes() == ["one", "two"]
        people.append(walker.items("one")[0].assignee)
        walker.complete("one")
        walker.complete("two")
    assert people == ["p0", "p1", "p2"]
    assert walker.state.status is InstanceStatus.COMPLETED


TIMED = """
key: mi_timed
name: 超时多实例
nodes:
  - {id: start, type: start, next: review}
  - id: review
    type: user_task
    assignee: {expression: "'r' + str(loopCounter)"}
    multi: {cardinality: 3}
    boundary: [{id: late, timer: {duration: PT2H}, next: escalate}]
    next: end
  - {id: escalate, type: user_task, assignee: {user: boss}, next: end}
  - {id: end, type: end}
"""


def test_an_interrupting_boundary_on_the_activity_cancels_every_instance(walk):
    walker = walk(TIMED)
    state = walker.start()
    (timer,) = state.timers
    assert len(walker.items("review")) == 3
    state = walker.do(FireTimer(timer_id=timer.id))
    assert len(of(walker.last.effects, WorkItemCancelled)) == 3
    assert walker.open_nodes() == ["escalate"]
    assert [token.node_id for token in state.tokens] == ["escalate"]

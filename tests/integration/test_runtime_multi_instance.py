"""Multi-instance tasks (多实例) through the runtime: one item per instance, loop counters kept."""

from __future__ import annotations

from orgflow.engine.state import InstanceStatus
from orgflow.runtime import CompleteWorkItem, StartProcess

from .conftest import deploy

PARALLEL = """\
key: mi_review
name: 多人评审
nodes:
  - {id: start, type: start, next: review}
  - id: review
    type: user_task
    name: 评审
    assignee: {user_field: reviewer}
    multi:
      collection: reviewers
      element: reviewer
      completion: "nrOfCompletedInstances / nrOfInstances >= 0.6"
      output: {collection: opinions, element: opinion}
    next: end
  - {id: end, type: end}
"""

SEQUENTIAL = """\
key: mi_turns
name: 依次评审
nodes:
  - {id: start, type: start, next: review}
  - id: review
    type: user_task
    name: 评审
    assignee: {expression: "'kermit_' + str(loopCounter)"}
    multi: {sequential: true, cardinality: rounds}
    next: end
  - {id: end, type: end}
"""


def test_each_element_gets_its_own_item_and_the_condition_cancels_the_rest(runtime) -> None:
    deploy(runtime, PARALLEL)
    people = ["kermit", "gonzo", "mispiggy", "fozzie", "bubba"]
    view = runtime.execute(StartProcess("mi_review", {"reviewers": people}, initiator="zhang"))
    items = {item.assignee: item for item in view.work_items}
    assert sorted(items) == sorted(people)
    loaded = {item.assignee: item for item in runtime.queries.instance(view.id).instance.work_items}
    assert {p: (loaded[p].loop, dict(loaded[p].local)) for p in people} == {
        p: (n, {"loopCounter": n, "reviewer": p}) for n, p in enumerate(people)
    }

    for person in ("bubba", "fozzie"):
        runtime.execute(CompleteWorkItem(items[person].id, actor=person, data={"opinion": f"{person}: ok"}))
    middle = runtime.queries.instance(view.id).instance
    assert len(middle.work_items) == 3 and "opinion" not in middle.data
    done = runtime.execute(CompleteWorkItem(items["gonzo"].id, actor="gonzo", data={"opinion": "gonzo: ok"}))

    assert done.status is InstanceStatus.COMPLETED
    assert done.data["opinions"] == [None, "gonzo: ok", None, "fozzie: ok", "bubba: ok"]
    history = runtime.queries.instance(view.id).history
    cancelled = sorted(
        h.node_id + ":" + (h.work_item_id or "") for h in history if h.kind == "work_item_cancelled"
    )
    assert cancelled == sorted(f"review:{items[p].id}" for p in ("kermit", "mispiggy"))
    assert [h.kind for h in history].count("multi_instance_completed") == 1


def test_sequential_instances_come_one_at_a_time_with_their_loop_counter(runtime) -> None:
    deploy(runtime, SEQUENTIAL)
    view = runtime.execute(StartProcess("mi_turns", {"rounds": 3}, initiator="zhang"))
    seen = []
    for _ in range(3):
        (item,) = runtime.queries.instance(view.id).instance.work_items
        seen.append((item.loop, item.assignee))
        view = runtime.execute(CompleteWorkItem(item.id, actor=item.assignee))
    assert seen == [(0, "kermit_0"), (1, "kermit_1"), (2, "kermit_2")]
    assert view.status is InstanceStatus.COMPLETED


def test_an_instances_form_sees_its_local_variables(runtime) -> None:
    deploy(runtime, PARALLEL)
    view = runtime.execute(StartProcess("mi_review", {"reviewers": ["a", "b"]}, initiator="zhang"))
    forms = {item.assignee: runtime.queries.work_item_form(item.id) for item in view.work_items}
    assert {who: (form.data["reviewer"], form.data["loopCounter"]) for who, form in forms.items()} == {
        "a": ("a", 0),
        "b": ("b", 1),
    }
    assert forms["a"].work_item.loop == 0 and forms["b"].data["reviewers"] == ["a", "b"]

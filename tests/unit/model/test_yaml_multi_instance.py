from __future__ import annotations

from orgflow.model.assignment_rules import CountersignMode, UserFromExpression
from orgflow.model.nodes import SubProcess, UserTask


def task(text: str) -> str:
    return f"""
key: multi
name: 多实例
nodes:
  - {{id: start, type: start, next: review}}
  - id: review
    type: user_task
    assignee: {{expression: "'r_' + str(loopCounter)"}}
    multi: {text}
    next: end
  - {{id: end, type: end}}
"""


def test_multi_instance_shapes_are_read_and_map_onto_countersign_modes(load):
    review = load(task("{collection: people, element: who, mode: in_turn}")).definition.nodes["review"]
    assert isinstance(review, UserTask) and review.multi is not None
    assert review.multi.sequential and review.multi.element_variable == "who"
    assert review.multi.countersign is CountersignMode.IN_TURN
    assert isinstance(review.assignee, UserFromExpression)
    parallel = load(task("{cardinality: 3}")).definition.nodes["review"]
    assert parallel.multi.countersign is CountersignMode.ALL and parallel.multi.cardinality.source == "3"
    custom = load(task('{cardinality: n, completion: "nrOfCompletedInstances == 2"}')).definition
    assert custom.nodes["review"].multi.countersign is None
    assert "review" in custom.multi_instance_nodes


def test_cardinality_and_collection_together_or_neither_are_refused(problems, the):
    found = problems(task("{cardinality: 3, collection: people, element: who}"))
    assert "其中一个" in the(found, node_id="review", field="multi").message
    found = problems(task("{element: who}"))
    assert "都没写" in the(found, node_id="review", field="multi").message
    assert "只能和 collection 一起写" in the(found, node_id="review", field="multi.element").message


def test_a_wrong_mode_or_expression_names_the_field_and_line(problems, the):
    found = problems(task('{cardinality: "3 +", mode: some}'))
    assert the(found, node_id="review", field="multi.mode", line=8)
    assert the(found, node_id="review", field="multi.cardinality", line=8)
    assert len(found) == 2


def test_a_multi_instance_subprocess_is_read(load):
    definition = load(
        """
        key: multi_sub
        name: 多实例子流程
        nodes:
          - {id: start, type: start, next: block}
          - id: block
            type: subprocess
            multi: {sequential: true, cardinality: 2}
            nodes:
              - {id: s_start, type: start, next: s_end}
              - {id: s_end, type: end}
            next: end
          - {id: end, type: end}
        """
    ).definition
    block = definition.nodes["block"]
    assert isinstance(block, SubProcess) and block.multi is not None and block.multi.sequential

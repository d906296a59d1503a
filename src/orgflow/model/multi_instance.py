"""Multi-instance activities (多实例), as data: how many instances, in what order, when it is done.

Camunda's semantics (BPMN ``multiInstanceLoopCharacteristics``): an activity runs
once per instance, all at once (parallel) or one after another (sequential). The
number of instances comes from a cardinality expression or from a collection
(one instance per element, the element given to the instance as a local
variable). Each instance sees local variables ``loopCounter`` (0-based) and the
element variable; the activity as a whole has ``nrOfInstances``,
``nrOfCompletedInstances`` and ``nrOfActiveInstances``. The completion condition
is evaluated after each completion; when it holds, the instances still open are
cancelled and the activity leaves.

Where this coincides with OrgFlow's countersign it is the same thing seen two
ways (:attr:`MultiInstance.countersign`): parallel with every instance
completing is 会签 (``all``), parallel completed by the first completion is 或签
(``any``), sequential is 依次审批 (``in_turn``).

Behaviour lives in :mod:`orgflow.engine.multi_instance`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from orgflow.model.assignment_rules import CountersignMode
from orgflow.model.expressions import CompiledExpression, compile_expression

#: Local variable of each instance: its 0-based index.
LOOP_COUNTER: Final = "loopCounter"
#: Variables of the activity as a whole, visible to every instance and to the completion condition.
NR_OF_INSTANCES: Final = "nrOfInstances"
NR_OF_COMPLETED: Final = "nrOfCompletedInstances"
NR_OF_ACTIVE: Final = "nrOfActiveInstances"

#: The completion condition that makes a parallel multi-instance 或签: the first completion decides.
FIRST_COMPLETION: Final = compile_expression(f"{NR_OF_COMPLETED} >= 1")


@dataclass(frozen=True, kw_only=True, slots=True)
class MultiInstance:
    """How a user task (or embedded subprocess) runs several times.

    Exactly one of ``cardinality`` and ``collection`` is set (checked at deploy).

    Attributes:
        sequential: One instance at a time, in loop-counter order (依次); else all at once.
        cardinality: An expression giving the number of instances (``3``, ``nrOfLoops``).
        collection: An expression giving a list, one instance per element: a data variable's
            name (``assigneeList``) is an expression too.
        element_variable: The local variable each instance holds its element in (``assignee``);
            ``None``: the element is not named (only ``loopCounter`` tells instances apart).
        completion: Evaluated after each completion over the instance data, the activity's
            counters and the completed instance's locals (and its ``outcome``); ``None``:
            every instance must complete.
        output_collection: A data variable that receives, in loop-counter order, what each
            instance produced (``output_element``); ``None``: what an instance submits stays
            local to it and is dropped when the activity leaves.
        output_element: An expression over an instance's locals giving what it contributes to
            ``output_collection``; ``None``: the data its work item submitted (an object).
    """

    sequential: bool = False
    cardinality: CompiledExpression | None = None
    collection: CompiledExpression | None = None
    element_variable: str | None = None
    completion: CompiledExpression | None = None
    output_collection: str | None = None
    output_element: CompiledExpression | None = None

    @property
    def countersign(self) -> CountersignMode | None:
        """The countersign mode this coincides with, or ``None`` for a completion condition of its own."""
        if self.sequential:
            return CountersignMode.IN_TURN if self.completion is None else None
        if self.completion is None:
            return CountersignMode.ALL
        return CountersignMode.ANY if self.completion == FIRST_COMPLETION else None

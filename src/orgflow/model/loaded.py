"""The end of every loader: validate the built definition, then accept it with its warnings or refuse it.

Each loader (YAML, BPMN, the node-configuration table) reads its format,
collects the problems only it can see, builds a best-effort
:class:`~orgflow.model.definition.ProcessDefinition` and hands both to
:func:`accept_definition`, so every format gets the same checks and the same
kind of error listing every problem by line.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from orgflow.errors import DefinitionError
from orgflow.model.definition import ProcessDefinition
from orgflow.model.problems import DefinitionProblem, Severity
from orgflow.model.validate import SourceLines, validate_definition

#: Names problems found after loading in the source's own words.
ProblemTerms = Callable[[Iterable[DefinitionProblem]], list[DefinitionProblem]]


def as_found(problems: Iterable[DefinitionProblem]) -> list[DefinitionProblem]:
    """Problems as the checks put them (node, field and line): the words of YAML and BPMN sources."""
    return list(problems)


@dataclass(frozen=True, kw_only=True)
class LoadedDefinition:
    """A definition that passed the deploy-time checks.

    Attributes:
        definition: The definition, ready to deploy.
        warnings: Problems that do not block the deploy but deserve a look, in line order.
        lines: Lines of node attributes, for checks made later (the org references at deploy).
        in_source_terms: Names the problems of those later checks as the source names its parts,
            so they read like the loader's own: a node table's by row and column
            (``第 7 行「负责部门/人」…``), not by node and field.
    """

    definition: ProcessDefinition
    warnings: tuple[DefinitionProblem, ...] = ()
    lines: SourceLines = field(default_factory=dict)
    in_source_terms: ProblemTerms = field(default=as_found, repr=False, compare=False)


def accept_definition(
    definition: ProcessDefinition,
    *,
    loader_problems: Iterable[DefinitionProblem] = (),
    lines: SourceLines | None = None,
    source: str = "",
) -> LoadedDefinition:
    """Validate a loader's definition and decide.

    Args:
        definition: What the loader built (possibly with placeholders where it found problems).
        loader_problems: What the loader itself found (syntax, unknown keys, duplicate ids ...).
        lines: Lines of node attributes, passed on to :func:`~orgflow.model.validate.validate_definition`.
        source: The file name, for the error.

    Returns:
        The definition with its warnings when nothing blocks the deploy.

    Raises:
        DefinitionError: Listing every problem, errors and warnings, ordered by line.
    """
    problems = [*loader_problems, *validate_definition(definition, lines=lines)]
    problems.sort(key=lambda problem: problem.line or 0)
    if any(problem.severity is Severity.ERROR for problem in problems):
        raise DefinitionError(problems, source=source)
    return LoadedDefinition(definition=definition, warnings=tuple(problems), lines=lines or {})

"""The seed's node-configuration table (流程节点配置表) as CSV text → a process definition.

The table, as seed 003 template 2 writes it (columns in any order; UTF-8 text,
a byte-order mark allowed; ``.xlsx`` workbooks are turned into this text by
:mod:`orgflow.model.table_files`)::

    流程名称,新产品上市流程                  ← optional metadata lines above the header
    流程编号,new_product_launch             ← the process key (小写字母开头)
    业务编号前缀,NPL                          ← business keys NPL20240301…; default PROC
    节点编号,节点名称,负责部门/人,输入要求,输出要求,时限(小时),系统触发条件
    001,需求提交,发起部门,任务目标、协同部门清单,任务ID、基础信息,2,手动发起
    002,需求审核,分管领导,《多部门协同任务需求表》,审批结果(通过/驳回),24,001节点完成后自动触发
    003,研发方案输出,研发部负责人,产品需求文档,研发方案(含时间计划),72,002节点通过后自动触发

One row is one user task, in table order. Its 节点编号 is its id (``001`` is the
node ``n001``: ids start with a letter); the cells are read by
:mod:`~orgflow.model.table_assignee` (负责部门/人), :mod:`~orgflow.model.table_time`
(时限), :mod:`~orgflow.model.table_requirements` (输入要求/输出要求) and
:mod:`~orgflow.model.table_triggers` (系统触发条件), and the graph is built by
:mod:`~orgflow.model.table_graph`. The text alone decides the definition (a
stored version reads back the same under any name), so 流程名称 and 流程编号 must
be in it; a file read by :mod:`~orgflow.model.table_files` gets them from its
file name when it lacks them.

Like every loader, this one reports every problem at once and hands its
definition to :func:`~orgflow.model.loaded.accept_definition`; each problem
names the row, the column and the cell (``第 5 行「系统触发条件」（单元格 G5）：引用了
不存在的节点 009``), the checks shared with the other formats included.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import partial
from typing import Final

from orgflow.errors import DefinitionError
from orgflow.model.definition import ProcessDefinition
from orgflow.model.loaded import LoadedDefinition, accept_definition
from orgflow.model.nodes import Node, UserTask
from orgflow.model.problems import DefinitionProblem, Severity
from orgflow.model.table_assignee import OWNER_HINT, read_owner
from orgflow.model.table_graph import Cause, Step, build_graph
from orgflow.model.table_grid import Row, TableGrid, read_grid
from orgflow.model.table_layout import (
    DESCRIPTION,
    INPUTS,
    KEY_PREFIX,
    NAME,
    NUMBER,
    NUMBER_PATTERN,
    OUTPUTS,
    OWNER,
    PROCESS_KEY,
    PROCESS_NAME,
    TIME_LIMIT,
    TRIGGER,
    TableProblem,
    node_id_of,
    number_of,
    reference_key,
)
from orgflow.model.table_requirements import (
    APPROVAL_OUTCOMES,
    DONE_OUTCOMES,
    Requirements,
    read_items,
    requirements,
)
from orgflow.model.table_time import TIME_HINT, TimeLimitText, read_time_limit
from orgflow.model.table_triggers import TRIGGER_HINT, Trigger, TriggerText, read_triggers
from orgflow.model.yaml_reader import KEY_PATTERN, PREFIX_PATTERN
from orgflow.model.yaml_values import Reading

__all__ = ["load_node_table"]

#: The source format of a node table (``definitions.source_format``).
SOURCE_FORMAT: Final = "node_table"
#: The fields of the checks shared with other formats that are about the graph: a table says it
#: with its 系统触发条件, and once the table's own checks found a problem there, they only repeat it.
_GRAPH_FIELDS: Final = frozenset({None, "next", "to", "from", "when", "default", "nodes", "type", "id"})
_HINTS: Final = {OWNER: OWNER_HINT, TIME_LIMIT: TIME_HINT, TRIGGER: TRIGGER_HINT}
_EXAMPLES: Final = {PROCESS_KEY: "new_product_launch", PROCESS_NAME: "新产品上市流程"}
_COLUMN_OF: Final = {
    "assignee": OWNER,
    "countersign": OWNER,
    "on_empty": OWNER,
    "time_limit": TIME_LIMIT,
    "outcomes": OUTPUTS,
}


def load_node_table(text: str, *, source: str = "<node_table>") -> LoadedDefinition:
    """Read and check a node table.

    Args:
        text: The table as CSV text (a ``.csv`` file's, or what an ``.xlsx`` sheet was turned into).
        source: Where it came from, named in the error.

    Returns:
        The definition and its warnings (each naming row, column and cell).

    Raises:
        DefinitionError: Listing every problem, each naming its row, column and cell; nothing is deployed.
    """
    grid, problems = read_grid(text)
    if not grid.usable:
        raise DefinitionError(_ordered(problems), source=source)
    reader = _TableReader(grid, problems)
    definition = reader.read()
    try:
        loaded = accept_definition(definition, loader_problems=problems, lines=reader.lines, source=source)
    except DefinitionError as error:
        raise DefinitionError(reader.in_table_terms(error.problems), source=source) from None
    return replace(
        loaded,
        warnings=tuple(reader.in_table_terms(loaded.warnings)),
        in_source_terms=partial(reader.in_table_terms, own_hints=True),
    )


@dataclass(frozen=True, kw_only=True, slots=True)
class _Parsed:
    """One row, its cells read."""

    row: Row
    node_id: str
    name: str
    task: UserTask
    triggers: tuple[Trigger, ...]
    needs: Requirements


class _TableReader:
    """Reads the rows of one table into a definition, adding what it finds to ``problems``."""

    def __init__(self, grid: TableGrid, problems: list[TableProblem]) -> None:
        self.grid = grid
        self.problems = problems
        self.lines: dict[tuple[str | None, str], int] = {}
        self.origins: dict[tuple[str, str], str] = {}
        self._reading = Reading()

    def read(self) -> ProcessDefinition:
        header = self.grid.header
        assert header is not None  # a usable grid has one
        self.lines[(None, "nodes")] = header.line
        parsed = [row for row in map(self._row, self.grid.rows) if row is not None]
        resolved = self._resolve(parsed)
        steps = [
            Step(
                node_id=row.node_id,
                name=row.name,
                line=row.row.line,
                causes=causes,
                decides=row.needs.approval,
            )
            for row, causes in zip(parsed, resolved, strict=True)
        ]
        complete = len(parsed) == len(self.grid.rows) and not self._trigger_errors()
        graph = build_graph(steps, check=complete)
        self.problems += [
            replace(p, cell=self.grid.where(p.field or "", p.line or 0)) for p in graph.problems
        ]
        tasks: dict[str, Node] = {
            row.node_id: replace(
                row.task, outcomes=APPROVAL_OUTCOMES if row.node_id in graph.approvals else DONE_OUTCOMES
            )
            for row in parsed
        }
        nodes = {node_id: tasks.get(node_id) or graph.nodes[node_id] for node_id in graph.order}
        return ProcessDefinition(
            key=self._metadata(PROCESS_KEY) or "?",
            name=self._metadata(PROCESS_NAME) or "?",
            nodes=nodes,
            flows=graph.flows,
            business_key_prefix=self._metadata(KEY_PREFIX, required=False) or "PROC",
            description=self._metadata(DESCRIPTION, required=False) or "",
        )

    def in_table_terms(
        self, problems: Iterable[DefinitionProblem], *, own_hints: bool = False
    ) -> list[DefinitionProblem]:
        """The shared checks' problems named by row, column and cell; graph ones dropped if already said.

        The shared checks' hints speak the YAML DSL, so a column's own hint replaces them; with
        ``own_hints`` (the org checks at deploy, whose hints name departments and people) they are kept.
        """
        said = self._trigger_errors()
        cells = {(p.line, p.field) for p in self.problems if p.severity is Severity.ERROR}
        found: list[DefinitionProblem] = []
        for problem in problems:
            if isinstance(problem, TableProblem):
                found.append(problem)
            elif not (said and problem.field in _GRAPH_FIELDS):
                translated = self._translated(problem, own_hint=own_hints)
                if (translated.line, translated.field) not in cells:  # the table said it in its own words
                    found.append(translated)
        return _ordered(found)

    # -- metadata ---------------------------------------------------------------------------

    def _metadata(self, key: str, *, required: bool = True) -> str | None:
        value, line = self.grid.metadata.get(key, ("", 0))
        if not value:
            if required:
                self._problem(
                    f"缺少「{key}」",
                    line=self.grid.header.line if self.grid.header else 1,
                    field=key,
                    hint=f"在表头行上方加一行：{key},{_EXAMPLES[key]}",
                )
            return None
        pattern = {PROCESS_KEY: KEY_PATTERN, KEY_PREFIX: PREFIX_PATTERN}.get(key)
        if pattern is not None and not pattern.fullmatch(value):
            hint = (
                "小写字母开头，只含小写字母、数字和 _，例如 new_product_launch"
                if key == PROCESS_KEY
                else "大写字母开头，1 到 8 个大写字母或数字，例如 NPL"
            )
            self._problem(f"「{value}」不能用作{key}", line=line or None, field=key, hint=hint)
            return None
        return value

    # -- rows -------------------------------------------------------------------------------

    def _row(self, row: Row) -> _Parsed | None:
        number = unicodedata.normalize("NFKC", row.cell(self.grid.columns.get(NUMBER)))
        name = row.cell(self.grid.columns.get(NAME))
        if not number:
            self._cell_problem(row, NUMBER, "节点编号不能为空", hint="例如 001")
            return None
        if not NUMBER_PATTERN.fullmatch(number):
            self._cell_problem(
                row,
                NUMBER,
                f"节点编号「{number}」不合规",
                hint="用数字、字母、- 和 _，例如 001、A1，最长 63 个字符",
            )
            return None
        node_id = node_id_of(number)
        if not name:
            self._cell_problem(row, NAME, "节点名称不能为空", node_id=node_id)
        task = self._task(row, node_id, name)
        triggers = self._triggers(row, node_id)
        by_hand = any(trigger.manual for trigger in triggers)
        needs = requirements(
            read_items(row.cell(self.grid.columns.get(INPUTS))),
            read_items(row.cell(self.grid.columns.get(OUTPUTS))),
            by_hand=by_hand,
        )
        for column, item in needs.repeated:
            self._cell_problem(
                row, column, f"「{item}」写了两次，只算一次", node_id=node_id, severity=Severity.WARNING
            )
        for item_name, column in needs.origin.items():
            self.origins[(node_id, item_name)] = column
        for index in range(len(needs.form)):
            self.lines[(node_id, f"form[{index}]")] = row.line
        for key in ("assignee", "time_limit", "next", "fields", "deliverables", "outcomes"):
            self.lines[(node_id, key)] = row.line
        task = replace(task, form=needs.form, deliverables=needs.deliverables, field_access=needs.read)
        return _Parsed(
            row=row,
            node_id=node_id,
            name=name,
            task=task,
            triggers=triggers,
            needs=needs,
        )

    def _task(self, row: Row, node_id: str, name: str) -> UserTask:
        owner = row.cell(self.grid.columns.get(OWNER))
        department, rule = None, None
        if not owner:
            self._cell_problem(row, OWNER, "负责部门/人不能为空", node_id=node_id)
        else:
            before = len(self._reading.problems)
            department, rule = read_owner(self._reading, owner, node_id=node_id, line=row.line)
            for problem in self._reading.problems[before:]:
                self._cell_problem(row, OWNER, f"看不懂「{owner}」（{problem.message}）", node_id=node_id)
        limit = None
        try:
            limit = read_time_limit(row.cell(self.grid.columns.get(TIME_LIMIT)))
        except TimeLimitText as error:
            self._cell_problem(row, TIME_LIMIT, str(error), node_id=node_id)
        return UserTask(
            id=node_id, name=name, line=row.line, department=department, assignee=rule, time_limit=limit
        )

    def _triggers(self, row: Row, node_id: str) -> tuple[Trigger, ...]:
        try:
            triggers = read_triggers(row.cell(self.grid.columns.get(TRIGGER)))
        except TriggerText as error:
            self._cell_problem(row, TRIGGER, str(error), node_id=node_id)
            return ()
        if not triggers:
            self._cell_problem(row, TRIGGER, "系统触发条件不能为空", node_id=node_id)
        return triggers

    def _resolve(self, parsed: list[_Parsed]) -> list[tuple[Cause, ...]]:
        """Each row's conditions with the steps they name resolved to node ids (by 节点编号, else by name)."""
        by_number: dict[str, _Parsed] = {}
        for row in parsed:
            key = reference_key(number_of(row.node_id))
            if key in by_number:
                first = by_number[key]
                self._cell_problem(
                    row.row,
                    NUMBER,
                    f"节点编号 {number_of(row.node_id)} 与第 {first.row.line} 行重复",
                    node_id=row.node_id,
                )
            else:
                by_number[key] = row
        names: dict[str, list[str]] = {}
        for row in parsed:
            names.setdefault(row.name, []).append(row.node_id)
        known = "、".join(number_of(row.node_id) for row in parsed)
        resolved = []
        for row in parsed:
            causes = []
            for trigger in row.triggers:
                sources = []
                for ref in trigger.refs:
                    found = by_number.get(reference_key(ref))
                    if found is not None:
                        sources.append(found.node_id)
                    elif len(names.get(ref, ())) == 1:
                        sources.append(names[ref][0])
                    else:
                        self._cell_problem(
                            row.row,
                            TRIGGER,
                            f"引用了不存在的节点 {ref}",
                            node_id=row.node_id,
                            hint=f"已有节点：{known}",
                        )
                if len(sources) == len(trigger.refs):
                    causes.append(Cause(sources=tuple(sources), verb=trigger.verb))
            resolved.append(tuple(causes))
        return resolved

    # -- problems ---------------------------------------------------------------------------

    def _trigger_errors(self) -> bool:
        return any(p.field == TRIGGER and p.severity is Severity.ERROR for p in self.problems)

    def _cell_problem(
        self,
        row: Row,
        column: str,
        message: str,
        *,
        node_id: str | None = None,
        hint: str | None = None,
        severity: Severity = Severity.ERROR,
    ) -> None:
        self._problem(message, line=row.line, field=column, node_id=node_id, hint=hint, severity=severity)

    def _problem(
        self,
        message: str,
        *,
        line: int | None,
        field: str,
        node_id: str | None = None,
        hint: str | None = None,
        severity: Severity = Severity.ERROR,
    ) -> None:
        cell = self.grid.where(field, line) if line else None
        self.problems.append(
            TableProblem(
                message=message,
                line=line,
                field=field,
                node_id=node_id,
                hint=hint,
                severity=severity,
                cell=cell,
            )
        )

    def _translated(self, problem: DefinitionProblem, *, own_hint: bool = False) -> TableProblem:
        """A shared check's problem named by the column its field was read from."""
        root = (problem.field or "").split(".")[0].split("[")[0]
        column = _COLUMN_OF.get(root)
        if root in ("form", "fields", "deliverables"):
            name = (problem.field or "").partition(".")[2]
            column = self.origins.get((problem.node_id or "", name), OUTPUTS)
        if problem.field in _GRAPH_FIELDS:
            column = TRIGGER
        line = problem.line
        return TableProblem(
            message=problem.message,
            node_id=problem.node_id,
            line=line,
            field=column,
            hint=problem.hint if own_hint and problem.hint else _HINTS.get(column or "", problem.hint),
            severity=problem.severity,
            cell=self.grid.where(column, line) if column and line else None,
        )


def _ordered(problems: Iterable[DefinitionProblem]) -> list[DefinitionProblem]:
    return sorted(problems, key=lambda problem: problem.line or 0)

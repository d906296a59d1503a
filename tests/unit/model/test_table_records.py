"""A node table's text edited record by record: the records left alone keep every byte."""

from __future__ import annotations

import csv

import pytest

from orgflow.model.table_grid import read_grid
from orgflow.model.table_records import rewrite_records

#: A byte-order mark, quoted cells, a cell holding a line break, a blank line, Windows line ends, no last end.
TEXT = '\ufeff流程名称,"演示"\r\n节点编号,节点名称\r\n\r\n"001","多行\n名称"\r\n002,审核'


def test_records_left_alone_keep_their_bytes() -> None:
    assert rewrite_records(TEXT, lambda index, cells: None) == TEXT


@pytest.mark.parametrize(
    ("index", "before", "after"),
    [
        (0, '流程名称,"演示"\r\n', '流程名称,"新,值"\r\n'),
        (3, '"001","多行\n名称"\r\n', '001,"新,值"\r\n'),
        (4, "\r\n002,审核", '\r\n002,"新,值"'),
    ],
    ids=["first", "holding a line break", "last, without a line end"],
)
def test_a_record_written_anew_ends_as_it_ended_and_nothing_else_moves(
    index: int, before: str, after: str
) -> None:
    changed = rewrite_records(TEXT, lambda at, cells: [*cells[:-1], "新,值"] if at == index else None)
    assert changed == TEXT.replace(before, after)


def test_records_are_numbered_as_the_grid_numbers_its_rows() -> None:
    grid, _ = read_grid(TEXT)
    (first, second) = grid.rows
    seen: dict[int, list[str]] = {}
    rewrite_records(TEXT, lambda index, cells: seen.setdefault(index, cells) and None)
    assert (seen[first.index], seen[second.index]) == (list(first.cells), list(second.cells))
    assert (first.line, second.line) == (4, 5)


def test_text_past_a_csv_error_is_kept() -> None:
    broken = f'a,b\n"{"长" * (csv.field_size_limit() + 1)}"\nc,d\n'  # a cell longer than csv reads
    assert rewrite_records(broken, lambda index, cells: ["x"]) == "x\n" + broken.split("\n", 1)[1]

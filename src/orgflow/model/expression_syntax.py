"""What the condition language refuses, named in words a process owner recognises.

The compiler in :mod:`orgflow.model.expressions` accepts a whitelist of syntax;
for everything else it reports what the author wrote (``推导式``, ``位运算（&）``)
rather than a Python AST class name.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Final

#: What the author wrote, in words, for node types that are refused.
REFUSED: Final[Mapping[type[ast.AST], str]] = {
    ast.Lambda: "lambda 函数",
    ast.ListComp: "推导式",
    ast.SetComp: "推导式",
    ast.DictComp: "推导式",
    ast.GeneratorExp: "推导式",
    ast.NamedExpr: "赋值表达式（:=）",
    ast.JoinedStr: "f-字符串",
    ast.FormattedValue: "f-字符串",
    ast.Starred: "星号展开（*）",
    ast.Dict: "字典字面量 {...}",
    ast.Set: "集合字面量 {...}",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Slice: "切片（a[1:2]）",
    ast.Pow: "乘方（**）",
    ast.MatMult: "矩阵乘法（@）",
    ast.BitAnd: "位运算（&）",
    ast.BitOr: "位运算（|）",
    ast.BitXor: "位运算（^）",
    ast.LShift: "位运算（<<）",
    ast.RShift: "位运算（>>）",
    ast.Invert: "按位取反（~）",
}


def not_allowed(what: str) -> str:
    """``不允许使用推导式`` / ``不允许使用 lambda 函数``: a blank only before Latin text."""
    return f"不允许使用 {what}" if what[:1].isascii() else f"不允许使用{what}"

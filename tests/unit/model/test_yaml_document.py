from __future__ import annotations

import pytest

from orgflow.errors import DefinitionError
from orgflow.model.yaml_document import MAX_BYTES, YamlList, YamlMap, parse_yaml


def test_remembers_lines_of_mappings_keys_and_items() -> None:
    document = parse_yaml("a: 1\nb:\n  - x\n  - {y: 2}\nc: z\n", source="t")
    root = document.root
    assert isinstance(root, YamlMap)
    assert (root.line, root.line_of("a"), root.line_of("b"), root.line_of("c")) == (1, 1, 2, 5)
    assert root.line_of("absent") == 1
    items = root["b"]
    assert isinstance(items, YamlList)
    assert items.item_lines == [3, 4]
    assert items.line_of(1) == 4
    assert items[1].line == 4
    assert document.problems == ()


def test_repeated_key_is_a_problem_and_the_first_value_stays() -> None:
    document = parse_yaml("a: 1\nb: 2\na: 3\n", source="t")
    assert document.root == {"a": 1, "b": 2}
    (problem,) = document.problems
    assert (problem.line, problem.field) == (3, "a")
    assert "重复" in problem.message


def test_only_true_and_false_are_booleans() -> None:
    root = parse_yaml("a: on\nb: yes\nc: no\nd: true\ne: False\nf: 是\n", source="t").root
    assert root == {"a": "on", "b": "yes", "c": "no", "d": True, "e": False, "f": "是"}


def test_the_standard_safe_loader_is_left_untouched() -> None:
    import yaml

    assert yaml.safe_load("a: yes") == {"a": True}


def test_aliases_are_refused_with_their_line() -> None:
    with pytest.raises(DefinitionError) as caught:
        parse_yaml("a: &x [1, 2]\nb: *x\n", source="t")
    (problem,) = caught.value.problems
    assert problem.line == 2
    assert "别名" in problem.message


def test_python_tags_are_refused() -> None:
    with pytest.raises(DefinitionError) as caught:
        parse_yaml("a: !!python/object/apply:os.system ['echo hi']\n", source="t")
    assert caught.value.problems[0].line == 1


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("a: [1\n", 2),
        ("a:\n  b: 1\n   c: 2\n", 3),
        ("a: 'unclosed\n", 2),
        ("--- 1\n--- 2\n", 2),
    ],
)
def test_syntax_errors_name_the_line(text: str, line: int) -> None:
    with pytest.raises(DefinitionError) as caught:
        parse_yaml(text, source="bad.yaml")
    (problem,) = caught.value.problems
    assert problem.line == line
    assert problem.message.startswith("YAML 格式错误")
    assert caught.value.source == "bad.yaml"
    assert "bad.yaml" in str(caught.value)


def test_unhashable_keys_are_refused() -> None:
    with pytest.raises(DefinitionError) as caught:
        parse_yaml("? [1]\n: 2\n", source="t")
    assert "键" in caught.value.problems[0].message


def test_deep_nesting_is_refused_without_crashing() -> None:
    with pytest.raises(DefinitionError, match="嵌套"):
        parse_yaml("[" * 5000, source="t")


def test_oversized_text_is_refused_before_parsing() -> None:
    with pytest.raises(DefinitionError) as caught:
        parse_yaml("a: " + "x" * MAX_BYTES, source="t")
    assert "过大" in caught.value.problems[0].message


def test_empty_text_is_none() -> None:
    assert parse_yaml("", source="t").root is None

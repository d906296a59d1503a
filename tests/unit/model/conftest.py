"""Helpers for definition tests: load YAML written inline, and pick out the problems it has."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from textwrap import dedent
from typing import Any

import pytest

from orgflow.errors import DefinitionError
from orgflow.model.problems import DefinitionProblem
from orgflow.model.yaml_reader import LoadedDefinition, load_definition

Load = Callable[[str], LoadedDefinition]
Problems = Callable[[str], list[DefinitionProblem]]
The = Callable[..., DefinitionProblem]


def _text(yaml_text: str) -> str:
    """Dedent and drop the first newline, so line 1 is the first line written."""
    return dedent(yaml_text).lstrip("\n")


@pytest.fixture
def load() -> Load:
    """Load inline YAML that must be valid."""
    return lambda yaml_text: load_definition(_text(yaml_text), source="test.yaml")


@pytest.fixture
def problems() -> Problems:
    """Load inline YAML that must be refused; return every problem reported."""

    def collect(yaml_text: str) -> list[DefinitionProblem]:
        with pytest.raises(DefinitionError) as caught:
            load_definition(_text(yaml_text), source="test.yaml")
        assert caught.value.source == "test.yaml"
        return list(caught.value.problems)

    return collect


@pytest.fixture
def the() -> The:
    """The one problem whose attributes match (``the(found, field="to")``); fails if none or several."""

    def pick(found: Sequence[DefinitionProblem], **attributes: Any) -> DefinitionProblem:
        matching = [p for p in found if all(getattr(p, name) == value for name, value in attributes.items())]
        assert len(matching) == 1, f"{len(matching)} problems match {attributes}: {[str(p) for p in found]}"
        return matching[0]

    return pick

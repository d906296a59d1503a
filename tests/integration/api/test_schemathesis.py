"""Schemathesis against the OpenAPI description, signed in: no 5xx, no response that breaks its schema.

Every operation the app describes is exercised with generated requests, valid
(positive) and invalid (negative), on both databases, as an administrator and
as an employee: no answer may be a server error, and every answer must match
what the description promises (a listed status code, its content type, its
body schema).

The operations are walked here rather than through schemathesis' pytest
plugin, whose lazy fixtures do not run on this pytest; each operation gets a
Hypothesis run of its own and a failure names the operation and the request.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.generation import GenerationMode

from orgflow.api.app import create_app
from orgflow.runtime import Runtime

from .conftest import HeadersFor

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

#: Generated requests per operation and mode (positive, negative).
EXAMPLES = 12

RUN = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def _runner(
    operation: schemathesis.APIOperation, mode: GenerationMode, senders: tuple[dict[str, str], ...]
) -> Callable[[], None]:
    @RUN
    @given(case=operation.as_strategy(generation_mode=mode), who=st.sampled_from(senders))
    def run(case: schemathesis.Case, who: dict[str, str]) -> None:
        case.call_and_validate(headers=who, checks=CHECKS)

    return run


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
def test_every_operation_answers_within_its_description(
    company_runtime: Runtime, headers_for: HeadersFor, mode: GenerationMode
) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(company_runtime))
    senders = (headers_for("admin"), headers_for("mk1"))
    failures: list[str] = []
    labels = []
    for result in schema.get_all_operations():
        operation = result.ok()
        labels.append(operation.label)
        try:
            _runner(operation, mode, senders)()
        except Unsatisfiable:  # negative mode: an operation with no parameters has nothing to get wrong
            assert mode == GenerationMode.NEGATIVE, f"{operation.label}: no request could be generated"
        except Exception as failure:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {failure}")
    assert labels, "the OpenAPI description lists no operations"
    assert not failures, "\n\n".join(failures)

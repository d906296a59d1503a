from __future__ import annotations

import pytest

from orgflow.errors import OrgFlowError, UnknownJobKind
from orgflow.jobs import JobContext, JobHandlers


def remind(context: JobContext) -> None:
    pass


def escalate(context: JobContext) -> None:
    pass


def test_registered_kinds_are_found_by_name() -> None:
    handlers = JobHandlers({"remind": remind})
    handlers.register("escalate", escalate)
    assert handlers.handler("remind") is remind and handlers.handler("escalate") is escalate
    assert sorted(handlers) == ["escalate", "remind"] and len(handlers) == 2


def test_an_unknown_kind_is_an_orgflow_error_naming_the_kind() -> None:
    with pytest.raises(UnknownJobKind, match="sla_reminder") as raised:
        JobHandlers().handler("sla_reminder")
    assert isinstance(raised.value, OrgFlowError) and raised.value.kind == "sla_reminder"
    assert "没有注册" in str(raised.value)


def test_a_kind_has_one_handler() -> None:
    handlers = JobHandlers({"remind": remind})
    handlers.register("remind", remind)  # the same handler again is harmless
    with pytest.raises(ValueError, match="remind"):
        handlers.register("remind", escalate)

"""The interceptor chain without a database: order, retries, logging."""

from __future__ import annotations

import logging

import pytest

from orgflow.errors import Conflict, NotFound, WorkItemNotOpen
from orgflow.runtime.actions import CompleteWorkItem, DeployDefinition, StartProcess
from orgflow.runtime.executor import CommandExecutor, Invocation, LoggingInterceptor, RetryOnConflict


class Recorder:
    def __init__(self, name: str, log: list[str]) -> None:
        self.name = name
        self.log = log

    def __call__(self, invocation, call_next):
        self.log.append(f"{self.name}>")
        result = call_next(invocation)
        self.log.append(f"<{self.name}")
        return result


class FakeTransaction:
    """Stands in for TransactionInterceptor: hands a unit of work down."""

    def __init__(self, log: list[str]) -> None:
        self.log = log

    def __call__(self, invocation, call_next):
        self.log.append(f"begin#{invocation.attempt}")
        try:
            result = call_next(Invocation(invocation.action, object(), invocation.attempt))
        except Exception:
            self.log.append("rollback")
            raise
        self.log.append("commit")
        return result


START = StartProcess("t", {"secret": "工资 12000"}, initiator="zhang")


def test_interceptors_wrap_the_handler_in_list_order() -> None:
    log: list[str] = []

    def handler(action, uow):
        log.append(f"handle {action.name}")
        return "done"

    executor = CommandExecutor(handler, [Recorder("a", log), Recorder("b", log), FakeTransaction(log)])

    assert executor.execute(START) == "done"
    assert log == ["a>", "b>", "begin#1", "handle start_process", "commit", "<b", "<a"]


def test_a_chain_without_a_transaction_refuses_to_run() -> None:
    executor = CommandExecutor(lambda action, uow: None, [])
    with pytest.raises(RuntimeError, match="TransactionInterceptor"):
        executor.execute(START)


def test_conflicts_are_retried_in_fresh_transactions_then_given_up() -> None:
    log: list[str] = []
    calls = []

    def handler(action, uow):
        calls.append(uow)
        if len(calls) < 3:
            raise Conflict()
        return "third time"

    executor = CommandExecutor(handler, [RetryOnConflict(attempts=3, pause=0), FakeTransaction(log)])
    assert executor.execute(START) == "third time"
    assert log == ["begin#1", "rollback", "begin#2", "rollback", "begin#3", "commit"]
    assert len({id(uow) for uow in calls}) == 3

    always = CommandExecutor(
        lambda action, uow: (_ for _ in ()).throw(Conflict()),
        [RetryOnConflict(2, pause=0), FakeTransaction([])],
    )
    with pytest.raises(Conflict):
        always.execute(START)


@pytest.mark.parametrize("error", [WorkItemNotOpen(), NotFound()])
def test_errors_retrying_cannot_fix_pass_straight_through(error) -> None:
    attempts = []

    def handler(action, uow):
        attempts.append(1)
        raise error

    executor = CommandExecutor(handler, [RetryOnConflict(5, pause=0), FakeTransaction([])])
    with pytest.raises(type(error)):
        executor.execute(CompleteWorkItem("w1", actor="u1"))
    assert len(attempts) == 1


def test_actions_that_are_not_retry_safe_run_once(monkeypatch) -> None:
    monkeypatch.setattr(DeployDefinition, "retry_safe", False)
    attempts = []

    def handler(action, uow):
        attempts.append(1)
        raise Conflict()

    executor = CommandExecutor(handler, [RetryOnConflict(5, pause=0), FakeTransaction([])])
    with pytest.raises(Conflict):
        executor.execute(DeployDefinition("key: x"))
    assert len(attempts) == 1


def test_logging_names_the_action_and_never_the_data(caplog) -> None:
    caplog.set_level(logging.INFO, logger="orgflow.runtime")
    executor = CommandExecutor(lambda action, uow: "ok", [LoggingInterceptor(), FakeTransaction([])])

    executor.execute(START)
    refused = CommandExecutor(
        lambda action, uow: (_ for _ in ()).throw(NotFound("没有")),
        [LoggingInterceptor(), FakeTransaction([])],
    )
    with pytest.raises(NotFound):
        refused.execute(CompleteWorkItem("w1", actor="u1", data={"secret": "工资 12000"}))

    done, failed = caplog.records
    assert (done.action, done.outcome, done.key, done.actor) == ("start_process", "ok", "t", "zhang")
    assert done.duration_ms >= 0
    assert (failed.action, failed.outcome, failed.work_item_id) == ("complete_work_item", "NotFound", "w1")
    for record in caplog.records:
        assert "12000" not in str(record.__dict__)


def test_retry_needs_at_least_one_attempt() -> None:
    with pytest.raises(ValueError):
        RetryOnConflict(0)

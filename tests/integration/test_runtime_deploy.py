from __future__ import annotations

from datetime import timedelta

import pytest

from orgflow.errors import DefinitionError, NotFound
from orgflow.runtime import DeployDefinition, StartProcess

from .conftest import SIMPLE, TWO_STEPS, deploy


def test_first_deploy_is_version_one_labelled_with_month_and_name(runtime) -> None:
    deployed = deploy(runtime, SIMPLE)

    assert (deployed.id, deployed.key, deployed.version) == ("t:1", "t", 1)
    assert deployed.label == "V1.0-202611-测试"
    assert deployed.created


def test_identical_source_returns_the_newest_version(runtime) -> None:
    first = deploy(runtime, SIMPLE)
    again = deploy(runtime, SIMPLE)

    assert (again.id, again.label, again.created) == (first.id, first.label, False)
    assert len(runtime.queries.definitions(latest_only=False)) == 1


def test_each_change_bumps_the_minor_and_a_new_major_resets_it(runtime, clock) -> None:
    deploy(runtime, SIMPLE)
    clock.advance(timedelta(days=40))
    second = deploy(runtime, SIMPLE.replace("name: 审批", "name: 审批（新）"))
    third = deploy(runtime, "major: 2\n" + SIMPLE)
    fourth = deploy(runtime, "major: 2\n" + SIMPLE.replace("u1", "u2"))
    back_to_one = deploy(runtime, SIMPLE.replace("u1", "u3"))

    assert [d.version for d in (second, third, fourth, back_to_one)] == [2, 3, 4, 5]
    assert second.label == "V1.1-202701-测试"
    assert third.label == "V2.0-202701-测试"
    assert fourth.label == "V2.1-202701-测试"
    assert back_to_one.label == "V1.2-202701-测试"


def test_going_back_to_an_older_source_is_a_new_version(runtime) -> None:
    deploy(runtime, SIMPLE)
    deploy(runtime, SIMPLE.replace("u1", "u2"))
    rollback = deploy(runtime, SIMPLE)

    assert (rollback.version, rollback.created) == (3, True)


def test_invalid_definition_is_refused_and_nothing_is_stored(runtime) -> None:
    with pytest.raises(DefinitionError):
        deploy(runtime, SIMPLE.replace("next: end", "next: nowhere"))

    assert runtime.queries.definitions() == ()


def test_listing_latest_and_all_versions(runtime) -> None:
    deploy(runtime, SIMPLE)
    deploy(runtime, SIMPLE.replace("u1", "u2"))
    deploy(runtime, TWO_STEPS, actor="li")

    latest = runtime.queries.definitions()
    every = runtime.queries.definitions(latest_only=False)
    only_t = runtime.queries.definitions(key="t", latest_only=False)

    assert [(d.key, d.version) for d in latest] == [("complaint", 1), ("t", 2)]
    assert [(d.key, d.version) for d in every] == [("complaint", 1), ("t", 1), ("t", 2)]
    assert [d.id for d in only_t] == ["t:1", "t:2"]
    assert latest[0].deployed_by == "li"
    assert latest[0].name == "客户投诉处理流程"


def test_running_instances_stay_on_their_version(runtime) -> None:
    deploy(runtime, SIMPLE)
    old = runtime.execute(StartProcess("t", {}, initiator="zhang"))
    deploy(runtime, SIMPLE.replace("name: 审批", "name: 部门审批"))
    new = runtime.execute(StartProcess("t", {}, initiator="zhang"))
    pinned = runtime.execute(StartProcess("t", {}, initiator="zhang", version=1))

    assert (old.definition_id, new.definition_id, pinned.definition_id) == ("t:1", "t:2", "t:1")
    assert old.work_items[0].name == "审批"
    assert new.work_items[0].name == "部门审批"
    assert new.definition_label == "V1.1-202611-测试"


def test_starting_an_unknown_key_or_version_is_not_found(runtime) -> None:
    deploy(runtime, SIMPLE)

    with pytest.raises(NotFound, match="nope"):
        runtime.execute(StartProcess("nope", {}, initiator="zhang"))
    with pytest.raises(NotFound, match="t:9"):
        runtime.execute(StartProcess("t", {}, initiator="zhang", version=9))


def test_a_fresh_runtime_parses_stored_definitions(runtime, migrated_url, clock) -> None:
    from orgflow.runtime import open_runtime

    deploy(runtime, SIMPLE)
    with open_runtime(migrated_url, clock=clock) as other:
        view = other.execute(StartProcess("t", {"x": 1}, initiator="zhang"))
        assert view.work_items[0].name == "审批"
        assert other.execute(DeployDefinition(SIMPLE)).created is False

"""敏感字段 on both databases: sealed at rest, opened for the engine, masked for those who do not handle them.

客户报价: u1 starts it, dev1 fills in the customer, phone and cost (all sensitive) and the
product (not); a cost over 100 000 goes to 总经理审核 (gm, whose step may read ``cost``),
otherwise to 财务审核 (fin1, who sees none of them). The distinctive values are looked
for in the raw database: the SQLite file and its WAL, PostgreSQL's JSON text.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from orgflow.clock import FrozenClock
from orgflow.errors import SensitiveDataUnreadable
from orgflow.ids import SequentialIds
from orgflow.runtime import CompleteWorkItem, Runtime, StartProcess, open_runtime
from orgflow.runtime.actions import CopyInstance
from orgflow.runtime.key_rotation import KeyRotation
from orgflow.sensitive.keys import KeyRing
from orgflow.sensitive.masking import MASK
from orgflow.store.database import create_database
from orgflow.store.tables import anomalies, audit_log, history, instances, jobs, notifications, work_items

from .conftest import deploy
from .inbox_company import set_up

OLD = KeyRing.single(bytes(range(32)), "old")
NEW_KEY = bytes(range(32, 64))

CUSTOMER = "华东某经销商张三13912345678"
PHONE = "13912345678"
PRODUCT = "电热水壶批次B0312特别款"
COST = 250_000

DEAL = """\
key: deal
name: 客户报价
business_key_prefix: DL
nodes:
  - {id: start, type: start, next: fill}
  - id: fill
    type: user_task
    name: 填写报价
    assignee: {user: dev1}
    form:
      - {name: customer, type: string, label: 客户, sensitive: true}
      - {name: phone, type: string, label: 电话, sensitive: true}
      - {name: cost, type: number, label: 成本, sensitive: true}
      - {name: product, type: string, label: 产品}
    next: route
  - id: route
    type: exclusive_gateway
    next:
      - {to: gm_review, when: "cost > 100000"}
      - {to: fin_review, default: true}
  - {id: gm_review, type: user_task, name: 总经理审核, assignee: {user: gm}, fields: {cost: read}, next: end}
  - {id: fin_review, type: user_task, name: 财务审核, assignee: {user: fin1}, next: end}
  - {id: end, type: end}
"""

FORM = {"customer": CUSTOMER, "phone": PHONE, "cost": COST, "product": PRODUCT}


@pytest.fixture
def runtime(migrated_url: str, clock: FrozenClock) -> Iterator[Runtime]:
    opened = open_runtime(migrated_url, clock=clock, ids=SequentialIds("id"), keys=OLD)
    try:
        set_up(opened)
        deploy(opened, DEAL)
        yield opened
    finally:
        opened.close()


def filled(runtime: Runtime, cost: int = COST) -> str:
    """A 客户报价 dev1 has filled in; returns its instance id."""
    started = runtime.execute(StartProcess("deal", {"note": "请报价"}, initiator="u1"))
    (item,) = started.work_items
    runtime.execute(CompleteWorkItem(item.id, actor="dev1", outcome="approve", data={**FORM, "cost": cost}))
    return started.id


def raw_text(url: str) -> str:
    """Everything the database holds where form data could be, as it is stored (no decoding)."""
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        database = create_database(url, create=False)
        with database.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        database.dispose()
        wal = path.with_name(path.name + "-wal")
        raw = path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
        return raw.decode("utf-8", errors="replace")
    database = create_database(url, create=False)
    try:
        with database.engine.connect() as connection:
            columns = [table.c.data for table in (instances, work_items, history, notifications)]
            columns += [jobs.c.payload, audit_log.c.details, audit_log.c.summary, anomalies.c.description]
            texts = [
                str(value)
                for column in columns
                for value in connection.execute(sa.select(sa.cast(column, sa.Text))).scalars()
            ]
    finally:
        database.dispose()
    return "\n".join(texts)


def test_the_raw_database_holds_no_plaintext_of_a_sensitive_field(
    runtime: Runtime, migrated_url: str
) -> None:
    instance_id = filled(runtime)
    runtime.execute(CopyInstance(instance_id, users=("fin2",), actor="u1", note="请知悉"))

    stored = raw_text(migrated_url)

    assert PRODUCT in stored  # the test can see form data: a non-sensitive value is there as it was
    assert '"$enc"' in stored
    for secret in (CUSTOMER, PHONE, "250000", "张三"):
        assert secret not in stored, secret


def test_the_engine_routes_on_the_encrypted_cost(runtime: Runtime) -> None:
    high = runtime.queries.instance(filled(runtime), viewer="u1").instance
    low = runtime.queries.instance(filled(runtime, cost=50_000), viewer="u1").instance

    assert [item.node_id for item in high.work_items] == ["gm_review"]
    assert [item.node_id for item in low.work_items] == ["fin_review"]
    assert (high.data["cost"], low.data["cost"]) == (COST, 50_000)  # numbers stay numbers


def test_the_initiator_and_the_filler_see_them_others_see_the_mask(runtime: Runtime) -> None:
    instance_id = filled(runtime)
    runtime.execute(CopyInstance(instance_id, users=("fin2",), actor="u1"))

    seen = {
        user: runtime.queries.instance(instance_id, viewer=user).instance.data
        for user in ("u1", "dev1", "admin")
    }
    gm = runtime.queries.instance_for("gm", instance_id).instance.data
    copied = runtime.queries.instance_for("fin2", instance_id)
    nobody = runtime.queries.instance(instance_id).instance.data

    assert all(
        (data["customer"], data["phone"], data["cost"]) == (CUSTOMER, PHONE, COST) for data in seen.values()
    )
    assert (gm["customer"], gm["phone"], gm["cost"], gm["product"]) == (MASK, "139****5678", COST, PRODUCT)
    assert (copied.instance.data["customer"], copied.instance.data["cost"]) == (MASK, MASK)
    assert (nobody["customer"], nobody["phone"], nobody["product"]) == (MASK, "139****5678", PRODUCT)
    (completed,) = [entry for entry in copied.history if entry.kind == "work_item_completed"]
    assert completed.data is not None and (completed.data["customer"], completed.data["product"]) == (
        MASK,
        PRODUCT,
    )


def test_an_integration_caller_sees_the_mask_even_as_initiator(runtime: Runtime) -> None:
    instance_id = filled(runtime)

    data = runtime.queries.instance_for("u1", instance_id, masked=True).instance.data

    assert (data["customer"], data["cost"]) == (MASK, MASK)


def test_each_unmasked_view_is_logged_and_masked_ones_are_not(runtime: Runtime, clock: FrozenClock) -> None:
    instance_id = filled(runtime)
    runtime.execute(CopyInstance(instance_id, users=("fin2",), actor="u1"))

    runtime.queries.instance(instance_id, viewer="u1", source="cli")
    runtime.queries.instance_for("gm", instance_id, source="10.0.0.8")
    runtime.queries.instance_for("fin2", instance_id)
    runtime.queries.instance(instance_id)
    form = runtime.queries.work_item_form(
        runtime.queries.instance(instance_id, viewer="admin").instance.work_items[0].id, viewer="gm"
    )

    assert (form.data["cost"], form.data["customer"]) == (COST, MASK)
    logged = runtime.queries.sensitive_views(instance_id)
    assert [(entry.viewer, entry.fields, entry.source) for entry in logged] == [
        ("u1", ("cost", "customer", "phone"), "cli"),
        ("gm", ("cost",), "10.0.0.8"),
        ("admin", ("cost", "customer", "phone"), None),
        ("gm", ("cost",), None),
    ]
    assert all(entry.at == clock.now() and entry.instance_id == instance_id for entry in logged)


def test_lists_show_sensitive_values_masked(runtime: Runtime) -> None:
    filled(runtime)

    (done,) = runtime.queries.work_items(assignee="dev1", status="completed")

    assert done.data is not None
    assert (done.data["customer"], done.data["phone"], done.data["product"]) == (MASK, "139****5678", PRODUCT)


def test_notifications_carry_no_sensitive_value(runtime: Runtime) -> None:
    instance_id = filled(runtime)
    runtime.execute(CopyInstance(instance_id, users=("fin2",), actor="u1"))

    messages = runtime.notifications.inbox("gm").messages + runtime.notifications.inbox("fin2").messages
    with runtime.database.reading() as connection:
        rows = connection.execute(sa.select(notifications.c.data)).scalars().all()

    assert {message.event for message in messages} == {"assigned", "copied"}  # gm's 总经理审核, fin2's copy
    shown = "".join(f"{message.title}{message.text}" for message in messages) + repr(rows)
    assert "客户报价" in shown
    assert CUSTOMER not in shown and PHONE not in shown and "250000" not in shown


def test_rotation_reencrypts_everything_and_old_data_stays_readable(
    runtime: Runtime, migrated_url: str
) -> None:
    instance_id = filled(runtime)
    rotation = KeyRotation(runtime.database, runtime.sensitive)
    before = rotation.count()

    runtime.sensitive.keys.replace(OLD.with_current("new", NEW_KEY))
    readable_meanwhile = runtime.queries.instance(instance_id, viewer="u1").instance.data["customer"]
    report = rotation.reseal(batch=2)
    again = rotation.reseal(batch=2)

    assert before == {"old": sum(before.values())} and before["old"] >= 9  # 3 fields x data, form, history
    assert readable_meanwhile == CUSTOMER
    assert (report.key_id, sum(report.values.values()), report.left) == ("new", before["old"], 0)
    assert report.rows["instances"] == 1 and report.rows["work_items"] == 1
    assert sum(again.values.values()) == 0  # safe to run again: nothing left to do
    assert rotation.count() == {"new": before["old"]}
    runtime.sensitive.keys.replace(KeyRing.single(NEW_KEY, "new"))  # the old key retired
    assert runtime.queries.instance(instance_id, viewer="u1").instance.data["phone"] == PHONE
    (gm_item,) = runtime.queries.instance(instance_id, viewer="u1").instance.work_items
    done = runtime.execute(CompleteWorkItem(gm_item.id, actor="gm", outcome="approve"))
    assert done.data["customer"] == CUSTOMER


def test_a_value_moved_to_another_instance_does_not_open(runtime: Runtime, migrated_url: str) -> None:
    first, second = filled(runtime), filled(runtime, cost=10)
    database = create_database(migrated_url, create=False)
    try:
        with database.transaction() as connection:
            data = connection.execute(sa.select(instances.c.data).where(instances.c.id == first)).scalar_one()
            theirs = connection.execute(
                sa.select(instances.c.data).where(instances.c.id == second)
            ).scalar_one()
            connection.execute(
                sa.update(instances)
                .where(instances.c.id == second)
                .values(data={**theirs, "cost": data["cost"]})
            )
    finally:
        database.dispose()

    with pytest.raises(SensitiveDataUnreadable, match=f"流程实例 {second} 的敏感字段 cost"):
        runtime.queries.instance(second, viewer="u1")


def test_envelopes_name_their_key(runtime: Runtime, migrated_url: str) -> None:
    instance_id = filled(runtime)
    database = create_database(migrated_url, create=False)
    try:
        with database.reading() as connection:
            data = connection.execute(
                sa.select(instances.c.data).where(instances.c.id == instance_id)
            ).scalar_one()
    finally:
        database.dispose()

    version, key_id, body = data["customer"]["$enc"].split(":")
    assert (version, key_id, data["product"]) == ("v1", "old", PRODUCT)
    assert len(base64.b64decode(body)) > 12 + 16  # nonce, ciphertext and tag

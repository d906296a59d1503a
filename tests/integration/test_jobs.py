"""Durable jobs on both databases: scheduling in the caller's transaction, workers, retries, leases."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from orgflow.errors import CommandRejected, LeaseLost, NotFound
from orgflow.jobs import Backoff, JobContext, JobHandlers, JobRequest, JobStatus, Worker
from orgflow.store import jobs
from orgflow.store.database import create_database
from orgflow.store.tables import jobs as jobs_table

#: A test table for handlers' writes: one row per run that committed.
effects = sa.Table(
    "effects",
    sa.MetaData(),
    sa.Column("job_id", sa.String, nullable=False),
    sa.Column("n", sa.Integer),
)


@pytest.fixture
def database(migrated_url):
    database = create_database(migrated_url)
    with database.transaction() as connection:
        effects.create(connection)
    yield database
    database.dispose()


def write_effect(context: JobContext) -> None:
    context.connection.execute(
        sa.insert(effects).values(job_id=context.job.id, n=context.job.payload.get("n"))
    )


def failing(context: JobContext) -> None:
    write_effect(context)
    raise RuntimeError("邮件服务器无响应")


@pytest.fixture
def handlers() -> JobHandlers:
    return JobHandlers({"effect": write_effect, "failing": failing})


def worker(database, handlers, clock, owner="w1", **options) -> Worker:
    options.setdefault("lease", timedelta(minutes=1))
    options.setdefault("batch", 10)
    return Worker(database, handlers, clock, owner=owner, **options)


def schedule(database, clock, request: JobRequest) -> str | None:
    with database.transaction() as connection:
        return jobs.schedule(connection, request, now=clock.now())


def effect_rows(database) -> list[tuple]:
    with database.reading() as connection:
        return [tuple(row) for row in connection.execute(sa.select(effects).order_by(effects.c.n))]


def all_jobs(database):
    with database.reading() as connection:
        return jobs.list_jobs(connection, limit=1000)


def test_a_job_scheduled_in_a_rolled_back_transaction_does_not_exist(database, clock) -> None:
    with pytest.raises(RuntimeError), database.transaction() as connection:
        jobs.schedule(connection, JobRequest("effect", clock.now()), now=clock.now())
        raise RuntimeError("the command failed")
    assert all_jobs(database) == []


def test_due_jobs_run_once_in_due_order_and_future_ones_wait(database, handlers, clock) -> None:
    for n in (3, 1, 2):
        schedule(database, clock, JobRequest("effect", clock.now() - timedelta(minutes=n), {"n": n}))
    later = schedule(database, clock, JobRequest("effect", clock.now() + timedelta(hours=1), {"n": 9}))

    assert worker(database, handlers, clock).run_once() == 3
    assert [row[1] for row in effect_rows(database)] == [1, 2, 3]
    assert [job.id for job in all_jobs(database)] == [later]
    assert worker(database, handlers, clock).run_once() == 0

    clock.advance(timedelta(hours=1))
    assert worker(database, handlers, clock).run_once() == 1
    assert all_jobs(database) == []


def test_the_batch_limits_how_many_jobs_one_round_takes(database, handlers, clock) -> None:
    for n in range(5):
        schedule(database, clock, JobRequest("effect", clock.now(), {"n": n}))
    assert worker(database, handlers, clock, batch=2).run_once() == 2
    assert len(all_jobs(database)) == 3


def test_scheduling_the_same_key_twice_keeps_one_job(database, clock) -> None:
    first = schedule(database, clock, JobRequest("effect", clock.now(), {"n": 1}, key="remind:w1:1"))
    again = schedule(database, clock, JobRequest("effect", clock.now(), {"n": 2}, key="remind:w1:1"))
    other = schedule(database, clock, JobRequest("effect", clock.now(), {"n": 3}, key="remind:w1:2"))

    assert first is not None and other is not None and again is None
    assert sorted(job.payload["n"] for job in all_jobs(database)) == [1, 3]


def test_cancel_by_subject_deletes_that_subjects_jobs_of_the_given_kinds(database, clock) -> None:
    at = clock.now() + timedelta(days=1)
    schedule(database, clock, JobRequest("remind", at, subject="wi-1"))
    schedule(database, clock, JobRequest("escalate", at, subject="wi-1"))
    schedule(database, clock, JobRequest("remind", at, subject="wi-2"))
    schedule(database, clock, JobRequest("remind", at))

    with database.transaction() as connection:
        assert jobs.cancel(connection, subject="wi-1", kinds=["escalate"]) == 1
    with database.transaction() as connection:
        assert jobs.cancel(connection, subject="wi-1") == 1
        assert jobs.cancel(connection, subject="wi-9") == 0
    assert sorted((job.kind, job.subject or "") for job in all_jobs(database)) == [
        ("remind", ""),
        ("remind", "wi-2"),
    ]


def test_a_failing_handler_retries_with_backoff_then_fails_and_retry_revives_it(
    database, handlers, clock
) -> None:
    backoff = Backoff(first=timedelta(seconds=10), factor=2, cap=timedelta(seconds=25))
    job_id = schedule(database, clock, JobRequest("failing", clock.now(), max_attempts=3))
    run = worker(database, handlers, clock, backoff=backoff)

    waits = []
    for _attempt in range(3):
        assert run.run_once() == 1
        [job] = all_jobs(database)
        waits.append(job.run_at - clock.now())
        assert run.run_once() == 0  # not due yet
        clock.set(job.run_at)

    assert waits == [timedelta(seconds=10), timedelta(seconds=20), timedelta(seconds=25)]
    assert effect_rows(database) == []  # every run's write was rolled back
    assert job.status is JobStatus.FAILED and job.attempts == 3
    assert job.lock_owner is None and job.locked_until is None
    assert job.last_error == "RuntimeError: 邮件服务器无响应"
    clock.advance(timedelta(days=1))
    assert run.run_once() == 0  # failed jobs wait for an administrator
    with database.reading() as connection:
        assert [j.id for j in jobs.list_jobs(connection, status=JobStatus.FAILED)] == [job_id]
        assert jobs.list_jobs(connection, status=JobStatus.PENDING) == []

    handlers_now_working = JobHandlers({"failing": write_effect})
    with database.transaction() as connection:
        revived = jobs.retry(connection, job_id, now=clock.now())
    assert revived.status is JobStatus.PENDING and revived.attempts == 0 and revived.run_at == clock.now()
    assert worker(database, handlers_now_working, clock).run_once() == 1
    assert [row[0] for row in effect_rows(database)] == [job_id]
    assert all_jobs(database) == []


def test_retry_refuses_unknown_and_pending_jobs(database, clock) -> None:
    job_id = schedule(database, clock, JobRequest("effect", clock.now()))
    with database.transaction() as connection:
        with pytest.raises(CommandRejected, match="尚未失败"):
            jobs.retry(connection, job_id, now=clock.now())
        with pytest.raises(NotFound, match="不存在"):
            jobs.retry(connection, "nope", now=clock.now())


def test_an_unknown_kind_fails_with_a_message_and_is_kept(database, handlers, clock) -> None:
    schedule(database, clock, JobRequest("no_such_kind", clock.now(), max_attempts=1))
    assert worker(database, handlers, clock).run_once() == 1
    [job] = all_jobs(database)
    assert job.status is JobStatus.FAILED
    assert "no_such_kind" in (job.last_error or "") and "没有注册" in (job.last_error or "")


def test_after_lease_expiry_another_worker_takes_the_job_and_the_first_is_refused(
    database, handlers, clock
) -> None:
    job_id = schedule(database, clock, JobRequest("effect", clock.now(), {"n": 1}))
    first = worker(database, handlers, clock, owner="w1", lease=timedelta(seconds=30))
    second = worker(database, handlers, clock, owner="w2", lease=timedelta(seconds=30))

    [held] = first.acquire()  # w1 takes it, then stalls
    assert held.attempts == 1 and held.lock_owner == "w1"
    assert second.acquire() == []  # the lease still holds
    clock.advance(timedelta(seconds=31))
    [taken] = second.acquire()
    assert taken.id == job_id and taken.attempts == 2 and taken.lock_owner == "w2"

    # w1 wakes up and finishes late: its fenced deletion matches nothing, so its effect rolls back.
    with pytest.raises(LeaseLost), database.transaction() as connection:
        write_effect(JobContext(connection, held, clock.now()))
        jobs.finish(connection, held)
    assert first.run(held) is False
    assert effect_rows(database) == []

    assert second.run(taken) is True
    assert effect_rows(database) == [(job_id, 1)]
    assert all_jobs(database) == []


def test_a_long_batch_renews_the_leases_of_jobs_still_waiting(database, clock) -> None:
    def slow(context: JobContext) -> None:
        clock.advance(timedelta(seconds=20))  # each job takes 20 s of a 30 s lease
        write_effect(context)

    for n in range(4):
        schedule(database, clock, JobRequest("slow", clock.now(), {"n": n}))
    assert worker(database, JobHandlers({"slow": slow}), clock, lease=timedelta(seconds=30)).run_once() == 4
    assert len(effect_rows(database)) == 4
    assert all_jobs(database) == []


def test_the_due_index_serves_acquiring(database, clock) -> None:
    with database.reading() as connection:
        names = {index["name"] for index in sa.inspect(connection).get_indexes(jobs_table.name)}
    assert {"ix_jobs_due", "ix_jobs_subject", "ix_jobs_failed"} <= names

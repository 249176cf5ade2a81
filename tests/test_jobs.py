"""Background jobs: inline without Redis, on an RQ worker with Redis; never before the commit."""

from __future__ import annotations

import pytest
import redis
import sqlalchemy as sa
from rq import SimpleWorker

from learning import audit
from learning.audit import AuditEvent
from learning.db import db
from learning.jobs import JobsUnavailable, check_queue, enqueue, queue

REDIS_TEST_URL = "redis://127.0.0.1:6379/14"


def write_marker(label: str) -> None:
    """A job: leaves a trace in the database and commits its own work."""
    audit.record("test.job_ran", actor=None, label=label)
    db.session.commit()


def markers() -> list[str]:
    db.session.rollback()
    return [details["label"] for details in db.session.scalars(
        sa.select(AuditEvent.details).where(AuditEvent.action == "test.job_ran"))]


def test_inline_job_runs_after_the_commit(app):
    enqueue(write_marker, "inline")
    assert markers() == []  # rolled back: nothing ran, nothing will
    enqueue(write_marker, "inline")
    db.session.commit()
    assert markers() == ["inline"]


@pytest.fixture
def redis_app(app):  # noqa: ANN001, ANN201
    app.config["REDIS_URL"] = REDIS_TEST_URL
    connection = redis.Redis.from_url(REDIS_TEST_URL)
    connection.flushdb()
    yield app
    connection.flushdb()


def test_rq_job_waits_for_a_worker_and_runs_once(redis_app):
    enqueue(write_marker, "rq", job_id="marker-1")
    db.session.commit()
    assert markers() == []
    jobs = queue(redis_app)
    assert jobs.count == 1
    enqueue(write_marker, "rq", job_id="marker-1")  # the same key again: still one job
    db.session.commit()
    SimpleWorker([jobs], connection=jobs.connection).work(burst=True)
    assert markers() == ["rq"]


def test_redis_down_is_reported_before_anything_is_written(app):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    with pytest.raises(JobsUnavailable):
        check_queue(app)


def test_worker_command_needs_redis(runner):
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code != 0 and "REDIS_URL is not set" in result.output

"""Background jobs: on an RQ worker when ``REDIS_URL`` is set, inline otherwise; never before the commit.

A job is a module-level function taking plain values (ids), run inside an app context with a
session of its own and committing its own work. Web requests only enqueue: rendering a PDF
never holds a request thread in production. Run a worker with ``flask worker``.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from typing import Any

import click
import redis
from flask import Flask, current_app
from flask.cli import with_appcontext
from rq import Queue, Retry, Worker
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from learning.db import after_commit, db

log = logging.getLogger(__name__)
QUEUE_NAME = "leren-met-impact"


class JobsUnavailable(RuntimeError):
    """Redis is configured but cannot take the job; nothing was enqueued."""


def _path(function: Callable[..., Any]) -> str:
    return f"{function.__module__}:{function.__qualname__}"


def run_job(path: str, *args: Any, **kwargs: Any) -> Any:
    """The entry point on the worker (and inline): import the function and run it with a clean session."""
    module_name, name = path.split(":")
    function = getattr(importlib.import_module(module_name), name)
    try:
        return function(*args, **kwargs)
    except Exception:
        db.session.rollback()
        raise
    finally:
        db.session.remove()


def queue(app: Flask) -> Queue:
    connection = redis.Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=5)
    return Queue(QUEUE_NAME, connection=connection)


def check_queue(app: Flask) -> None:
    """Fail fast, before anything is written, when the configured Redis does not answer."""
    if app.config["REDIS_URL"]:
        try:
            queue(app).connection.ping()
        except redis.RedisError as error:
            raise JobsUnavailable(str(error)) from error


def _still_to_run(jobs: Queue, job_id: str) -> bool:
    try:
        job = Job.fetch(job_id, connection=jobs.connection)
    except NoSuchJobError:
        return False
    return job.get_status(refresh=False) in (JobStatus.QUEUED, JobStatus.STARTED, JobStatus.DEFERRED,
                                              JobStatus.SCHEDULED)


def enqueue(function: Callable[..., Any], *args: Any, job_id: str | None = None, retries: int = 0,
            **kwargs: Any) -> None:
    """Run ``function(*args, **kwargs)`` after the current transaction commits.

    ``job_id`` keys the job on RQ: while a job with that id waits or runs, enqueuing it again adds
    nothing. ``retries``: on RQ, run the job again up to that many times when it raises or its worker
    dies mid-job (a killed work horse at once; a killed worker once RQ finds the job abandoned).
    Jobs must still be idempotent themselves.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    path = _path(function)

    def start() -> None:
        if app.config["REDIS_URL"]:
            try:
                jobs = queue(app)
                if job_id is not None and _still_to_run(jobs, job_id):
                    return
                jobs.enqueue(run_job, path, *args, job_id=job_id, retry=Retry(max=retries) if retries else None,
                             **kwargs)
            except redis.RedisError:
                log.exception("job %s could not be enqueued", path)
            return
        # Inline: a fresh app context gives the job its own session, separate from the one committing now.
        with app.app_context():
            try:
                run_job(path, *args, **kwargs)
            except Exception:
                log.exception("inline job %s failed", path)

    after_commit(start)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty (for tests and cron).")
@with_appcontext
def worker_command(burst: bool) -> None:
    """Run an RQ worker for this app's jobs (needs REDIS_URL)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not app.config["REDIS_URL"]:
        raise click.ClickException("REDIS_URL is not set: without Redis, jobs run inline in the web process")
    jobs = queue(app)
    Worker([jobs], connection=jobs.connection).work(burst=burst, with_scheduler=False)

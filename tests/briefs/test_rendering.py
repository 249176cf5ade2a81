"""Rendering an issued version's PDFs: inline without Redis, on an RQ worker with it; failures, retries, crashes.

Whatever happens (a failed render, a job run twice, a worker killed mid-render) there is exactly one
version, one ready PDF per addressed organisation in the end, and one e-mail per addressee.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from rq import SimpleWorker
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry

from learning.audit import AuditEvent
from learning.briefs import rendering
from learning.briefs.models import BriefDelivery, BriefDocument, BriefVersion
from learning.db import db
from learning.jobs import queue
from tests.briefs.conftest import issue_version

REDIS_TEST_URL = "redis://127.0.0.1:6379/9"
PROJECT = Path(__file__).resolve().parents[2]


def documents(version_id: int) -> list[BriefDocument]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(BriefDocument).where(BriefDocument.version_id == version_id)
                                   .order_by(BriefDocument.organisation_name)))


def states(version_id: int) -> list[tuple[str, str]]:
    return [(document.organisation_name, document.status) for document in documents(version_id)]


def count(model) -> int:  # noqa: ANN001
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def assert_done_once(version_id: int, outbox, addressees: int = 3) -> None:  # noqa: ANN001
    """One version, every PDF ready with its bytes and hash, one delivery and one e-mail per addressee."""
    assert count(BriefVersion) == 1
    ready = documents(version_id)
    assert [document.status for document in ready] == ["ready", "ready"]
    assert all(document.pdf.startswith(b"%PDF") and document.sha256 and document.error == "" for document in ready)
    assert count(BriefDelivery) == addressees
    assert sorted(message["To"] for message in outbox.messages()) == [
        "bea@example.org", "ben@example.org", "gijs@example.org"][:addressees]


def test_issuing_creates_one_pending_pdf_per_board_rendered_after_the_commit(make_brief_setting, outbox):
    setting = make_brief_setting()
    version = issue_version(setting.brief, issuer=setting.issuer, approver=setting.approver, start=False)
    made = rendering.start_rendering(version)
    assert sorted((document.organisation_name, document.status) for document in made) == [
        ("GGZ Midden", "pending"), ("Gemeente Midden", "pending")]
    db.session.rollback()  # the issuing transaction fails after all: nothing rendered, nothing sent
    assert count(BriefDocument) == 0 and len(outbox) == 0

    made = rendering.start_rendering(db.session.get(BriefVersion, version.id))
    db.session.commit()  # inline (no REDIS_URL): rendered and delivered right after the commit
    assert_done_once(version.id, outbox)
    assert [document.attempts for document in documents(version.id)] == [1, 1]


def test_running_the_job_again_changes_nothing_and_sends_nothing(make_brief_setting, outbox):
    setting = make_brief_setting()
    version = issue_version(setting.brief, issuer=setting.issuer, approver=setting.approver)
    before = [(document.sha256, document.rendered_at) for document in documents(version.id)]
    rendering.render_version(version.id)
    rendering.render_version(version.id)
    assert [(document.sha256, document.rendered_at) for document in documents(version.id)] == before
    assert_done_once(version.id, outbox)


def test_a_document_left_claimed_by_a_dead_worker_is_rendered_by_the_next_run(make_brief_setting, outbox,
                                                                               monkeypatch):
    setting = make_brief_setting()
    version = issue_version(setting.brief, issuer=setting.issuer, approver=setting.approver, start=False)
    monkeypatch.setattr(rendering, "enqueue", lambda *args, **kwargs: None)  # the job is run by hand below
    rendering.start_rendering(version)
    db.session.commit()
    ggz, _gemeente = documents(version.id)
    # What a worker killed mid-render leaves: the first document claimed (its attempt counted), still pending.
    rendering._update_document(ggz.id, attempts=1)
    db.session.commit()
    assert states(version.id) == [("GGZ Midden", "pending"), ("Gemeente Midden", "pending")]
    assert count(BriefDelivery) == 0 and len(outbox) == 0

    rendering.render_version(version.id)  # the job again: claims the document anew and renders it
    assert [document.attempts for document in documents(version.id)] == [2, 1]
    assert_done_once(version.id, outbox)


def test_two_workers_on_one_document_write_it_once(make_brief_setting, outbox, monkeypatch):
    """The second worker renders too (a claim can't tell a dead worker from a slow one) but its write changes nothing."""
    setting = make_brief_setting()
    version = issue_version(setting.brief, issuer=setting.issuer, approver=setting.approver, start=False)
    rendering.start_rendering(version)
    real = rendering.render_document_pdf
    raced: list[int] = []

    def racing(snapshot, organisation_id):  # noqa: ANN001, ANN202
        data = real(snapshot, organisation_id)
        if not raced:  # meanwhile another worker finishes the same document
            raced.append(organisation_id)
            document_id = db.session.scalar(sa.select(BriefDocument.id).where(
                BriefDocument.version_id == version.id, BriefDocument.organisation_id == organisation_id))
            rendering._update_document(document_id, status="ready", pdf=data, size=len(data), sha256="other-worker")
            db.session.commit()
        return data

    monkeypatch.setattr(rendering, "render_document_pdf", racing)
    db.session.commit()
    first = documents(version.id)[0]
    assert first.sha256 == "other-worker"  # the first write stands
    assert_done_once(version.id, outbox)


def test_a_failed_render_says_why_and_a_retry_makes_it(make_brief_setting, outbox, monkeypatch, lead):
    setting = make_brief_setting()
    real = rendering.render_pdf

    def broken(html, *, identifier):  # noqa: ANN001, ANN202
        if "GGZ Midden" in html:
            raise RuntimeError("lettertype ontbreekt")
        return real(html, identifier=identifier)

    monkeypatch.setattr(rendering, "render_pdf", broken)
    version = issue_version(setting.brief, issuer=setting.issuer, approver=setting.approver)
    ggz, gemeente = documents(version.id)
    assert (ggz.status, ggz.error) == ("failed", "RuntimeError: lettertype ontbreekt")
    assert ggz.pdf is None and ggz.status_label == "PDF maken mislukt"
    assert gemeente.status == "ready"  # the others go on
    assert sorted(message["To"] for message in outbox.messages()) == ["bea@example.org", "ben@example.org"]

    monkeypatch.undo()
    rendering.retry_document(ggz, actor=lead)
    assert ggz.status == "pending" and ggz.error == ""
    db.session.commit()  # the job runs again after the commit
    assert_done_once(version.id, outbox)
    retried = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "brief.pdf_retried")).all()
    assert [(event.actor_id, event.object_id, event.details["organisation_id"]) for event in retried] == [
        (lead.id, setting.brief.id, setting.ggz.id)]

    rendering.retry_document(documents(version.id)[0], actor=lead)  # a ready PDF: nothing to do
    db.session.commit()
    assert len(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "brief.pdf_retried")).all()) == 1


def test_a_correction_is_a_new_version_beside_the_first(make_brief_setting, outbox):
    setting = make_brief_setting()
    first = issue_version(setting.brief, issuer=setting.issuer, approver=setting.approver)
    setting.brief.title = "Regie bij crisis in de keten (gecorrigeerd)"
    db.session.commit()
    second = issue_version(setting.brief, issuer=setting.issuer, approver=setting.approver,
                           change_note="De titel is verbeterd.")
    assert [version.number for version in db.session.scalars(sa.select(BriefVersion).order_by(BriefVersion.number))] \
        == [1, 2]
    assert [d.status for d in documents(first.id)] == [d.status for d in documents(second.id)] == ["ready", "ready"]
    assert {d.sha256 for d in documents(first.id)}.isdisjoint({d.sha256 for d in documents(second.id)})
    assert count(BriefDelivery) == 6 and len(outbox) == 6  # each addressee hears of each version once


# --- with Redis: an RQ worker renders -------------------------------------------------------------


def clear_jobs(connection: redis.Redis) -> None:
    for key in connection.scan_iter("rq:*"):
        connection.delete(key)


@pytest.fixture
def redis_app(app):  # noqa: ANN001, ANN201
    app.config["REDIS_URL"] = REDIS_TEST_URL
    connection = redis.Redis.from_url(REDIS_TEST_URL)
    # Test runs side by side (several checkouts, one Redis) take turns on this database: their job ids
    # (brief-version-1, …) are the same, and one run's worker must not take another run's job.
    with connection.lock("lmi-tests:briefs-rendering", timeout=600, blocking_timeout=600):
        clear_jobs(connection)
        try:
            yield app
        finally:
            clear_jobs(connection)


def test_with_redis_issuing_only_enqueues_and_a_worker_renders(redis_app, make_brief_setting, outbox):
    setting = make_brief_setting()
    version = issue_version(setting.brief, issuer=setting.issuer, approver=setting.approver)
    version_id = version.id
    assert states(version_id) == [("GGZ Midden", "pending"), ("Gemeente Midden", "pending")]
    assert len(outbox) == 0
    jobs = queue(redis_app)
    assert jobs.job_ids == [f"brief-version-{version_id}"]
    assert Job.fetch(jobs.job_ids[0], connection=jobs.connection).retries_left == rendering.JOB_RETRIES

    rendering.start_rendering(db.session.get(BriefVersion, version_id))  # again, while the job waits: still one
    db.session.commit()
    assert jobs.count == 1 and count(BriefDocument) == 2

    SimpleWorker([jobs], connection=jobs.connection).work(burst=True)  # its session is the test's: ended
    assert_done_once(version_id, outbox)


SLOW_WORKER = """
import os, sys, time
from pathlib import Path
from learning.briefs import rendering

marker = Path(os.environ["SLOW_RENDER_MARKER"])
real = rendering.render_document_pdf

def slow_once(snapshot, organisation_id):
    if not marker.exists():  # the first render only: tell the test who renders, then hang until killed
        marker.write_text(str(os.getpid()))
        time.sleep(120)
    return real(snapshot, organisation_id)

rendering.render_document_pdf = slow_once
from flask.cli import main
sys.argv = ["flask", "--app", "app", "worker", "--burst"]
main()
"""


def start_worker(app, tmp_path: Path) -> tuple[subprocess.Popen, Path]:  # noqa: ANN001
    """``flask worker --burst`` in a process of its own, on the test's database, Redis and outbox."""
    marker, log = tmp_path / "rendering.pid", tmp_path / "worker.log"
    env = {**os.environ, "LMI_ENV": "testing", "SECRET_KEY": app.config["SECRET_KEY"],
           "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "REDIS_URL": REDIS_TEST_URL,
           "MAIL_OUTBOX_DIR": app.config["MAIL_OUTBOX_DIR"], "PUBLIC_URL": app.config["PUBLIC_URL"],
           "INSTANCE_PATH": str(tmp_path / "instance"), "CHECK_DATABASE_ON_START": "no",
           "SLOW_RENDER_MARKER": str(marker), "LOG_LEVEL": "WARNING"}
    with log.open("wb") as output:
        process = subprocess.Popen([sys.executable, "-c", SLOW_WORKER], cwd=PROJECT, env=env, start_new_session=True,
                                   stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while not marker.exists() or not marker.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            raise AssertionError(f"the worker did not start rendering: {log.read_text()[-2000:]}")
        time.sleep(0.05)
    return process, marker


def worker_log(tmp_path: Path) -> str:
    return (tmp_path / "worker.log").read_text()[-3000:]


def test_a_killed_work_horse_is_retried_by_its_worker(redis_app, make_brief_setting, outbox, tmp_path):
    """SIGKILL on the process rendering the PDF (the OOM killer, say): RQ's retry renders it, once."""
    setting = make_brief_setting()
    version_id = issue_version(setting.brief, issuer=setting.issuer, approver=setting.approver).id
    db.session.commit()
    process, marker = start_worker(redis_app, tmp_path)
    os.kill(int(marker.read_text()), signal.SIGKILL)  # the work horse, mid-render
    assert process.wait(timeout=120) == 0, worker_log(tmp_path)  # its worker retried the job, then stopped
    assert "Work-horse terminated unexpectedly" in worker_log(tmp_path)
    assert [document.attempts for document in documents(version_id)] == [2, 1]
    assert_done_once(version_id, outbox)


def test_a_killed_worker_leaves_the_job_to_be_run_again_and_it_renders_once(redis_app, make_brief_setting, outbox,
                                                                            tmp_path):
    """SIGKILL on the whole ``flask worker`` mid-render: RQ finds the job abandoned and runs it again."""
    setting = make_brief_setting()
    version_id = issue_version(setting.brief, issuer=setting.issuer, approver=setting.approver).id
    db.session.commit()
    process, _marker = start_worker(redis_app, tmp_path)
    os.killpg(process.pid, signal.SIGKILL)  # the worker and its work horse
    process.wait(timeout=30)

    assert states(version_id) == [("GGZ Midden", "pending"), ("Gemeente Midden", "pending")]
    assert [document.attempts for document in documents(version_id)] == [1, 0]
    assert count(BriefDelivery) == 0 and len(outbox) == 0
    jobs = queue(redis_app)
    job_id = rendering.job_id(version_id)
    assert Job.fetch(job_id, connection=jobs.connection).get_status() == JobStatus.STARTED  # nobody runs it now

    # What the next worker's maintenance does once the dead worker's lease on the job has run out.
    StartedJobRegistry(queue=jobs).cleanup(timestamp=time.time() + 24 * 3600)
    assert jobs.job_ids == [job_id]
    SimpleWorker([jobs], connection=jobs.connection).work(burst=True)
    assert [document.attempts for document in documents(version_id)] == [2, 1]
    assert_done_once(version_id, outbox)

    rendering.render_version(version_id)  # and once more, for good measure: nothing new
    assert_done_once(version_id, outbox)

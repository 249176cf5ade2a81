"""Benchmarks (b) and (c) of the brief PDFs: the web next to a rendering worker, and issuing under concurrency.

(b) ``render-load``: the review page (the one the ``reviews`` scenario measures, over the same seeded
    database) loaded with wrk through the shared helper, gunicorn as the other scenarios start it, idle and while
    an RQ worker (``flask worker``, a subprocess with its own Redis database) renders brief PDFs continuously,
    in one run. A feeder thread in this process keeps the queue fed: whenever no render job waits, it approves
    and issues the next version of one of four seeded briefs (8 findings, the brief of part (a)) through the
    services, as the issue button does, so the worker never runs dry. Idle means the feeder paused and the
    queue run dry: the worker waits on Redis, as an idle production worker does, and renders nothing.
    Idle and rendering alternate, three rounds each (the machine's own noise and drift hit both alike); the
    report gives the medians of the rounds. Each measurement at ``--connections`` (16: saturating the server,
    as the reviews scenario loads it) and at two (no queue in front of gunicorn's workers: the latency is the
    page's own time, stretched by the CPU the worker takes). All of it twice: the worker at normal priority,
    then under ``nice -n 19``. Goal: the page's p99 while rendering <= 1.5 x idle.
    Honest about the machine: with 2 CPUs the worker competes with gunicorn for CPU (WeasyPrint keeps one CPU
    busy); production runs workers on nodes of their own, where this contention does not exist. ``nice`` is
    what a worker sharing a web node can be given.
(c) ``issue-load``: 20 briefs seeded through the services (8 findings each, addressed to a board, approved by
    a second reviewer); 20 issuers, each signed in (session cookie) with the brief page open (its CSRF token
    and content version), press "uitgeven" at the same moment over HTTP, then poll the status fragment
    (``briefs.documents_status``) at the page's htmx interval until the download link appears. One worker
    renders. Reported: the issue request's own latency (it only enqueues), request-to-PDF-ready (the PDF's
    ``rendered_at`` as the worker committed it) and request-to-link-seen (the poll that first shows it),
    p50/p95/max; and the render jobs' own durations on the worker. First, as the baseline, a 21st brief is
    issued by one issuer alone, with the worker idle.

Both use their own Redis database (``redis://127.0.0.1:6379/11``, or ``BENCH_REDIS_URL``); it must be empty
at the start and is emptied at the end.

    python -m tests.bench --scenario brief-load [--database postgres] [--seconds 10] [--connections 16]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.bench.briefs import FINDINGS, PATTERN, QUESTIONS, WHY
from tests.bench.live import percentile
from tests.bench.server import PROJECT, Result, database, gunicorn, prepare, session_cookie, wait_until_up, wrk

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
FLASK = Path(sys.executable).with_name("flask")
GOAL_P99_RATIO = 1.5
FEED_DEPTH = 1  # render jobs kept waiting while feeding, so the worker never runs dry
ROUNDS = 3  # idle and rendering alternate this many times per phase
FEED_BRIEFS = 4
ISSUERS = 20
POLL_SECONDS = 2.0  # templates/briefs/_documents_status.html: hx-trigger="every 2s"
NICE = 19
READY_TIMEOUT = 600.0
LIGHT_CONNECTIONS = 2  # the fewest the shared wrk helper allows (it runs two threads)
WRK_TIMEOUT = "30s"  # slow answers count in the latencies instead of vanishing as wrk's 2 s socket timeouts


# --- seeding ------------------------------------------------------------------------------------------


def seed_issuable_briefs(count: int, *, issuers: int, findings: int | None = None) -> dict[str, Any]:
    """``count`` briefs to one board, each with its own ``findings`` agreed findings, approved and ready to issue.

    Reviews, lessons and findings in bulk through the ORM (as seed.py does); the briefs through the services
    (``create_brief`` by their issuer, ``approve_brief`` by the second reviewer). Brief ``n`` belongs to issuer
    ``n % issuers``; every issuer co-reviews the source reviews, the approver leads them.
    """
    import sqlalchemy as sa

    from learning.admin.models import Organisation, Region, TaxonomyTerm
    from learning.auth.models import User, UserRole
    from learning.briefs import services
    from learning.db import db, utcnow
    from learning.findings.models import Finding, FindingLesson
    from learning.lessons.models import Lesson
    from learning.reviews.models import Review, ReviewMember
    findings = findings or FINDINGS
    now = utcnow()
    terms: dict[str, list[TaxonomyTerm]] = {}
    for term in db.session.scalars(sa.select(TaxonomyTerm).order_by(TaxonomyTerm.position)):
        terms.setdefault(term.vocabulary, []).append(term)
    by_code = {term.code: term for vocabulary in terms.values() for term in vocabulary}
    regions = [Region(name=f"Notitieregio {name}") for name in ("Midden", "Noord", "Zuid")]
    board = Organisation(name="Gemeente Notitiestad", agency_kind=by_code["gemeente"], region=regions[0])
    db.session.add_all([*regions, board])
    db.session.flush()

    def person(key: str, name: str, **extra: Any) -> dict[str, Any]:
        return {"email": f"brief-load-{key}@example.org", "display_name": name, "preferred_language": "nl",
                "active": True, "created_at": now, "session_token": f"brief-load-token-{key}",
                "password_hash": None, "mfa_enabled_at": now, "totp_secret": "F" * 32, **extra}

    rows = [person("approver", "Tweede Lezer"), *(person(f"issuer{n}", f"Uitgever {n}") for n in range(issuers)),
            *(person(f"owner{n}", f"Bestuurder {n}", organisation_id=board.id) for n in range(2))]
    ids = list(db.session.scalars(sa.insert(User).returning(User.id), rows))
    approver_id, issuer_ids, owner_ids = ids[0], ids[1:1 + issuers], ids[1 + issuers:]
    db.session.execute(sa.insert(UserRole), [
        *({"user_id": user_id, "role": "reviewer"} for user_id in [approver_id, *issuer_ids]),
        *({"user_id": user_id, "role": "policy_owner"} for user_id in owner_ids)])
    reviews = [Review(kind="casusreview", title=f"Bronreview {n}", learning_question="Wat leren we?",
                      region_id=regions[n % len(regions)].id, status="afronding", method_name="Leren met impact",
                      created_by_id=approver_id) for n in range(4)]
    db.session.add_all(reviews)
    db.session.flush()
    for n, review in enumerate(reviews):
        review.agency_kinds = terms["agency_kind"][n:n + 3]
    db.session.execute(sa.insert(ReviewMember), [
        {"review_id": review.id, "user_id": user_id, "role": "lead_reviewer" if user_id == approver_id else
         "co_reviewer", "is_case_holder": False, "joined_at": now}
        for review in reviews for user_id in [approver_id, *issuer_ids]])
    lesson_rows = [{"review_id": reviews[n % len(reviews)].id, "text": f"Leerpunt {n} over regie in de keten.",
                    "level_id": terms["level"][3].id, "status": "agreed", "agreed_at": now,
                    "created_by_id": approver_id, "created_at": now, "updated_at": now, "version": 1}
                   for n in range(count * findings * 3)]
    lesson_ids = list(db.session.scalars(sa.insert(Lesson).returning(Lesson.id), lesson_rows))
    finding_ids: list[list[int]] = []
    for b in range(count):
        mine = []
        for n in range(findings):
            number = b * findings + n
            finding = Finding(title=f"Bevinding {n + 1}: regie valt weg bij crisis", pattern=PATTERN,
                              finding_type=terms["finding_type"][n % len(terms["finding_type"])],
                              why_it_matters=WHY, board_questions=list(QUESTIONS), status="agreed",
                              created_by_id=approver_id, agreed_at=now)
            finding.lesson_links = [FindingLesson(lesson_id=lesson_id, position=position) for position, lesson_id
                                    in enumerate(lesson_ids[number * 3:number * 3 + 3])]
            finding.organisations = [board]
            db.session.add(finding)
            mine.append(finding)
        db.session.flush()
        finding_ids.append([finding.id for finding in mine])
    db.session.commit()

    approver = db.session.get(User, approver_id)
    brief_ids, brief_issuers = [], []
    for b in range(count):
        issuer = db.session.get(User, issuer_ids[b % issuers])
        brief = services.create_brief(services.BriefInput(
            title=f"Regie en overdracht in de jeugdbescherming ({b + 1})",
            introduction="Deze notitie bundelt de bevindingen uit vier casusreviews.\n\n" + WHY, context=PATTERN,
            response_deadline=now.date() + timedelta(weeks=8), language="nl", finding_ids=finding_ids[b],
            addressee_ids=owner_ids), actor=issuer)
        services.approve_brief(brief, expected_content_version=brief.content_version, actor=approver)
        brief_ids.append(brief.id)
        brief_issuers.append(issuer.id)
    db.session.commit()
    return {"brief_ids": brief_ids, "brief_issuers": brief_issuers, "approver_id": approver_id,
            "issuer_tokens": {user_id: f"brief-load-token-issuer{n}" for n, user_id in enumerate(issuer_ids)}}


# --- Redis and the worker -------------------------------------------------------------------------------


@contextmanager
def spare_redis():  # noqa: ANN201
    """The benchmark's own Redis database: refused when it holds anything, emptied afterwards."""
    import redis

    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.RedisError as error:
        raise SystemExit(f"Redis at {REDIS_URL} does not answer ({error}); set BENCH_REDIS_URL") from error
    if connection.dbsize():
        raise SystemExit(f"Redis database {REDIS_URL} is not empty: another process may be using it; "
                         f"point BENCH_REDIS_URL at an empty one")
    try:
        yield REDIS_URL
    finally:
        connection.flushdb()
        connection.close()


@contextmanager
def rq_worker(env: dict[str, str], log: Path, *, nice: int = 0):  # noqa: ANN201
    """``flask worker`` in a subprocess (optionally under ``nice``); stopped with SIGTERM (a warm shutdown)."""
    import redis
    from rq import Worker

    command = [str(FLASK), "worker"]
    if nice:
        command = ["nice", "-n", str(nice), *command]
    with log.open("ab") as output:
        process = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=output, stderr=subprocess.STDOUT)
    connection = redis.Redis.from_url(env["REDIS_URL"])
    try:
        deadline = time.monotonic() + 60
        while not any(worker.pid == process.pid for worker in Worker.all(connection=connection)):
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the RQ worker did not start; its log:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        connection.close()


def rendered_between(start: datetime, end: datetime) -> int:
    """PDFs the worker finished in this window (by their ``rendered_at``)."""
    import sqlalchemy as sa

    from learning.briefs.models import BriefDocument
    from learning.db import db

    try:
        return db.session.scalar(sa.select(sa.func.count()).select_from(BriefDocument).where(
            BriefDocument.rendered_at >= start, BriefDocument.rendered_at < end))
    finally:
        db.session.remove()


def document_states() -> tuple[dict[str, int], list[str]]:
    """How many PDFs are in each state, and the distinct reasons of the failed ones."""
    import sqlalchemy as sa

    from learning.briefs.models import BriefDocument
    from learning.db import db

    try:
        counts = dict(db.session.execute(sa.select(BriefDocument.status, sa.func.count())
                                         .group_by(BriefDocument.status)).all())
        errors = list(db.session.scalars(sa.select(BriefDocument.error).distinct()
                                         .where(BriefDocument.status == "failed")))
        return counts, errors
    finally:
        db.session.remove()


def job_durations_ms(redis_url: str, start: datetime, end: datetime | None = None) -> list[float]:
    """How long each render job that finished in this window ran on the worker (RQ's started_at → ended_at)."""
    import redis
    from rq import Queue
    from rq.job import Job
    from rq.registry import FinishedJobRegistry

    from learning.jobs import QUEUE_NAME

    def aware(moment: datetime) -> datetime:
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment

    end = end or datetime.now(UTC)
    connection = redis.Redis.from_url(redis_url)
    try:
        registry = FinishedJobRegistry(queue=Queue(QUEUE_NAME, connection=connection))
        return [(job.ended_at - job.started_at).total_seconds() * 1000
                for job in Job.fetch_many(registry.get_job_ids(), connection=connection)
                if job is not None and job.started_at and job.ended_at and start <= aware(job.ended_at) < end]
    finally:
        connection.close()


# --- (b) the review page while a worker renders --------------------------------------------------------


class Feeder(threading.Thread):
    """While feeding, keeps ``FEED_DEPTH`` render jobs waiting: approves and issues the next version of a seeded
    brief whenever fewer wait, through the services and a commit, as the issue button does (the job is enqueued
    after the commit). Paused, it issues nothing and the worker runs the queue dry."""

    def __init__(self, app: Any, seeded: dict[str, Any]) -> None:
        super().__init__(daemon=True)
        self.app, self.seeded = app, seeded
        self.stopping = threading.Event()
        self.feeding = threading.Event()
        self.issued = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        from learning import jobs
        from learning.auth.models import User
        from learning.briefs import services
        from learning.briefs.models import Brief
        from learning.db import db

        with self.app.app_context():
            queue = jobs.queue(self.app)
            try:
                while not self.stopping.is_set():
                    if not self.feeding.is_set() or queue.count >= FEED_DEPTH:
                        self.stopping.wait(0.05)
                        continue
                    index = self.issued % len(self.seeded["brief_ids"])
                    brief = db.session.get(Brief, self.seeded["brief_ids"][index])
                    approver = db.session.get(User, self.seeded["approver_id"])
                    issuer = db.session.get(User, self.seeded["brief_issuers"][index])
                    if not brief.approval_is_current:
                        services.approve_brief(brief, expected_content_version=brief.content_version, actor=approver)
                    services.issue_brief(brief, change_note=f"Benchmarkversie {brief.latest_version_number + 1}.",
                                         expected_content_version=brief.content_version, actor=issuer)
                    db.session.commit()
                    self.issued += 1
            except BaseException as error:  # reported by the scenario, which then stops
                self.error = error
                db.session.rollback()
            finally:
                db.session.remove()

    def check(self) -> None:
        if self.error is not None:
            raise SystemExit(f"the feeder failed: {self.error!r}") from self.error

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=60)


def _until(condition: Any, what: str, feeder: Feeder, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        feeder.check()
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up waiting: {what}")
        time.sleep(0.1)


def _running_jobs(redis_url: str) -> tuple[int, int]:
    """(jobs waiting, jobs running) on the app's queue."""
    import redis
    from rq import Queue
    from rq.registry import StartedJobRegistry

    from learning.jobs import QUEUE_NAME

    connection = redis.Redis.from_url(redis_url)
    try:
        queue = Queue(QUEUE_NAME, connection=connection)
        return queue.count, StartedJobRegistry(queue=queue).count
    finally:
        connection.close()


@dataclass
class LoadRow:
    result: Result
    condition: str
    rendered: int = 0
    window_s: float = 0.0
    job_ms: list[float] = field(default_factory=list)
    load_average: float = 0.0
    connections: int = 0
    phase: str = ""


def _measured(condition: str, phase: str, port: int, path: str, cookie: str, args: argparse.Namespace,
              redis_url: str) -> list[LoadRow]:
    """The page under ``args.connections`` (saturating the server, as the reviews scenario loads it), then under
    ``LIGHT_CONNECTIONS`` (two requests at a time: no queue in front of gunicorn's workers)."""
    rows = []
    for connections in dict.fromkeys((args.connections, LIGHT_CONNECTIONS)):
        started, clock, load_average = datetime.now(UTC), time.monotonic(), os.getloadavg()[0]
        result = wrk("review page", port, [path], cookie=cookie, seconds=args.seconds, connections=connections,
                     timeout=WRK_TIMEOUT)
        window, ended = time.monotonic() - clock, datetime.now(UTC)
        rows.append(LoadRow(result, condition, rendered_between(started, ended), window,
                            job_durations_ms(redis_url, started, ended), load_average, connections, phase))
    return rows


def run_render_load(args: argparse.Namespace) -> list[LoadRow]:
    """Per phase (the worker at normal priority, then under ``nice``), ``ROUNDS`` times: the page idle (the
    feeder paused, the queue run dry, the worker waiting), then the page while the worker renders."""
    from tests.bench.seed import seed_reviews

    def seed() -> dict[str, Any]:
        reviews = seed_reviews(reviews=args.reviews, members_per_review=20, episodes_per_review=30)
        return {**reviews, **seed_issuable_briefs(FEED_BRIEFS, issuers=1)}

    work = Path(tempfile.mkdtemp(prefix="lmi-bench-render-load-"))
    try:
        with spare_redis() as redis_url, database(args.database, work) as url:
            env, app, ids = prepare(url, work, seed)
            env = {**env, "REDIS_URL": redis_url}  # as in production: the web nodes know the queue too
            app.config["REDIS_URL"] = redis_url  # the feeder's issues enqueue on RQ, not inline
            cookie = session_cookie(app, ids["lead_id"], ids["lead_token"])
            path = f"/reviews/{ids['review_id']}"
            log = work / "worker.log"
            rows: list[LoadRow] = []
            with gunicorn("app:app", env, args.workers, PROJECT) as port, app.app_context():
                wait_until_up(f"http://127.0.0.1:{port}/healthz")
                feeder = Feeder(app, ids)
                feeder.start()
                try:
                    for nice in (0, NICE):
                        phase = f"worker at nice {nice}"
                        with rq_worker(env, log, nice=nice):
                            for _round in range(ROUNDS):
                                feeder.feeding.clear()
                                _until(lambda: _running_jobs(redis_url) == (0, 0), "the queue to run dry", feeder)
                                rows += _measured("idle (worker waiting)", phase, port, path, cookie, args,
                                                  redis_url)
                                feeder.feeding.set()
                                _until(lambda: _running_jobs(redis_url)[1] > 0, "the worker to render", feeder)
                                rows += _measured("worker rendering PDFs", phase, port, path, cookie, args,
                                                  redis_url)
                                feeder.check()
                            feeder.feeding.clear()
                finally:
                    feeder.stop()
                states, errors = document_states()
            print(f"the feeder issued {feeder.issued} versions; their PDFs: {states}", flush=True)
            if errors:
                print(f"failed PDFs: {errors}; the worker's log ends with:\n{log.read_text()[-3000:]}", flush=True)
            return rows
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report_render_load(rows: list[LoadRow], args: argparse.Namespace) -> None:
    print(f"\nReview page while a worker renders brief PDFs: {args.database}, gunicorn -w {args.workers} (sync), "
          f"wrk -d{args.seconds}s, {os.cpu_count()} CPUs (load average {rows[0].load_average:.1f} at the start), "
          f"{args.reviews} reviews × 20 members × 30 episodes; one `flask worker` fed {FEED_DEPTH} job ahead "
          f"(PDFs of {FINDINGS} findings); idle and rendering alternate, {ROUNDS} rounds each: medians of the "
          f"rounds, p99 range in brackets\n")
    print(f"{'phase':17} {'condition':22} {'wrk -c':>6} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'p99 range ms':>14} "
          f"{'errors':>6} {'PDFs/min':>8} {'job ms':>7} {'load':>5}")
    groups: dict[tuple[str, int, str], list[LoadRow]] = {}
    for row in rows:
        groups.setdefault((row.phase, row.connections, row.condition), []).append(row)
    medians: dict[tuple[str, int, str], tuple[float, float]] = {}
    for (phase, connections, condition), group in groups.items():
        p50 = statistics.median(row.result.p50_ms for row in group)
        p99s = [row.result.p99_ms for row in group]
        p99 = statistics.median(p99s)
        medians[(phase, connections, condition)] = (p50, p99)
        rate = statistics.median(row.result.requests_per_second for row in group)
        per_minute = statistics.median(row.rendered / row.window_s * 60 for row in group)
        jobs = [ms for row in group for ms in row.job_ms]
        job = f"{statistics.median(jobs):7.0f}" if jobs else f"{'—':>7}"
        spread = f"[{min(p99s):.0f}–{max(p99s):.0f}]"
        load = statistics.median(row.load_average for row in group)
        print(f"{phase:17} {condition:22} {connections:6d} {rate:7.1f} {p50:7.1f} {p99:7.1f} {spread:>14} "
              f"{sum(row.result.errors for row in group):6d} {per_minute:8.1f} {job} {load:5.1f}")
    print("(PDFs/min: PDFs the worker finished during a wrk run, warm-up included; job ms: median RQ job time; "
          "load: the machine's 1-minute load average as each wrk run began, this benchmark's own processes included)\n")
    for (phase, connections, condition), (p50, p99) in medians.items():
        if condition == "idle (worker waiting)":
            continue
        idle_p50, idle_p99 = medians[(phase, connections, "idle (worker waiting)")]
        paired = [busy.result.p99_ms / idle.result.p99_ms for idle, busy in zip(
            groups[(phase, connections, "idle (worker waiting)")], groups[(phase, connections, condition)],
            strict=True)]
        ratio = p99 / idle_p99
        print(f"goal: p99 rendering <= {GOAL_P99_RATIO} × idle, {phase}, wrk -c{connections}: {ratio:.2f} "
              f"{'met' if ratio <= GOAL_P99_RATIO else 'NOT met'} (per round {', '.join(f'{r:.2f}' for r in paired)};"
              f" p50 {p50 / idle_p50:.2f} × idle)")


# --- (c) 20 issuers at once, one worker ----------------------------------------------------------------


ISSUE_FORM = re.compile(r'<form[^>]*action="(/briefs/\d+/issue)"[^>]*>(.*?)</form>', re.S)
HIDDEN = re.compile(r'<input[^>]*name="(csrf_token|version)"[^>]*value="([^"]*)"')
DOWNLOAD = re.compile(r'href="/briefs/\d+/documents/\d+/pdf"')
RETRY = re.compile(r'action="/briefs/\d+/documents/\d+/retry"')


def _request(port: int, method: str, path: str, *, cookie: str, body: str | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, list[str], str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    sent = {"Host": f"127.0.0.1:{port}", "Cookie": cookie, **(headers or {})}
    if body is not None:
        sent["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        cookies = [value.split(";", 1)[0] for name, value in response.getheaders() if name.lower() == "set-cookie"]
        return response.status, cookies, text
    finally:
        connection.close()


@dataclass
class Issuer:
    brief_id: int
    cookie: str
    fields: dict[str, str]
    issue_ms: float = 0.0
    status: int = 0
    posted_at: datetime | None = None
    seen_ms: float | None = None
    polls: int = 0
    failed: str = ""


def open_brief_page(port: int, brief_id: int, cookie: str) -> Issuer:
    """The issuer opens the brief page: the issue form's CSRF token and content version, and the session cookie
    holding the token (as a browser would have them before pressing the button)."""
    status, cookies, html = _request(port, "GET", f"/briefs/{brief_id}", cookie=cookie)
    form = ISSUE_FORM.search(html)
    if status != 200 or form is None:
        raise SystemExit(f"GET /briefs/{brief_id} answered {status} without an issue form")
    fields = dict(HIDDEN.findall(form.group(2)))
    return Issuer(brief_id, "; ".join(cookies) or cookie, {**fields, "change_note": ""})


def issue_and_wait(port: int, issuer: Issuer, start: threading.Barrier) -> None:
    from urllib.parse import urlencode

    start.wait()
    issuer.posted_at = datetime.now(UTC)
    clock = time.perf_counter()
    try:
        issuer.status, cookies, _body = _request(port, "POST", f"/briefs/{issuer.brief_id}/issue",
                                                 cookie=issuer.cookie, body=urlencode(issuer.fields))
    except OSError as error:
        issuer.failed = f"issue: {error}"
        return
    issuer.issue_ms = (time.perf_counter() - clock) * 1000
    if issuer.status != 302:
        issuer.failed = f"issue answered {issuer.status}"
        return
    cookie = "; ".join(cookies) or issuer.cookie
    while time.perf_counter() - clock < READY_TIMEOUT:
        time.sleep(POLL_SECONDS)
        status, _cookies, html = _request(port, "GET", f"/briefs/{issuer.brief_id}/documents", cookie=cookie,
                                          headers={"HX-Request": "true"})
        issuer.polls += 1
        if status != 200:
            issuer.failed = f"status fragment answered {status}"
            return
        if DOWNLOAD.search(html):
            issuer.seen_ms = (time.perf_counter() - clock) * 1000
            return
        if RETRY.search(html):
            issuer.failed = "the PDF failed"
            return
    issuer.failed = "no PDF within the time limit"


@dataclass
class IssueLoad:
    lone: Issuer
    lone_ready_ms: float | None
    lone_job_ms: list[float]
    issuers: list[Issuer]
    ready_ms: list[float]
    job_ms: list[float]
    versions: int
    ready: int
    pages: int
    wall_s: float
    load_average: float


def _ready_ms(issuers: list[Issuer]) -> dict[int, float]:
    """Per brief: from its issue request to the moment the worker committed its ready PDF (``rendered_at``)."""
    import sqlalchemy as sa

    from learning.briefs.models import BriefDocument, BriefVersion
    from learning.db import db

    posted = {issuer.brief_id: issuer.posted_at for issuer in issuers if issuer.posted_at}
    rows = db.session.execute(
        sa.select(BriefVersion.brief_id, BriefDocument.rendered_at)
        .join(BriefDocument, BriefDocument.version_id == BriefVersion.id)
        .where(BriefDocument.status == "ready", BriefVersion.brief_id.in_(list(posted)))).all()
    return {brief_id: ((rendered if rendered.tzinfo else rendered.replace(tzinfo=UTC)) - posted[brief_id])
            .total_seconds() * 1000 for brief_id, rendered in rows}


def run_issue_load(args: argparse.Namespace) -> IssueLoad:
    """One issuer alone first (the baseline: an idle worker), then ``ISSUERS`` at the same moment."""
    import io

    import sqlalchemy as sa
    from pypdf import PdfReader

    from learning.briefs.models import BriefDocument, BriefVersion
    from learning.db import db

    work = Path(tempfile.mkdtemp(prefix="lmi-bench-issue-load-"))
    try:
        with spare_redis() as redis_url, database(args.database, work) as url:
            env, app, seeded = prepare(url, work, lambda: seed_issuable_briefs(ISSUERS + 1, issuers=ISSUERS))
            env = {**env, "REDIS_URL": redis_url}
            with gunicorn("app:app", env, args.workers, PROJECT) as port, \
                    rq_worker(env, work / "worker.log"):
                wait_until_up(f"http://127.0.0.1:{port}/healthz")
                pages = [open_brief_page(port, brief_id, session_cookie(
                    app, user_id, seeded["issuer_tokens"][user_id]))
                    for brief_id, user_id in zip(seeded["brief_ids"], seeded["brief_issuers"], strict=True)]
                lone, issuers = pages[-1], pages[:-1]
                load_average = os.getloadavg()[0]
                issue_and_wait(port, lone, threading.Barrier(1))
                lone_job_ms = job_durations_ms(redis_url, lone.posted_at)
                time.sleep(POLL_SECONDS)  # the lone job's e-mails are sent too before the crowd comes
                start = threading.Barrier(len(issuers))
                threads = [threading.Thread(target=issue_and_wait, args=(port, issuer, start)) for issuer in issuers]
                clock = time.monotonic()
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                wall = time.monotonic() - clock
                since = min(issuer.posted_at for issuer in issuers if issuer.posted_at)
                job_ms = job_durations_ms(redis_url, since)
            with app.app_context():
                lone_ready = _ready_ms([lone]).get(lone.brief_id)
                ready_ms = list(_ready_ms(issuers).values())
                versions = db.session.scalar(sa.select(sa.func.count()).select_from(BriefVersion))
                one = db.session.scalar(sa.select(BriefDocument.pdf).where(BriefDocument.status == "ready").limit(1))
                page_count = len(PdfReader(io.BytesIO(one)).pages) if one else 0
                db.session.remove()
            return IssueLoad(lone, lone_ready, lone_job_ms, issuers, ready_ms, job_ms, versions, len(ready_ms),
                             page_count, wall, load_average)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _spread(values: list[float]) -> str:
    if not values:
        return f"{'—':>8} {'—':>8} {'—':>8}"
    return f"{statistics.median(values):8.0f} {percentile(values, 0.95):8.0f} {max(values):8.0f}"


def report_issue_load(load: IssueLoad, args: argparse.Namespace) -> None:
    issued = [issuer for issuer in load.issuers if issuer.status == 302]
    failed = [issuer for issuer in [load.lone, *load.issuers] if issuer.failed]
    seen = [issuer.seen_ms for issuer in load.issuers if issuer.seen_ms is not None]
    print(f"\nIssuing briefs, one worker: {args.database}, gunicorn -w {args.workers} (sync), {os.cpu_count()} CPUs "
          f"(load average {load.load_average:.1f} at the start); one PDF per brief ({FINDINGS} findings, "
          f"{load.pages} pages); the status fragment polled every {POLL_SECONDS:.0f} s as the page's htmx does\n")
    print(f"{'':46} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    print(f"{'one issuer alone: issue request (POST → 302)':46} {_spread([load.lone.issue_ms])}")
    print(f"{'one issuer alone: request → PDF ready':46} {_spread([load.lone_ready_ms] if load.lone_ready_ms else [])}")
    print(f"{'one issuer alone: render job on the worker':46} {_spread(load.lone_job_ms)}")
    print(f"{f'{len(load.issuers)} at once: issue request (POST → 302)':46} "
          f"{_spread([issuer.issue_ms for issuer in issued])}")
    print(f"{f'{len(load.issuers)} at once: request → PDF ready':46} {_spread(load.ready_ms)}")
    print(f"{f'{len(load.issuers)} at once: request → link seen by a poll':46} {_spread(seen)}")
    print(f"{f'{len(load.issuers)} at once: render job on the worker':46} {_spread(load.job_ms)}")
    reasons = "; ".join(sorted({issuer.failed for issuer in failed}))
    print(f"\n{len(issued)} of {len(load.issuers)} issue requests accepted at once, {load.versions} versions in all, "
          f"{load.ready} PDFs ready in {load.wall_s:.1f} s ({load.ready / load.wall_s * 60:.1f} PDFs/min for one "
          f"worker), {len(failed)} failed{': ' + reasons if failed else ''}")
    print("(request → PDF ready: from sending the POST to the worker's commit of the ready PDF; link seen: to the "
          "first status poll showing the download link)")


# --- both ----------------------------------------------------------------------------------------------


def run_brief_load(args: argparse.Namespace) -> dict[str, Any]:
    return {"render_load": run_render_load(args), "issue_load": run_issue_load(args)}


def report_brief_load(results: dict[str, Any], args: argparse.Namespace) -> None:
    report_render_load(results["render_load"], args)
    report_issue_load(results["issue_load"], args)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.brief_load", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--part", choices=("both", "render-load", "issue-load"), default="both")
    parser.add_argument("--reviews", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    if args.part in ("both", "render-load"):
        report_render_load(run_render_load(args), args)
    if args.part in ("both", "issue-load"):
        report_issue_load(run_issue_load(args), args)


if __name__ == "__main__":
    main()

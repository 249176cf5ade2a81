"""Load benchmark for a Meet-Up: answers posted through the public event-code form.

Seeds one vragenronde (4 questions, one event code) in a throw-away database, serves the app with
gunicorn (``-w 2``, sync workers, LMI_ENV=production) and posts answers concurrently for a while from
a small threaded client. Each simulated device fetches the form once (session cookie, device cookie,
CSRF token) and then posts a few times, staying under the per-device limit; devices are spread over
many loopback addresses so that the per-address limit is not the bottleneck either. Afterwards the
answers in the database are counted: "lost" are answers the server accepted (303 to the thank-you
page) that are not stored.

    python -m tests.bench.answers [--database postgres] [--seconds 10] [--connections 16]
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import re
import shutil
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from tests.bench.server import PROJECT, Result, database, gunicorn, prepare, wait_until_up

WORKERS = 2
POSTS_PER_DEVICE = 9  # the per-device limit is 10 per hour
ADDRESSES = [f"127.0.{block}.{host}" for block in (1, 2) for host in range(1, 101)]
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


@dataclass
class AnswersResult(Result):
    """A :class:`Result` with what this scenario is about: answers accepted and answers lost."""

    answers_per_second: float = 0.0
    posts_accepted: int = 0
    answers_accepted: int = 0
    answers_stored: int = 0
    lost: int = 0


@dataclass
class Device:
    address: str
    cookie: str
    token: str
    posts: int = 0


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    accepted_posts: int = 0
    accepted_answers: int = 0
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def seed_vragenronde() -> dict[str, object]:
    """A reviewer, one vragenronde with four questions and an event code valid for the day."""
    import sqlalchemy as sa

    from learning.admin.models import Region
    from learning.auth.models import User, UserRole
    from learning.db import db, utcnow
    from learning.reflections import vragenronde
    from learning.reviews.models import Review, ReviewMember

    now = utcnow()
    region = Region(name="Regio Bench")
    lead = User(email="bench-lead@example.org", display_name="Bench Reviewer", preferred_language="nl", active=True,
                created_at=now, session_token="bench-token-lead", mfa_enabled_at=now, totp_secret="B" * 32)
    db.session.add_all([region, lead])
    db.session.flush()
    db.session.execute(sa.insert(UserRole), [{"user_id": lead.id, "role": "reviewer"}])
    review = Review(kind="vragenronde", title="Meet-Up benchmark", learning_question="Wat helpt jou?",
                    region_id=region.id, method_name="Vragenronde", status="bijeenkomst")
    db.session.add(review)
    db.session.flush()
    db.session.add(ReviewMember(review_id=review.id, user_id=lead.id, role="lead_reviewer"))
    for text in ("Welke eerste stappen zet jij?", "Welke ondersteuning wil je?", "Wat is het meest ingewikkeld?",
                 "Wat zou jou helpen?"):
        vragenronde.add_question(review, text, actor=lead)
    code = vragenronde.create_event_code(review, hours=24, actor=lead)
    db.session.commit()
    return {"review_id": review.id, "code": code.code,
            "question_ids": [question.id for question in vragenronde.questions(review)]}


def count_answers(url: str, review_id: int) -> int:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text("SELECT COUNT(*) FROM answers WHERE review_id = :id"),
                                      {"id": review_id}).scalar_one()
    finally:
        engine.dispose()


def _request(port: int, address: str, method: str, path: str, *, body: str | None = None,
             cookie: str | None = None) -> tuple[int, dict[str, list[str]], str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(address, 0))
    headers = {"Host": f"127.0.0.1:{port}"}
    if cookie:
        headers["Cookie"] = cookie
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        received: dict[str, list[str]] = {}
        for name, value in response.getheaders():
            received.setdefault(name.lower(), []).append(value)
        return response.status, received, text
    finally:
        connection.close()


def new_device(port: int, code: str, address: str) -> Device:
    """Open the answer form once, as a phone at the Meet-Up would: cookies and the form's CSRF token."""
    status, headers, html = _request(port, address, "GET", f"/v/{code}")
    if status != 200:
        raise SystemExit(f"GET /v/{code} answered {status}")
    cookies = "; ".join(value.split(";", 1)[0] for value in headers.get("set-cookie", []))
    match = CSRF.search(html)
    if match is None:
        raise SystemExit("no CSRF token in the answer form")
    return Device(address=address, cookie=cookies, token=match.group(1) or match.group(2))


def load(port: int, ids: dict[str, object], devices: list[Device], *, seconds: float, connections: int) -> Tally:
    tally = Tally()
    pool = itertools.cycle(devices)
    pool_lock = threading.Lock()
    code, question_ids = ids["code"], ids["question_ids"]
    deadline = time.monotonic() + seconds
    serial = itertools.count()

    def next_device() -> Device | None:
        with pool_lock:
            for _ in range(len(devices)):
                device = next(pool)
                if device.posts < POSTS_PER_DEVICE:
                    device.posts += 1
                    return device
        return None

    def worker() -> None:
        while time.monotonic() < deadline:
            device = next_device()
            if device is None:
                return  # every device has used its posts: more devices are needed for a longer run
            number = next(serial)
            fields = {"csrf_token": device.token}
            fields.update({f"answer_{question_id}": f"Antwoord {number}-{index} vanaf de Meet-Up"
                           for index, question_id in enumerate(question_ids)})
            started = time.perf_counter()
            try:
                status, headers, _body = _request(port, device.address, "POST", f"/v/{code}",
                                                  body=urlencode(fields), cookie=device.cookie)
            except OSError:
                status, headers = 0, {}
            elapsed = (time.perf_counter() - started) * 1000
            accepted = status == 303 and headers.get("location", [""])[0].endswith("/bedankt")
            with tally.lock:
                tally.latencies_ms.append(elapsed)
                tally.statuses[status] = tally.statuses.get(status, 0) + 1
                if accepted:
                    tally.accepted_posts += 1
                    tally.accepted_answers += len(question_ids)
                else:
                    tally.errors += 1

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally


def _percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def run_answers(args: argparse.Namespace) -> list[AnswersResult]:
    seconds = float(getattr(args, "seconds", 10))
    connections = int(getattr(args, "connections", 16))
    device_count = int(getattr(args, "devices", 0) or 1200)
    work = Path(tempfile.mkdtemp(prefix="lmi-bench-answers-"))
    try:
        with database(getattr(args, "database", "sqlite"), work) as url:
            env, _app, ids = prepare(url, work, seed_vragenronde)
            with gunicorn("app:app", env, WORKERS, PROJECT) as port:
                wait_until_up(f"http://127.0.0.1:{port}/healthz")
                started = time.monotonic()
                with ThreadPoolExecutor(max_workers=connections) as executor:
                    devices = list(executor.map(
                        lambda n: new_device(port, ids["code"], ADDRESSES[n % len(ADDRESSES)]), range(device_count)))
                print(f"{len(devices)} devices opened the form in {time.monotonic() - started:.1f}s", flush=True)
                began = time.monotonic()
                tally = load(port, ids, devices, seconds=seconds, connections=connections)
                elapsed = time.monotonic() - began
            stored = count_answers(url, ids["review_id"])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result = AnswersResult(
        name="answers via event code", path=f"v/{ids['code']}", requests_per_second=tally.accepted_posts / elapsed,
        p50_ms=statistics.median(tally.latencies_ms) if tally.latencies_ms else 0.0,
        p99_ms=_percentile(tally.latencies_ms, 0.99), errors=tally.errors,
        answers_per_second=tally.accepted_answers / elapsed, posts_accepted=tally.accepted_posts,
        answers_accepted=tally.accepted_answers, answers_stored=stored,
        lost=max(0, tally.accepted_answers - stored),
    )
    if tally.errors:
        print(f"non-accepted responses by status: {dict(sorted(tally.statuses.items()))}", flush=True)
    if sum(device.posts for device in devices) >= len(devices) * POSTS_PER_DEVICE:
        print("warning: every device used all its posts; run with more --devices", flush=True)
    return [result]


def report_answers(results: list[AnswersResult], args: argparse.Namespace) -> None:
    database_name = getattr(args, "database", "sqlite")
    print(f"\nLeren met Impact answers benchmark: {database_name}, gunicorn -w {WORKERS} (sync), "
          f"{getattr(args, 'connections', 16)} client threads, {getattr(args, 'seconds', 10)}s, "
          f"{os.cpu_count()} CPUs\n")
    print(f"{'scenario':26} {'posts/s':>8} {'answers/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} "
          f"{'accepted':>9} {'stored':>7} {'lost':>5}")
    for result in results:
        print(f"{result.name:26} {result.requests_per_second:8.1f} {result.answers_per_second:10.1f} "
              f"{result.p50_ms:8.1f} {result.p99_ms:8.1f} {result.errors:7d} {result.answers_accepted:9d} "
              f"{result.answers_stored:7d} {result.lost:5d}")
    result = results[0]
    met = result.answers_per_second >= 200 and result.lost == 0
    print(f"\ngoal: >= 200 answers/s with none lost: {result.answers_per_second:.1f} answers/s, {result.lost} lost: "
          f"{'met' if met else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.answers", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--connections", type=int, default=16, help="concurrent client threads")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--devices", type=int, default=1200, help="simulated phones (each posts at most 9 times)")
    args = parser.parse_args()
    report_answers(run_answers(args), args)


if __name__ == "__main__":
    main()

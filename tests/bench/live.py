"""Benchmark (a): N participants follow a live meeting by polling as the live view does; the facilitator
changes phase every few seconds. Reports the latency of the polls, how many were 304s, and the
time from a phase change until the last participant has seen it.

The load client is asyncio with one keep-alive connection per participant, so 200 participants
cost the client little CPU and the figures describe the server.
"""

from __future__ import annotations

import asyncio
import random
import secrets
import statistics
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from itsdangerous import URLSafeTimedSerializer

from learning.reflections.live_views import POLL_SECONDS


@dataclass
class LiveResult:
    participants: int
    polls: int
    not_modified: int
    errors: int
    p50_ms: float
    p99_ms: float
    propagation_p95_ms: float
    propagation_max_ms: float
    changes: int


@dataclass
class Shared:
    changed_at: dict[str, float] = field(default_factory=dict)  # etag of a new state -> when it was made
    seen: dict[str, list[float]] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    polls: int = 0
    not_modified: int = 0
    errors: int = 0


async def _request(reader, writer, raw: bytes) -> tuple[int, dict[str, str], bytes]:  # noqa: ANN001
    writer.write(raw)
    await writer.drain()
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("closed by the server")
    status = int(status_line.split()[1])
    headers: dict[str, str] = {}
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    body = await reader.readexactly(length) if length else b""
    return status, headers, body


async def _fetch(port: int, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    """One request on a fresh connection: gunicorn's sync workers close every connection after a response."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        return await _request(reader, writer, raw)
    finally:
        writer.close()


async def participant(port: int, path: str, cookie: str, stop: float, shared: Shared) -> None:
    etag = ""
    await asyncio.sleep(random.random() * POLL_SECONDS)  # spread the polls, as real screens are
    while time.monotonic() < stop:
        started = time.monotonic()
        conditional = f"If-None-Match: {etag}\r\n" if etag else ""
        raw = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n"
               f"HX-Request: true\r\n{conditional}Connection: close\r\n\r\n").encode()
        try:
            status, headers, _body = await _fetch(port, raw)
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            shared.errors += 1
            await asyncio.sleep(0.5)
            continue
        finished = time.monotonic()
        shared.latencies.append((finished - started) * 1000)
        shared.polls += 1
        if status == 304:
            shared.not_modified += 1
        elif status == 200:
            new_etag = headers.get("etag", "")
            if new_etag and new_etag != etag:
                shared.seen.setdefault(new_etag, []).append(finished)
            etag = new_etag
        else:
            shared.errors += 1
        await asyncio.sleep(max(0.0, POLL_SECONDS - (time.monotonic() - started)))


async def facilitator(port: int, change_path: str, state_path: str, cookie: str, csrf: str, stop: float,
                      shared: Shared, every: float, agenda_items: int) -> None:
    position, step = 0, 1
    await asyncio.sleep(every)
    while time.monotonic() + every < stop:
        if not 0 <= position + step < agenda_items:
            step = -step  # at either end of the agenda, walk back the other way
        direction = "next" if step > 0 else "previous"
        body = f"csrf_token={csrf}&direction={direction}&from_position={position}".encode()
        raw = (f"POST {change_path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\nHX-Request: true\r\n"
               f"X-CSRFToken: {csrf}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
               f"Content-Length: {len(body)}\r\n\r\n").encode() + body
        changed = time.monotonic()
        status, _headers, _body = await _fetch(port, raw)
        if status != 204:
            raise SystemExit(f"phase change failed with {status}")
        position += step
        # The new state's ETag, as the participants will get it.
        raw = f"GET {state_path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n".encode()
        _status, headers, _body = await _fetch(port, raw)
        shared.changed_at[headers["etag"]] = changed
        await asyncio.sleep(every)


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def measure(port: int, *, review_id: int, meeting_id: int, participant_cookies: list[str], lead_cookie: str,
            csrf: str, seconds: float, every: float, agenda_items: int) -> LiveResult:
    shared = Shared()
    stop = time.monotonic() + seconds
    live = f"/reviews/{review_id}/meetings/{meeting_id}/live/state"

    async def run() -> None:
        await asyncio.gather(
            *(participant(port, live, cookie, stop, shared) for cookie in participant_cookies),
            facilitator(port, f"/reviews/{review_id}/meetings/{meeting_id}/phase", live, lead_cookie, csrf, stop,
                        shared, every, agenda_items),
        )

    asyncio.run(run())
    propagation = []
    for etag, changed in shared.changed_at.items():
        seen = shared.seen.get(etag, [])
        if len(seen) >= len(participant_cookies):
            propagation.append((max(seen) - changed) * 1000)
    return LiveResult(
        participants=len(participant_cookies), polls=shared.polls, not_modified=shared.not_modified,
        errors=shared.errors, p50_ms=statistics.median(shared.latencies) if shared.latencies else 0.0,
        p99_ms=percentile(shared.latencies, 0.99), propagation_p95_ms=percentile(propagation, 0.95),
        propagation_max_ms=max(propagation) if propagation else float("nan"), changes=len(shared.changed_at),
    )


def seed(participants: int) -> dict[str, Any]:
    """A review with ``participants`` participants and a lead, and a running meeting."""
    import sqlalchemy as sa

    from learning.admin.models import Region
    from learning.auth.models import User, UserRole
    from learning.db import db, utcnow
    from learning.meetings import services as meetings
    from learning.meetings.services import MeetingInput
    from learning.reviews import services as reviews
    from learning.reviews.access import review_access
    from learning.reviews.models import Method, ReviewMember

    now = utcnow()
    region = Region(name="Regio Live")
    db.session.add(region)
    db.session.flush()
    rows = [{"email": f"live{n}@example.org", "display_name": f"Deelnemer {n}", "preferred_language": "nl",
             "active": True, "created_at": now, "session_token": f"live-token-{n}", "password_hash": None}
            for n in range(participants + 1)]
    ids = list(db.session.scalars(sa.insert(User).returning(User.id), rows))
    db.session.execute(sa.insert(UserRole), [{"user_id": ids[0], "role": "reviewer"}])
    db.session.execute(sa.update(User).where(User.id == ids[0]).values(mfa_enabled_at=now, totp_secret="L" * 32))
    lead = db.session.get(User, ids[0])
    method = db.session.scalar(sa.select(Method).where(Method.builtin_key == "leren_met_impact",
                                                       Method.language == "nl"))
    review = reviews.create_review(reviews.ReviewInput(
        kind="casusreview", title="Live bench", learning_question="?", region_id=region.id), method=method,
        actor=lead, today=now.date())
    db.session.execute(sa.insert(ReviewMember), [
        {"review_id": review.id, "user_id": user_id, "role": "participant", "is_case_holder": False, "joined_at": now}
        for user_id in ids[1:]])
    meeting = meetings.plan_meeting(review_access(lead, review.id), MeetingInput(
        title="Live", starts_at=now + timedelta(minutes=5), ends_at=now + timedelta(hours=3)))
    meetings.start_meeting(meeting, actor=lead)
    db.session.commit()
    return {"review_id": review.id, "meeting_id": meeting.id, "agenda_items": len(meeting.agenda), "lead": (ids[0], "live-token-0"),
            "participants": [(user_id, f"live-token-{n + 1}") for n, user_id in enumerate(ids[1:])]}


def cookies(app, seeded: dict[str, Any]) -> tuple[list[str], str, str]:  # noqa: ANN001
    serializer = app.session_interface.get_signing_serializer(app)
    name = app.config["SESSION_COOKIE_NAME"]

    def cookie(user: tuple[int, str], extra: dict | None = None) -> str:
        return f"{name}={serializer.dumps({'_user_id': f'{user[0]}:{user[1]}', '_fresh': True, **(extra or {})})}"

    raw = secrets.token_hex(20)
    csrf = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)
    return ([cookie(user) for user in seeded["participants"]], cookie(seeded["lead"], {"csrf_token": raw}), csrf)

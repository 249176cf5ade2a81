"""Load benchmark for the thematic view: 100,000 agreed lessons in 2,000 reviews, and findings on them.

Seeds in bulk with SQLAlchemy core (a few seconds), serves the app with gunicorn as the other
scenarios do and drives it with wrk and a small Lua script that cycles through a mix of
dimensions and filters, so the figures are for the view as people use it, not for one URL.

    python -m tests.bench --scenario thematic [--database postgres]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from tests.bench.server import PROJECT, Result, database, gunicorn, prepare, session_cookie, wait_until_up, wrk

REVIEWS = 2_000
LESSONS_PER_REVIEW = 50
CONCEPT_LESSONS_PER_REVIEW = 3  # not counted: they must not slow the counted ones down either
FINDINGS = 3_000
REGIONS = 12
THEMES = 80
SPREAD_DAYS = 730  # two years, so the default period (twelve months) holds about half the lessons
CHUNK = 10_000


def _chunks(rows: list[dict[str, Any]]):  # noqa: ANN202
    for start in range(0, len(rows), CHUNK):
        yield rows[start:start + CHUNK]


def _insert(table: Any, rows: list[dict[str, Any]]) -> None:
    import sqlalchemy as sa

    from learning.db import db

    for chunk in _chunks(rows):
        db.session.execute(sa.insert(table), chunk)


def _insert_returning_ids(table: Any, rows: list[dict[str, Any]]) -> list[int]:
    import sqlalchemy as sa

    from learning.db import db

    ids: list[int] = []
    for chunk in _chunks(rows):
        ids += db.session.scalars(sa.insert(table).returning(table.id), chunk).all()
    return ids


def seed_thematic(*, reviews: int = REVIEWS, lessons_per_review: int = LESSONS_PER_REVIEW,
                  findings: int = FINDINGS, seed: int = 6) -> dict[str, Any]:
    """A reviewer (MFA done) and the data the view counts. Returns ids for the load and the URL mix."""
    import sqlalchemy as sa

    from learning.admin.models import Region, TaxonomyTerm
    from learning.auth.models import User, UserRole
    from learning.db import db, utcnow
    from learning.findings.models import Finding, FindingLesson
    from learning.lessons.models import Lesson, Theme, lesson_principles, lesson_themes
    from learning.reviews.models import Review, review_agency_kinds

    rng = random.Random(seed)
    now = utcnow()
    terms: dict[str, list[int]] = {}
    for term in db.session.scalars(sa.select(TaxonomyTerm).order_by(TaxonomyTerm.position)):
        terms.setdefault(term.vocabulary, []).append(term.id)
    region_ids = _insert_returning_ids(Region, [{"name": f"Regio Bench {n}", "created_at": now}
                                                for n in range(REGIONS)])
    theme_ids = _insert_returning_ids(Theme, [{"name": f"Thema {n}", "key": f"thema {n}", "created_at": now}
                                              for n in range(THEMES)])
    [reviewer_id] = _insert_returning_ids(User, [{
        "email": "bench-thema@example.org", "display_name": "Bench Reviewer", "preferred_language": "nl",
        "active": True, "created_at": now, "session_token": "bench-token-thema", "password_hash": None,
        "mfa_enabled_at": now, "totp_secret": "B" * 32}])
    db.session.execute(sa.insert(UserRole), [{"user_id": reviewer_id, "role": "reviewer"}])

    review_ids = _insert_returning_ids(Review, [{
        "kind": "casusreview", "title": f"Bench review {n}", "learning_question": "Wat leren we?",
        "region_id": region_ids[n % REGIONS], "status": "afronding", "case_summary": "", "family_perspective": "",
        "method_name": "Leren met impact", "created_at": now, "updated_at": now, "version": 1,
        "admin_support_access": False} for n in range(reviews)])
    _insert(review_agency_kinds, [{"review_id": review_id, "term_id": term_id} for review_id in review_ids
                                  for term_id in rng.sample(terms["agency_kind"], rng.randint(2, 4))])

    # Themes follow a skewed distribution, as free tags do: a few recur everywhere, most are rare.
    theme_weights = [1 / (rank + 1) for rank in range(THEMES)]
    lesson_rows = []
    for review_id in review_ids:
        for n in range(lessons_per_review + CONCEPT_LESSONS_PER_REVIEW):
            created = now - timedelta(days=rng.uniform(0, SPREAD_DAYS))
            lesson_rows.append({
                "review_id": review_id, "text": "Leerpunt uit de bench.", "level_id": rng.choice(terms["level"]),
                "polarity": rng.choice(("works", "improve")),
                "status": "agreed" if n < lessons_per_review else "concept",
                "created_by_id": reviewer_id, "created_at": created, "updated_at": created,
                "agreed_at": created if n < lessons_per_review else None, "version": 1})
    lesson_ids = _insert_returning_ids(Lesson, lesson_rows)
    theme_rows, principle_rows = [], []
    for lesson_id in lesson_ids:
        chosen = set(rng.choices(theme_ids, weights=theme_weights, k=rng.randint(1, 3)))
        theme_rows += [{"lesson_id": lesson_id, "theme_id": theme_id} for theme_id in chosen]
        principle_rows += [{"lesson_id": lesson_id, "term_id": term_id}
                           for term_id in rng.sample(terms["principle"], rng.randint(1, 2))]
    _insert(lesson_themes, theme_rows)
    _insert(lesson_principles, principle_rows)

    finding_rows = []
    for n in range(findings):
        created = now - timedelta(days=rng.uniform(0, SPREAD_DAYS))
        finding_rows.append({
            "title": f"Bevinding {n}", "pattern": "", "finding_type_id": rng.choice(terms["finding_type"]),
            "why_it_matters": "", "board_questions": [], "created_by_id": reviewer_id,
            "status": rng.choice(("concept", "agreed", "agreed", "in_brief", "answered", "closed")),
            "created_at": created, "updated_at": created, "version": 1})
    finding_ids = _insert_returning_ids(Finding, finding_rows)
    _insert(FindingLesson, [{"finding_id": finding_id, "lesson_id": lesson_id, "position": position}
                            for finding_id in finding_ids
                            for position, lesson_id in enumerate(rng.sample(lesson_ids, rng.randint(2, 5)))])
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # What autovacuum does shortly after a bulk load: statistics, and a visibility map for index-only scans.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE"))
    return {"reviewer_id": reviewer_id, "token": "bench-token-thema", "regions": region_ids, "themes": theme_ids,
            "terms": terms, "lessons": len(lesson_ids), "findings": len(finding_ids)}


def url_mix(seeded: dict[str, Any]) -> list[str]:
    """Paths people would open: each dimension unfiltered, then with one or two filters, a longer period, CSV."""
    terms, regions, themes = seeded["terms"], seeded["regions"], seeded["themes"]
    dimensions = ("theme", "finding_type", "level", "principle", "region", "agency_kind")
    paths = [f"/themes/?dimension={dimension}" for dimension in dimensions]
    paths += [
        f"/themes/?dimension=theme&region_id={regions[0]}",
        f"/themes/?dimension=level&theme_id={themes[0]}",
        f"/themes/?dimension=region&theme_id={themes[3]}&principle_id={terms['principle'][0]}",
        f"/themes/?dimension=theme&agency_kind_id={terms['agency_kind'][2]}",
        f"/themes/?dimension=agency_kind&level_id={terms['level'][4]}",
        f"/themes/?dimension=theme&finding_type_id={terms['finding_type'][1]}",
        f"/themes/?dimension=principle&region_id={regions[5]}&level_id={terms['level'][3]}",
        "/themes/?dimension=theme&date_from=2020-01-01&date_to=2100-12-31",
        f"/themes/export.csv?dimension=region&theme_id={themes[1]}",
    ]
    return paths





def run_thematic(args: argparse.Namespace) -> list[Result]:
    work = Path(tempfile.mkdtemp(prefix="lmi-bench-thematic-"))
    try:
        with database(args.database, work) as url:
            env, app, seeded = prepare(url, work, seed_thematic)
            print(f"{seeded['lessons']} lessons, {seeded['findings']} findings", flush=True)
            cookie = session_cookie(app, seeded["reviewer_id"], seeded["token"])
            paths = url_mix(seeded)
            results = []
            # Counted afresh on every request; then as deployed, each process keeping results for a minute.
            # The longer warm-up lets every worker count every URL of the mix once (those misses cost what
            # the first line shows), so the second line is the steady state between two recounts.
            for name, seconds, warm_up in (("thematic view, no cache", "0", 2),
                                           ("thematic view, 60 s cache", "60", 10)):
                with gunicorn("app:app", {**env, "THEMATIC_CACHE_SECONDS": seconds}, args.workers, PROJECT) as port:
                    wait_until_up(f"http://127.0.0.1:{port}/healthz")
                    # A long timeout, so slow uncached pages are measured instead of dropped as socket errors.
                    results.append(wrk(name, port, paths, cookie=cookie, seconds=args.seconds,
                                       connections=args.connections, work=work, warm_up=warm_up, timeout="30s"))
            return results
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report_thematic(results: list[Result], args: argparse.Namespace) -> None:
    print(f"\nThematic view: {args.database}, gunicorn -w {args.workers} (sync), wrk -c{args.connections} "
          f"-d{args.seconds}s, {os.cpu_count()} CPUs, {REVIEWS * LESSONS_PER_REVIEW} agreed lessons in {REVIEWS} "
          f"reviews, {FINDINGS} findings\n")
    print(f"{'page':34} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for result in results:
        print(f"{result.name:34} {result.requests_per_second:9.1f} {result.p50_ms:8.1f} {result.p99_ms:8.1f} "
              f"{result.errors:7d}")
    deployed = results[-1]
    print(f"\ngoal: p99 <= 100 ms (as deployed): {deployed.p99_ms:.1f} ms "
          f"{'met' if deployed.p99_ms <= 100 and deployed.errors == 0 else 'NOT met'}")

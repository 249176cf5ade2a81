"""Benchmarks for briefs (notities) and their PDFs.

(a) ``render``: the PDF of one board's brief with 8 findings (about 6 pages), rendered 20 times warm the way
    the job renders it (``rendering.document_html`` + ``learning.pdf.render_pdf``: the template, our
    static-only URL fetcher, PDF/UA tagging, a fixed identifier), next to bare WeasyPrint rendering the same
    HTML in the same run (``HTML(string=...).write_pdf()``: default fetcher, no variant). The two alternate,
    so both see the same machine state. Goal: ours <= 1.15 x bare (medians).
    For bare WeasyPrint the font URLs (``static:///fonts/...``, which only our fetcher serves) point to the
    same files as ``file://`` URLs; everything else is the same HTML, so bare does the same layout work.
(b) (in brief_load.py) the web p99 of a review page under load while a worker renders briefs continuously, next to
    the same page idle, in one run; goal <= 1.5x.
(c) (in brief_load.py) request-to-PDF-ready p95 with 20 concurrent issuers and one worker.

Each part is a ``run_<part>(args) -> list[...]`` with a ``report_<part>``; ``run_briefs`` runs the parts and
``report_briefs`` prints them.

    python -m tests.bench --scenario briefs [--database postgres]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.bench.server import database, prepare

FINDINGS = 8
RENDERS = 20
WARM_UP = 3
GOAL_RENDER_RATIO = 1.15
ISSUED_AT = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)

PATTERN = ("Als de zorgen over de veiligheid van een kind toenemen, schakelen de betrokken organisaties elk hun eigen "
           "route in. Niemand neemt de regie, omdat iedereen aanneemt dat een ander dat doet.")
WHY = "Kinderen zijn weken zonder vast aanspreekpunt, terwijl de zorgen groeien."
QUESTIONS = ("Wie heeft in uw organisatie de regie wanneer de zorgen over een kind snel toenemen?",
             "Hoe borgt u dat de afspraken over overdracht bekend zijn bij nieuwe medewerkers?")


def seed_brief(*, findings: int = FINDINGS) -> dict[str, Any]:
    """A brief to one board with ``findings`` agreed findings on real lessons, and its issued v1 (no PDFs yet).

    Returns the ids and the version's snapshot. Parts (b) and (c) can issue more of the same.
    """
    import sqlalchemy as sa

    from learning.admin.models import Organisation, Region, TaxonomyTerm
    from learning.auth.models import User, UserRole
    from learning.briefs.models import Brief, BriefAddressee, BriefFinding, BriefVersion
    from learning.briefs.snapshot import build_snapshot
    from learning.db import db, utcnow
    from learning.findings.models import Finding, FindingLesson
    from learning.lessons.models import Lesson
    from learning.reviews.models import Review

    now = utcnow()
    terms: dict[str, list[TaxonomyTerm]] = {}
    for term in db.session.scalars(sa.select(TaxonomyTerm).order_by(TaxonomyTerm.position)):
        terms.setdefault(term.vocabulary, []).append(term)
    by_code = {term.code: term for vocabulary in terms.values() for term in vocabulary}
    regions = [Region(name=name) for name in ("Regio Midden", "Regio Noord", "Regio Zuid")]
    board = Organisation(name="Gemeente Midden", agency_kind=by_code["gemeente"], region=regions[0])
    db.session.add_all([*regions, board])
    db.session.flush()
    reviewer = User(email="bench-notitie@example.org", display_name="Bench Reviewer", preferred_language="nl",
                    active=True, session_token="bench-token-notitie", mfa_enabled_at=now, totp_secret="C" * 32)
    approver = User(email="bench-tweede@example.org", display_name="Tweede Reviewer", preferred_language="nl",
                    active=True, session_token="bench-token-tweede", mfa_enabled_at=now, totp_secret="D" * 32)
    owners = [User(email=f"bestuur{n}@example.org", display_name=f"Bestuurder {n}", preferred_language="nl",
                   active=True, session_token=f"bench-token-bestuur{n}", organisation_id=board.id,
                   mfa_enabled_at=now, totp_secret="E" * 32) for n in range(2)]
    db.session.add_all([reviewer, approver, *owners])
    db.session.flush()
    db.session.add_all([UserRole(user_id=reviewer.id, role="reviewer"), UserRole(user_id=approver.id, role="reviewer"),
                        *(UserRole(user_id=owner.id, role="policy_owner") for owner in owners)])
    reviews = [Review(kind="casusreview", title=f"Bench review {n}", learning_question="Wat leren we?",
                      region_id=regions[n % len(regions)].id, status="afronding", method_name="Leren met impact",
                      created_by_id=reviewer.id) for n in range(4)]
    db.session.add_all(reviews)
    db.session.flush()
    for n, review in enumerate(reviews):
        review.agency_kinds = terms["agency_kind"][n:n + 3]
    lessons = [Lesson(review_id=reviews[n % len(reviews)].id, text=f"Leerpunt {n} over regie in de keten.",
                      level=terms["level"][3], status="agreed", agreed_at=now, created_by_id=reviewer.id)
               for n in range(findings * 3)]
    db.session.add_all(lessons)
    db.session.flush()
    brief = Brief(title="Regie en overdracht in de jeugdbescherming",
                  introduction="Deze notitie bundelt de bevindingen uit vier casusreviews.\n\n" + WHY,
                  context=PATTERN, response_deadline=date.today() + timedelta(weeks=8), language="nl",
                  created_by_id=reviewer.id)
    for n in range(findings):
        finding = Finding(title=f"Regie valt weg bij crisis ({n + 1})", pattern=PATTERN,
                          finding_type=terms["finding_type"][n % len(terms["finding_type"])], why_it_matters=WHY,
                          board_questions=list(QUESTIONS), status="in_brief", created_by_id=reviewer.id,
                          agreed_at=now)
        finding.lesson_links = [FindingLesson(lesson_id=lesson.id, position=position)
                                for position, lesson in enumerate(lessons[n * 3:n * 3 + 3])]
        finding.organisations = [board]
        db.session.add(finding)
        db.session.flush()
        brief.finding_links.append(BriefFinding(finding_id=finding.id, position=n))
    brief.addressees = [BriefAddressee(user_id=owner.id, organisation_id=board.id) for owner in owners]
    db.session.add(brief)
    db.session.flush()
    snapshot = build_snapshot(brief, number=1, issued_at=ISSUED_AT, issued_by=reviewer, approved_by=approver,
                              approved_at=ISSUED_AT - timedelta(hours=2))
    version = BriefVersion(brief_id=brief.id, number=1, issued_at=ISSUED_AT, issued_by_id=reviewer.id,
                           approved_by_id=approver.id, approved_at=ISSUED_AT - timedelta(hours=2),
                           response_deadline=brief.response_deadline, snapshot=snapshot)
    brief.latest_version_number = 1
    db.session.add(version)
    db.session.commit()
    return {"brief_id": brief.id, "version_id": version.id, "organisation_id": board.id, "snapshot": snapshot,
            "reviewer_id": reviewer.id, "approver_id": approver.id, "owner_ids": [owner.id for owner in owners]}


# --- (a) render time next to bare WeasyPrint ------------------------------------------------------------


@dataclass
class RenderResult:
    """Wall-clock and CPU time per render: on a shared machine the CPU time of this process is the steadier one."""

    name: str
    pages: int
    wall_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)

    @staticmethod
    def p95(samples: list[float]) -> float:
        ordered = sorted(samples)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure_render(app: Any, seeded: dict[str, Any], renders: int = RENDERS, warm_up: int = WARM_UP
                   ) -> list[RenderResult]:
    """Bare WeasyPrint, ours, and our HTML step alone; alternating, after ``warm_up`` renders of each."""
    import io

    from pypdf import PdfReader
    from weasyprint import HTML

    from learning.briefs import rendering
    from learning.pdf import render_pdf

    snapshot, organisation_id = seeded["snapshot"], seeded["organisation_id"]
    identifier = rendering.pdf_identifier(snapshot, organisation_id)
    with app.app_context():
        static = Path(app.static_folder).resolve().as_uri() + "/"

        def ours() -> bytes:
            return render_pdf(rendering.document_html(snapshot, organisation_id), identifier=identifier)

        bare_html = rendering.document_html(snapshot, organisation_id).replace("static:///", static)

        def bare() -> bytes:
            return HTML(string=bare_html).write_pdf()

        def html_only() -> str:
            return rendering.document_html(snapshot, organisation_id)

        pages = {name: len(PdfReader(io.BytesIO(make())).pages) for name, make in (("ours", ours), ("bare", bare))}
        results = {"bare": RenderResult("bare WeasyPrint, same HTML", pages["bare"]),
                   "ours": RenderResult("ours: document_html + render_pdf", pages["ours"]),
                   "html": RenderResult("  of which document_html", pages["ours"])}
        for _ in range(warm_up):
            bare(), ours()
        for _ in range(renders):
            for key, run in (("bare", bare), ("ours", ours), ("html", html_only)):
                wall, cpu = time.perf_counter(), time.process_time()
                run()
                results[key].cpu_ms.append((time.process_time() - cpu) * 1000)
                results[key].wall_ms.append((time.perf_counter() - wall) * 1000)
    return list(results.values())


def run_render(args: argparse.Namespace) -> list[RenderResult]:
    work = Path(tempfile.mkdtemp(prefix="lmi-bench-briefs-"))
    try:
        with database(args.database, work) as url:
            _env, app, seeded = prepare(url, work, seed_brief)
            return measure_render(app, seeded, renders=getattr(args, "renders", RENDERS))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report_render(results: list[RenderResult], args: argparse.Namespace) -> None:
    bare, ours = results[0], results[1]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\nBrief PDF rendering: {args.database}, {FINDINGS} findings, {ours.pages} pages (bare: {bare.pages}), "
          f"{len(ours.wall_ms)} warm renders each after {WARM_UP} warm-up, alternating; {os.cpu_count()} CPUs, "
          f"load {load:.1f}\n")
    print(f"{'render':36} {'wall median':>11} {'p95':>8} {'× bare':>7} {'CPU median':>11} {'p95':>8} {'× bare':>7}")
    for result in results:
        wall, cpu = statistics.median(result.wall_ms), statistics.median(result.cpu_ms)
        print(f"{result.name:36} {wall:9.1f}ms {result.p95(result.wall_ms):6.1f}ms "
              f"{wall / statistics.median(bare.wall_ms):7.2f} {cpu:9.1f}ms {result.p95(result.cpu_ms):6.1f}ms "
              f"{cpu / statistics.median(bare.cpu_ms):7.2f}")
    for label, attribute in (("wall clock", "wall_ms"), ("CPU time", "cpu_ms")):
        ratio = statistics.median(getattr(ours, attribute)) / statistics.median(getattr(bare, attribute))
        print(f"goal: ours <= {GOAL_RENDER_RATIO} × bare WeasyPrint ({label}, median): {ratio:.2f} "
              f"{'met' if ratio <= GOAL_RENDER_RATIO else 'NOT met'}")


# --- all parts ---------------------------------------------------------------------------------------------


def run_briefs(args: argparse.Namespace) -> dict[str, list]:
    return {"render": run_render(args)}


def report_briefs(results: dict[str, list], args: argparse.Namespace) -> None:
    report_render(results["render"], args)

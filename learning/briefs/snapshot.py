"""The frozen content of a brief: everything its PDFs and its preview are rendered from.

A snapshot is plain JSON (names, texts, counts), built once when a version is issued and stored
on the ``BriefVersion``. Rendering reads the snapshot only, never the live findings, so a version
renders to the same bytes next year as today, whatever changed in the findings since. The live
preview builds the same structure from the draft, so it shows exactly what the PDF will hold.

Each addressed organisation gets the findings addressed to it (``Finding.organisations``) and no
others: ``organisation_view`` cuts the snapshot down to one board.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from learning.admin.models import Organisation, Region, TaxonomyTerm
from learning.db import db
from learning.findings.evidence import evidence_summaries
from learning.findings.models import Finding, FindingLesson
from learning.lessons.models import Lesson
from learning.reviews.models import Review, review_agency_kinds

SNAPSHOT_FORMAT = 1


def _label(term: TaxonomyTerm | None, language: str) -> str:
    if term is None:
        return ""
    return term.label_en if language == "en" and term.label_en else term.label_nl


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _evidence_names(finding_ids: list[int], language: str) -> dict[int, dict[str, list[str]]]:
    """Per finding, the names of the regions and kinds of agency its evidence comes from (two queries)."""
    names: dict[int, dict[str, list[str]]] = {fid: {"regions": [], "agency_kinds": []} for fid in finding_ids}
    if not finding_ids:
        return names
    regions = db.session.execute(
        sa.select(FindingLesson.finding_id, Region.name).distinct()
        .join(Lesson, Lesson.id == FindingLesson.lesson_id)
        .join(Review, Review.id == Lesson.review_id)
        .join(Region, Region.id == Review.region_id)
        .where(FindingLesson.finding_id.in_(finding_ids))
        .order_by(Region.name)
    )
    for finding_id, name in regions:
        names[finding_id]["regions"].append(name)
    kinds = db.session.execute(
        sa.select(FindingLesson.finding_id, TaxonomyTerm).distinct()
        .join(Lesson, Lesson.id == FindingLesson.lesson_id)
        .join(review_agency_kinds, review_agency_kinds.c.review_id == Lesson.review_id)
        .join(TaxonomyTerm, TaxonomyTerm.id == review_agency_kinds.c.term_id)
        .where(FindingLesson.finding_id.in_(finding_ids))
        .order_by(TaxonomyTerm.position, TaxonomyTerm.id)
    )
    for finding_id, term in kinds:
        label = _label(term, language)
        if label not in names[finding_id]["agency_kinds"]:
            names[finding_id]["agency_kinds"].append(label)
    return names


def _finding_entry(finding: Finding, evidence: Any, names: dict[str, list[str]], language: str) -> dict[str, Any]:
    return {
        "id": finding.id,
        "title": finding.title,
        "pattern": finding.pattern,
        "finding_type": _label(finding.finding_type, language),
        "why_it_matters": finding.why_it_matters,
        "board_questions": list(finding.board_questions or []),
        "evidence": {
            "lessons": evidence.lessons, "reviews": evidence.reviews, "regions": evidence.regions,
            "organisations": evidence.organisations, "agency_kinds": evidence.agency_kinds,
            "episodes": evidence.episodes,
            "region_names": names["regions"], "agency_kind_names": names["agency_kinds"],
        },
        "organisation_ids": sorted(organisation.id for organisation in finding.organisations),
    }


def addressed_organisations(brief: Any) -> list[Organisation]:
    """The organisations of the brief's addressees, by name, each once."""
    seen: dict[int, Organisation] = {}
    for addressee in brief.addressees:
        seen.setdefault(addressee.organisation_id, addressee.organisation)
    return sorted(seen.values(), key=lambda organisation: (organisation.name.casefold(), organisation.id))


def build_snapshot(
    brief: Any, *, number: int, issued_at: datetime | None, issued_by: Any | None = None,
    approved_by: Any | None = None, approved_at: datetime | None = None, change_note: str = "",
) -> dict[str, Any]:
    """The content of ``brief`` as version ``number`` issued at ``issued_at`` (also used for the preview)."""
    language = brief.language or "nl"
    findings = brief.findings
    finding_ids = [finding.id for finding in findings]
    evidence = evidence_summaries(finding_ids)
    names = _evidence_names(finding_ids, language)
    entries = [_finding_entry(finding, evidence[finding.id], names[finding.id], language) for finding in findings]
    organisations = []
    for organisation in addressed_organisations(brief):
        organisations.append({
            "id": organisation.id,
            "name": organisation.name,
            "addressees": sorted(
                ({"id": a.user_id, "name": a.user.display_name} for a in brief.addressees
                 if a.organisation_id == organisation.id),
                key=lambda person: (person["name"].casefold(), person["id"]),
            ),
            "finding_ids": [entry["id"] for entry in entries if organisation.id in entry["organisation_ids"]],
        })
    return {
        "format": SNAPSHOT_FORMAT,
        "brief_id": brief.id,
        "number": number,
        "title": brief.title,
        "introduction": brief.introduction or "",
        "context": brief.context or "",
        "response_deadline": _iso(brief.response_deadline),
        "language": language,
        "issued_at": _iso(issued_at),
        "issued_by": issued_by.display_name if issued_by is not None else "",
        "approved_by": approved_by.display_name if approved_by is not None else "",
        "approved_at": _iso(approved_at),
        "change_note": change_note,
        "organisations": organisations,
        "findings": entries,
    }


def organisation_view(snapshot: dict[str, Any], organisation_id: int) -> dict[str, Any]:
    """The snapshot as one board receives it: its own addressees and only the findings addressed to it."""
    organisation = next(item for item in snapshot["organisations"] if item["id"] == organisation_id)
    by_id = {entry["id"]: entry for entry in snapshot["findings"]}
    return {**snapshot, "organisation": organisation,
            "findings": [by_id[finding_id] for finding_id in organisation["finding_ids"]]}

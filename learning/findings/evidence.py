"""The evidence summary of a finding, computed in SQL from its links; never typed, never stored.

For each finding: how many lessons it rests on, from how many distinct reviews, in how many
regions, involving how many organisations and kinds of agency, with how many key practice
episodes linked as evidence to those lessons. A review, region, organisation or episode that
several lessons share counts once.

"Kinds of agency" are those a review names itself together with the kinds of the organisations
it names: a review with Veilig Thuis Midden involves the kind Veilig Thuis even if not ticked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from learning.admin.models import Organisation
from learning.db import db
from learning.findings.models import Finding, FindingLesson
from learning.lessons.models import Lesson, lesson_episodes
from learning.reviews.models import Review, review_agency_kinds, review_organisations


@dataclass(frozen=True)
class EvidenceSummary:
    lessons: int = 0
    reviews: int = 0
    regions: int = 0
    organisations: int = 0
    agency_kinds: int = 0
    episodes: int = 0


_METRICS = ("lessons", "reviews", "regions", "organisations", "agency_kinds", "episodes")


def _grouped(finding_id: sa.ColumnElement, metric: str, counted: sa.ColumnElement) -> sa.Select:
    marker = sa.literal_column(str(_METRICS.index(metric))).label("metric")
    return sa.select(finding_id.label("finding_id"), marker, sa.func.count(sa.distinct(counted)).label("n"))


def _summary_query(finding_ids: list[int]) -> sa.CompoundSelect:
    """One statement: a GROUP BY per metric over the findings' lessons, joined by UNION ALL."""
    links = (sa.select(FindingLesson.finding_id, FindingLesson.lesson_id, Lesson.review_id)
             .join(Lesson, Lesson.id == FindingLesson.lesson_id)
             .where(FindingLesson.finding_id.in_(finding_ids))
             .cte("finding_links"))
    kinds_of_reviews = sa.union(
        sa.select(review_agency_kinds.c.review_id, review_agency_kinds.c.term_id.label("kind_id"))
        .where(review_agency_kinds.c.review_id.in_(sa.select(links.c.review_id))),
        sa.select(review_organisations.c.review_id, Organisation.agency_kind_id.label("kind_id"))
        .join(Organisation, Organisation.id == review_organisations.c.organisation_id)
        .where(review_organisations.c.review_id.in_(sa.select(links.c.review_id))),
    ).subquery("kinds_of_reviews")
    fid = links.c.finding_id
    return sa.union_all(
        _grouped(fid, "lessons", links.c.lesson_id).group_by(fid),
        _grouped(fid, "reviews", links.c.review_id).group_by(fid),
        _grouped(fid, "regions", Review.region_id).join(Review, Review.id == links.c.review_id).group_by(fid),
        _grouped(fid, "organisations", review_organisations.c.organisation_id)
        .join(review_organisations, review_organisations.c.review_id == links.c.review_id).group_by(fid),
        _grouped(fid, "agency_kinds", kinds_of_reviews.c.kind_id)
        .join(kinds_of_reviews, kinds_of_reviews.c.review_id == links.c.review_id).group_by(fid),
        _grouped(fid, "episodes", lesson_episodes.c.episode_id)
        .join(lesson_episodes, lesson_episodes.c.lesson_id == links.c.lesson_id).group_by(fid),
    )


def evidence_summaries(finding_ids: Iterable[int]) -> dict[int, EvidenceSummary]:
    """The summary of each finding, in one query whatever the number of findings (for lists)."""
    ids = sorted(set(finding_ids))
    counts: dict[int, dict[str, int]] = {finding_id: {} for finding_id in ids}
    if ids:
        for row in db.session.execute(_summary_query(ids)):
            counts[row.finding_id][_METRICS[int(row.metric)]] = row.n
    return {finding_id: EvidenceSummary(**values) for finding_id, values in counts.items()}


def evidence_summary(finding: Finding) -> EvidenceSummary:
    return evidence_summaries([finding.id])[finding.id]

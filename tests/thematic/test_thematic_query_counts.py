"""The thematic view costs the same number of queries with 100 lessons as with 10,000 (aggregates are SQL)."""

from __future__ import annotations

import random

import pytest
import sqlalchemy as sa

from learning.admin.models import TaxonomyTerm
from learning.db import db, utcnow
from learning.findings.models import Finding, FindingLesson
from learning.lessons.models import Lesson, Theme, lesson_principles, lesson_themes
from learning.reviews.models import Review, review_agency_kinds
from tests.reviews.test_query_counts import bulk_reviews

DIMENSIONS = ("theme", "finding_type", "level", "principle", "region", "agency_kind")


def bulk_lessons(reviews: list[int], count: int, rng: random.Random) -> None:
    """``count`` agreed lessons spread over ``reviews`` with themes, principles and some findings, in few statements."""
    terms: dict[str, list[int]] = {}
    for row in db.session.execute(sa.select(TaxonomyTerm.vocabulary, TaxonomyTerm.id)):
        terms.setdefault(row.vocabulary, []).append(row.id)
    theme_ids = list(db.session.scalars(sa.select(Theme.id)))
    now = utcnow()
    ids = list(db.session.scalars(sa.insert(Lesson).returning(Lesson.id), [
        {"review_id": reviews[n % len(reviews)], "text": "Leerpunt", "level_id": rng.choice(terms["level"]),
         "polarity": "improve", "status": "agreed", "created_at": now, "updated_at": now, "version": 1}
        for n in range(count)]))
    db.session.execute(sa.insert(lesson_themes), [
        {"lesson_id": lesson_id, "theme_id": theme_id} for lesson_id in ids for theme_id in rng.sample(theme_ids, 2)])
    db.session.execute(sa.insert(lesson_principles), [
        {"lesson_id": lesson_id, "term_id": rng.choice(terms["principle"])} for lesson_id in ids])
    finding_ids = list(db.session.scalars(sa.insert(Finding).returning(Finding.id), [
        {"title": "Bevinding", "pattern": "", "finding_type_id": rng.choice(terms["finding_type"]),
         "why_it_matters": "", "board_questions": [], "status": "agreed", "created_at": now, "updated_at": now,
         "version": 1} for _ in range(max(1, count // 20))]))
    db.session.execute(sa.insert(FindingLesson), [
        {"finding_id": finding_id, "lesson_id": lesson_id, "position": position}
        for finding_id in finding_ids for position, lesson_id in enumerate(rng.sample(ids, 3))])
    db.session.commit()


@pytest.fixture
def many_reviews(region, lead) -> list[int]:  # noqa: ANN001
    reviews = bulk_reviews(region, [(lead, "lead_reviewer")], 40)
    kinds = list(db.session.scalars(sa.select(TaxonomyTerm.id).where(TaxonomyTerm.vocabulary == "agency_kind")))
    db.session.execute(sa.insert(review_agency_kinds), [
        {"review_id": review_id, "term_id": kinds[n % len(kinds)]} for n, review_id in enumerate(reviews)])
    db.session.add_all(Theme(name=f"Thema {n}", key=f"thema {n}") for n in range(12))
    db.session.commit()
    return reviews


def test_queries_do_not_grow_from_100_to_10000_lessons(login, create_user, many_reviews, count_queries):
    rng = random.Random(6)
    client = login(create_user("owner@example.org", roles=("policy_owner",)))
    theme_id = db.session.scalar(sa.select(Theme.id).order_by(Theme.id))
    region_id = db.session.scalar(sa.select(Review.region_id).limit(1))
    urls = [f"/themes/?dimension={dimension}" for dimension in DIMENSIONS]
    urls += [f"/themes/?dimension=level&theme_id={theme_id}&region_id={region_id}", "/themes/export.csv"]
    counts = {}
    for size, extra in (("small", 100), ("large", 9_900)):
        bulk_lessons(many_reviews, extra, rng)
        for url in urls:
            with count_queries() as counter:
                assert client.get(url).status_code == 200
            counts[size, url] = counter.count
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Lesson)) == 10_000
    for url in urls:
        assert counts["small", url] == counts["large", url], url
    # the signed-in user, the filter choices, the totals and the chosen dimension
    assert max(counts["large", url] for url in urls) <= 4

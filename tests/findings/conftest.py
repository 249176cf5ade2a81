"""Factories for findings: lessons at a level (with episodes as evidence), findings resting on them."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from learning.admin.models import Organisation, Region, TaxonomyTerm, Vocabulary
from learning.db import db
from learning.findings import services
from learning.findings.models import Finding
from learning.findings.services import FindingInput
from learning.lessons.models import Lesson
from learning.reviews.models import Episode, Review


def term(vocabulary: Vocabulary, code: str) -> TaxonomyTerm:
    return db.session.scalar(sa.select(TaxonomyTerm).where(TaxonomyTerm.vocabulary == vocabulary.value,
                                                           TaxonomyTerm.code == code))


def finding_type(code: str = "keten_crisis") -> TaxonomyTerm:
    return term(Vocabulary.FINDING_TYPE, code)


def finding_input(lessons: list[Lesson], **fields) -> FindingInput:  # noqa: ANN003
    fields.setdefault("title", "Overdracht stokt bij verhuizing")
    fields.setdefault("pattern", "Bij een verhuizing gaat de zorg over veiligheid niet mee naar het nieuwe wijkteam.")
    fields.setdefault("why_it_matters", "Kinderen zijn weken zonder vast aanspreekpunt.")
    fields.setdefault("finding_type_id", finding_type().id)
    return FindingInput(lesson_ids=[lesson.id for lesson in lessons], **fields)


@pytest.fixture
def make_lesson():  # noqa: ANN201
    """``make_lesson(review, "keten", episodes=[...])``: a committed lesson at that level (None: no level)."""
    counter = iter(range(1, 10_000))

    def make(review: Review, level: str | None = "keten", *, text: str | None = None,
             episodes: list[Episode] = (), status: str = "agreed") -> Lesson:
        lesson = Lesson(review_id=review.id, text=text or f"Leerpunt {next(counter)} over samenwerking in de keten",
                        level=term(Vocabulary.LEVEL, level) if level else None, status=status)
        lesson.episodes = list(episodes)
        db.session.add(lesson)
        db.session.commit()
        return lesson

    return make


@pytest.fixture
def make_episode():  # noqa: ANN201
    def make(review: Review, title: str = "Huisbezoek") -> Episode:
        episode = Episode(review_id=review.id, title=title, period="voorjaar 2025")
        db.session.add(episode)
        db.session.commit()
        return episode

    return make


@pytest.fixture
def make_finding():  # noqa: ANN201
    """``make_finding(actor, lessons, questions=[...])``: a committed concept finding."""

    def make(actor, lessons: list[Lesson], *, questions: tuple[str, ...] = (), **fields) -> Finding:  # noqa: ANN001, ANN003
        finding = services.create_finding(finding_input(lessons, **fields), actor=actor)
        db.session.commit()
        for question in questions:
            services.add_board_question(finding, question, expected_version=finding.version, actor=actor)
            db.session.commit()
        return finding

    return make


@pytest.fixture
def other_region(app) -> Region:  # noqa: ANN001
    region = Region(name="Regio Noord")
    db.session.add(region)
    db.session.commit()
    return region


def organisation(name: str, kind_code: str, region: Region) -> Organisation:
    found = Organisation(name=name, agency_kind=term(Vocabulary.AGENCY_KIND, kind_code), region=region)
    db.session.add(found)
    db.session.commit()
    return found

"""Factories for the library tests: taxonomy look-ups, agreed lessons, findings and library items."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from learning.admin.models import Region, TaxonomyTerm
from learning.db import db, utcnow
from learning.findings.library.models import LibraryItem
from learning.findings.library.search import index_terms
from learning.findings.models import Finding, FindingLesson
from learning.lessons.models import Lesson, Theme


def term(vocabulary: str, code: str) -> TaxonomyTerm:
    return db.session.scalar(sa.select(TaxonomyTerm).where(TaxonomyTerm.vocabulary == vocabulary,
                                                           TaxonomyTerm.code == code))


def theme(name: str) -> Theme:
    key = " ".join(name.split()).casefold()
    found = db.session.scalar(sa.select(Theme).where(Theme.key == key))
    if found is None:
        found = Theme(name=name, key=key)
        db.session.add(found)
        db.session.flush()
    return found


@pytest.fixture
def make_lesson():  # noqa: ANN201
    """``make_lesson(review, text, level="keten", status="agreed", themes=(...), principles=(...))``."""

    def make(review, text: str, *, level: str | None = "keten", status: str = "agreed",  # noqa: ANN001
             polarity: str = "improve", themes: tuple[str, ...] = (), principles: tuple[str, ...] = ()) -> Lesson:
        lesson = Lesson(review_id=review.id, text=text, level=term("level", level) if level else None,
                        polarity=polarity, status=status, created_by_id=review.created_by_id,
                        agreed_at=utcnow() if status == "agreed" else None)
        lesson.themes = [theme(name) for name in themes]
        lesson.principles = [term("principle", code) for code in principles]
        db.session.add(lesson)
        db.session.commit()
        return lesson

    return make


@pytest.fixture
def make_finding():  # noqa: ANN201
    def make(lessons: list[Lesson], *, title: str = "Regie bij crisis ontbreekt", status: str = "agreed",  # noqa: ANN202
             finding_type: str = "keten_crisis", **fields) -> Finding:  # noqa: ANN003
        finding = Finding(title=title, finding_type_id=term("finding_type", finding_type).id, status=status,
                          pattern=fields.pop("pattern", "Bij een crisis wacht iedere organisatie op de ander."),
                          why_it_matters=fields.pop("why_it_matters", "Kinderen blijven te lang onveilig."),
                          board_questions=fields.pop("board_questions", ["Wie heeft de regie bij crisis?"]),
                          created_by_id=lessons[0].created_by_id, agreed_at=utcnow() if status != "concept" else None)
        finding.lesson_links = [FindingLesson(lesson_id=lesson.id, position=index)
                                for index, lesson in enumerate(lessons)]
        db.session.add(finding)
        db.session.commit()
        return finding

    return make


@pytest.fixture
def make_item(app):  # noqa: ANN001, ANN201
    """``make_item(title, body, ...)``: a published library item straight in the table (search tests).

    Make them oldest first, as publishing does: ids follow publication.
    """

    def make(title: str, body: str, *, region: Region | None = None, level: str | None = None,
             finding_type: str | None = None, themes: tuple[str, ...] = (), principles: tuple[str, ...] = (),
             source_kind: str = "lesson", polarity: str | None = "improve", days_ago: int | None = None,
             year: int = 2026) -> LibraryItem:
        item = LibraryItem(
            source_kind=source_kind, title=title, body=body, review_kind="casusreview",
            region_id=region.id if region else None, year=year,
            level_id=term("level", level).id if level else None,
            finding_type_id=term("finding_type", finding_type).id if finding_type else None,
            polarity=polarity if source_kind == "lesson" else None,
            search_title=index_terms(title), search_body=index_terms(body),
            published_at=utcnow() - timedelta(days=days_ago or 0), withdrawal_reason="",
        )
        item.themes = [theme(name) for name in themes]
        item.principles = [term("principle", code) for code in principles]
        db.session.add(item)
        db.session.commit()
        return item

    return make

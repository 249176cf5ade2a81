"""Lessons (leerpunten): what a review learned, at which level, with the evidence it rests on.

Evidence links point at the review's own reflections, episodes and contributions through
real foreign keys, so retention that deletes raw reflections removes the link, not the lesson.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning.db import UTCDateTime, db, utcnow
from learning.i18n import _l


class LessonStatus(enum.StrEnum):
    CONCEPT = "concept"
    AGREED = "agreed"

    @property
    def label(self) -> str:
        return str(LESSON_STATUS_LABELS[self])


LESSON_STATUS_LABELS = {
    LessonStatus.CONCEPT: _l("Concept"),
    LessonStatus.AGREED: _l("Vastgesteld"),
}


class Polarity(enum.StrEnum):
    WORKS = "works"
    IMPROVE = "improve"

    @property
    def label(self) -> str:
        return str(POLARITY_LABELS[self])


POLARITY_LABELS = {
    Polarity.WORKS: _l("Wat werkt"),
    Polarity.IMPROVE: _l("Wat kan beter"),
}

# Only lessons at these levels may become a finding: a finding addresses the system, not a person or team.
SYSTEM_LEVEL_CODES = ("keten", "stelsel")


lesson_principles = sa.Table(
    "lesson_principles",
    db.metadata,
    sa.Column("lesson_id", sa.ForeignKey("lessons.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("term_id", sa.ForeignKey("taxonomy_terms.id"), primary_key=True, index=True),
)

lesson_themes = sa.Table(
    "lesson_themes",
    db.metadata,
    sa.Column("lesson_id", sa.ForeignKey("lessons.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("theme_id", sa.ForeignKey("themes.id"), primary_key=True, index=True),
)

lesson_reflections = sa.Table(
    "lesson_reflections",
    db.metadata,
    sa.Column("lesson_id", sa.ForeignKey("lessons.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("reflection_id", sa.ForeignKey("reflections.id", ondelete="CASCADE"), primary_key=True, index=True),
)

lesson_episodes = sa.Table(
    "lesson_episodes",
    db.metadata,
    sa.Column("lesson_id", sa.ForeignKey("lessons.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("episode_id", sa.ForeignKey("episodes.id", ondelete="CASCADE"), primary_key=True, index=True),
)

lesson_contributions = sa.Table(
    "lesson_contributions",
    db.metadata,
    sa.Column("lesson_id", sa.ForeignKey("lessons.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("contribution_id", sa.ForeignKey("contributions.id", ondelete="CASCADE"), primary_key=True,
              index=True),
)


class Theme(db.Model):
    """A free tag. ``key`` is the case- and space-folded name, so "Crisis" and " crisis" are one theme."""

    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    key: Mapped[str] = mapped_column(sa.String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Theme {self.id}>"


class Lesson(db.Model):
    __tablename__ = "lessons"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(sa.ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    # A concept made in one click from a contribution has no level yet; agreeing needs one.
    level_id: Mapped[int | None] = mapped_column(sa.ForeignKey("taxonomy_terms.id"), index=True)
    polarity: Mapped[str] = mapped_column(sa.String(16), default=Polarity.IMPROVE.value)
    status: Mapped[str] = mapped_column(sa.String(16), default=LessonStatus.CONCEPT.value)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    review = relationship("Review")
    level = relationship("TaxonomyTerm", foreign_keys=[level_id], lazy="joined")
    principles = relationship("TaxonomyTerm", secondary=lesson_principles, order_by="TaxonomyTerm.position")
    themes: Mapped[list[Theme]] = relationship(secondary=lesson_themes, order_by=Theme.key)
    reflections = relationship("Reflection", secondary=lesson_reflections)
    episodes = relationship("Episode", secondary=lesson_episodes, order_by="Episode.position")
    contributions = relationship("Contribution", secondary=lesson_contributions)

    __table_args__ = (
        sa.CheckConstraint("status IN ('concept', 'agreed')", name="known_status"),
        sa.CheckConstraint("polarity IN ('works', 'improve')", name="known_polarity"),
        # Covers the thematic view's counts (status and period, then review and level) without table reads.
        sa.Index("ix_lessons_status_created_at_review_level", "status", "created_at", "review_id", "level_id", "id"),
    )
    __mapper_args__ = {"version_id_col": version}

    @property
    def status_label(self) -> str:
        return LessonStatus(self.status).label

    @property
    def polarity_label(self) -> str:
        return Polarity(self.polarity).label

    @property
    def is_system_level(self) -> bool:
        return self.level is not None and self.level.code in SYSTEM_LEVEL_CODES

    def __repr__(self) -> str:
        return f"<Lesson {self.id}>"

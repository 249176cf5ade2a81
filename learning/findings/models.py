"""Findings (bevindingen): a pattern in the system, resting on lessons from one review or several.

The evidence summary (reviews, regions, agencies, episodes) is never stored: it is computed
from the links to lessons, so it cannot drift from what the finding rests on.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning.db import UTCDateTime, db, utcnow
from learning.i18n import _l


class FindingStatus(enum.StrEnum):
    CONCEPT = "concept"
    AGREED = "agreed"
    IN_BRIEF = "in_brief"
    ANSWERED = "answered"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return str(FINDING_STATUS_LABELS[self])


FINDING_STATUS_LABELS = {
    FindingStatus.CONCEPT: _l("Concept"),
    FindingStatus.AGREED: _l("Vastgesteld"),
    FindingStatus.IN_BRIEF: _l("In notitie"),
    FindingStatus.ANSWERED: _l("Beantwoord"),
    FindingStatus.CLOSED: _l("Afgesloten"),
}


class FindingLesson(db.Model):
    """A lesson a finding rests on, in the order the reviewer chose."""

    __tablename__ = "finding_lessons"

    finding_id: Mapped[int] = mapped_column(sa.ForeignKey("findings.id", ondelete="CASCADE"), primary_key=True)
    # RESTRICT: a lesson a finding rests on cannot disappear from under it.
    lesson_id: Mapped[int] = mapped_column(sa.ForeignKey("lessons.id", ondelete="RESTRICT"), primary_key=True,
                                           index=True)
    position: Mapped[int] = mapped_column(default=0)

    lesson = relationship("Lesson", lazy="joined")


finding_organisations = sa.Table(
    "finding_organisations",
    db.metadata,
    sa.Column("finding_id", sa.ForeignKey("findings.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("organisation_id", sa.ForeignKey("organisations.id"), primary_key=True, index=True),
)

finding_policy_owners = sa.Table(
    "finding_policy_owners",
    db.metadata,
    sa.Column("finding_id", sa.ForeignKey("findings.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id"), primary_key=True, index=True),
)


class Finding(db.Model):
    __tablename__ = "findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    pattern: Mapped[str] = mapped_column(sa.Text, default="")
    finding_type_id: Mapped[int] = mapped_column(sa.ForeignKey("taxonomy_terms.id"), index=True)
    why_it_matters: Mapped[str] = mapped_column(sa.Text, default="")
    board_questions: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    status: Mapped[str] = mapped_column(sa.String(16), default=FindingStatus.CONCEPT.value)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    finding_type = relationship("TaxonomyTerm", lazy="joined")
    lesson_links: Mapped[list[FindingLesson]] = relationship(
        order_by=FindingLesson.position, cascade="all, delete-orphan")
    organisations = relationship("Organisation", secondary=finding_organisations, order_by="Organisation.name")
    policy_owners = relationship("User", secondary=finding_policy_owners)
    created_by = relationship("User", foreign_keys=[created_by_id])

    __table_args__ = (
        sa.CheckConstraint("status IN ('concept', 'agreed', 'in_brief', 'answered', 'closed')",
                           name="known_status"),
        sa.Index("ix_findings_status_created_at", "status", "created_at"),
    )
    __mapper_args__ = {"version_id_col": version}

    @property
    def status_label(self) -> str:
        return FindingStatus(self.status).label

    @property
    def lessons(self) -> list:
        return [link.lesson for link in self.lesson_links]

    def __repr__(self) -> str:
        return f"<Finding {self.id}>"

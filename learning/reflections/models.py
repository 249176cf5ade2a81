"""Everyone's voice: written reflections per round, live contributions, dot-votes, and the vragenronde.

Authorship is kept (``author_id``) so later steps can tell people what became of their input,
except in reviews marked "volledig anoniem": there only ``author_key`` is stored, a keyed hash
that lets the author find their own text again but tells nobody else who wrote it.
"""

from __future__ import annotations

import enum
import secrets
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning.db import UTCDateTime, db, utcnow
from learning.i18n import _l


def new_order_key() -> str:
    """A random sort key: anonymous items are listed in an order that says nothing about who or when."""
    return secrets.token_hex(8)


class Visibility(enum.StrEnum):
    REVIEWERS = "reviewers"
    GROUP = "group"
    ANONYMOUS = "anonymous"

    @property
    def label(self) -> str:
        return str(VISIBILITY_LABELS[self])


VISIBILITY_LABELS = {
    Visibility.REVIEWERS: _l("Alleen de reviewers"),
    Visibility.GROUP: _l("De groep, met mijn naam"),
    Visibility.ANONYMOUS: _l("De groep, anoniem"),
}


class RoundMoment(enum.StrEnum):
    BEFORE = "before"
    DURING = "during"
    AFTER = "after"

    @property
    def label(self) -> str:
        return str(MOMENT_LABELS[self])


MOMENT_LABELS = {
    RoundMoment.BEFORE: _l("Voor de bijeenkomst"),
    RoundMoment.DURING: _l("Tijdens de bijeenkomst"),
    RoundMoment.AFTER: _l("Na de bijeenkomst"),
}


class AuthoredMixin:
    """Who wrote it: an account, or (volledig anoniem) only a keyed hash the author can match."""

    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    author_key: Mapped[str | None] = mapped_column(sa.String(64))
    order_key: Mapped[str] = mapped_column(sa.String(16), default=new_order_key)


class ReflectionRound(db.Model):
    """A round of written reflection opened by a reviewer, with the prompts it asks and a deadline."""

    __tablename__ = "reflection_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(sa.ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meetings.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(sa.String(200))
    moment: Mapped[str] = mapped_column(sa.String(16), default=RoundMoment.BEFORE.value)
    # A copy of the prompts when the round opened: [{"key", "phase", "prompt"}], stable for the answers.
    prompts: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def moment_label(self) -> str:
        return RoundMoment(self.moment).label

    def is_open(self, now: datetime | None = None) -> bool:
        return self.closed_at is None and (now or utcnow()) < self.deadline


class Reflection(AuthoredMixin, db.Model):
    """One person's answers in one round. ``answers`` is the working copy the author edits (saved
    as they type); ``published_answers`` is what others may see, set when the author submits."""

    __tablename__ = "reflections"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("reflection_rounds.id", ondelete="CASCADE"), index=True)
    review_id: Mapped[int] = mapped_column(sa.ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    visibility: Mapped[str] = mapped_column(sa.String(16), default=Visibility.REVIEWERS.value)
    answers: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    published_answers: Mapped[dict[str, str] | None] = mapped_column(sa.JSON)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    round: Mapped[ReflectionRound] = relationship()
    author = relationship("User")
    revisions: Mapped[list[ReflectionRevision]] = relationship(
        back_populates="reflection", order_by="ReflectionRevision.saved_at", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.UniqueConstraint("round_id", "author_id", name="uq_reflections_round_author"),
        sa.UniqueConstraint("round_id", "author_key", name="uq_reflections_round_author_key"),
        sa.CheckConstraint("visibility IN ('reviewers', 'group', 'anonymous')", name="known_visibility"),
    )
    __mapper_args__ = {"version_id_col": version}

    @property
    def submitted(self) -> bool:
        return self.published_answers is not None

    @property
    def visibility_label(self) -> str:
        return Visibility(self.visibility).label


class ReflectionRevision(db.Model):
    """The history of a submitted reflection: every submission is kept."""

    __tablename__ = "reflection_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    reflection_id: Mapped[int] = mapped_column(sa.ForeignKey("reflections.id", ondelete="CASCADE"), index=True)
    answers: Mapped[dict[str, str]] = mapped_column(sa.JSON)
    visibility: Mapped[str] = mapped_column(sa.String(16))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    reflection: Mapped[Reflection] = relationship(back_populates="revisions")


class ContributionStatus(enum.StrEnum):
    VISIBLE = "visible"
    HELD = "held"
    HIDDEN = "hidden"


class Contribution(AuthoredMixin, db.Model):
    """A short text sent during a phase of a meeting (inbreng)."""

    __tablename__ = "contributions"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(sa.ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    agenda_item_id: Mapped[int] = mapped_column(sa.ForeignKey("agenda_items.id", ondelete="CASCADE"), index=True)
    anonymous: Mapped[bool] = mapped_column(default=False)
    text: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(16), default=ContributionStatus.VISIBLE.value)
    cluster: Mapped[str] = mapped_column(sa.String(80), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author = relationship("User")
    agenda_item = relationship("AgendaItem")

    __table_args__ = (
        sa.CheckConstraint("status IN ('visible', 'held', 'hidden')", name="known_status"),
    )


class VoteStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Vote(db.Model):
    """A dot-vote on contributions or reflections; results are shown once it closes."""

    __tablename__ = "votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(sa.ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    target: Mapped[str] = mapped_column(sa.String(16))
    dots_per_person: Mapped[int] = mapped_column(default=3)
    allow_stacking: Mapped[bool] = mapped_column(default=True)
    status: Mapped[str] = mapped_column(sa.String(16), default=VoteStatus.OPEN.value)
    opened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    options: Mapped[list[VoteOption]] = relationship(
        back_populates="vote", order_by="VoteOption.position", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.CheckConstraint("target IN ('contributions', 'reflections', 'lessons')", name="known_target"),
        sa.CheckConstraint("dots_per_person BETWEEN 1 AND 20", name="sensible_dots"),
    )


class VoteOption(db.Model):
    """What can be voted on; the text is copied when the vote opens, so the ballot cannot shift."""

    __tablename__ = "vote_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(sa.ForeignKey("votes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    item_type: Mapped[str] = mapped_column(sa.String(16))
    item_id: Mapped[int] = mapped_column()
    label: Mapped[str] = mapped_column(sa.Text)

    vote: Mapped[Vote] = relationship(back_populates="options")


class Ballot(db.Model):
    """One person's dots in one vote. Private: only totals are ever shown to others."""

    __tablename__ = "ballots"

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(sa.ForeignKey("votes.id", ondelete="CASCADE"))
    voter_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    dots: Mapped[dict[str, int]] = mapped_column(sa.JSON)  # option id -> dots
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("vote_id", "voter_id", name="uq_ballots_vote_voter"),)


# --- vragenronde ------------------------------------------------------------------------------


class Question(db.Model):
    """One open question of a vragenronde, in order."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(sa.ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(sa.String(500))
    introduction: Mapped[str] = mapped_column(sa.Text, default="")


class EventCode(db.Model):
    """A short code for a large group to answer without an account (a Meet-Up)."""

    __tablename__ = "event_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(sa.ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(default=True)

    def usable(self, now: datetime | None = None) -> bool:
        return self.active and (now or utcnow()) < self.expires_at


class AnswerSource(enum.StrEnum):
    MEMBER = "member"
    EVENT_CODE = "event_code"
    CSV = "csv"


class Answer(db.Model):
    """An answer to a vragenronde question. The original text is kept when a facilitator edits it."""

    __tablename__ = "answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(sa.ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    edited_text: Mapped[str | None] = mapped_column(sa.Text)
    source: Mapped[str] = mapped_column(sa.String(16), default=AnswerSource.MEMBER.value)
    respondent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    highlighted: Mapped[bool] = mapped_column(default=False)
    highlight_position: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    question: Mapped[Question] = relationship()

    @property
    def shown_text(self) -> str:
        return self.edited_text if self.edited_text is not None else self.text


class AnthologyVisibility(enum.StrEnum):
    NONE = "none"
    MEMBERS = "members"
    PUBLIC = "public"


class PdfStatus(enum.StrEnum):
    NONE = "none"
    PENDING = "pending"
    READY = "ready"
    FAILED = "failed"


class Anthology(db.Model):
    """The bloemlezing of a vragenronde: introduction, publication, and its rendered PDF."""

    __tablename__ = "anthologies"

    review_id: Mapped[int] = mapped_column(sa.ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True)
    introduction: Mapped[str] = mapped_column(sa.Text, default="")
    visibility: Mapped[str] = mapped_column(sa.String(16), default=AnthologyVisibility.NONE.value)
    public_token: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    pdf_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    pdf_status: Mapped[str] = mapped_column(sa.String(16), default=PdfStatus.NONE.value)
    pdf_error: Mapped[str] = mapped_column(sa.Text, default="")
    pdf_rendered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        sa.CheckConstraint("visibility IN ('none', 'members', 'public')", name="known_visibility"),
        sa.CheckConstraint("pdf_status IN ('none', 'pending', 'ready', 'failed')", name="known_pdf_status"),
    )

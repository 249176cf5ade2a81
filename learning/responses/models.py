"""The board's side of the loop: responses per finding, actions, progress, threads, reminders, notifications.

A ``Response`` is one organisation's answer to one finding of one brief (whatever its version: a
corrected v2 keeps the answers given to v1). It is a draft until the policy owner submits all of
the brief's responses together; a submitted response can be amended, and each submission is kept
as a ``ResponseRevision``. ``Action`` rows are what the board commits to, with ``ActionUpdate``
rows as progress over time. ``ThreadMessage`` rows are the conversation per finding between
reviewers and the board. ``ReminderLog`` makes ``flask reminders send`` idempotent: one reminder
per kind, object, recipient and day, enforced by a unique constraint. ``Notification`` rows are
the in-app side of terugkoppeling.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning.db import UTCDateTime, db, utcnow
from learning.i18n import _l


class Decision(enum.StrEnum):
    ADOPTED = "adopted"
    PARTLY = "partly"
    NOT_ADOPTED = "not_adopted"

    @property
    def label(self) -> str:
        return str(DECISION_LABELS[self])

    @property
    def needs_reasoning(self) -> bool:
        return self is not Decision.ADOPTED


DECISION_LABELS = {
    Decision.ADOPTED: _l("Overgenomen"),
    Decision.PARTLY: _l("Deels overgenomen"),
    Decision.NOT_ADOPTED: _l("Niet overgenomen"),
}


class ResponseStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class ActionStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    LAPSED = "lapsed"

    @property
    def label(self) -> str:
        return str(ACTION_STATUS_LABELS[self])

    @property
    def is_finished(self) -> bool:
        return self in (ActionStatus.DONE, ActionStatus.LAPSED)


ACTION_STATUS_LABELS = {
    ActionStatus.OPEN: _l("Open"),
    ActionStatus.IN_PROGRESS: _l("In uitvoering"),
    ActionStatus.DONE: _l("Afgerond"),
    ActionStatus.LAPSED: _l("Vervallen"),
}


class Response(db.Model):
    __tablename__ = "responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    brief_id: Mapped[int] = mapped_column(sa.ForeignKey("briefs.id", ondelete="RESTRICT"), index=True)
    finding_id: Mapped[int] = mapped_column(sa.ForeignKey("findings.id", ondelete="RESTRICT"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    decision: Mapped[str | None] = mapped_column(sa.String(16))
    reasoning: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.String(16), default=ResponseStatus.DRAFT.value)
    first_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # A draft amendment of a submitted response: what the board sees until it submits again.
    has_unsubmitted_changes: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)

    finding = relationship("Finding", lazy="joined")
    organisation = relationship("Organisation", lazy="joined")
    submitted_by = relationship("User", foreign_keys=[submitted_by_id])
    escalated_by = relationship("User", foreign_keys=[escalated_by_id])
    actions: Mapped[list[Action]] = relationship(back_populates="response", order_by="Action.id",
                                                 cascade="all, delete-orphan")
    revisions: Mapped[list[ResponseRevision]] = relationship(order_by="ResponseRevision.number.desc()",
                                                             cascade="all, delete-orphan")

    __table_args__ = (
        sa.UniqueConstraint("brief_id", "finding_id", "organisation_id", name="uq_responses_per_organisation"),
        sa.CheckConstraint("decision IS NULL OR decision IN ('adopted', 'partly', 'not_adopted')",
                           name="known_decision"),
        sa.CheckConstraint("status IN ('draft', 'submitted')", name="known_status"),
    )
    __mapper_args__ = {"version_id_col": version}

    @property
    def decision_label(self) -> str:
        return Decision(self.decision).label if self.decision else ""

    @property
    def is_submitted(self) -> bool:
        return self.status == ResponseStatus.SUBMITTED.value


class ResponseRevision(db.Model):
    """One submission of a response, kept when it is amended (history)."""

    __tablename__ = "response_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(sa.ForeignKey("responses.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column()
    decision: Mapped[str] = mapped_column(sa.String(16))
    reasoning: Mapped[str] = mapped_column(sa.Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    submitted_by = relationship("User", lazy="joined")

    __table_args__ = (sa.UniqueConstraint("response_id", "number", name="uq_response_revisions_number"),)

    @property
    def decision_label(self) -> str:
        return Decision(self.decision).label


class Action(db.Model):
    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(sa.ForeignKey("responses.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(sa.Text)
    owner_name: Mapped[str] = mapped_column(sa.String(120))
    owner_organisation: Mapped[str] = mapped_column(sa.String(160))
    due_date: Mapped[date] = mapped_column(sa.Date, index=True)
    status: Mapped[str] = mapped_column(sa.String(16), default=ActionStatus.OPEN.value)
    lapse_reason: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(default=1)

    response: Mapped[Response] = relationship(back_populates="actions")
    updates: Mapped[list[ActionUpdate]] = relationship(order_by="ActionUpdate.created_at",
                                                       cascade="all, delete-orphan")

    __table_args__ = (
        sa.CheckConstraint("status IN ('open', 'in_progress', 'done', 'lapsed')", name="known_status"),
    )
    __mapper_args__ = {"version_id_col": version}

    @property
    def status_label(self) -> str:
        return ActionStatus(self.status).label


class ActionUpdate(db.Model):
    """Progress on an action, as reported over time (a status change, a note, or both)."""

    __tablename__ = "action_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(sa.ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    old_status: Mapped[str | None] = mapped_column(sa.String(16))
    new_status: Mapped[str | None] = mapped_column(sa.String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author = relationship("User", lazy="joined")


class ThreadMessage(db.Model):
    """The conversation about one finding between its reviewers and one board."""

    __tablename__ = "thread_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    brief_id: Mapped[int] = mapped_column(sa.ForeignKey("briefs.id", ondelete="RESTRICT"), index=True)
    finding_id: Mapped[int] = mapped_column(sa.ForeignKey("findings.id", ondelete="RESTRICT"))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    is_question: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author = relationship("User", lazy="joined")

    __table_args__ = (sa.Index("ix_thread_messages_thread", "brief_id", "finding_id", "organisation_id"),)


class ReminderKind(enum.StrEnum):
    RESPONSE_DUE_SOON = "response_due_soon"
    RESPONSE_OVERDUE = "response_overdue"
    ACTION_DUE_SOON = "action_due_soon"
    ACTION_OVERDUE = "action_overdue"
    ESCALATION = "escalation"


class ReminderLog(db.Model):
    """A reminder that went out; the unique key makes every run of ``flask reminders send`` idempotent."""

    __tablename__ = "reminder_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    object_type: Mapped[str] = mapped_column(sa.String(32))
    object_id: Mapped[int] = mapped_column()
    recipient_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(sa.Date)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    __table_args__ = (
        sa.UniqueConstraint("kind", "object_type", "object_id", "recipient_id", "day", name="uq_reminder_log_once"),
    )


class Notification(db.Model):
    """An in-app message to one person (terugkoppeling): what became of their review's findings."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    review_id: Mapped[int | None] = mapped_column(sa.ForeignKey("reviews.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(32))
    # Values for the message, translated when shown: never the text itself, so it follows the reader's language.
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (sa.Index("ix_notifications_user_unread", "user_id", "read_at", "created_at"),)

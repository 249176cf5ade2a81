"""Meetings of a review: agenda from the method's phases, the live state, attendance."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning.db import UTCDateTime, db, utcnow
from learning.i18n import _l


class MeetingStatus(enum.StrEnum):
    PLANNED = "planned"
    RUNNING = "running"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return str(MEETING_STATUS_LABELS[self])


MEETING_STATUS_LABELS = {
    MeetingStatus.PLANNED: _l("Gepland"),
    MeetingStatus.RUNNING: _l("Bezig"),
    MeetingStatus.CLOSED: _l("Afgesloten"),
}


class Meeting(db.Model):
    """A meeting and its live state. The server holds the timer, so every screen shows the same time.

    ``state_version`` goes up with every change a participant's screen must show; the live
    view's ETag is built from it, so unchanged polls are answered with 304 without rendering.
    """

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(sa.ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(sa.String(200), default="")
    online_link: Mapped[str] = mapped_column(sa.String(500), default="")
    status: Mapped[str] = mapped_column(sa.String(16), default=MeetingStatus.PLANNED.value)
    current_position: Mapped[int] = mapped_column(default=0)
    # Timer: running while timer_started_at is set; timer_used_seconds is what ran before the last start.
    timer_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    timer_seconds: Mapped[int] = mapped_column(default=0)
    timer_used_seconds: Mapped[int] = mapped_column(default=0)
    contributions_visible: Mapped[bool] = mapped_column(default=True)
    moderate_anonymous: Mapped[bool] = mapped_column(default=True)
    state_version: Mapped[int] = mapped_column(default=1)
    invitations_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    agenda: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.CheckConstraint("status IN ('planned', 'running', 'closed')", name="known_status"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    @property
    def status_label(self) -> str:
        return MeetingStatus(self.status).label

    @property
    def current_item(self) -> AgendaItem | None:
        if 0 <= self.current_position < len(self.agenda):
            return self.agenda[self.current_position]
        return None


class AgendaItem(db.Model):
    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    review_phase_id: Mapped[int | None] = mapped_column(sa.ForeignKey("review_phases.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(sa.String(160))
    purpose: Mapped[str] = mapped_column(sa.Text, default="")
    prompts: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    minutes: Mapped[int] = mapped_column(default=15)
    notes: Mapped[str] = mapped_column(sa.Text, default="")

    meeting: Mapped[Meeting] = relationship(back_populates="agenda")


class Attendance(db.Model):
    __tablename__ = "attendance"

    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    present: Mapped[bool] = mapped_column(default=True)
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User")

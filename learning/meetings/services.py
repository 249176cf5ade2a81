"""Planning a meeting and running it live: agenda, phase changes, the timer, notes and attendance.

Every change a participant's screen shows raises ``Meeting.state_version``. Phase changes carry
the position they start from and are applied with one conditional UPDATE, so two facilitators
pressing "next" at once move one phase, not two.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa

from learning import audit
from learning.db import db, utcnow
from learning.i18n import _, _l
from learning.mail import external_url, send_mail
from learning.meetings.calendar import meeting_calendar
from learning.meetings.models import AgendaItem, Attendance, Meeting, MeetingStatus
from learning.reviews.access import ReviewAccess
from learning.reviews.methods import swap_with_neighbour
from learning.reviews.models import Review, ReviewMember

MAX_EXTENSION_MINUTES = 60


class MeetingError(ValueError):
    """A change that breaks a rule; ``str()`` is a translated message, ``field`` the form field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class MeetingInput:
    title: str
    starts_at: datetime
    ends_at: datetime
    place: str = ""
    online_link: str = ""


def _check(data: MeetingInput, *, now: datetime, previous_start: datetime | None = None) -> None:
    if not data.title.strip():
        raise MeetingError(_("Geef de bijeenkomst een titel."), "title")
    if data.starts_at != previous_start and data.starts_at < now:
        raise MeetingError(_("Dit tijdstip ligt in het verleden."), "starts_at")
    if data.ends_at <= data.starts_at:
        raise MeetingError(_("Het einde ligt voor het begin."), "ends_at")
    if data.ends_at - data.starts_at > timedelta(hours=12):
        raise MeetingError(_("Een bijeenkomst duurt hoogstens twaalf uur."), "ends_at")
    if data.online_link:
        parts = urlsplit(data.online_link)
        if parts.scheme not in ("https", "http") or not parts.netloc:
            raise MeetingError(_("Dit is geen geldige link; begin met https://."), "online_link")


def plan_meeting(access: ReviewAccess, data: MeetingInput, *, now: datetime | None = None) -> Meeting:
    """A meeting with an agenda copied from the review's phases (name, purpose, prompts, time box)."""
    _check(data, now=now or utcnow())
    review = access.review
    meeting = Meeting(
        review_id=review.id, title=data.title.strip(), starts_at=data.starts_at, ends_at=data.ends_at,
        place=data.place.strip(), online_link=data.online_link.strip(), created_by_id=access.user.id,
    )
    meeting.agenda = [
        AgendaItem(position=index, review_phase_id=phase.id, name=phase.name, purpose=phase.purpose,
                   prompts=list(phase.prompts), minutes=phase.minutes)
        for index, phase in enumerate(review.phases)
    ]
    db.session.add(meeting)
    db.session.flush()
    audit.record("meeting.created", actor=access.user, object_type="review", object_id=review.id,
                 meeting_id=meeting.id)
    return meeting


def update_meeting(meeting: Meeting, data: MeetingInput, *, actor: Any, now: datetime | None = None) -> None:
    _check(data, now=now or utcnow(), previous_start=meeting.starts_at)
    meeting.title, meeting.starts_at, meeting.ends_at = data.title.strip(), data.starts_at, data.ends_at
    meeting.place, meeting.online_link = data.place.strip(), data.online_link.strip()
    db.session.flush()
    audit.record("meeting.updated", actor=actor, object_type="review", object_id=meeting.review_id,
                 meeting_id=meeting.id)


def meetings_of(review: Review) -> list[Meeting]:
    return list(db.session.scalars(sa.select(Meeting).where(Meeting.review_id == review.id)
                                   .order_by(Meeting.starts_at)))


def send_invitations(meeting: Meeting, *, actor: Any) -> int:
    """E-mail every member, in their language, with the meeting as an .ics attachment."""
    review = db.session.get(Review, meeting.review_id)
    members = db.session.scalars(sa.select(ReviewMember).where(ReviewMember.review_id == review.id)
                                 .options(sa.orm.joinedload(ReviewMember.user)))
    link = external_url("reflections.live", review_id=review.id, meeting_id=meeting.id)
    sent = 0
    for member in members:
        user = member.user
        if not user.active or user.id == actor.id:
            continue
        send_mail(
            to=user.email, subject=_l("Uitnodiging: %(title)s", title=meeting.title),
            template="meeting_invitation", language=user.preferred_language,
            attachments=[("bijeenkomst.ics", "text/calendar", meeting_calendar(meeting, link))],
            user=user, meeting=meeting, review=review, link=link, inviter_name=actor.display_name,
        )
        sent += 1
    meeting.invitations_sent_at = utcnow()
    db.session.flush()
    audit.record("meeting.invitations_sent", actor=actor, object_type="review", object_id=review.id,
                 meeting_id=meeting.id, recipients=sent)
    return sent


# --- the agenda -------------------------------------------------------------------------------


def update_agenda_item(meeting: Meeting, item: AgendaItem, *, name: str, minutes: int) -> None:
    if not name.strip():
        raise MeetingError(_("Geef dit agendapunt een naam."), "name")
    if not 1 <= minutes <= 600:
        raise MeetingError(_("Geef een tijd tussen 1 en 600 minuten."), "minutes")
    item.name, item.minutes = name.strip(), minutes
    mark_changed(meeting)


def move_agenda_item(meeting: Meeting, item: AgendaItem, direction: str) -> None:
    if meeting.status != MeetingStatus.PLANNED.value:
        raise MeetingError(_("De volgorde ligt vast zodra de bijeenkomst is begonnen."))
    if swap_with_neighbour(list(meeting.agenda), item, direction):
        meeting.agenda.sort(key=lambda each: each.position)
        mark_changed(meeting)


def remove_agenda_item(meeting: Meeting, item: AgendaItem) -> None:
    if meeting.status != MeetingStatus.PLANNED.value:
        raise MeetingError(_("Het agendapunt kan niet meer weg zodra de bijeenkomst is begonnen."))
    if len(meeting.agenda) <= 1:
        raise MeetingError(_("Een bijeenkomst heeft minstens één agendapunt."))
    meeting.agenda.remove(item)
    for position, each in enumerate(meeting.agenda):
        each.position = position
    mark_changed(meeting)


def save_notes(item: AgendaItem, notes: str) -> None:
    """The facilitator's notes per phase; not shown to participants, so no new state for them."""
    item.notes = notes[:20_000]
    db.session.flush()


# --- running it ------------------------------------------------------------------------------


def mark_changed(meeting: Meeting) -> None:
    meeting.state_version = Meeting.state_version + 1
    db.session.flush()
    db.session.refresh(meeting, ["state_version"])


def remaining_seconds(meeting: Meeting, now: datetime | None = None) -> int:
    """Seconds left on the phase timer (negative once it has run over)."""
    used = meeting.timer_used_seconds
    if meeting.timer_started_at is not None:
        used += int(((now or utcnow()) - meeting.timer_started_at).total_seconds())
    return meeting.timer_seconds - used


def timer_running(meeting: Meeting) -> bool:
    return meeting.timer_started_at is not None


def _reset_timer(meeting: Meeting) -> None:
    item = meeting.current_item
    meeting.timer_seconds = (item.minutes if item else 0) * 60
    meeting.timer_used_seconds = 0
    meeting.timer_started_at = None


def start_meeting(meeting: Meeting, *, actor: Any, now: datetime | None = None) -> None:
    if meeting.status == MeetingStatus.CLOSED.value:
        raise MeetingError(_("Deze bijeenkomst is al afgesloten."))
    if meeting.status == MeetingStatus.PLANNED.value:
        meeting.status = MeetingStatus.RUNNING.value
        meeting.current_position = 0
        _reset_timer(meeting)
        meeting.timer_started_at = now or utcnow()
        audit.record("meeting.started", actor=actor, object_type="review", object_id=meeting.review_id,
                     meeting_id=meeting.id)
    mark_changed(meeting)


def go_to(meeting: Meeting, *, from_position: int, direction: str) -> bool:
    """Next or previous phase, only if nobody moved it meanwhile; False when it had already moved."""
    if meeting.status != MeetingStatus.RUNNING.value:
        raise MeetingError(_("De bijeenkomst loopt niet."))
    target = from_position + (1 if direction == "next" else -1)
    if not 0 <= target < len(meeting.agenda):
        raise MeetingError(_("Er is geen fase meer in die richting."))
    moved = db.session.execute(
        sa.update(Meeting).where(Meeting.id == meeting.id, Meeting.current_position == from_position)
        .values(current_position=target).execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(meeting, ["current_position"])
    if not moved:
        return False
    _reset_timer(meeting)
    mark_changed(meeting)
    return True


def start_timer(meeting: Meeting, now: datetime | None = None) -> None:
    if meeting.status != MeetingStatus.RUNNING.value:
        raise MeetingError(_("De bijeenkomst loopt niet."))
    if meeting.timer_started_at is None:
        meeting.timer_started_at = now or utcnow()
        mark_changed(meeting)


def pause_timer(meeting: Meeting, now: datetime | None = None) -> None:
    if meeting.timer_started_at is not None:
        meeting.timer_used_seconds += int(((now or utcnow()) - meeting.timer_started_at).total_seconds())
        meeting.timer_started_at = None
        mark_changed(meeting)


def extend_timer(meeting: Meeting, minutes: int) -> None:
    if not 1 <= minutes <= MAX_EXTENSION_MINUTES:
        raise MeetingError(_("Verleng met 1 tot 60 minuten."))
    meeting.timer_seconds += minutes * 60
    mark_changed(meeting)


def set_contributions_visible(meeting: Meeting, visible: bool) -> None:
    meeting.contributions_visible = visible
    mark_changed(meeting)


def close_meeting(meeting: Meeting, *, actor: Any, now: datetime | None = None) -> None:
    if meeting.status == MeetingStatus.CLOSED.value:
        return
    pause_timer(meeting, now)
    meeting.status = MeetingStatus.CLOSED.value
    mark_changed(meeting)
    audit.record("meeting.closed", actor=actor, object_type="review", object_id=meeting.review_id,
                 meeting_id=meeting.id)


def set_attendance(meeting: Meeting, user_id: int, present: bool) -> None:
    row = db.session.get(Attendance, (meeting.id, user_id))
    if row is None:
        db.session.add(Attendance(meeting_id=meeting.id, user_id=user_id, present=present))
    else:
        row.present, row.marked_at = present, utcnow()
    db.session.flush()


def attendance(meeting: Meeting) -> dict[int, bool]:
    return {row.user_id: row.present for row in db.session.scalars(
        sa.select(Attendance).where(Attendance.meeting_id == meeting.id))}


def state_version(meeting_id: int, review_id: int) -> int | None:
    """The one cheap query behind an unchanged live poll; None when the meeting is not of this review."""
    return db.session.scalar(sa.select(Meeting.state_version).where(Meeting.id == meeting_id,
                                                                    Meeting.review_id == review_id))

"""A meeting as an iCalendar event, attached to its invitation."""

from __future__ import annotations

from learning.meetings.models import Meeting
from learning.reviews.calendar import event_calendar


def meeting_calendar(meeting: Meeting, url: str) -> bytes:
    return event_calendar(
        uid=f"meeting-{meeting.id}", summary=meeting.title, start=meeting.starts_at, end=meeting.ends_at,
        location=meeting.place, url=meeting.online_link or url,
        description="\n".join(part for part in (meeting.online_link, url) if part))

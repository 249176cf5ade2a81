"""Planned dates as iCalendar (.ics), for download and as an attachment to invitations."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar, Event

from learning.db import utcnow
from learning.reviews.models import Review


def review_calendar(review: Review, url: str) -> bytes | None:
    """An all-day event spanning the planned dates; None when no date is planned."""
    if review.planned_start is None:
        return None
    calendar = Calendar()
    calendar.add("prodid", "-//Leren met Impact//NL")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"review-{review.id}@leren-met-impact")
    event.add("summary", f"{review.kind_label}: {review.title}")
    event.add("dtstart", review.planned_start)
    # All-day events end the day after the last day (RFC 5545, DTEND is exclusive).
    event.add("dtend", (review.planned_end or review.planned_start) + timedelta(days=1))
    event.add("dtstamp", utcnow())
    event.add("url", url)
    event.add("description", url)
    calendar.add_component(event)
    return calendar.to_ical()

"""Planned dates as iCalendar (.ics), for download and as an attachment to invitations."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from icalendar import Calendar, Event

from learning.db import utcnow
from learning.reviews.models import Review


def event_calendar(*, uid: str, summary: str, start: date | datetime, end: date | datetime, url: str,
                   location: str = "", description: str = "") -> bytes:
    """One event as an .ics file that calendar apps import (and update, by ``uid``)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Leren met Impact//NL")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{uid}@leren-met-impact")
    event.add("summary", summary)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("dtstamp", utcnow())
    if location:
        event.add("location", location)
    event.add("url", url)
    event.add("description", description or url)
    calendar.add_component(event)
    return calendar.to_ical()


def review_calendar(review: Review, url: str) -> bytes | None:
    """An all-day event spanning the planned dates; None when no date is planned."""
    if review.planned_start is None:
        return None
    # All-day events end the day after the last day (RFC 5545, DTEND is exclusive).
    return event_calendar(uid=f"review-{review.id}", summary=f"{review.kind_label}: {review.title}",
                          start=review.planned_start,
                          end=(review.planned_end or review.planned_start) + timedelta(days=1), url=url)

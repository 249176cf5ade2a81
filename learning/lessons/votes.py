"""Putting lessons to a dot-vote in a running meeting of their review, with the meetings' own voting.

The ballot, the privacy of each vote and the results after closing are the reflections step's
(``learning.reflections.voting``); this module only prepares the options. A concept lesson put to
a vote is shown to the voters on purpose: choosing what to agree on is what the vote is for.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from learning.db import db
from learning.i18n import _
from learning.lessons.ids import known_id
from learning.lessons.models import Lesson
from learning.lessons.services import LessonError
from learning.meetings.models import Meeting, MeetingStatus
from learning.reflections import voting
from learning.reflections.models import Vote, VoteStatus
from learning.reviews.access import ReviewAccess

TARGET = "lessons"
ITEM_TYPE = "lesson"


def running_meetings(access: ReviewAccess) -> list[Meeting]:
    return list(db.session.scalars(sa.select(Meeting).where(
        Meeting.review_id == access.review.id, Meeting.status == MeetingStatus.RUNNING.value)
        .order_by(Meeting.starts_at, Meeting.id)))


def open_lesson_vote(access: ReviewAccess, *, meeting_id: int | None, lesson_ids: Iterable[int], title: str,
                     dots_per_person: int = 3, allow_stacking: bool = True) -> Vote:
    """Open a vote on these lessons of the review in one of its running meetings.

    Raises LessonError (with the form field) for a meeting or lessons that are not this review's,
    and ``voting.VoteError`` for the voting rules (one open vote per meeting, 1–20 dots, two options).
    """
    if not access.can_edit:
        raise LessonError(_("Alleen reviewers openen een stemming."))
    meeting = db.session.scalar(sa.select(Meeting).where(
        Meeting.id == meeting_id, Meeting.review_id == access.review.id)) if known_id(meeting_id) else None
    if meeting is None or meeting.status != MeetingStatus.RUNNING.value:
        raise LessonError(_("Kies een bijeenkomst van deze review die nu loopt."), "meeting_id")
    wanted = set(lesson_ids)
    if not all(known_id(value) for value in wanted):
        raise LessonError(_("Kies leerpunten van deze review uit de lijst."), "lesson_ids")
    lessons = list(db.session.scalars(sa.select(Lesson).where(
        Lesson.id.in_(wanted), Lesson.review_id == access.review.id)
        .order_by(Lesson.status.desc(), Lesson.created_at, Lesson.id))) if wanted else []
    if len(lessons) != len(wanted):
        raise LessonError(_("Kies leerpunten van deze review uit de lijst."), "lesson_ids")
    if any(not lesson.text.strip() for lesson in lessons):
        raise LessonError(_("Een leerpunt zonder tekst kan niet in een stemming. Schrijf eerst de tekst."),
                          "lesson_ids")
    if len(lessons) < 2:
        raise LessonError(_("Kies minstens twee leerpunten om over te stemmen."), "lesson_ids")
    return voting.open_vote_on(access, meeting, title=title, target=TARGET,
                               options=[(ITEM_TYPE, lesson.id, lesson.text) for lesson in lessons],
                               dots_per_person=dots_per_person, allow_stacking=allow_stacking)


@dataclass(frozen=True)
class LessonVoteResult:
    vote: Vote
    tallies: list[voting.Tally]
    voters: int


def latest_result(access: ReviewAccess) -> LessonVoteResult | None:
    """The most recently closed vote on this review's lessons, with its totals."""
    vote = db.session.scalar(
        sa.select(Vote).where(Vote.review_id == access.review.id, Vote.target == TARGET,
                              Vote.status == VoteStatus.CLOSED.value)
        .options(sa.orm.selectinload(Vote.options)).order_by(Vote.closed_at.desc(), Vote.id.desc()).limit(1))
    if vote is None:
        return None
    tallies, voters = voting.results(vote)
    return LessonVoteResult(vote, tallies, voters)


def open_lesson_votes(access: ReviewAccess) -> list[Vote]:
    """Votes on lessons still running, so the page can point the voters to their ballot."""
    return list(db.session.scalars(sa.select(Vote).where(
        Vote.review_id == access.review.id, Vote.target == TARGET, Vote.status == VoteStatus.OPEN.value)
        .order_by(Vote.opened_at)))

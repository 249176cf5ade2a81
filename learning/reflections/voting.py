"""Dot-voting: N dots per person on contributions, reflections or (from a later step) lessons; totals only
after the vote closes.

A ballot is private: nobody but its voter ever sees how one person voted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from learning import audit
from learning.db import db, utcnow
from learning.i18n import _
from learning.meetings.models import Meeting
from learning.meetings.services import mark_changed as meeting_changed
from learning.reflections.models import (
    Ballot,
    Contribution,
    ContributionStatus,
    Reflection,
    Visibility,
    Vote,
    VoteOption,
    VoteStatus,
)
from learning.reviews.access import ReviewAccess

LABEL_LIMIT = 300
# What a vote may be about (the check constraint on Vote.target); lessons are offered by learning.lessons.
KNOWN_TARGETS = ("contributions", "reflections", "lessons")


class VoteError(ValueError):
    """``str()`` is a translated message."""


def _label(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= LABEL_LIMIT else text[: LABEL_LIMIT - 1] + "…"


def _check_opening(access: ReviewAccess, meeting: Meeting, dots_per_person: int) -> None:
    if not access.can_edit:
        raise VoteError(_("Alleen reviewers openen een stemming."))
    if open_vote_of(meeting) is not None:
        raise VoteError(_("Er loopt al een stemming. Sluit die eerst."))
    if not 1 <= dots_per_person <= 20:
        raise VoteError(_("Geef iedereen 1 tot 20 stippen."))


def open_vote(access: ReviewAccess, meeting: Meeting, *, title: str, target: str, dots_per_person: int = 3,
              allow_stacking: bool = True, whole_meeting: bool = False, round_id: int | None = None) -> Vote:
    """A vote on this meeting's contributions or on the review's shared reflections."""
    _check_opening(access, meeting, dots_per_person)
    if target == "contributions":
        query = sa.select(Contribution).where(Contribution.meeting_id == meeting.id,
                                              Contribution.status == ContributionStatus.VISIBLE.value)
        if not whole_meeting and meeting.current_item is not None:
            query = query.where(Contribution.agenda_item_id == meeting.current_item.id)
        options = [("contribution", row.id, _label(row.text))
                   for row in db.session.scalars(query.order_by(Contribution.cluster, Contribution.order_key))]
    elif target == "reflections":
        query = sa.select(Reflection).where(
            Reflection.review_id == access.review.id, Reflection.published_answers.is_not(None),
            Reflection.visibility.in_([Visibility.GROUP.value, Visibility.ANONYMOUS.value]))
        if round_id is not None:
            query = query.where(Reflection.round_id == round_id)
        options = [("reflection", row.id, _label(" / ".join(row.published_answers.values())))
                   for row in db.session.scalars(query.order_by(Reflection.order_key))]
    else:
        raise VoteError(_("Kies waarover gestemd wordt."))
    return _create_vote(access, meeting, title=title, target=target, options=options,
                        dots_per_person=dots_per_person, allow_stacking=allow_stacking)


def open_vote_on(access: ReviewAccess, meeting: Meeting, *, title: str, target: str,
                 options: list[tuple[str, int, str]], dots_per_person: int = 3, allow_stacking: bool = True) -> Vote:
    """A vote on options a later step prepared, as ``(item_type, item_id, label)``; labels are shortened here.

    The caller answers for the options: that they belong to this review and that the voters may see them.
    """
    _check_opening(access, meeting, dots_per_person)
    if target not in KNOWN_TARGETS:
        raise VoteError(_("Kies waarover gestemd wordt."))
    return _create_vote(access, meeting, title=title, target=target, dots_per_person=dots_per_person,
                        allow_stacking=allow_stacking,
                        options=[(kind, item_id, _label(label)) for kind, item_id, label in options])


def _create_vote(access: ReviewAccess, meeting: Meeting, *, title: str, target: str,
                 options: list[tuple[str, int, str]], dots_per_person: int, allow_stacking: bool) -> Vote:
    if len(options) < 2:
        raise VoteError(_("Er is te weinig om over te stemmen: minstens twee onderdelen."))
    vote = Vote(review_id=access.review.id, meeting_id=meeting.id, title=title.strip() or _("Stemming"),
                target=target, dots_per_person=dots_per_person, allow_stacking=allow_stacking,
                opened_by_id=access.user.id)
    vote.options = [VoteOption(position=index, item_type=kind, item_id=item_id, label=label)
                    for index, (kind, item_id, label) in enumerate(options)]
    db.session.add(vote)
    meeting_changed(meeting)
    audit.record("vote.opened", actor=access.user, object_type="review", object_id=access.review.id,
                 vote_id=vote.id)
    return vote


def open_vote_of(meeting: Meeting) -> Vote | None:
    return db.session.scalar(sa.select(Vote).where(Vote.meeting_id == meeting.id,
                                                   Vote.status == VoteStatus.OPEN.value))


def latest_closed_vote(meeting: Meeting) -> Vote | None:
    return db.session.scalar(sa.select(Vote).where(Vote.meeting_id == meeting.id,
                                                   Vote.status == VoteStatus.CLOSED.value)
                             .order_by(Vote.closed_at.desc()).limit(1))


def vote_in(access: ReviewAccess, vote_id: int) -> Vote | None:
    return db.session.scalar(sa.select(Vote).where(Vote.id == vote_id, Vote.review_id == access.review.id))


def ballot_of(vote: Vote, user: Any) -> Ballot | None:
    return db.session.scalar(sa.select(Ballot).where(Ballot.vote_id == vote.id, Ballot.voter_id == user.id))


def cast(access: ReviewAccess, vote: Vote, allocation: dict[int, int]) -> Ballot:
    """Place this person's dots; once cast, a ballot stands (voting twice is refused)."""
    if not access.can_contribute:
        raise VoteError(_("Met jouw rol in deze review stem je niet mee."))
    if vote.status != VoteStatus.OPEN.value:
        raise VoteError(_("Deze stemming is gesloten."))
    if ballot_of(vote, access.user) is not None:
        raise VoteError(_("Je hebt al gestemd in deze stemming."))
    option_ids = {option.id for option in vote.options}
    dots = {option_id: count for option_id, count in allocation.items() if count}
    if any(option_id not in option_ids for option_id in dots) or any(count < 0 for count in dots.values()):
        raise VoteError(_("Deze stem klopt niet. Herlaad de pagina en probeer het opnieuw."))
    if not vote.allow_stacking and any(count > 1 for count in dots.values()):
        raise VoteError(_("Bij deze stemming mag je maar één stip per onderdeel geven."))
    if sum(dots.values()) > vote.dots_per_person:
        raise VoteError(_("Je hebt %(count)d stippen; je verdeelde er meer.", count=vote.dots_per_person))
    if not dots:
        raise VoteError(_("Zet minstens één stip."))
    ballot = Ballot(vote_id=vote.id, voter_id=access.user.id, dots={str(k): v for k, v in dots.items()})
    db.session.add(ballot)
    try:
        db.session.flush()
    except sa.exc.IntegrityError:
        db.session.rollback()
        raise VoteError(_("Je hebt al gestemd in deze stemming.")) from None
    return ballot


def close_vote(access: ReviewAccess, meeting: Meeting, vote: Vote) -> None:
    if vote.status == VoteStatus.CLOSED.value:
        return
    vote.status, vote.closed_at = VoteStatus.CLOSED.value, utcnow()
    meeting_changed(meeting)
    audit.record("vote.closed", actor=access.user, object_type="review", object_id=access.review.id,
                 vote_id=vote.id)


@dataclass(frozen=True)
class Tally:
    option: VoteOption
    dots: int


def results(vote: Vote) -> tuple[list[Tally], int]:
    """Totals per option, most dots first, and the number of voters; only for a closed vote."""
    if vote.status != VoteStatus.CLOSED.value:
        raise VoteError(_("De uitslag is er pas als de stemming gesloten is."))
    totals: Counter[int] = Counter()
    ballots = list(db.session.scalars(sa.select(Ballot.dots).where(Ballot.vote_id == vote.id)))
    for dots in ballots:
        totals.update({int(option_id): count for option_id, count in dots.items()})
    tallies = sorted((Tally(option, totals[option.id]) for option in vote.options),
                     key=lambda tally: (-tally.dots, tally.option.position))
    return tallies, len(ballots)

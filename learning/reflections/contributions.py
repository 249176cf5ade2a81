"""Contributions (inbreng) during a meeting: sent by participants, moderated and clustered by the facilitator."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from learning.db import db
from learning.i18n import _
from learning.meetings.models import Meeting, MeetingStatus
from learning.meetings.services import mark_changed as meeting_changed
from learning.reflections.authorship import author_fields, visible_author
from learning.reflections.models import Contribution, ContributionStatus
from learning.reviews.access import ReviewAccess

TEXT_LIMIT = 500


class ContributionError(ValueError):
    """``str()`` is a translated message."""


def contribute(access: ReviewAccess, meeting: Meeting, *, agenda_item_id: int, text: str,
               anonymous: bool) -> Contribution:
    if not access.can_contribute:
        raise ContributionError(_("Met jouw rol in deze review stuur je geen inbreng."))
    if meeting.status != MeetingStatus.RUNNING.value:
        raise ContributionError(_("De bijeenkomst loopt niet; je inbreng is niet verstuurd."))
    current = meeting.current_item
    if current is None or current.id != agenda_item_id:
        raise ContributionError(_("Deze fase is al gesloten; je inbreng is niet verstuurd. "
                                  "Je tekst staat nog hieronder voor de volgende fase."))
    text = text.strip()
    if not text:
        raise ContributionError(_("Schrijf eerst je inbreng."))
    if len(text) > TEXT_LIMIT:
        raise ContributionError(_("Houd je inbreng kort: hoogstens %(limit)d tekens.", limit=TEXT_LIMIT))
    anonymous = anonymous or access.review.fully_anonymous
    held = anonymous and meeting.moderate_anonymous
    contribution = Contribution(
        review_id=access.review.id, meeting_id=meeting.id, agenda_item_id=current.id, anonymous=anonymous,
        text=text, status=ContributionStatus.HELD.value if held else ContributionStatus.VISIBLE.value,
        **author_fields(access.review, access.user),
    )
    db.session.add(contribution)
    meeting_changed(meeting)
    return contribution


def contribution_in(meeting: Meeting, contribution_id: int) -> Contribution | None:
    return db.session.scalar(sa.select(Contribution).where(
        Contribution.id == contribution_id, Contribution.meeting_id == meeting.id))


def moderate(meeting: Meeting, contribution: Contribution, status: str) -> None:
    if status not in {s.value for s in ContributionStatus}:
        raise ContributionError(_("Onbekende keuze."))
    contribution.status = status
    meeting_changed(meeting)


def set_cluster(meeting: Meeting, contribution: Contribution, cluster: str) -> None:
    contribution.cluster = cluster.strip()[:80]
    meeting_changed(meeting)


@dataclass(frozen=True)
class ShownContribution:
    contribution: Contribution
    author: Any | None


def shown(access: ReviewAccess, rows: list[Contribution]) -> list[ShownContribution]:
    return [ShownContribution(row, visible_author(row, anonymous=row.anonymous, review=access.review,
                                                  viewer_is_lead=access.is_lead)) for row in rows]


def for_group(access: ReviewAccess, meeting: Meeting, agenda_item_id: int) -> list[ShownContribution]:
    """What the group sees for a phase: visible contributions, clustered, in an order that reveals nothing."""
    if not meeting.contributions_visible:
        return []
    rows = list(db.session.scalars(
        sa.select(Contribution).where(Contribution.meeting_id == meeting.id,
                                      Contribution.agenda_item_id == agenda_item_id,
                                      Contribution.status == ContributionStatus.VISIBLE.value)
        .options(sa.orm.joinedload(Contribution.author))
        .order_by(Contribution.cluster, Contribution.order_key)))
    return shown(access, rows)


def for_facilitator(access: ReviewAccess, meeting: Meeting) -> list[ShownContribution]:
    """Everything sent in this meeting, held ones first, then per phase and cluster."""
    rows = list(db.session.scalars(
        sa.select(Contribution).where(Contribution.meeting_id == meeting.id)
        .options(sa.orm.joinedload(Contribution.author), sa.orm.joinedload(Contribution.agenda_item))
        .order_by(Contribution.status != ContributionStatus.HELD.value, Contribution.agenda_item_id,
                  Contribution.cluster, Contribution.order_key)))
    return shown(access, rows)

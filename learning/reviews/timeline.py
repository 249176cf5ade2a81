"""Timelines of key practice episodes: each member's own, and the review's integrated one."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa

from learning import audit
from learning.admin.models import TaxonomyTerm, Vocabulary
from learning.db import db, utcnow
from learning.i18n import _
from learning.reviews import privacy
from learning.reviews.access import ReviewAccess
from learning.reviews.methods import swap_with_neighbour
from learning.reviews.models import Episode, Review
from learning.reviews.services import EditConflict, ReviewError

DESCRIPTION_LIMIT = 5_000


@dataclass
class EpisodeInput:
    title: str
    occurred_on: date | None = None
    period: str = ""
    description: str = ""
    source: str = ""
    agency_kind_ids: list[int] = field(default_factory=list)

    def texts_to_check(self) -> dict[str, tuple[str, str]]:
        return {"title": (_("Titel"), self.title), "period": (_("Periode"), self.period),
                "description": (_("Wat gebeurde er"), self.description), "source": (_("Bron"), self.source)}


def _check(data: EpisodeInput) -> list[TaxonomyTerm]:
    if not data.title.strip():
        raise ReviewError(_("Geef het sleutelmoment een titel."), "title")
    if data.occurred_on is None and not data.period.strip():
        raise ReviewError(_("Vul een datum in, of een periode bij benadering (bijvoorbeeld: voorjaar 2025)."),
                          "occurred_on")
    if len(data.description) > DESCRIPTION_LIMIT:
        raise ReviewError(_("Deze tekst is te lang: hoogstens %(limit)d tekens.", limit=DESCRIPTION_LIMIT),
                          "description")
    ids = set(data.agency_kind_ids)
    kinds = list(db.session.scalars(sa.select(TaxonomyTerm).where(
        TaxonomyTerm.id.in_(ids), TaxonomyTerm.vocabulary == Vocabulary.AGENCY_KIND.value))) if ids else []
    if len(kinds) != len(ids):
        raise ReviewError(_("Kies soorten organisaties uit de lijst."), "agency_kind_ids")
    return kinds


def timeline(review: Review, owner_id: int | None) -> list[Episode]:
    """One timeline in its order: the integrated one (owner None) or a member's own."""
    owner_condition = Episode.timeline_owner_id.is_(None) if owner_id is None else Episode.timeline_owner_id == owner_id
    return list(db.session.scalars(
        sa.select(Episode).where(Episode.review_id == review.id, owner_condition)
        .options(sa.orm.selectinload(Episode.agency_kinds), sa.orm.joinedload(Episode.merged_from))
        .order_by(Episode.position, Episode.id)
    ))


def personal_timelines(review: Review) -> dict[Any, list[Episode]]:
    """Every member's own timeline, for the reviewers who merge them, in two queries."""
    episodes = db.session.scalars(
        sa.select(Episode).where(Episode.review_id == review.id, Episode.timeline_owner_id.is_not(None))
        .options(sa.orm.selectinload(Episode.agency_kinds), sa.orm.joinedload(Episode.timeline_owner))
        .order_by(Episode.timeline_owner_id, Episode.position, Episode.id)
    )
    grouped: dict[Any, list[Episode]] = {}
    for episode in episodes:
        grouped.setdefault(episode.timeline_owner, []).append(episode)
    return grouped


def _next_position(review: Review, owner_id: int | None) -> int:
    owner_condition = Episode.timeline_owner_id.is_(None) if owner_id is None else Episode.timeline_owner_id == owner_id
    highest = db.session.scalar(sa.select(sa.func.max(Episode.position)).where(
        Episode.review_id == review.id, owner_condition))
    return 0 if highest is None else highest + 1


def add_episode(
    access: ReviewAccess, data: EpisodeInput, *, integrated: bool, confirming: Iterable[str] = ()
) -> Episode:
    """Add to the integrated timeline (reviewers) or to one's own timeline (contributors)."""
    if integrated and not access.can_edit:
        raise ReviewError(_("Alleen reviewers vullen de gezamenlijke tijdlijn."))
    if not access.can_contribute:
        raise ReviewError(_("Met jouw rol in deze review kun je geen sleutelmomenten toevoegen."))
    kinds = _check(data)
    confirmed = privacy.check_fields(data.texts_to_check(), review_id=access.review.id, author_id=access.user.id,
                                     confirming=confirming)
    owner_id = None if integrated else access.user.id
    episode = Episode(
        review_id=access.review.id, timeline_owner_id=owner_id, position=_next_position(access.review, owner_id),
        occurred_on=data.occurred_on, period=data.period.strip(), title=data.title.strip(),
        description=data.description, source=data.source.strip(), created_by_id=access.user.id,
    )
    episode.agency_kinds = kinds
    db.session.add(episode)
    _remember_confirmations(access, confirmed)
    db.session.flush()
    audit.record("episode.created", actor=access.user, object_type="review", object_id=access.review.id,
                 episode_id=episode.id, integrated=integrated)
    return episode


def _remember_confirmations(access: ReviewAccess, confirmed: list) -> None:
    privacy.record_confirmations(confirmed, actor=access.user, review_id=access.review.id)


def update_episode(
    access: ReviewAccess, episode: Episode, data: EpisodeInput, *, expected_version: int,
    confirming: Iterable[str] = (),
) -> None:
    if not access.can_change_episode(episode):
        raise ReviewError(_("Dit sleutelmoment kun je niet wijzigen."))
    if episode.version != expected_version:
        raise EditConflict(current=episode, submitted=vars(data))
    kinds = _check(data)
    confirmed = privacy.check_fields(data.texts_to_check(), review_id=access.review.id, author_id=access.user.id,
                                     confirming=confirming)
    # One UPDATE, one version step: no autoflush halfway through, and updated_at set explicitly
    # so that a change to the linked agency kinds alone still raises the version.
    with db.session.no_autoflush:
        episode.occurred_on, episode.period = data.occurred_on, data.period.strip()
        episode.title, episode.description = data.title.strip(), data.description
        episode.source = data.source.strip()
        episode.agency_kinds = kinds
        episode.updated_at = utcnow()
    _remember_confirmations(access, confirmed)
    db.session.flush()
    audit.record("episode.updated", actor=access.user, object_type="review", object_id=access.review.id,
                 episode_id=episode.id)


def delete_episode(access: ReviewAccess, episode: Episode) -> None:
    if not access.can_change_episode(episode):
        raise ReviewError(_("Dit sleutelmoment kun je niet verwijderen."))
    owner_id = episode.timeline_owner_id
    db.session.delete(episode)
    db.session.flush()
    _renumber(access.review, owner_id)
    audit.record("episode.deleted", actor=access.user, object_type="review", object_id=access.review.id,
                 episode_id=episode.id)


def _renumber(review: Review, owner_id: int | None) -> None:
    for index, item in enumerate(timeline(review, owner_id)):
        item.position = index


def move_episode(access: ReviewAccess, episode: Episode, direction: str) -> None:
    if not access.can_change_episode(episode):
        raise ReviewError(_("Dit sleutelmoment kun je niet verplaatsen."))
    if swap_with_neighbour(timeline(access.review, episode.timeline_owner_id), episode, direction):
        db.session.flush()
        audit.record("episode.moved", actor=access.user, object_type="review", object_id=access.review.id,
                     episode_id=episode.id, direction=direction)


def merge_into_timeline(access: ReviewAccess, episode: Episode) -> Episode:
    """A reviewer copies a member's own item into the integrated timeline, keeping its origin."""
    if not access.can_edit:
        raise ReviewError(_("Alleen reviewers voegen tijdlijnen samen."))
    if episode.timeline_owner_id is None:
        raise ReviewError(_("Dit sleutelmoment staat al op de gezamenlijke tijdlijn."))
    already = db.session.scalar(sa.select(Episode.id).where(Episode.merged_from_id == episode.id))
    if already is not None:
        raise ReviewError(_("Dit sleutelmoment is al opgenomen in de gezamenlijke tijdlijn."))
    merged = Episode(
        review_id=access.review.id, timeline_owner_id=None, position=_next_position(access.review, None),
        occurred_on=episode.occurred_on, period=episode.period, title=episode.title,
        description=episode.description, source=episode.source, created_by_id=access.user.id,
        merged_from_id=episode.id,
    )
    merged.agency_kinds = list(episode.agency_kinds)
    _insert_in_date_order(access.review, merged)
    audit.record("episode.merged", actor=access.user, object_type="review", object_id=access.review.id,
                 episode_id=merged.id, source_episode_id=episode.id)
    return merged


def _insert_in_date_order(review: Review, new: Episode) -> None:
    """Place a merged item before the first dated item that is later; the rest keep their order."""
    items = timeline(review, None)
    index = len(items)
    if new.occurred_on is not None:
        index = next((i for i, item in enumerate(items) if item.occurred_on and item.occurred_on > new.occurred_on),
                     len(items))
    items.insert(index, new)
    for position, item in enumerate(items):
        item.position = position
    db.session.add(new)
    db.session.flush()


def merged_source_ids(review: Review) -> set[int]:
    return set(db.session.scalars(sa.select(Episode.merged_from_id).where(
        Episode.review_id == review.id, Episode.merged_from_id.is_not(None))))

"""Evidence for a lesson: the reflections, episodes and contributions of the same review it rests on.

One set of rules says which items a person may see, and it serves everything: the picker offers only
those, a crafted id outside them is refused, and a lesson shows (and counts) only those to its reader.
The rules are the earlier steps' own:

* reflections: submitted ones, as in ``readable_reflections`` (reviewers also read "reviewers only");
* episodes: the integrated timeline, one's own, and (reviewers) everybody's, as ``can_see_timeline_of``;
* contributions: those the group saw; reviewers also those still held for moderation, not hidden ones.

Authors are shown as the earlier steps show them (``visible_author``): anonymous items name nobody
but for the lead reviewers, and in a "volledig anoniem" review nobody is ever named.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from learning.db import db
from learning.i18n import _
from learning.lessons.ids import known_id
from learning.lessons.models import Lesson, lesson_contributions, lesson_episodes, lesson_reflections
from learning.meetings.models import AgendaItem, Meeting
from learning.reflections.authorship import visible_author
from learning.reflections.models import Contribution, ContributionStatus, Reflection, ReflectionRound, Visibility
from learning.reviews.access import ReviewAccess
from learning.reviews.models import Episode

EXCERPT_LIMIT = 200


class EvidenceError(ValueError):
    """A chosen item is not evidence this person may link; ``str()`` is a translated message."""


def excerpt(text: str, limit: int = EXCERPT_LIMIT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def reflection_text(reflection: Reflection) -> str:
    """The submitted answers in the order of the round's prompts, a blank line between them."""
    answers = reflection.published_answers or {}
    ordered = [answers[prompt["key"]] for prompt in reflection.round.prompts if answers.get(prompt["key"])]
    ordered += [text for key, text in answers.items()
                if text and key not in {prompt["key"] for prompt in reflection.round.prompts}]
    return "\n\n".join(ordered)


# --- who may see what -------------------------------------------------------------------------


def reflection_condition(access: ReviewAccess) -> sa.ColumnElement[bool]:
    visible = [Visibility.GROUP.value, Visibility.ANONYMOUS.value]
    if access.can_edit:
        visible.append(Visibility.REVIEWERS.value)
    return sa.and_(Reflection.review_id == access.review.id, Reflection.published_answers.is_not(None),
                   Reflection.visibility.in_(visible))


def episode_condition(access: ReviewAccess) -> sa.ColumnElement[bool]:
    """SQL form of ``ReviewAccess.can_see_timeline_of``: the integrated timeline, one's own, and (reviewers) all."""
    in_review = Episode.review_id == access.review.id
    if access.can_edit:
        return in_review
    return sa.and_(in_review, sa.or_(Episode.timeline_owner_id.is_(None), Episode.timeline_owner_id == access.user.id))


def contribution_condition(access: ReviewAccess) -> sa.ColumnElement[bool]:
    statuses = [ContributionStatus.VISIBLE.value]
    if access.can_edit:
        statuses.append(ContributionStatus.HELD.value)
    return sa.and_(Contribution.review_id == access.review.id, Contribution.status.in_(statuses))


@dataclass(frozen=True)
class Kind:
    """One kind of evidence: its model, link table and the lesson's collection."""

    name: str
    model: Any
    link: sa.Table
    column: str
    collection: str
    condition: Any

    @property
    def link_column(self) -> sa.Column:
        return self.link.c[self.column]


REFLECTIONS = Kind("reflection", Reflection, lesson_reflections, "reflection_id", "reflections", reflection_condition)
EPISODES = Kind("episode", Episode, lesson_episodes, "episode_id", "episodes", episode_condition)
CONTRIBUTIONS = Kind("contribution", Contribution, lesson_contributions, "contribution_id", "contributions",
                     contribution_condition)
KINDS = (REFLECTIONS, EPISODES, CONTRIBUTIONS)


def evidence_count(access: ReviewAccess) -> sa.ColumnElement[int]:
    """SQL: how many of a lesson's evidence items this person may see (to add as a column of a Lesson query)."""
    counts = [
        sa.select(sa.func.count()).select_from(kind.link.join(kind.model, kind.model.id == kind.link_column))
        .where(kind.link.c.lesson_id == Lesson.id, kind.condition(access)).correlate(Lesson).scalar_subquery()
        for kind in KINDS
    ]
    return (counts[0] + counts[1] + counts[2]).label("evidence_count")


# --- what to show -------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceItem:
    kind: str
    id: int
    text: str
    context: str
    author: Any | None = None
    anonymous: bool = False
    when: Any = None  # an episode's date, or its period in words
    restricted: bool = False  # not seen by the group: a reflection for reviewers only, a held contribution

    @property
    def excerpt(self) -> str:
        return excerpt(self.text)

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.id}"


def _shown_reflection(access: ReviewAccess, row: Reflection) -> EvidenceItem:
    anonymous = row.visibility == Visibility.ANONYMOUS.value
    author = visible_author(row, anonymous=anonymous, review=access.review, viewer_is_lead=access.is_lead)
    context = row.round.title
    if row.visibility == Visibility.REVIEWERS.value:
        context = _("%(round)s (alleen voor reviewers)", round=context)
    return EvidenceItem("reflection", row.id, reflection_text(row), context, author,
                        anonymous=author is None, restricted=row.visibility == Visibility.REVIEWERS.value)


def _shown_episode(access: ReviewAccess, row: Episode) -> EvidenceItem:
    if row.timeline_owner_id is None:
        context = _("Gezamenlijke tijdlijn")
    elif row.timeline_owner_id == access.user.id:
        context = _("Jouw eigen tijdlijn")
    else:
        # Whose timeline it was is not part of the evidence; the timeline page says so to the reviewers.
        context = _("Eigen tijdlijn van een deelnemer")
    return EvidenceItem("episode", row.id, row.title, context, when=row.occurred_on or row.period or None)


def _shown_contribution(access: ReviewAccess, row: Contribution, meeting_title: str,
                        item_name: str) -> EvidenceItem:
    author = visible_author(row, anonymous=row.anonymous, review=access.review, viewer_is_lead=access.is_lead)
    context = f"{meeting_title} · {item_name}"
    if row.status == ContributionStatus.HELD.value:
        context = _("%(where)s (wacht op moderatie)", where=context)
    return EvidenceItem("contribution", row.id, row.text, context, author, anonymous=author is None,
                        restricted=row.status != ContributionStatus.VISIBLE.value)


def _reflections(access: ReviewAccess, *where: Any) -> list[EvidenceItem]:
    rows = db.session.scalars(
        sa.select(Reflection).join(ReflectionRound, ReflectionRound.id == Reflection.round_id)
        .where(reflection_condition(access), *where)
        .options(sa.orm.joinedload(Reflection.author), sa.orm.contains_eager(Reflection.round))
        .order_by(ReflectionRound.opened_at, ReflectionRound.id, Reflection.order_key)
    )
    return [_shown_reflection(access, row) for row in rows]


def _episodes(access: ReviewAccess, *where: Any) -> list[EvidenceItem]:
    rows = db.session.scalars(
        sa.select(Episode).where(episode_condition(access), *where)
        .order_by(Episode.timeline_owner_id.is_not(None), Episode.timeline_owner_id, Episode.position, Episode.id)
    )
    return [_shown_episode(access, row) for row in rows]


def _contributions(access: ReviewAccess, *where: Any) -> list[EvidenceItem]:
    rows = db.session.execute(
        sa.select(Contribution, Meeting.title, AgendaItem.name)
        .join(Meeting, Meeting.id == Contribution.meeting_id)
        .join(AgendaItem, AgendaItem.id == Contribution.agenda_item_id)
        .where(contribution_condition(access), *where)
        .options(sa.orm.joinedload(Contribution.author))
        .order_by(Meeting.starts_at, Meeting.id, AgendaItem.position, Contribution.cluster, Contribution.order_key)
    )
    return [_shown_contribution(access, row, title, name) for row, title, name in rows]


@dataclass(frozen=True)
class Evidence:
    reflections: list[EvidenceItem]
    episodes: list[EvidenceItem]
    contributions: list[EvidenceItem]

    @property
    def count(self) -> int:
        return len(self.reflections) + len(self.episodes) + len(self.contributions)

    def __bool__(self) -> bool:
        return self.count > 0

    @property
    def restricted(self) -> bool:
        """Whether any of it is text the group has not seen (see ``EvidenceItem.restricted``)."""
        return any(item.restricted for item in self.reflections + self.contributions)


def pickable(access: ReviewAccess) -> Evidence:
    """Everything of this review that this person may link as evidence, in three queries."""
    return Evidence(_reflections(access), _episodes(access), _contributions(access))


def linked(access: ReviewAccess, lesson: Lesson) -> Evidence:
    """The lesson's evidence as this person may see it (other links stay, unseen)."""
    def of(kind: Kind) -> Any:
        return kind.model.id.in_(sa.select(kind.link_column).where(kind.link.c.lesson_id == lesson.id))
    return Evidence(_reflections(access, of(REFLECTIONS)), _episodes(access, of(EPISODES)),
                    _contributions(access, of(CONTRIBUTIONS)))


def linked_ids(access: ReviewAccess, lesson: Lesson) -> dict[str, set[int]]:
    """Per kind, the ids of linked items this person may see (to tick in the picker)."""
    ids: dict[str, set[int]] = {}
    for kind in KINDS:
        ids[kind.name] = set(db.session.scalars(
            sa.select(kind.link_column).join(kind.model, kind.model.id == kind.link_column)
            .where(kind.link.c.lesson_id == lesson.id, kind.condition(access))))
    return ids


# --- choosing ---------------------------------------------------------------------------------------


REFUSALS = {
    "reflection": lambda: _("Een gekozen reflectie hoort niet bij deze review of is niet voor jou zichtbaar. "
                            "Er is niets opgeslagen; kies opnieuw uit de lijst."),
    "episode": lambda: _("Een gekozen sleutelmoment hoort niet bij deze review of is niet voor jou zichtbaar. "
                         "Er is niets opgeslagen; kies opnieuw uit de lijst."),
    "contribution": lambda: _("Een gekozen inbreng hoort niet bij deze review of is niet voor jou zichtbaar. "
                              "Er is niets opgeslagen; kies opnieuw uit de lijst."),
}


def chosen(access: ReviewAccess, kind: Kind, ids: Iterable[int]) -> list[Any]:
    """The items with these ids, all of which this person may link; EvidenceError if any is not."""
    wanted = set(ids)
    if not wanted:
        return []
    if not all(known_id(value) for value in wanted):
        raise EvidenceError(REFUSALS[kind.name]())
    rows = list(db.session.scalars(sa.select(kind.model).where(kind.model.id.in_(wanted), kind.condition(access))))
    if len(rows) != len(wanted):
        raise EvidenceError(REFUSALS[kind.name]())
    return rows


def replace_links(lesson: Lesson, kind: Kind, items: list[Any], seen: set[int]) -> bool:
    """Make the links this person can see (``seen``) exactly ``items``; links they cannot see are kept.

    Returns whether anything changed.
    """
    wanted = {item.id for item in items}
    if seen == wanted:
        return False
    collection = getattr(lesson, kind.collection)
    kept = [item for item in collection if item.id not in seen]
    present = {item.id for item in kept}
    setattr(lesson, kind.collection, kept + [item for item in items if item.id not in present])
    return True

"""Reflection rounds and reflections: saved as people type, submitted with a chosen visibility.

The working copy (``answers``) is the author's alone. Others only ever see ``published_answers``,
set at submission after the personal-data guard, and each submission is kept as a revision.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from learning import audit
from learning.db import db, utcnow
from learning.i18n import _
from learning.reflections.authorship import author_fields, visible_author, written_by
from learning.reflections.authorship import author_key as author_key_for
from learning.reflections.models import Reflection, ReflectionRevision, ReflectionRound, RoundMoment, Visibility
from learning.reviews import privacy
from learning.reviews.access import ReviewAccess
from learning.reviews.models import MemberRole, ReviewMember

ANSWER_LIMIT = 10_000


class ReflectionError(ValueError):
    """A change that breaks a rule; ``str()`` is a translated message."""


@dataclass
class SaveConflict(Exception):
    """The reflection changed since this screen last saved (another tab); nothing was overwritten."""

    reflection: Reflection
    theirs: dict[str, str]
    mine: dict[str, str]

    def differences(self, prompts: list[dict[str, Any]]) -> list[tuple[dict[str, Any], str, str]]:
        """(prompt, their text, my text) for every answer that differs."""
        return [(prompt, self.theirs.get(prompt["key"], ""), self.mine.get(prompt["key"], ""))
                for prompt in prompts if self.theirs.get(prompt["key"], "") != self.mine.get(prompt["key"], "")]


# --- rounds -------------------------------------------------------------------------------------


def open_round(access: ReviewAccess, *, title: str, moment: str, deadline: datetime,
               phase_ids: Iterable[int] | None = None, now: datetime | None = None) -> ReflectionRound:
    if not access.can_edit:
        raise ReflectionError(_("Alleen reviewers openen een reflectieronde."))
    if moment not in {m.value for m in RoundMoment}:
        raise ReflectionError(_("Kies wanneer deze ronde is."))
    if deadline <= (now or utcnow()):
        raise ReflectionError(_("De deadline ligt in het verleden."))
    chosen = set(phase_ids) if phase_ids else None
    prompts = [
        {"key": f"{phase.id}.{index}", "phase": phase.name, "prompt": prompt}
        for phase in access.review.phases if chosen is None or phase.id in chosen
        for index, prompt in enumerate(phase.prompts)
    ]
    if not prompts:
        raise ReflectionError(_("De gekozen fasen hebben geen vragen. Kies andere fasen of voeg vragen toe."))
    reflection_round = ReflectionRound(
        review_id=access.review.id, title=title.strip() or RoundMoment(moment).label, moment=moment,
        prompts=prompts, deadline=deadline, opened_by_id=access.user.id,
    )
    db.session.add(reflection_round)
    db.session.flush()
    audit.record("reflection.round_opened", actor=access.user, object_type="review", object_id=access.review.id,
                 round_id=reflection_round.id)
    return reflection_round


def close_round(access: ReviewAccess, reflection_round: ReflectionRound) -> None:
    reflection_round.closed_at = utcnow()
    db.session.flush()
    audit.record("reflection.round_closed", actor=access.user, object_type="review", object_id=access.review.id,
                 round_id=reflection_round.id)


def rounds_of(access: ReviewAccess) -> list[ReflectionRound]:
    return list(db.session.scalars(sa.select(ReflectionRound).where(
        ReflectionRound.review_id == access.review.id).order_by(ReflectionRound.opened_at.desc())))


def round_in(access: ReviewAccess, round_id: int) -> ReflectionRound | None:
    return db.session.scalar(sa.select(ReflectionRound).where(
        ReflectionRound.id == round_id, ReflectionRound.review_id == access.review.id))


# --- one's own reflection ---------------------------------------------------------------------------


def own_reflection(access: ReviewAccess, reflection_round: ReflectionRound) -> Reflection | None:
    return db.session.scalar(sa.select(Reflection).where(
        Reflection.round_id == reflection_round.id, written_by(Reflection, access.review, access.user)))


def _writable(access: ReviewAccess, reflection_round: ReflectionRound, now: datetime | None) -> None:
    if not access.can_contribute:
        raise ReflectionError(_("Met jouw rol in deze review schrijf je geen reflecties."))
    if not reflection_round.is_open(now):
        raise ReflectionError(_("De deadline van deze ronde is verstreken; je tekst is niet opgeslagen. "
                                "Kopieer hem als je hem wilt bewaren."))


def save_answers(access: ReviewAccess, reflection_round: ReflectionRound, *, answers: dict[str, str],
                 expected_version: int, now: datetime | None = None) -> Reflection:
    """Autosave the working copy. ``expected_version`` is what this screen last saw (0: nothing yet)."""
    _writable(access, reflection_round, now)
    keys = {prompt["key"] for prompt in reflection_round.prompts}
    answers = {key: text for key, text in answers.items() if key in keys}
    if any(len(text) > ANSWER_LIMIT for text in answers.values()):
        raise ReflectionError(_("Een antwoord is te lang: hoogstens %(limit)d tekens.", limit=ANSWER_LIMIT))
    reflection = own_reflection(access, reflection_round)
    if reflection is None:
        reflection = Reflection(round_id=reflection_round.id, review_id=access.review.id, answers={},
                                **author_fields(access.review, access.user))
        db.session.add(reflection)
    elif reflection.version != expected_version:
        raise SaveConflict(reflection, theirs=dict(reflection.answers), mine=answers)
    if reflection.answers != answers or reflection.id is None:
        reflection.answers = answers
        db.session.flush()
    return reflection


def submit(access: ReviewAccess, reflection_round: ReflectionRound, *, answers: dict[str, str], visibility: str,
           expected_version: int, confirming: Iterable[str] = (), now: datetime | None = None) -> Reflection:
    """Publish the answers with the chosen visibility, after the personal-data guard; keep a revision."""
    _writable(access, reflection_round, now)
    if visibility not in {v.value for v in Visibility}:
        raise ReflectionError(_("Kies wie je reflectie mag lezen."))
    if access.review.fully_anonymous and visibility == Visibility.GROUP.value:
        raise ReflectionError(_("In een volledig anonieme review deel je niet met je naam."))
    keys = {prompt["key"]: prompt for prompt in reflection_round.prompts}
    cleaned = {key: text for key, text in answers.items() if key in keys and text.strip()}
    if not cleaned:
        raise ReflectionError(_("Beantwoord minstens één vraag voordat je indient."))
    if any(len(text) > ANSWER_LIMIT for text in cleaned.values()):
        raise ReflectionError(_("Een antwoord is te lang: hoogstens %(limit)d tekens.", limit=ANSWER_LIMIT))
    reflection = own_reflection(access, reflection_round)
    if reflection is not None and reflection.version != expected_version:
        raise SaveConflict(reflection, theirs=dict(reflection.answers), mine=dict(answers))
    texts = {key: (keys[key]["prompt"], text) for key, text in cleaned.items()}
    confirmed = privacy.check_fields(texts, review_id=access.review.id, author_id=access.user.id,
                                     confirming=confirming)
    if reflection is None:
        reflection = Reflection(round_id=reflection_round.id, review_id=access.review.id,
                                **author_fields(access.review, access.user))
        db.session.add(reflection)
    reflection.answers = dict(cleaned)
    reflection.published_answers = dict(cleaned)
    reflection.visibility = visibility
    reflection.submitted_at = now or utcnow()
    reflection.revisions.append(ReflectionRevision(answers=dict(cleaned), visibility=visibility))
    db.session.flush()
    # In a fully anonymous review no trace may name the author, confirmations included.
    privacy.record_confirmations(confirmed, actor=None if access.review.fully_anonymous else access.user,
                                 review_id=access.review.id)
    # The audit names who submitted (not which reflection or how visible), except in a fully anonymous review.
    audit.record("reflection.submitted", actor=None if access.review.fully_anonymous else access.user,
                 object_type="review", object_id=access.review.id)
    return reflection


# --- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShownReflection:
    reflection: Reflection
    author: Any | None

    @property
    def anonymous(self) -> bool:
        return self.reflection.visibility == Visibility.ANONYMOUS.value


def readable_reflections(access: ReviewAccess, reflection_round: ReflectionRound) -> list[ShownReflection]:
    """Submitted reflections this person may read, in an order that says nothing about who or when."""
    visible = [Visibility.GROUP.value, Visibility.ANONYMOUS.value]
    if access.can_edit:
        visible.append(Visibility.REVIEWERS.value)
    rows = db.session.scalars(
        sa.select(Reflection).where(Reflection.round_id == reflection_round.id,
                                    Reflection.published_answers.is_not(None), Reflection.visibility.in_(visible))
        .options(sa.orm.joinedload(Reflection.author)).order_by(Reflection.order_key)
    )
    return [
        ShownReflection(row, visible_author(row, anonymous=row.visibility == Visibility.ANONYMOUS.value,
                                            review=access.review, viewer_is_lead=access.is_lead))
        for row in rows
    ]


@dataclass(frozen=True)
class Participation:
    submitted: list[Any]
    waiting: list[Any]
    count: int
    total: int


def participation(access: ReviewAccess, reflection_round: ReflectionRound) -> Participation:
    """Who has and has not submitted (names only when authors are known at all)."""
    writers = [MemberRole.PARTICIPANT.value, MemberRole.EXPERT_BY_EXPERIENCE.value]
    members = list(db.session.scalars(sa.select(ReviewMember).where(
        ReviewMember.review_id == access.review.id, ReviewMember.role.in_(writers))
        .options(sa.orm.joinedload(ReviewMember.user))))
    submitted = db.session.execute(sa.select(Reflection.author_id, Reflection.author_key).where(
        Reflection.round_id == reflection_round.id, Reflection.published_answers.is_not(None))).all()
    if access.review.fully_anonymous:
        # Only a count, and only of the writers' own reflections (reviewers may write too).
        keys = {author_key for _author_id, author_key in submitted}
        count = sum(1 for m in members if author_key_for(access.review.id, m.user_id) in keys)
        return Participation([], [], count, len(members))
    authors = {author_id for author_id, _key in submitted}
    done = [m.user for m in members if m.user_id in authors]
    waiting = [m.user for m in members if m.user_id not in authors]
    return Participation(done, waiting, len(done), len(members))


def rounds_waiting_for(user: Any, now: datetime | None = None) -> list[ReflectionRound]:
    """Open rounds in the person's reviews that they have not submitted to yet (for the dashboard)."""
    from learning.reflections.authorship import author_key
    from learning.reviews.models import CONTRIBUTOR_ROLES, Review

    now = now or utcnow()
    rows = db.session.execute(
        sa.select(ReflectionRound, Review.fully_anonymous)
        .join(Review, Review.id == ReflectionRound.review_id)
        .join(ReviewMember, sa.and_(ReviewMember.review_id == Review.id, ReviewMember.user_id == user.id))
        .where(ReflectionRound.closed_at.is_(None), ReflectionRound.deadline > now,
               ReviewMember.role.in_([role.value for role in CONTRIBUTOR_ROLES]))
        .order_by(ReflectionRound.deadline)
    ).all()
    if not rows:
        return []
    submitted = db.session.execute(
        sa.select(Reflection.round_id, Reflection.author_id, Reflection.author_key)
        .where(Reflection.round_id.in_([row[0].id for row in rows]), Reflection.published_answers.is_not(None))
    ).all()
    done = {(round_id, author_id or key) for round_id, author_id, key in submitted}
    waiting = []
    for reflection_round, fully_anonymous in rows:
        me = author_key(reflection_round.review_id, user.id) if fully_anonymous else user.id
        if (reflection_round.id, me) not in done:
            waiting.append(reflection_round)
    return waiting

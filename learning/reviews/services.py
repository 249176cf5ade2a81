"""Creating and changing reviews: status transitions, edits with conflict detection, access log."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa

from learning import audit
from learning.admin.models import Organisation, Region, TaxonomyTerm, Vocabulary
from learning.audit import AuditEvent
from learning.auth.models import User
from learning.db import db, utcnow
from learning.i18n import _
from learning.reviews import privacy
from learning.reviews.models import (
    MemberRole,
    Method,
    Review,
    ReviewKind,
    ReviewMember,
    ReviewPhase,
    ReviewStatus,
)

TEXT_LIMIT = 20_000
ALLOWED_TRANSITIONS = {
    ReviewStatus.CONCEPT: {ReviewStatus.VOORBEREIDING},
    ReviewStatus.VOORBEREIDING: {ReviewStatus.CONCEPT, ReviewStatus.BIJEENKOMST},
    ReviewStatus.BIJEENKOMST: {ReviewStatus.VOORBEREIDING, ReviewStatus.AFRONDING},
    ReviewStatus.AFRONDING: {ReviewStatus.BIJEENKOMST, ReviewStatus.GESLOTEN},
    ReviewStatus.GESLOTEN: set(),
}


class ReviewError(ValueError):
    """A change that breaks a rule; ``str()`` is a translated message, ``field`` the form field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class EditConflict(Exception):
    """Someone else saved a newer version since this form was opened."""

    current: Any
    submitted: dict[str, Any]


@dataclass
class ReviewInput:
    kind: str
    title: str
    learning_question: str
    region_id: int
    organisation_ids: list[int] = field(default_factory=list)
    agency_kind_ids: list[int] = field(default_factory=list)
    planned_start: date | None = None
    planned_end: date | None = None
    case_summary: str = ""
    family_perspective: str = ""

    def texts_to_check(self) -> dict[str, tuple[str, str]]:
        return {
            "title": (_("Titel"), self.title),
            "learning_question": (_("Leervraag"), self.learning_question),
            "case_summary": (_("Casusbeschrijving"), self.case_summary),
            "family_perspective": (_("Perspectief van het gezin"), self.family_perspective),
        }


def _check_input(data: ReviewInput, *, today: date, previous_start: date | None = None) -> None:
    if data.kind not in {kind.value for kind in ReviewKind}:
        raise ReviewError(_("Kies een soort review."), "kind")
    if db.session.get(Region, data.region_id) is None:
        raise ReviewError(_("Kies een regio uit de lijst."), "region_id")
    start_changed = data.planned_start != previous_start
    if data.planned_start and start_changed and data.planned_start < today:
        raise ReviewError(_("Deze datum ligt in het verleden. Kies vandaag of later."), "planned_start")
    if data.planned_start and data.planned_end and data.planned_end < data.planned_start:
        raise ReviewError(_("De einddatum ligt voor de begindatum."), "planned_end")
    if data.planned_end and not data.planned_start:
        raise ReviewError(_("Vul ook een begindatum in."), "planned_start")
    for name in ("case_summary", "family_perspective", "learning_question"):
        if len(getattr(data, name)) > TEXT_LIMIT:
            raise ReviewError(_("Deze tekst is te lang: hoogstens %(limit)d tekens.", limit=TEXT_LIMIT), name)


def _organisations(ids: Iterable[int]) -> list[Organisation]:
    ids = list(ids)
    found = list(db.session.scalars(sa.select(Organisation).where(Organisation.id.in_(ids)))) if ids else []
    if len(found) != len(set(ids)):
        raise ReviewError(_("Kies organisaties uit de lijst."), "organisation_ids")
    return found


def _agency_kinds(ids: Iterable[int]) -> list[TaxonomyTerm]:
    ids = list(ids)
    if not ids:
        return []
    found = list(db.session.scalars(sa.select(TaxonomyTerm).where(
        TaxonomyTerm.id.in_(ids), TaxonomyTerm.vocabulary == Vocabulary.AGENCY_KIND.value)))
    if len(found) != len(set(ids)):
        raise ReviewError(_("Kies soorten organisaties uit de lijst."), "agency_kind_ids")
    return found


def create_review(
    data: ReviewInput, *, method: Method | None, actor: Any, today: date, confirming: Iterable[str] = ()
) -> Review:
    """A new review in status concept, with a snapshot of the method's phases; the author leads it."""
    _check_input(data, today=today)
    if method is None:
        raise ReviewError(_("Kies een methode."), "method_id")
    if not method.phases:
        raise ReviewError(_("Deze methode heeft geen fasen. Kies een andere of voeg eerst fasen toe."), "method_id")
    confirmed = privacy.check_fields(data.texts_to_check(), review_id=None, author_id=actor.id,
                                     confirming=confirming)
    review = Review(
        kind=data.kind, title=data.title.strip(), learning_question=data.learning_question.strip(),
        region_id=data.region_id, method_id=method.id, method_name=method.name,
        planned_start=data.planned_start, planned_end=data.planned_end,
        case_summary=data.case_summary, family_perspective=data.family_perspective,
        created_by_id=actor.id,
    )
    review.organisations = _organisations(data.organisation_ids)
    review.agency_kinds = _agency_kinds(data.agency_kind_ids)
    review.phases = [ReviewPhase(position=index, **phase.phase_data()) for index, phase in enumerate(method.phases)]
    review.members = [ReviewMember(user_id=actor.id, role=MemberRole.LEAD_REVIEWER.value)]
    db.session.add(review)
    db.session.flush()
    audit.record("review.created", actor=actor, object_type="review", object_id=review.id, method_id=method.id)
    privacy.record_confirmations(confirmed, actor=actor, review_id=review.id)
    return review


EDITABLE_FIELDS = ("kind", "title", "learning_question", "region_id", "planned_start", "planned_end",
                   "case_summary", "family_perspective")


def update_review(
    review: Review, data: ReviewInput, *, expected_version: int, actor: Any, today: date,
    confirming: Iterable[str] = (),
) -> list[str]:
    """Apply an edit made on version ``expected_version``; returns the names of changed fields."""
    if review.version != expected_version:
        raise EditConflict(current=review, submitted=vars(data))
    _check_input(data, today=today, previous_start=review.planned_start)
    confirmed = privacy.check_fields(data.texts_to_check(), review_id=review.id, author_id=actor.id,
                                     confirming=confirming)
    organisations = _organisations(data.organisation_ids)
    agency_kinds = _agency_kinds(data.agency_kind_ids)
    changed = [name for name in EDITABLE_FIELDS if getattr(review, name) != getattr(data, name)]
    if {o.id for o in review.organisations} != {o.id for o in organisations}:
        changed.append("organisation_ids")
    if {t.id for t in review.agency_kinds} != {t.id for t in agency_kinds}:
        changed.append("agency_kind_ids")
    # One UPDATE, one version step: no autoflush halfway through, and updated_at set explicitly
    # so that a change to the linked organisations alone still raises the version.
    with db.session.no_autoflush:
        for name in changed:
            if name in EDITABLE_FIELDS:
                setattr(review, name, getattr(data, name))
        review.organisations, review.agency_kinds = organisations, agency_kinds
        if changed:
            review.updated_at = utcnow()
    if changed:
        audit.record("review.updated", actor=actor, object_type="review", object_id=review.id, fields=changed)
    privacy.record_confirmations(confirmed, actor=actor, review_id=review.id)
    db.session.flush()
    return changed


def change_status(review: Review, new_status: str, *, actor: Any) -> None:
    current = ReviewStatus(review.status)
    try:
        target = ReviewStatus(new_status)
    except ValueError:
        raise ReviewError(_("Onbekende status.")) from None
    if target not in ALLOWED_TRANSITIONS[current]:
        raise ReviewError(
            _("Van %(current)s kan een review niet naar %(target)s.", current=current.label.lower(),
              target=target.label.lower())
        )
    review.status = target.value
    audit.record("review.status_changed", actor=actor, object_type="review", object_id=review.id,
                 old=current.value, new=target.value)
    db.session.flush()


def next_statuses(review: Review) -> list[ReviewStatus]:
    order = list(ReviewStatus)
    return sorted(ALLOWED_TRANSITIONS[ReviewStatus(review.status)], key=order.index)


def set_support_access(review: Review, granted: bool, *, actor: Any) -> None:
    review.admin_support_access = granted
    audit.record("review.support_access", actor=actor, object_type="review", object_id=review.id, granted=granted)
    db.session.flush()


def record_view(review: Review, *, actor: Any, sections: list[str]) -> None:
    """The access log: who looked at which sensitive parts of a review, and when."""
    audit.record("review.viewed", actor=actor, object_type="review", object_id=review.id, sections=sections)


@dataclass(frozen=True)
class Viewer:
    user: Any
    views: int
    last_viewed: Any


def viewers(review: Review) -> list[Viewer]:
    """Who viewed this review, how often and when last: for its lead reviewers."""
    rows = db.session.execute(
        sa.select(User, sa.func.count(AuditEvent.id), sa.func.max(AuditEvent.occurred_at))
        .join(AuditEvent, AuditEvent.actor_id == User.id)
        .where(AuditEvent.action == "review.viewed", AuditEvent.object_type == "review",
               AuditEvent.object_id == review.id)
        .group_by(User.id)
        .order_by(sa.func.max(AuditEvent.occurred_at).desc())
    )
    return [Viewer(user, count, last) for user, count, last in rows]

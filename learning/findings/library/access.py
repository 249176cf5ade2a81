"""Who may read the library, publish to it and withdraw from it: the loaders and rules, in one place.

Reading is for every reviewer and policy owner (any region), and administrators (who may
withdraw). Publishing starts from a lesson or finding loaded as its own domain shows it to the
person (a lesson through their membership of its review, a finding through the findings' scope):
what they cannot see does not exist (404); what they see, only the lead reviewer of every review
behind it may publish (403 otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from learning.db import db
from learning.findings.access import finding_for
from learning.findings.library.models import LibraryItem, SourceKind
from learning.findings.models import Finding, FindingLesson
from learning.lessons.ids import known_id
from learning.lessons.models import Lesson
from learning.lessons.services import lesson_in
from learning.permissions import ObjectRule, loaded, role
from learning.reviews.access import led_review_ids, review_access
from learning.reviews.models import ReviewMember

READERS = role("reviewer", "policy_owner", "admin")


@dataclass(frozen=True)
class PublishSource:
    """A lesson or finding as one person may publish it, with the ids of the reviews it comes from."""

    kind: SourceKind
    obj: Lesson | Finding
    review_ids: tuple[int, ...]
    is_lead: bool

    @property
    def id(self) -> int:
        return self.obj.id

    @property
    def lesson(self) -> Lesson | None:
        return self.obj if self.kind == SourceKind.LESSON else None

    @property
    def finding(self) -> Finding | None:
        return self.obj if self.kind == SourceKind.FINDING else None


def _source_review_ids(kind: SourceKind, source_id: int) -> sa.Select:
    if kind == SourceKind.LESSON:
        return sa.select(Lesson.review_id).where(Lesson.id == source_id)
    return (sa.select(Lesson.review_id).join(FindingLesson, FindingLesson.lesson_id == Lesson.id)
            .where(FindingLesson.finding_id == source_id).distinct())


def _led_among(user: Any, review_ids: sa.Select) -> set[int]:
    """Of the reviews ``review_ids`` selects, the ones ``user`` leads."""
    return set(db.session.scalars(led_review_ids(user).where(ReviewMember.review_id.in_(review_ids.scalar_subquery()))))


def publish_source(user: Any, kind: str, source_id: int) -> PublishSource | None:
    """The lesson or finding if ``user`` may see it (else None: 404), with every review it rests on.

    A lesson: through the person's membership of its review (members see agreed lessons only). A
    finding: through the findings' own scope (its reviewers). Publishing needs the lead of EVERY
    review behind it: each review's lead answers for what of that review leaves it.
    """
    try:
        source_kind = SourceKind(kind)
    except ValueError:
        return None
    if not known_id(source_id):
        return None
    if source_kind == SourceKind.LESSON:
        lesson = db.session.get(Lesson, source_id)
        access = review_access(user, lesson.review_id) if lesson is not None else None
        obj = lesson_in(access, source_id) if access is not None and access.membership is not None else None
    else:
        obj = finding_for(user, source_id)
    if obj is None:
        return None
    review_ids = tuple(sorted(db.session.scalars(_source_review_ids(source_kind, source_id))))
    leads_every = bool(review_ids) and set(review_ids) <= _led_among(user, _source_review_ids(source_kind, source_id))
    return PublishSource(kind=source_kind, obj=obj, review_ids=review_ids, is_lead=leads_every)


def can_withdraw(user: Any, item: LibraryItem) -> bool:
    """Administrators, and the lead reviewers of the review(s) the item was published from."""
    if user.has_role("admin"):
        return True
    if item.lesson_id is not None:
        return bool(_led_among(user, _source_review_ids(SourceKind.LESSON, item.lesson_id)))
    if item.finding_id is not None:
        return bool(_led_among(user, _source_review_ids(SourceKind.FINDING, item.finding_id)))
    return False


def published_item(item_id: int) -> LibraryItem | None:
    """An item readers can see: published and not withdrawn."""
    return db.session.scalar(sa.select(LibraryItem).where(LibraryItem.id == item_id,
                                                          LibraryItem.withdrawn_at.is_(None)))


def _load_source(user: Any, view_args: dict[str, Any]) -> PublishSource | None:
    return publish_source(user, view_args["kind"], view_args["source_id"])


def _load_item(user: Any, view_args: dict[str, Any]) -> LibraryItem | None:
    return published_item(view_args["item_id"])


PUBLISH = ObjectRule("library_source", _load_source, allowed=lambda source, user: source.is_lead)
ITEM = ObjectRule("library_item", _load_item)
WITHDRAW = ObjectRule("library_item", _load_item, allowed=lambda item, user: can_withdraw(user, item))


def current_source() -> PublishSource:
    return loaded("library_source")


def current_item() -> LibraryItem:
    return loaded("library_item")

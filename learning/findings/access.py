"""Who may see and change a finding: one scope, one loader, one rule for every finding route.

A finding belongs to no single review: it rests on lessons, perhaps from several reviews. It is
visible (and editable) to a person with the global role ``reviewer`` who is an editor (lead or
co-reviewer) of at least one review that one of its lessons comes from. Anyone else gets a 404,
so a finding's existence is not revealed. Lessons are linked and unlinked only by people who edit
their review: a person's form leaves the lessons of other reviews as they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from learning.db import db
from learning.findings.models import Finding, FindingLesson
from learning.lessons.models import Lesson, LessonStatus
from learning.permissions import ObjectRule, loaded
from learning.reviews.access import edited_review_ids
from learning.reviews.models import EDITOR_ROLES, MemberRole, ReviewMember


def is_finding_editor(user: Any) -> bool:
    """Findings are for the global role reviewer (it makes MFA compulsory): taking the role away
    takes every finding away with it, whatever the person's review memberships."""
    return bool(getattr(user, "is_authenticated", False)) and user.has_role("reviewer")


def findings_visible_to(user: Any) -> sa.Select:
    """The one scope for findings: those with a lesson from a review this person edits."""
    rests_on_edited_review = (
        sa.exists()
        .where(FindingLesson.finding_id == Finding.id)
        .where(Lesson.id == FindingLesson.lesson_id)
        .where(Lesson.review_id.in_(edited_review_ids(user)))
    )
    return sa.select(Finding).where(rests_on_edited_review)


def finding_for(user: Any, finding_id: int) -> Finding | None:
    """The finding with this id as ``user`` may see it, or None (missing or not theirs: 404)."""
    if not is_finding_editor(user):
        return None
    return db.session.scalar(findings_visible_to(user).where(Finding.id == finding_id))


def may_add_lessons_from(user: Any, review_ids: Iterable[int]) -> set[int]:
    """Of these reviews, the ones ``user`` may take lessons from (the ones they edit)."""
    wanted = set(review_ids)
    if not wanted:
        return set()
    return set(db.session.scalars(edited_review_ids(user).where(ReviewMember.review_id.in_(wanted))))


def readable_lesson_ids(user: Any, lessons: Iterable[Lesson]) -> set[int]:
    """Of these lessons, the ones whose text ``user`` may read, by the lessons' own rule: every lesson
    of a review they edit, the agreed lessons of a review they are a member of (one query).

    A finding can rest on lessons of reviews this person is not part of (a colleague added them);
    those show as anonymised evidence (kind of review, region, level), never with text or title.
    """
    lessons = list(lessons)
    review_ids = {lesson.review_id for lesson in lessons}
    if not review_ids:
        return set()
    roles = dict(db.session.execute(sa.select(ReviewMember.review_id, ReviewMember.role).where(
        ReviewMember.user_id == user.id, ReviewMember.review_id.in_(review_ids))).all())
    edits = is_finding_editor(user)
    return {lesson.id for lesson in lessons if lesson.review_id in roles and (
        lesson.status == LessonStatus.AGREED.value or (edits and MemberRole(roles[lesson.review_id]) in EDITOR_ROLES))}


def _load(user: Any, view_args: dict[str, Any]) -> Finding | None:
    return finding_for(user, view_args["finding_id"])


FINDING = ObjectRule("finding", _load)


def current_finding() -> Finding:
    """The finding the request's rule loaded."""
    return loaded("finding")

"""What the finding pages read: the list with its evidence, a finding's lessons as the reader may
see them, and the choices on the finding form (lessons grouped by review, policy owners).

Each function costs a fixed number of queries, whatever the number of findings, lessons or reviews.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from learning.admin.models import Organisation, TaxonomyTerm, Vocabulary
from learning.auth.models import GlobalRole, User, UserRole
from learning.db import db
from learning.findings import access
from learning.findings.evidence import EvidenceSummary, evidence_summaries
from learning.findings.models import Finding, FindingLesson
from learning.lessons.models import SYSTEM_LEVEL_CODES, Lesson
from learning.reviews.models import Review

PER_PAGE = 20


@dataclass(frozen=True)
class FindingRow:
    finding: Finding
    evidence: EvidenceSummary


def findings_page(actor: Any, *, status: str | None, page: int) -> tuple[Any, list[FindingRow]]:
    """A page of the findings ``actor`` may see, newest change first, with their evidence.

    Three queries whatever the number of findings, lessons or reviews: count, page, evidence.
    """
    query = access.findings_visible_to(actor)
    if status:
        query = query.where(Finding.status == status)
    query = query.order_by(Finding.updated_at.desc(), Finding.id.desc())
    pagination = db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)
    evidence = evidence_summaries(finding.id for finding in pagination.items)
    return pagination, [FindingRow(finding, evidence[finding.id]) for finding in pagination.items]


@dataclass(frozen=True)
class LinkedLesson:
    """A lesson of a finding as this reader may see it: its text and review only where they may read it."""

    lesson: Lesson
    readable: bool


def linked_lessons(finding: Finding, reader: Any) -> list[LinkedLesson]:
    """The finding's lessons in order, each marked readable or not, in two queries."""
    links = db.session.scalars(
        sa.select(FindingLesson).where(FindingLesson.finding_id == finding.id)
        .options(sa.orm.joinedload(FindingLesson.lesson).joinedload(Lesson.review))
        .order_by(FindingLesson.position, FindingLesson.lesson_id)
    ).all()
    readable = access.readable_lesson_ids(reader, [link.lesson for link in links])
    return [LinkedLesson(link.lesson, link.lesson.id in readable) for link in links]


def _system_level_ids() -> sa.Select:
    return sa.select(TaxonomyTerm.id).where(TaxonomyTerm.vocabulary == Vocabulary.LEVEL.value,
                                            TaxonomyTerm.code.in_(SYSTEM_LEVEL_CODES))


@dataclass
class LessonGroup:
    """One review the person edits: its lessons that can become a finding, and how many cannot."""

    review: Any
    lessons: list[Lesson] = field(default_factory=list)
    not_offered: int = 0


def lesson_picker(actor: Any) -> list[LessonGroup]:
    """Keten- and stelsel-level lessons of the reviews ``actor`` edits, grouped by review (two queries).

    Reviews whose lessons are all at another level are listed too, so the picker can say why
    nothing of them is offered.
    """
    edited = access.edited_review_ids(actor)
    any_lesson = sa.orm.aliased(Lesson)
    has_lessons = sa.exists().where(any_lesson.review_id == Review.id).correlate(Review)
    rows = db.session.execute(
        sa.select(Review, Lesson)
        .outerjoin(Lesson, sa.and_(Lesson.review_id == Review.id, Lesson.level_id.in_(_system_level_ids())))
        .where(Review.id.in_(edited), has_lessons)
        .order_by(Review.created_at.desc(), Review.id, Lesson.created_at, Lesson.id)
    )
    groups: dict[int, LessonGroup] = {}
    for review, lesson in rows:
        group = groups.setdefault(review.id, LessonGroup(review))
        if lesson is not None:
            group.lessons.append(lesson)
    other_levels = db.session.execute(
        sa.select(Lesson.review_id, sa.func.count(Lesson.id))
        .where(Lesson.review_id.in_(edited),
               sa.or_(Lesson.level_id.is_(None), Lesson.level_id.not_in(_system_level_ids())))
        .group_by(Lesson.review_id)
    )
    for review_id, count in other_levels:
        if review_id in groups:
            groups[review_id].not_offered = count
    return list(groups.values())


def lessons_outside_picker(linked: list[LinkedLesson], picker: list[LessonGroup]
                           ) -> tuple[list[LinkedLesson], list[LinkedLesson]]:
    """The finding's lessons the picker does not offer, as (removable, locked).

    Removable: of reviews this person edits, no longer at a system level; they stay ticked, so saving
    keeps them unless unticked. Locked: of reviews they do not edit; they stay linked whatever the form
    says (only those reviews' own reviewers unlink them). The picker lists every review this person
    edits that has lessons, so a linked lesson's review is in it exactly when they edit that review.
    """
    offered = {lesson.id for group in picker for lesson in group.lessons}
    edited = {group.review.id for group in picker}
    outside = [item for item in linked if item.lesson.id not in offered]
    return ([item for item in outside if item.lesson.review_id in edited],
            [item for item in outside if item.lesson.review_id not in edited])


def policy_owner_choices(*keep_ids: int) -> list[tuple[int, str]]:
    """Active policy owners to address a finding to, plus any already addressed."""
    query = (
        sa.select(User.id, User.display_name, Organisation.name)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(sa.or_(
            sa.and_(User.active.is_(True), User.id.in_(
                sa.select(UserRole.user_id).where(UserRole.role == GlobalRole.POLICY_OWNER.value))),
            User.id.in_(list(keep_ids)),
        ))
        .order_by(User.display_name, User.id)
    )
    return [(user_id, f"{name} ({organisation})" if organisation else name)
            for user_id, name, organisation in db.session.execute(query)]

"""Who may see and change a brief: one scope, one loader per kind of access, for every brief route.

Editors: a person with the global role ``reviewer`` who created the brief, or who edits (lead or
co-reviewer) a review that a lesson of one of the brief's findings comes from. They see and change
all of it. Readers of a shared draft: the members (any role) of a source review of the brief, while
the draft is shared for comments (``shared_at`` set; issuing ends the round). They see the
introduction and the context, and only the findings that rest on a review they are a member of,
never anything from other reviews. Anyone else gets a 404, so a brief's existence is not revealed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from learning.briefs.models import Brief, BriefComment, BriefDocument, BriefFinding, BriefVersion
from learning.db import db
from learning.findings.models import FindingLesson
from learning.lessons.ids import known_id
from learning.lessons.models import Lesson
from learning.permissions import ObjectRule, loaded
from learning.reviews.access import edited_review_ids
from learning.reviews.models import Review, ReviewMember

INTRODUCTION = "introduction"
CONTEXT = "context"
FINDING_SECTION_PREFIX = "finding-"


def finding_section(finding_id: int) -> str:
    return f"{FINDING_SECTION_PREFIX}{finding_id}"


def is_brief_editor(user: Any) -> bool:
    """Briefs are for the global role reviewer (it makes MFA compulsory): taking the role away takes
    every brief away with it, whatever the person's review memberships or the briefs they created."""
    return bool(getattr(user, "is_authenticated", False)) and user.has_role("reviewer")


def _rests_on(review_ids: sa.Select) -> sa.Exists:
    """The brief carries a finding with a lesson from one of these reviews."""
    return (
        sa.exists()
        .where(BriefFinding.brief_id == Brief.id)
        .where(FindingLesson.finding_id == BriefFinding.finding_id)
        .where(Lesson.id == FindingLesson.lesson_id)
        .where(Lesson.review_id.in_(review_ids))
    )


def briefs_editable_by(user: Any) -> sa.Select:
    """The one scope for editing briefs: those this person created, or that rest on a review they edit."""
    if not is_brief_editor(user):
        return sa.select(Brief).where(sa.false())
    return sa.select(Brief).where(sa.or_(Brief.created_by_id == user.id, _rests_on(edited_review_ids(user))))


def shared_drafts_resting_on(review_id: int) -> list[Brief]:
    """Drafts open for comments that carry a finding from this review (for its members to find them)."""
    return list(db.session.scalars(
        sa.select(Brief).where(Brief.shared_at.is_not(None), _rests_on(sa.select(sa.literal(review_id))))
        .order_by(Brief.shared_at.desc(), Brief.id.desc())
    ))


def member_review_ids(user: Any) -> sa.Select:
    """Ids of the reviews this person is a member of, in any role."""
    return sa.select(ReviewMember.review_id).where(ReviewMember.user_id == user.id)


def brief_for_editor(user: Any, brief_id: int) -> Brief | None:
    """The brief with this id if ``user`` may edit it, else None (missing or not theirs: 404)."""
    if not known_id(brief_id):
        return None
    return db.session.scalar(briefs_editable_by(user).where(Brief.id == brief_id))


def may_edit(user: Any, brief: Brief) -> bool:
    return brief.id is not None and brief_for_editor(user, brief.id) is not None


def source_review_ids(brief: Brief) -> set[int]:
    """The reviews the lessons of the brief's findings come from."""
    return set(db.session.scalars(
        sa.select(Lesson.review_id).distinct()
        .join(FindingLesson, FindingLesson.lesson_id == Lesson.id)
        .join(BriefFinding, BriefFinding.finding_id == FindingLesson.finding_id)
        .where(BriefFinding.brief_id == brief.id)
    ))


def in_anonymous_source_review(user: Any, brief: Brief) -> bool:
    """Whether ``user`` takes part in a "volledig anoniem" review this brief rests on: then nothing they
    write about it carries their name."""
    return db.session.scalar(sa.select(sa.exists().where(
        ReviewMember.user_id == user.id, ReviewMember.review_id.in_(source_review_ids(brief)),
        ReviewMember.review_id.in_(sa.select(Review.id).where(Review.fully_anonymous.is_(True)))))) or False


def readable_finding_ids(user: Any, brief: Brief) -> set[int]:
    """Of the brief's findings, those resting on a review ``user`` is a member of (one query)."""
    return set(db.session.scalars(
        sa.select(BriefFinding.finding_id).distinct()
        .join(FindingLesson, FindingLesson.finding_id == BriefFinding.finding_id)
        .join(Lesson, Lesson.id == FindingLesson.lesson_id)
        .where(BriefFinding.brief_id == brief.id, Lesson.review_id.in_(member_review_ids(user)))
    ))


@dataclass(frozen=True)
class DraftReader:
    """A brief as one person may read its draft: everything for an editor, a part for a review member."""

    brief: Brief
    user: Any
    is_editor: bool
    finding_ids: frozenset[int]

    @property
    def sections(self) -> list[str]:
        """The sections this person may read and comment on, in the brief's order."""
        return [INTRODUCTION, CONTEXT, *(finding_section(link.finding_id) for link in self.brief.finding_links
                                        if link.finding_id in self.finding_ids)]

    def may_read_section(self, section: str) -> bool:
        return section in self.sections

    @property
    def findings(self) -> list[Any]:
        return [finding for finding in self.brief.findings if finding.id in self.finding_ids]

    @property
    def may_comment(self) -> bool:
        return self.brief.shared_at is not None


def draft_reader(user: Any, brief_id: int) -> DraftReader | None:
    """The brief's draft as ``user`` may read it, or None (404).

    Editors always; members of a source review while the draft is shared for comments, and only
    when at least one of its findings rests on a review they are a member of.
    """
    if not known_id(brief_id) or not getattr(user, "is_authenticated", False):
        return None
    brief = brief_for_editor(user, brief_id)
    if brief is not None:
        return DraftReader(brief, user, True, frozenset(link.finding_id for link in brief.finding_links))
    brief = db.session.scalar(
        sa.select(Brief).where(Brief.id == brief_id, Brief.shared_at.is_not(None), _rests_on(member_review_ids(user))))
    if brief is None:
        return None
    return DraftReader(brief, user, False, frozenset(readable_finding_ids(user, brief)))


def comment_in(brief: Brief, comment_id: int) -> BriefComment | None:
    """A comment on this brief (loaded through the brief, so an id of another brief's is None: 404)."""
    if not known_id(comment_id):
        return None
    return db.session.scalar(sa.select(BriefComment).where(BriefComment.id == comment_id,
                                                           BriefComment.brief_id == brief.id))


def document_in(brief: Brief, document_id: int) -> BriefDocument | None:
    """A PDF of one of this brief's versions, or None (404)."""
    if not known_id(document_id):
        return None
    return db.session.scalar(
        sa.select(BriefDocument).join(BriefVersion, BriefVersion.id == BriefDocument.version_id)
        .where(BriefDocument.id == document_id, BriefVersion.brief_id == brief.id))


def _load_for_editor(user: Any, view_args: dict[str, Any]) -> Brief | None:
    return brief_for_editor(user, view_args["brief_id"])


def _load_for_reader(user: Any, view_args: dict[str, Any]) -> DraftReader | None:
    return draft_reader(user, view_args["brief_id"])


BRIEF_EDIT = ObjectRule("brief", _load_for_editor)
BRIEF_DRAFT = ObjectRule("brief_draft", _load_for_reader)


def current_brief() -> Brief:
    """The brief the request's editor rule loaded."""
    return loaded("brief")


def current_reader() -> DraftReader:
    """The draft (and what of it this person may read) the request's reader rule loaded."""
    return loaded("brief_draft")

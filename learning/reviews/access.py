"""Who may do what in a review: one loader and one set of rules for every review-owned route.

Views never query reviews or their children directly. They declare a rule from this module;
the rule loads the review through ``Review.query_visible_to`` (404 for anyone outside it),
together with the person's membership, and children are then loaded through that review.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from learning.db import db
from learning.permissions import ObjectRule, loaded
from learning.reviews.models import (
    CONTRIBUTOR_ROLES,
    EDITOR_ROLES,
    Episode,
    MemberRole,
    Review,
    ReviewInvitation,
    ReviewMember,
)


@dataclass(frozen=True)
class ReviewAccess:
    review: Review
    user: Any
    membership: ReviewMember | None

    @property
    def role(self) -> MemberRole | None:
        return MemberRole(self.membership.role) if self.membership else None

    @property
    def can_view(self) -> bool:
        return self.membership is not None or (self.user.has_role("admin") and self.review.admin_support_access)

    @property
    def is_support_only(self) -> bool:
        """An administrator looking in with support access, not a member: read only."""
        return self.membership is None

    @property
    def _is_reviewer(self) -> bool:
        # Editing needs the global role too: that role is what makes MFA compulsory, and an
        # administrator taking it away must take the editing away with it.
        return self.user.has_role("reviewer")

    @property
    def can_edit(self) -> bool:
        return self.role in EDITOR_ROLES and self._is_reviewer

    @property
    def can_contribute(self) -> bool:
        return self.role in CONTRIBUTOR_ROLES and (self.role not in EDITOR_ROLES or self._is_reviewer)

    @property
    def is_lead(self) -> bool:
        return self.role == MemberRole.LEAD_REVIEWER and self._is_reviewer

    def can_see_timeline_of(self, owner_id: int | None) -> bool:
        """The integrated timeline is for every member; a personal one for its author and the reviewers."""
        return owner_id is None or owner_id == self.user.id or self.can_edit

    def can_change_episode(self, episode: Episode) -> bool:
        if episode.timeline_owner_id is None:
            return self.can_edit
        return self.can_contribute and episode.timeline_owner_id == self.user.id


@functools.cache
def _own_membership():  # noqa: ANN202
    """Built once, at first use (aliasing configures every mapper, so not at import time): aliasing per
    request costs more than the query itself, and this runs on every live poll."""
    return sa.orm.aliased(ReviewMember, name="own_membership")


def review_access(user: Any, review_id: int) -> ReviewAccess | None:
    """The review with this id as ``user`` may see it, with their membership, in one query."""
    membership = _own_membership()
    query = (
        Review.query_visible_to(user)
        .add_columns(membership)
        .outerjoin(membership, sa.and_(membership.review_id == Review.id, membership.user_id == user.id))
        .where(Review.id == review_id)
    )
    row = db.session.execute(query).first()
    if row is None:
        return None
    return ReviewAccess(review=row[0], user=user, membership=row[1])


def review_ids_where(user: Any, roles: Iterable[MemberRole]) -> sa.Select:
    """Ids of the reviews where ``user`` holds one of ``roles``: the SQL form of ``ReviewAccess.can_edit``
    and ``is_lead`` for rules that span reviews (findings, the library). Like those, editing and leading
    need the global reviewer role as well."""
    if not (getattr(user, "is_authenticated", False) and user.has_role("reviewer")):
        return sa.select(ReviewMember.review_id).where(sa.false())
    return sa.select(ReviewMember.review_id).where(
        ReviewMember.user_id == user.id, ReviewMember.role.in_(sorted(role.value for role in roles)))


def edited_review_ids(user: Any) -> sa.Select:
    return review_ids_where(user, EDITOR_ROLES)


def led_review_ids(user: Any) -> sa.Select:
    return review_ids_where(user, (MemberRole.LEAD_REVIEWER,))


def _load(user: Any, view_args: dict[str, Any]) -> ReviewAccess | None:
    return review_access(user, view_args["review_id"])


REVIEW_READ = ObjectRule("review", _load)
REVIEW_CONTRIBUTE = ObjectRule("review", _load, allowed=lambda access, user: access.can_contribute)
REVIEW_EDIT = ObjectRule("review", _load, allowed=lambda access, user: access.can_edit)
REVIEW_LEAD = ObjectRule("review", _load, allowed=lambda access, user: access.is_lead)


def current_access() -> ReviewAccess:
    """The review (and membership) the request's rule loaded."""
    return loaded("review")


def episode_in(access: ReviewAccess, episode_id: int) -> Episode | None:
    """An episode of this review that this person may see, or None (404)."""
    episode = db.session.scalar(
        sa.select(Episode).where(Episode.id == episode_id, Episode.review_id == access.review.id)
    )
    if episode is None or not access.can_see_timeline_of(episode.timeline_owner_id):
        return None
    return episode


def member_in(access: ReviewAccess, member_id: int) -> ReviewMember | None:
    return db.session.scalar(
        sa.select(ReviewMember).where(ReviewMember.id == member_id, ReviewMember.review_id == access.review.id)
    )


def invitation_in(access: ReviewAccess, invitation_id: int) -> ReviewInvitation | None:
    return db.session.scalar(
        sa.select(ReviewInvitation).where(
            ReviewInvitation.id == invitation_id, ReviewInvitation.review_id == access.review.id
        )
    )

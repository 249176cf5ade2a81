"""'Mijn reviews': a person's reviews by status, their role, the next date, and what waits for them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from learning.db import db
from learning.reviews.models import CONTRIBUTOR_ROLES, Episode, MemberRole, Review, ReviewMember, ReviewStatus

PER_PAGE = 20


@dataclass(frozen=True)
class DashboardFilters:
    kind: str | None = None
    status: str | None = None
    region_id: int | None = None


@dataclass(frozen=True)
class ReviewRow:
    review: Review
    membership: ReviewMember

    @property
    def next_date(self) -> date | None:
        today = date.today()
        for candidate in (self.review.planned_start, self.review.planned_end):
            if candidate is not None and candidate >= today:
                return candidate
        return None


def my_reviews(user: Any, filters: DashboardFilters, page: int) -> tuple[Any, list[ReviewRow]]:
    """A page of the person's reviews (memberships only), open ones first, and their rows.

    Three queries whatever the number of reviews: the count, the page, and the memberships on it.
    """
    query = sa.select(Review).join(ReviewMember, sa.and_(ReviewMember.review_id == Review.id,
                                                         ReviewMember.user_id == user.id))
    if filters.kind:
        query = query.where(Review.kind == filters.kind)
    if filters.status:
        query = query.where(Review.status == filters.status)
    if filters.region_id:
        query = query.where(Review.region_id == filters.region_id)
    status_order = sa.case({status.value: index for index, status in enumerate(ReviewStatus)}, value=Review.status)
    query = query.order_by(status_order, Review.planned_start.is_(None), Review.planned_start, Review.id.desc())
    pagination = db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)
    ids = [review.id for review in pagination.items]
    memberships = {
        member.review_id: member
        for member in db.session.scalars(sa.select(ReviewMember).where(
            ReviewMember.user_id == user.id, ReviewMember.review_id.in_(ids)))
    } if ids else {}
    return pagination, [ReviewRow(review, memberships[review.id]) for review in pagination.items]


def reviews_awaiting_own_timeline(user: Any) -> list[Review]:
    """Reviews in preparation where this person contributes but has not written their own timeline yet."""
    has_own = sa.exists().where(Episode.review_id == Review.id, Episode.timeline_owner_id == user.id)
    return list(db.session.scalars(
        sa.select(Review).join(ReviewMember, sa.and_(ReviewMember.review_id == Review.id,
                                                     ReviewMember.user_id == user.id))
        .where(Review.status == ReviewStatus.VOORBEREIDING.value,
               ReviewMember.role.in_([role.value for role in CONTRIBUTOR_ROLES
                                      if role not in (MemberRole.LEAD_REVIEWER, MemberRole.CO_REVIEWER)]),
               ~has_own)
        .order_by(Review.planned_start)
    ))

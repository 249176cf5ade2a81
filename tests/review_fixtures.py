"""Factories for reviews (shared by every test folder): a region and organisations, a review with its lead, members."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from learning.admin.models import Organisation, Region, TaxonomyTerm
from learning.db import db
from learning.reviews import services
from learning.reviews.access import ReviewAccess, review_access
from learning.reviews.models import MemberRole, Method, Review, ReviewMember

TODAY = date.today()


@pytest.fixture
def region(app) -> Region:  # noqa: ANN001
    region = Region(name="Regio Midden")
    db.session.add(region)
    db.session.commit()
    return region


@pytest.fixture
def organisation(region) -> Organisation:  # noqa: ANN001
    kind = db.session.scalar(sa.select(TaxonomyTerm).where(TaxonomyTerm.code == "veilig_thuis"))
    organisation = Organisation(name="Veilig Thuis Midden", agency_kind=kind, region=region)
    db.session.add(organisation)
    db.session.commit()
    return organisation


def builtin_method(key: str = "leren_met_impact", language: str = "nl") -> Method:
    return db.session.scalar(sa.select(Method).where(Method.builtin_key == key, Method.language == language))


@pytest.fixture
def lead(create_user, organisation):  # noqa: ANN001, ANN201
    return create_user("ria@example.org", name="Ria Reviewer", roles=("reviewer",), organisation_id=organisation.id)


@pytest.fixture
def make_review(region, lead):  # noqa: ANN001, ANN201
    """``make_review(title=..., status=...)``: a committed review led by ``lead``."""

    def make(*, title: str = "Gezin A, zorgen na verhuizing", actor=None, kind: str = "casusreview",  # noqa: ANN001
             method: Method | None = None, status: str | None = None, **fields) -> Review:  # noqa: ANN003
        data = services.ReviewInput(
            kind=kind, title=title, learning_question="Hoe werkten we samen toen het spannend werd?",
            region_id=region.id, planned_start=fields.pop("planned_start", TODAY + timedelta(days=14)),
            planned_end=fields.pop("planned_end", None),
            case_summary=fields.pop("case_summary", "Moeder en kind A verhuizen naar een andere wijk."),
            family_perspective=fields.pop("family_perspective", "Moeder voelde zich niet gehoord."), **fields,
        )
        review = services.create_review(data, method=method or builtin_method(), actor=actor or lead, today=TODAY)
        if status:
            review.status = status
        db.session.commit()
        return review

    return make


@pytest.fixture
def add_member():  # noqa: ANN201
    """``add_member(review, user, "participant")`` adds a membership directly (no invitation)."""

    def add(review: Review, user, role: str = MemberRole.PARTICIPANT.value, case_holder: bool = False):  # noqa: ANN001, ANN202
        member = ReviewMember(review_id=review.id, user_id=user.id, role=role, is_case_holder=case_holder)
        db.session.add(member)
        db.session.commit()
        return member

    return add


def access_for(user, review: Review) -> ReviewAccess:  # noqa: ANN001
    access = review_access(user, review.id)
    assert access is not None, "this user cannot see the review"
    return access


@pytest.fixture
def people_in_every_role(create_user, lead, region):  # noqa: ANN001, ANN201
    """``people_in_every_role(review)``: the lead, a member in every other role and people outside the review.

    The route-access tables name these people; the outsider reviewer and the co-reviewer work elsewhere.
    """

    def make(review: Review) -> dict:
        elsewhere = Organisation(name="Wijkteam Elders", region=region, agency_kind=db.session.scalar(
            sa.select(TaxonomyTerm).where(TaxonomyTerm.code == "lokaal_team")))
        db.session.add(elsewhere)
        db.session.commit()
        people = {
            "lead": lead,
            "co_reviewer": create_user("co@example.org", roles=("reviewer",), organisation_id=elsewhere.id),
            "participant": create_user("deelnemer@example.org"),
            "expert": create_user("ervaring@example.org"),
            "observer": create_user("waarnemer@example.org"),
            "outsider_reviewer": create_user("buiten@example.org", roles=("reviewer",), organisation_id=elsewhere.id),
            "policy_owner": create_user("bestuur@example.org", roles=("policy_owner",)),
            "admin": create_user("beheer@example.org", roles=("admin",)),
        }
        roles = {"co_reviewer": MemberRole.CO_REVIEWER, "participant": MemberRole.PARTICIPANT,
                 "expert": MemberRole.EXPERT_BY_EXPERIENCE, "observer": MemberRole.OBSERVER}
        for person, member_role in roles.items():
            db.session.add(ReviewMember(review_id=review.id, user_id=people[person].id, role=member_role.value))
        db.session.flush()
        return people

    return make

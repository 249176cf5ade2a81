"""Members of one review, by name, for the reflection, contribution and vote services."""

from __future__ import annotations

import pytest

from learning.reviews.models import MemberRole


@pytest.fixture
def review(make_review):  # noqa: ANN001, ANN201
    return make_review()


@pytest.fixture
def member(create_user, add_member, review):  # noqa: ANN001, ANN201
    """``member(name, role)``: a new account with that role in the review."""
    def make(name: str, role: str = MemberRole.PARTICIPANT.value, **fields):  # noqa: ANN003, ANN202
        roles = ("reviewer",) if role == MemberRole.CO_REVIEWER.value else ()
        user = create_user(name=name, roles=roles, **fields)
        add_member(review, user, role)
        return user
    return make


@pytest.fixture
def pim(member):  # noqa: ANN001, ANN201
    return member("Pim Deelnemer")


@pytest.fixture
def noor(member):  # noqa: ANN001, ANN201
    return member("Noor Deelnemer")

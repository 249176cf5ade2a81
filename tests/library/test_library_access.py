"""Every library route × every kind of person.

Reading is for anyone with the global role reviewer, policy owner or admin, in any region.
Publishing loads the lesson through the person's membership of its review: outside it, 404;
inside but not lead reviewer, 403. ``LIBRARY_EXPECTED`` feeds the route inventory in
tests/test_route_access.py.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from learning.db import db
from learning.findings.library import services
from learning.findings.library.access import publish_source
from learning.findings.library.models import LibraryItem
from learning.findings.library.services import Draft
from tests.test_route_access import FORBIDDEN, LOGIN, VIEW, assert_route_outcome

PEOPLE = ("anonymous", "lead", "co_reviewer", "participant", "outsider_reviewer", "policy_owner", "admin")
NOT_FOUND = "404"

READERS = {"anonymous": LOGIN, "lead": VIEW, "co_reviewer": VIEW, "participant": FORBIDDEN,
           "outsider_reviewer": VIEW, "policy_owner": VIEW, "admin": VIEW}
# Lead reviewers of the source review, and administrators.
WITHDRAWERS = {"anonymous": LOGIN, "lead": VIEW, "co_reviewer": FORBIDDEN, "participant": FORBIDDEN,
               "outsider_reviewer": FORBIDDEN, "policy_owner": FORBIDDEN, "admin": VIEW}
# Needs the global reviewer role first (403 without), then membership of the source review (404 without),
# then the lead role in it (403 without).
PUBLISHERS = {"anonymous": LOGIN, "lead": VIEW, "co_reviewer": FORBIDDEN, "participant": FORBIDDEN,
              "outsider_reviewer": NOT_FOUND, "policy_owner": FORBIDDEN, "admin": FORBIDDEN}

LIBRARY_EXPECTED: dict[str, dict[str, dict[str, str]]] = {
    "library.search": {"GET": READERS},
    "library.item": {"GET": READERS},
    "library.withdraw": {"GET": WITHDRAWERS, "POST": WITHDRAWERS},
    "library.publish_form": {"GET": PUBLISHERS, "POST": PUBLISHERS},
    "library.preview": {"POST": PUBLISHERS},
    "library.confirm": {"POST": PUBLISHERS},
}

CASES = [(endpoint, method, person) for endpoint, methods in LIBRARY_EXPECTED.items()
         for method in methods for person in PEOPLE]


@pytest.fixture
def world(make_review, make_lesson, people_in_every_role, lead):  # noqa: ANN001, ANN201
    review = make_review()
    people = people_in_every_role(review)
    lesson = make_lesson(review, "Leg de regie vooraf vast.", themes=("Regie",))
    second = make_lesson(review, "Spreek één aanspreekpunt af.")
    item = services.publish(publish_source(lead, "lesson", second.id), Draft("Eén aanspreekpunt", "Spreek het af."),
                            actor=lead)
    db.session.commit()
    return people, {"item_id": item.id, "kind": "lesson", "source_id": lesson.id}


@pytest.mark.parametrize("endpoint, method, person", CASES)
def test_library_route_access(app, login, world, endpoint, method, person):
    people, arguments = world
    client = app.test_client() if person == "anonymous" else login(people[person])
    assert_route_outcome(app, client, endpoint, method, arguments, LIBRARY_EXPECTED[endpoint][method][person], person)


def test_withdrawn_and_missing_items_are_404(login, world, create_user):
    people, arguments = world
    reader = login(people["outsider_reviewer"])
    assert reader.get("/library/999999").status_code == 404
    admin = login(people["admin"])
    assert admin.post(f"/library/{arguments['item_id']}/withdraw", data={"reason": "Onjuist"}).status_code == 302
    assert reader.get(f"/library/{arguments['item_id']}").status_code == 404
    assert admin.post(f"/library/{arguments['item_id']}/withdraw", data={"reason": "Nog eens"}).status_code == 404
    item = db.session.scalar(sa.select(LibraryItem))
    assert item.withdrawal_reason == "Onjuist" and item.withdrawn_by_id == people["admin"].id


def test_the_library_is_in_the_navigation_of_readers_only(login, world):
    people, _arguments = world
    assert 'href="/library"' in login(people["policy_owner"]).get("/dashboard").get_data(as_text=True)
    assert 'href="/library"' not in login(people["participant"]).get("/dashboard").get_data(as_text=True)

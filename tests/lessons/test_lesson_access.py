"""Every lesson route × every kind of person, and crafted ids from another review.

``LESSON_EXPECTED`` feeds the route inventory in tests/test_route_access.py.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from learning.db import db
from learning.lessons.models import Lesson, LessonStatus
from learning.reviews.models import MemberRole, ReviewMember
from tests.lessons.conftest import agreed_lesson, contribute, open_round, reflect, start_meeting, write_lesson
from tests.review_fixtures import access_for
from tests.reviews.test_review_access import EDIT, PEOPLE, READ
from tests.test_route_access import assert_route_outcome

LESSON_EXPECTED: dict[str, dict[str, dict[str, str]]] = {
    "lessons.index": {"GET": READ},
    "lessons.show": {"GET": READ},
    "lessons.new": {"GET": EDIT, "POST": EDIT},
    "lessons.edit": {"GET": EDIT, "POST": EDIT},
    "lessons.agree": {"POST": EDIT},
    "lessons.reopen": {"POST": EDIT},
    "lessons.delete": {"POST": EDIT},
    "lessons.evidence_page": {"GET": EDIT, "POST": EDIT},
    "lessons.from_contribution": {"POST": EDIT},
    "lessons.from_reflection": {"POST": EDIT},
    "lessons.open_vote": {"GET": EDIT, "POST": EDIT},
}

CASES = [(endpoint, method, person) for endpoint, methods in LESSON_EXPECTED.items()
         for method in methods for person in PEOPLE]


@pytest.fixture
def world(people_in_every_role, make_review, lead):  # noqa: ANN001, ANN201
    """A review with a member in every role, people outside it, an agreed lesson and evidence sources."""
    review = make_review()
    people = people_in_every_role(review)
    db.session.commit()
    access = access_for(lead, review)
    lesson = agreed_lesson(access)
    meeting = start_meeting(access)
    contribution = contribute(people["participant"], review, meeting, "Een vaste piketregeling.")
    reflection = reflect(people["participant"], review, open_round(access), "We werkten langs elkaar heen.")
    arguments = {"review_id": review.id, "lesson_id": lesson.id, "contribution_id": contribution.id,
                 "reflection_id": reflection.id}
    return people, arguments


@pytest.mark.parametrize("endpoint, method, person", CASES)
def test_lesson_route_access(app, login, world, endpoint, method, person):
    people, arguments = world
    client = app.test_client() if person == "anonymous" else login(people[person])
    assert_route_outcome(app, client, endpoint, method, arguments, LESSON_EXPECTED[endpoint][method][person], person)


def test_members_do_not_find_concept_lessons(login, make_review, lead, create_user, add_member):  # noqa: ANN001
    review = make_review()
    participant = create_user("deelnemer@example.org")
    add_member(review, participant, MemberRole.PARTICIPANT.value)
    concept = write_lesson(access_for(lead, review))
    assert login(participant).get(f"/reviews/{review.id}/lessons/{concept.id}").status_code == 404
    assert login(lead).get(f"/reviews/{review.id}/lessons/{concept.id}").status_code == 200


def test_support_access_reads_agreed_lessons_and_changes_nothing(login, make_review, lead, create_user):  # noqa: ANN001
    review = make_review()
    admin = create_user("beheer@example.org", roles=("admin",))
    lesson = agreed_lesson(access_for(lead, review))
    review.admin_support_access = True
    db.session.commit()
    client = login(admin)
    assert client.get(f"/reviews/{review.id}/lessons").status_code == 200
    assert client.get(f"/reviews/{review.id}/lessons/{lesson.id}").status_code == 200
    assert client.post(f"/reviews/{review.id}/lessons/{lesson.id}/concept").status_code == 403
    assert client.get(f"/reviews/{review.id}/lessons/new").status_code == 403


def snapshot() -> list[tuple]:
    return [tuple(row) for row in db.session.execute(
        sa.select(Lesson.id, Lesson.review_id, Lesson.text, Lesson.status, Lesson.version).order_by(Lesson.id))]


def test_crafted_ids_from_another_review_are_404_and_change_nothing(login, make_review, lead, create_user):  # noqa: ANN001
    mine = make_review(title="Mijn review")
    other_lead = create_user("ander@example.org", roles=("reviewer",))
    theirs = make_review(title="Andere review", actor=other_lead)
    other_access = access_for(other_lead, theirs)
    concept = write_lesson(other_access, "Hun concept.")
    agreed = agreed_lesson(other_access, "Hun vastgestelde leerpunt.")
    participant = create_user("deelnemer@example.org")
    db.session.add(ReviewMember(review_id=theirs.id, user_id=participant.id, role=MemberRole.PARTICIPANT.value))
    db.session.commit()
    contribution = contribute(participant, theirs, start_meeting(other_access), "Hun inbreng.")
    reflection = reflect(participant, theirs, open_round(other_access), "Hun reflectie.")
    before = snapshot()
    client = login(lead)
    base = f"/reviews/{mine.id}/lessons"
    for lesson in (concept, agreed):
        assert client.get(f"{base}/{lesson.id}").status_code == 404
        assert client.get(f"{base}/{lesson.id}/edit").status_code == 404
        assert client.post(f"{base}/{lesson.id}/edit", data={"text": "Overschreven", "version": "1"}).status_code == 404
        assert client.get(f"{base}/{lesson.id}/evidence").status_code == 404
        assert client.post(f"{base}/{lesson.id}/evidence", data={"version": "1"}).status_code == 404
        for action in ("agree", "concept", "delete"):
            assert client.post(f"{base}/{lesson.id}/{action}").status_code == 404, action
    assert client.post(f"{base}/from-contribution/{contribution.id}").status_code == 404
    assert client.post(f"{base}/from-reflection/{reflection.id}").status_code == 404
    # The other review's own lead, through someone else's review id, finds nothing either.
    assert login(other_lead).get(f"/reviews/{mine.id}/lessons/{agreed.id}").status_code == 404
    assert snapshot() == before
    assert db.session.scalar(sa.select(sa.func.count(Lesson.id)).where(Lesson.review_id == mine.id)) == 0
    assert db.session.get(Lesson, concept.id).status == LessonStatus.CONCEPT.value



def test_ids_too_large_for_the_database_are_not_found(login, world, lead):  # noqa: ANN001
    people, arguments = world
    client = login(lead)
    huge = 10**20
    base = f"/reviews/{arguments['review_id']}/lessons"
    assert client.get(f"{base}/{huge}").status_code == 404
    assert client.post(f"{base}/{huge}/agree").status_code == 404
    assert client.post(f"{base}/from-contribution/{huge}").status_code == 404
    assert client.post(f"{base}/from-reflection/{huge}").status_code == 404
    response = client.post(f"{base}/vote", data={"meeting_id": str(huge), "lesson_ids": [str(huge)],
                                                 "dots_per_person": "3"})
    assert response.status_code == 422
    response = client.post(f"{base}/new", data={"text": "Een leerpunt.", "level_id": str(huge),
                                                "principle_ids": [str(huge)]})
    assert response.status_code == 422

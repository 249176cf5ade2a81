"""Every review and method route × every kind of person, inside and outside the review.

Non-members get 404 for the review and everything under it; members whose role does not
allow the action get 403. ``REVIEW_EXPECTED`` also feeds the route inventory in
tests/test_route_access.py, so a new route without an entry fails there.
"""

from __future__ import annotations

import pytest

from learning.db import db
from learning.reviews import methods
from learning.reviews.models import Episode, ReviewInvitation
from tests.reviews.conftest import builtin_method
from tests.test_route_access import FORBIDDEN, LOGIN, VIEW, assert_route_outcome

PEOPLE = ("anonymous", "lead", "co_reviewer", "participant", "expert", "observer", "outsider_reviewer",
          "policy_owner", "admin")
MEMBERS = ("lead", "co_reviewer", "participant", "expert", "observer")
NOT_FOUND = "404"


def rule(allowed: tuple[str, ...], members_denied: str = FORBIDDEN, outsiders: str = NOT_FOUND) -> dict[str, str]:
    outcome = {"anonymous": LOGIN}
    for person in PEOPLE[1:]:
        if person in allowed:
            outcome[person] = VIEW
        elif person in MEMBERS:
            outcome[person] = members_denied
        else:
            outcome[person] = outsiders
    return outcome


READ = rule(MEMBERS)
CONTRIBUTE = rule(("lead", "co_reviewer", "participant", "expert"))
EDIT = rule(("lead", "co_reviewer"))
LEAD = rule(("lead",))
PUBLIC = dict.fromkeys(PEOPLE, VIEW)
REVIEWERS = {person: FORBIDDEN for person in PEOPLE} | {
    "anonymous": LOGIN, "lead": VIEW, "co_reviewer": VIEW, "outsider_reviewer": VIEW}
# The method copy belongs to the lead's organisation; the other reviewers work elsewhere.
METHOD_COPY_EDIT = REVIEWERS | {"co_reviewer": NOT_FOUND, "outsider_reviewer": NOT_FOUND}

REVIEW_EXPECTED: dict[str, dict[str, dict[str, str]]] = {
    "reviews.new": {"GET": REVIEWERS, "POST": REVIEWERS},
    "reviews.show": {"GET": READ},
    "reviews.edit": {"GET": EDIT, "POST": EDIT},
    "reviews.change_status": {"POST": LEAD},
    "reviews.support_access": {"POST": LEAD},
    "reviews.calendar": {"GET": READ},
    "reviews.viewers": {"GET": LEAD},
    "reviews.timeline_page": {"GET": READ},
    "reviews.timeline_print": {"GET": READ},
    "reviews.add_episode": {"POST": CONTRIBUTE},
    "reviews.edit_episode": {"GET": CONTRIBUTE},
    "reviews.update_episode": {"POST": CONTRIBUTE},
    "reviews.delete_episode": {"POST": CONTRIBUTE},
    "reviews.move_episode": {"POST": CONTRIBUTE},
    "reviews.merge_episode": {"POST": EDIT},
    "reviews.phases": {"GET": EDIT},
    "reviews.add_phase": {"POST": EDIT},
    "reviews.update_phase": {"POST": EDIT},
    "reviews.remove_phase": {"POST": EDIT},
    "reviews.move_phase": {"POST": EDIT},
    "reviews.members": {"GET": READ},
    "reviews.invite": {"POST": EDIT},
    "reviews.resend_invitation": {"POST": EDIT},
    "reviews.revoke_invitation": {"POST": EDIT},
    "reviews.remove_member": {"POST": LEAD},
    "reviews.respond_to_invitation": {"GET": PUBLIC, "POST": PUBLIC},
    "methods.index": {"GET": REVIEWERS},
    "methods.show": {"GET": REVIEWERS},
    "methods.copy": {"POST": REVIEWERS},
    "methods.edit": {"GET": METHOD_COPY_EDIT, "POST": METHOD_COPY_EDIT},
    "methods.add_phase": {"POST": METHOD_COPY_EDIT},
    "methods.update_phase": {"POST": METHOD_COPY_EDIT},
    "methods.remove_phase": {"POST": METHOD_COPY_EDIT},
    "methods.move_phase": {"POST": METHOD_COPY_EDIT},
}

CASES = [(endpoint, method, person) for endpoint, methods_ in REVIEW_EXPECTED.items()
         for method in methods_ for person in PEOPLE]


@pytest.fixture
def world(create_user, people_in_every_role, make_review, lead):  # noqa: ANN001, ANN201
    """A review with a member in every role, people outside it, and the objects its routes need."""
    review = make_review()
    people = people_in_every_role(review)
    episode = Episode(review_id=review.id, title="Huisbezoek", period="voorjaar")
    invitee = create_user("uitgenodigd@example.org")
    invitation = ReviewInvitation(review_id=review.id, email=invitee.email, user_id=invitee.id, role="participant",
                                  token_hash="x" * 64, expires_at=review.created_at.replace(year=2099))
    db.session.add_all([episode, invitation])
    db.session.commit()
    copy = methods.copy_method(builtin_method(), actor=lead)
    db.session.commit()
    arguments = {
        "review_id": review.id, "episode_id": episode.id, "phase_id": review.phases[1].id, "direction": "up",
        "invitation_id": invitation.id, "member_id": review.members[0].id, "token": "no-such-token",
        "method_id": copy.id,
    }
    return people, arguments, copy


@pytest.mark.parametrize("endpoint, method, person", CASES)
def test_review_route_access(app, login, world, endpoint, method, person):
    people, arguments, copy = world
    if endpoint in ("methods.show", "methods.copy"):
        arguments = {**arguments, "method_id": builtin_method().id}
    if endpoint.startswith("methods.") and "phase_id" in arguments:
        arguments = {**arguments, "phase_id": copy.phases[0].id}
    client = app.test_client() if person == "anonymous" else login(people[person])
    assert_route_outcome(app, client, endpoint, method, arguments, REVIEW_EXPECTED[endpoint][method][person], person)


def test_crafted_ids_from_another_review_are_404_and_change_nothing(login, make_review, lead, create_user):
    mine = make_review(title="Mijn review")
    other_lead = create_user("ander@example.org", roles=("reviewer",))
    theirs = make_review(title="Andere review", actor=other_lead)
    foreign_episode = Episode(review_id=theirs.id, title="Geheim", period="zomer")
    db.session.add(foreign_episode)
    db.session.commit()
    client = login(lead)
    assert client.post(f"/reviews/{mine.id}/episodes/{foreign_episode.id}/delete").status_code == 404
    assert client.get(f"/reviews/{mine.id}/episodes/{foreign_episode.id}/edit").status_code == 404
    assert client.post(f"/reviews/{mine.id}/phases/{theirs.phases[0].id}/delete").status_code == 404
    assert client.post(f"/reviews/{mine.id}/members/{theirs.members[0].id}/remove").status_code == 404
    assert db.session.get(Episode, foreign_episode.id) is not None
    assert len(theirs.phases) == 8 and len(theirs.members) == 1


def test_the_sql_form_of_editing_and_leading_matches_review_access(make_review, lead, create_user, add_member):
    from learning.reviews.access import edited_review_ids, led_review_ids
    from learning.reviews.models import MemberRole
    from tests.review_fixtures import access_for

    review = make_review()
    co = create_user("co.sql@example.org", roles=("reviewer",))
    add_member(review, co, MemberRole.CO_REVIEWER.value)
    participant = create_user("deelnemer.sql@example.org")
    add_member(review, participant, MemberRole.PARTICIPANT.value)
    for person, edits, leads in ((lead, True, True), (co, True, False), (participant, False, False)):
        assert (review.id in set(db.session.scalars(edited_review_ids(person)))) is edits
        assert (review.id in set(db.session.scalars(led_review_ids(person)))) is leads
        assert access_for(person, review).can_edit is edits and access_for(person, review).is_lead is leads
    lead.role_rows = [row for row in lead.role_rows if row.role != "reviewer"]  # the global role taken away
    db.session.commit()
    assert list(db.session.scalars(led_review_ids(lead))) == [] and not access_for(lead, review).is_lead

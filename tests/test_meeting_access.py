"""Every meeting, live-screen, contribution, vote and reflection route × every kind of person.

``MEETING_EXPECTED`` feeds the route inventory in tests/test_route_access.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from learning.db import db, utcnow
from learning.meetings import services as meetings
from learning.meetings.services import MeetingInput
from learning.reflections import contributions
from learning.reflections import services as reflections
from learning.reflections.models import Vote, VoteOption
from learning.reviews.access import review_access
from learning.reviews.models import MemberRole, ReviewMember
from tests.reviews.test_review_access import CONTRIBUTE, EDIT, LEAD, PEOPLE, READ
from tests.test_route_access import assert_route_outcome

MEETING_EXPECTED: dict[str, dict[str, dict[str, str]]] = {
    "meetings.index": {"GET": READ},
    "meetings.plan": {"POST": EDIT},
    "meetings.edit": {"GET": EDIT, "POST": EDIT},
    "meetings.update_agenda_item": {"POST": EDIT},
    "meetings.move_agenda_item": {"POST": EDIT},
    "meetings.remove_agenda_item": {"POST": EDIT},
    "meetings.send_invitations": {"POST": EDIT},
    "meetings.start": {"POST": EDIT},
    "meetings.change_phase": {"POST": EDIT},
    "meetings.timer": {"POST": EDIT},
    "meetings.contributions_visible": {"POST": EDIT},
    "meetings.save_notes": {"POST": EDIT},
    "meetings.attendance": {"POST": EDIT},
    "meetings.close": {"POST": EDIT},
    "reflections.live": {"GET": READ},
    "reflections.live_state": {"GET": READ},
    "reflections.contribute": {"POST": CONTRIBUTE},
    "reflections.console": {"GET": EDIT},
    "reflections.console_state": {"GET": EDIT},
    "reflections.projector": {"GET": EDIT},
    "reflections.projector_state": {"GET": EDIT},
    "reflections.moderate": {"POST": EDIT},
    "reflections.cluster": {"POST": EDIT},
    "reflections.open_vote": {"POST": EDIT},
    "reflections.ballot": {"GET": READ, "POST": READ},
    "reflections.close_vote": {"POST": EDIT},
    "reflections.rounds": {"GET": READ},
    "reflections.open_round": {"POST": EDIT},
    "reflections.close_round": {"POST": LEAD},
    "reflections.write": {"GET": READ},
    "reflections.autosave": {"POST": CONTRIBUTE},
    "reflections.submit": {"POST": CONTRIBUTE},
    "reflections.read": {"GET": READ},
}

CASES = [(endpoint, method, person) for endpoint, methods in MEETING_EXPECTED.items()
         for method in methods for person in PEOPLE]


@pytest.fixture
def world(create_user, make_review, lead):  # noqa: ANN001, ANN201
    people = {
        "lead": lead,
        "co_reviewer": create_user("co@example.org", roles=("reviewer",)),
        "participant": create_user("deelnemer@example.org"),
        "expert": create_user("ervaring@example.org"),
        "observer": create_user("waarnemer@example.org"),
        "outsider_reviewer": create_user("buiten@example.org", roles=("reviewer",)),
        "policy_owner": create_user("bestuur@example.org", roles=("policy_owner",)),
        "admin": create_user("beheer@example.org", roles=("admin",)),
    }
    review = make_review()
    for person, role in (("co_reviewer", MemberRole.CO_REVIEWER), ("participant", MemberRole.PARTICIPANT),
                         ("expert", MemberRole.EXPERT_BY_EXPERIENCE), ("observer", MemberRole.OBSERVER)):
        db.session.add(ReviewMember(review_id=review.id, user_id=people[person].id, role=role.value))
    db.session.commit()
    access = review_access(lead, review.id)
    start = utcnow() + timedelta(days=2)
    meeting = meetings.plan_meeting(access, MeetingInput(title="Bijeenkomst", starts_at=start,
                                                         ends_at=start + timedelta(hours=3)))
    meetings.start_meeting(meeting, actor=lead)
    participant_access = review_access(people["participant"], review.id)
    contribution = contributions.contribute(participant_access, meeting, agenda_item_id=meeting.agenda[0].id,
                                            text="Inbreng", anonymous=False)
    vote = Vote(review_id=review.id, meeting_id=meeting.id, title="Stem", target="contributions")
    vote.options = [VoteOption(position=0, item_type="contribution", item_id=contribution.id, label="Inbreng")]
    db.session.add(vote)
    reflection_round = reflections.open_round(access, title="Vooraf", moment="before",
                                              deadline=utcnow() + timedelta(days=5))
    db.session.commit()
    arguments = {"review_id": review.id, "meeting_id": meeting.id, "item_id": meeting.agenda[1].id,
                 "direction": "up", "action": "pause", "contribution_id": contribution.id, "status": "hidden",
                 "vote_id": vote.id, "round_id": reflection_round.id}
    return people, arguments


@pytest.mark.parametrize("endpoint, method, person", CASES)
def test_meeting_route_access(app, login, world, endpoint, method, person):
    people, arguments = world
    client = app.test_client() if person == "anonymous" else login(people[person])
    assert_route_outcome(app, client, endpoint, method, arguments, MEETING_EXPECTED[endpoint][method][person], person)


def test_a_meeting_of_another_review_is_404_everywhere(login, world, make_review, create_user):
    people, arguments = world
    other_lead = create_user("ander@example.org", roles=("reviewer",))
    other = make_review(title="Andere review", actor=other_lead)
    client = login(other_lead)
    base = f"/reviews/{other.id}/meetings/{arguments['meeting_id']}"
    for path in ("/live", "/live/state", "/console", "/projector", "/edit"):
        assert client.get(base + path).status_code == 404, path
    assert client.post(base + "/start").status_code == 404
    assert client.get(f"/reviews/{other.id}/reflections/{arguments['round_id']}").status_code == 404

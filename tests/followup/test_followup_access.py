"""Every follow-up and terugkoppeling route × every kind of person.

The overview and responsiveness are for the global role reviewer (403 for other roles). The
escalation buttons act on a brief × organisation or an action of a brief the person may edit: for
anyone else they are a 404, like a missing one. The terugkoppeling page is for the members of the
review, in any role (404 for everyone else, administrators included). Notifications are each
person's own: the list for everyone signed in, one notification only for its owner (404).
``FOLLOWUP_EXPECTED`` feeds the route inventory in tests/test_route_access.py.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from learning.audit import AuditEvent
from learning.db import db
from learning.responses.models import Action, Notification, ReminderLog, Response
from tests.findings import conftest as findings_conftest
from tests.followup.conftest import DAY0, add_action, at, issue, make_brief, respond
from tests.reviews.test_review_access import NOT_FOUND, PEOPLE, READ, REVIEWERS
from tests.test_route_access import LOGIN, VIEW, assert_route_outcome

SIGNED_IN = {person: VIEW for person in PEOPLE} | {"anonymous": LOGIN}
BRIEF_EDITORS = {person: NOT_FOUND for person in PEOPLE} | {"anonymous": LOGIN, "lead": VIEW, "co_reviewer": VIEW}
OWNER_ONLY = {person: NOT_FOUND for person in PEOPLE} | {"anonymous": LOGIN, "lead": VIEW}

FOLLOWUP_EXPECTED: dict[str, dict[str, dict[str, str]]] = {
    "followup.index": {"GET": REVIEWERS},
    "followup.escalate_responses": {"POST": BRIEF_EDITORS},
    "followup.remind_responses": {"POST": BRIEF_EDITORS},
    "followup.escalate_action": {"POST": BRIEF_EDITORS},
    "followup.remind_action": {"POST": BRIEF_EDITORS},
    "followup.responsiveness_page": {"GET": REVIEWERS},
    "followup.responsiveness_csv": {"GET": REVIEWERS},
    "feedback.show": {"GET": READ},
    "feedback.notifications": {"GET": SIGNED_IN},
    "feedback.mark_read": {"POST": OWNER_ONLY},
    "feedback.mark_all_read": {"POST": SIGNED_IN},
}

CASES = [(endpoint, method, person) for endpoint, methods in FOLLOWUP_EXPECTED.items()
         for method in methods for person in PEOPLE]


def test_the_tables_read_as_intended():
    assert READ == {"anonymous": LOGIN, "lead": VIEW, "co_reviewer": VIEW, "participant": VIEW, "expert": VIEW,
                    "observer": VIEW, "outsider_reviewer": NOT_FOUND, "policy_owner": NOT_FOUND, "admin": NOT_FOUND}
    assert REVIEWERS["outsider_reviewer"] == VIEW and REVIEWERS["policy_owner"] == "403"


@pytest.fixture
def access_world(clock, people_in_every_role, make_review, make_lesson, make_finding, lead, region):  # noqa: ANN001, ANN201
    """A review with a member in every role; its finding went out in a brief to the policy owner's organisation,
    who answered with an action. The lead has a notification."""
    review = make_review()
    people = people_in_every_role(review)
    gemeente = findings_conftest.organisation("Gemeente Toegang", "gemeente", region)
    people["policy_owner"].organisation_id = gemeente.id
    db.session.commit()
    finding = make_finding(lead, [make_lesson(review, "keten")], title="Toegangsbevinding",
                           organisation_ids=[gemeente.id], questions=("Vraag?",))
    finding.status = "in_brief"
    brief = make_brief("Toegangsnotitie", lead, [finding], [(people["policy_owner"], gemeente)])
    issue(brief, lead)
    answer = respond(brief, finding, gemeente, people["policy_owner"], submitted_at=at(DAY0))
    action = add_action(answer)
    notification = Notification(user_id=lead.id, review_id=review.id, kind="responses_submitted",
                                params={"review_title": review.title, "items": []})
    db.session.add(notification)
    db.session.commit()
    return people, {"brief_id": brief.id, "organisation_id": gemeente.id, "action_id": action.id,
                    "review_id": review.id, "notification_id": notification.id}


@pytest.mark.parametrize("endpoint, method, person", CASES)
def test_followup_route_access(app, login, access_world, endpoint, method, person):
    people, arguments = access_world
    client = app.test_client() if person == "anonymous" else login(people[person])
    assert_route_outcome(app, client, endpoint, method, arguments, FOLLOWUP_EXPECTED[endpoint][method][person],
                         person)


def test_a_policy_owner_of_another_organisation_changes_nothing(app, login, access_world, create_user, outbox):
    people, arguments = access_world
    other = create_user("ander-bestuur@example.org", roles=("policy_owner",))
    client = login(other)
    for path in (f"/follow-up/briefs/{arguments['brief_id']}/organisations/{arguments['organisation_id']}/escalate",
                 f"/follow-up/briefs/{arguments['brief_id']}/organisations/{arguments['organisation_id']}/remind",
                 f"/follow-up/actions/{arguments['action_id']}/escalate",
                 f"/follow-up/actions/{arguments['action_id']}/remind",
                 f"/notifications/{arguments['notification_id']}/read"):
        assert client.post(path).status_code == 404, path
    assert client.get(f"/reviews/{arguments['review_id']}/terugkoppeling").status_code == 404
    assert client.get("/follow-up").status_code == 403
    db.session.expire_all()
    assert db.session.get(Action, arguments["action_id"]).escalated_at is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Response).where(
        Response.escalated_at.is_not(None))) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReminderLog)) == 0
    assert db.session.get(Notification, arguments["notification_id"]).read_at is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action.in_(("response.escalated", "action.escalated", "reminder.sent_now")))) == 0
    assert len(outbox) == 0


def test_the_menu_shows_opvolging_to_reviewers_only(login, access_world):
    people, _arguments = access_world
    assert 'href="/follow-up"' in login(people["co_reviewer"]).get("/dashboard").get_data(as_text=True)
    for person in ("participant", "policy_owner", "admin"):
        page = login(people[person]).get("/dashboard").get_data(as_text=True)
        assert 'href="/follow-up"' not in page and 'href="/notifications"' in page

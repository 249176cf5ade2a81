"""Every portal route and every reviewer route of a brief's responses × every kind of person.

The portal is for policy owners addressed by an issued brief, for the organisation of their
addressee row: a policy owner of another organisation addressed by the same brief sees the brief,
but a finding, response or action of the other organisation is a 404; a policy owner not addressed
at all gets 404 for the brief; everyone else gets 404 too (the list itself is 403 for other roles).
The reviewers' side is for the brief's editors (lead and co-reviewer of the source review); anyone
else gets 404. ``RESPONSE_EXPECTED`` feeds the route inventory in tests/test_route_access.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from learning.audit import AuditEvent
from learning.db import db
from learning.responses import services
from learning.responses.models import Action, ActionUpdate, Response, ThreadMessage
from learning.responses.services import ActionInput
from tests.responses.conftest import today
from tests.reviews.test_review_access import PEOPLE as REVIEW_PEOPLE
from tests.test_route_access import ENROL, FORBIDDEN, LOGIN, VIEW, assert_route_outcome

NOT_FOUND = "404"
# ``owner`` answers for the gemeente; ``other_owner`` for the GGZ, addressed by the same brief;
# ``enrolling_owner`` is addressed for the gemeente but has not set up MFA; ``policy_owner`` is not addressed.
PEOPLE = (*REVIEW_PEOPLE, "owner", "other_owner", "enrolling_owner")


def outcome(view: tuple[str, ...], others: str = NOT_FOUND) -> dict[str, str]:
    result = {person: VIEW if person in view else others for person in PEOPLE}
    return result | {"anonymous": LOGIN, "enrolling_owner": ENROL}


PORTAL_LIST = outcome(("owner", "other_owner", "policy_owner"), FORBIDDEN)
# The brief itself: both addressed boards, each for its own organisation.
PORTAL_BRIEF = outcome(("owner", "other_owner"))
# A finding (and the response, actions and thread on it) of the gemeente only.
GEMEENTE_ONLY = outcome(("owner",))
BRIEF_EDITORS = outcome(("lead", "co_reviewer"))

RESPONSE_EXPECTED: dict[str, dict[str, dict[str, str]]] = {
    "responses.index": {"GET": PORTAL_LIST},
    "responses.show": {"GET": PORTAL_BRIEF},
    "responses.submit_all": {"POST": PORTAL_BRIEF},
    "responses.download": {"GET": PORTAL_BRIEF},
    "responses.save_response": {"POST": GEMEENTE_ONLY},
    "responses.add_action": {"POST": GEMEENTE_ONLY},
    "responses.post_message": {"POST": GEMEENTE_ONLY},
    "responses.action": {"GET": GEMEENTE_ONLY, "POST": GEMEENTE_ONLY},
    "responses.report_progress": {"POST": GEMEENTE_ONLY},
    "brief_responses.index": {"GET": BRIEF_EDITORS},
    "brief_responses.post_message": {"POST": BRIEF_EDITORS},
    "brief_responses.mark_question": {"POST": BRIEF_EDITORS},
}

CASES = [(endpoint, method, person) for endpoint, methods in RESPONSE_EXPECTED.items()
         for method in methods for person in PEOPLE]


def test_the_rules_read_as_intended():
    assert GEMEENTE_ONLY == {"anonymous": "login", "lead": "404", "co_reviewer": "404", "participant": "404",
                             "expert": "404", "observer": "404", "outsider_reviewer": "404", "policy_owner": "404",
                             "admin": "404", "owner": "view", "other_owner": "404", "enrolling_owner": "enrol"}
    assert BRIEF_EDITORS["owner"] == BRIEF_EDITORS["outsider_reviewer"] == "404"
    assert PORTAL_LIST["lead"] == "403" and PORTAL_LIST["policy_owner"] == "view"


def action_data() -> ActionInput:
    return ActionInput(description="Protocol vaststellen", owner_name="Ria Jansen", owner_organisation="Gemeente",
                       due_date=today() + timedelta(days=20))


@pytest.fixture
def world(portal_world, create_user, lead):  # noqa: ANN001, ANN201
    w = portal_world
    enrolling = create_user("nieuw@gemeente.example", roles=("policy_owner",), mfa_enabled=False,
                            organisation_id=w.gemeente.id)
    from learning.briefs.models import BriefAddressee, BriefRecipient, BriefVersion

    # A second policy owner of the board, addressed in the issued version as well as in the draft.
    db.session.add(BriefAddressee(brief_id=w.brief.id, user_id=enrolling.id, organisation_id=w.gemeente.id))
    version = db.session.scalar(sa.select(BriefVersion).where(BriefVersion.brief_id == w.brief.id))
    db.session.add(BriefRecipient(version_id=version.id, user_id=enrolling.id, organisation_id=w.gemeente.id))
    action = services.add_action(w.brief, w.f1.id, w.gemeente.id, action_data(), actor=w.owner, today=today())
    message = services.post_message(w.brief, w.f1.id, w.gemeente.id, body="Wat bedoelt u?", actor=w.owner)
    db.session.commit()
    people = {**w.people, "owner": w.owner, "other_owner": w.other_owner, "enrolling_owner": enrolling}
    arguments = {"brief_id": w.brief.id, "finding_id": w.f1.id, "action_id": action.id, "number": 1,
                 "organisation_id": w.gemeente.id, "message_id": message.id}
    return people, arguments


@pytest.mark.parametrize("endpoint, method, person", CASES)
def test_response_route_access(app, login, world, endpoint, method, person):
    people, arguments = world
    client = app.test_client() if person == "anonymous" else login(people[person])
    assert_route_outcome(app, client, endpoint, method, arguments, RESPONSE_EXPECTED[endpoint][method][person],
                         person)


# --- crafted ids change nothing ------------------------------------------------------------------


def _state() -> tuple:
    db.session.expire_all()
    responses = [(r.id, r.decision, r.reasoning, r.status, r.version) for r in
                 db.session.scalars(sa.select(Response).order_by(Response.id))]
    actions = [(a.id, a.description, a.owner_name, a.status, a.version) for a in
               db.session.scalars(sa.select(Action).order_by(Action.id))]
    counts = [db.session.scalar(sa.select(sa.func.count()).select_from(model))
              for model in (ActionUpdate, ThreadMessage, AuditEvent)]
    return responses, actions, counts


def test_another_organisations_finding_and_action_are_404_and_change_nothing(login, world, portal_world):
    people, arguments = world
    w = portal_world
    started = services.find_response(w.brief.id, w.f1.id, w.gemeente.id)  # by adding the action
    services.save_response(w.brief, w.f1.id, w.gemeente.id, decision="not_adopted", reasoning="Geheim besluit",
                           expected_version=started.version, actor=w.owner)
    db.session.commit()
    before = _state()
    client = login(w.other_owner)
    base = f"/portal/briefs/{w.brief.id}"
    action_id = arguments["action_id"]
    for path, data in (
        (f"{base}/findings/{w.f1.id}/response", {f"response-{w.f1.id}-decision": "adopted",
                                                 f"response-{w.f1.id}-version": "2"}),
        (f"{base}/findings/{w.f1.id}/actions", {f"action-{w.f1.id}-description": "Ingeschoven",
                                                f"action-{w.f1.id}-owner_name": "X",
                                                f"action-{w.f1.id}-owner_organisation": "Y",
                                                f"action-{w.f1.id}-due_date": (today() + timedelta(days=3)).isoformat()}),
        (f"{base}/findings/{w.f1.id}/messages", {f"message-{w.f1.id}-body": "Meegelezen"}),
        (f"{base}/actions/{action_id}", None),
        (f"{base}/actions/{action_id}", {"action-description": "Gekaapt", "action-owner_name": "X",
                                         "action-owner_organisation": "Y", "action-version": "1",
                                         "action-due_date": (today() + timedelta(days=3)).isoformat()}),
        (f"{base}/actions/{action_id}/progress", {"progress-status": "lapsed", "progress-note": "Weg ermee",
                                                  "progress-version": "1"}),
    ):
        response = client.post(path, data=data) if data is not None else client.get(path)
        assert response.status_code == 404, path
        assert "Geheim besluit" not in response.get_data(as_text=True)
    # Their own page of the same brief shows none of the gemeente's findings or answers.
    page = client.get(base).get_data(as_text=True)
    assert w.f1.title not in page and "Geheim besluit" not in page and "Protocol vaststellen" not in page
    assert w.f3.title in page and w.f2.title in page
    assert _state() == before


def test_a_policy_owner_not_addressed_sees_nothing(login, world, portal_world):
    people, arguments = world
    before = _state()
    client = login(people["policy_owner"])
    assert portal_world.brief.title not in client.get("/portal").get_data(as_text=True)
    base = f"/portal/briefs/{portal_world.brief.id}"
    assert client.get(base).status_code == 404
    assert client.post(f"{base}/submit", data={}).status_code == 404
    assert client.get(f"{base}/versions/1/pdf").status_code == 404
    assert _state() == before


def test_crafted_reviewer_ids_are_404(login, world, portal_world, lead):
    people, arguments = world
    w = portal_world
    before = _state()
    client = login(lead)
    # The GGZ is addressed, but not for F1: there is no such thread.
    assert client.post(f"/briefs/{w.brief.id}/responses/{w.ggz.id}/findings/{w.f1.id}/messages",
                       data={f"message-{w.ggz.id}-{w.f1.id}-body": "Hallo"}).status_code == 404
    assert client.post(f"/briefs/{w.brief.id}/responses/999999/findings/{w.f1.id}/messages",
                       data={"body": "Hallo"}).status_code == 404
    # A message of this brief through another brief id, and an id beyond any row.
    assert client.post(f"/briefs/{w.brief.id + 1}/responses/messages/{arguments['message_id']}/question",
                       data={"is_question": "1"}).status_code == 404
    assert client.post(f"/briefs/{w.brief.id}/responses/messages/99999999999/question",
                       data={"is_question": "1"}).status_code == 404
    assert _state() == before


def test_the_menu_shows_the_portal_to_policy_owners(login, world):
    people, _arguments = world
    assert 'href="/portal"' in login(people["owner"]).get("/dashboard").get_data(as_text=True)
    assert 'href="/portal"' in login(people["policy_owner"]).get("/dashboard").get_data(as_text=True)
    assert 'href="/portal"' not in login(people["lead"]).get("/dashboard").get_data(as_text=True)


def test_the_portal_follows_the_issued_version_not_the_next_draft(login, portal_world, create_user):
    """Editing the draft of v2 changes nobody's access to v1; leaving the organisation ends it."""
    from learning.briefs.models import BriefAddressee

    w = portal_world
    newcomer = create_user("nieuw@gemeente.example", name="Nina Nieuw", roles=("policy_owner",),
                           organisation_id=w.gemeente.id)
    # The draft now names the newcomer instead of the owner who received v1.
    db.session.execute(sa.delete(BriefAddressee).where(BriefAddressee.user_id == w.owner.id))
    db.session.add(BriefAddressee(brief_id=w.brief.id, user_id=newcomer.id, organisation_id=w.gemeente.id))
    db.session.commit()
    assert login(newcomer).get(f"/portal/briefs/{w.brief.id}").status_code == 404
    assert login(newcomer).post(f"/portal/briefs/{w.brief.id}/findings/{w.f1.id}/response",
                                data={"decision": "adopted"}).status_code == 404
    assert login(w.owner).get(f"/portal/briefs/{w.brief.id}").status_code == 200
    # An administrator moves the owner to another organisation: the gemeente's brief is no longer theirs.
    w.owner.organisation_id = w.ggz.id
    db.session.commit()
    assert login(w.owner).get(f"/portal/briefs/{w.brief.id}").status_code == 404
    assert w.brief.title not in login(w.owner).get("/portal").get_data(as_text=True)

"""Every finding route × every kind of person.

A finding is visible and editable to reviewers who edit (lead or co-reviewer) a review one of
its lessons comes from; for anyone else its routes are 404, so its existence is not revealed.
The list and the new-finding form are for the global role reviewer (403 for other roles).
``FINDING_EXPECTED`` feeds the route inventory in tests/test_route_access.py.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from learning.audit import AuditEvent
from learning.db import db
from learning.findings.models import Finding
from tests.findings.conftest import finding_input
from tests.reviews.test_review_access import EDIT, PEOPLE, REVIEWERS
from tests.test_route_access import assert_route_outcome

# Editors of the source review see the finding; everyone else gets the same answer as for a missing one.
FINDING_EDITORS = EDIT | {person: "404" for person, outcome in EDIT.items() if outcome == "403"}

FINDING_EXPECTED: dict[str, dict[str, dict[str, str]]] = {
    "findings.index": {"GET": REVIEWERS},
    "findings.new": {"GET": REVIEWERS, "POST": REVIEWERS},
    "findings.show": {"GET": FINDING_EDITORS},
    "findings.edit": {"GET": FINDING_EDITORS, "POST": FINDING_EDITORS},
    "findings.change_status": {"POST": FINDING_EDITORS},
    "findings.move_lesson": {"POST": FINDING_EDITORS},
    "findings.add_question": {"POST": FINDING_EDITORS},
    "findings.update_question": {"POST": FINDING_EDITORS},
    "findings.move_question": {"POST": FINDING_EDITORS},
    "findings.remove_question": {"POST": FINDING_EDITORS},
}

CASES = [(endpoint, method, person) for endpoint, methods in FINDING_EXPECTED.items()
         for method in methods for person in PEOPLE]


def test_the_editor_rule_reads_as_intended():
    assert FINDING_EDITORS == {"anonymous": "login", "lead": "view", "co_reviewer": "view", "participant": "404",
                               "expert": "404", "observer": "404", "outsider_reviewer": "404",
                               "policy_owner": "404", "admin": "404"}


@pytest.fixture
def world(people_in_every_role, make_review, make_lesson, make_finding, lead):  # noqa: ANN001, ANN201
    """A finding on a lesson of a review with a member in every role; the outsider reviewer leads another
    review with a finding of their own."""
    review = make_review()
    people = people_in_every_role(review)
    db.session.commit()
    finding = make_finding(lead, [make_lesson(review, "keten"), make_lesson(review, "stelsel")],
                           questions=("Welke afspraak maakt u?",))
    elsewhere = make_review(title="Review elders", actor=people["outsider_reviewer"])
    make_finding(people["outsider_reviewer"], [make_lesson(elsewhere, "keten")], title="Hun bevinding")
    arguments = {"finding_id": finding.id, "lesson_id": finding.lessons[0].id, "index": 0, "direction": "down"}
    return people, arguments


@pytest.mark.parametrize("endpoint, method, person", CASES)
def test_finding_route_access(app, login, world, endpoint, method, person):
    people, arguments = world
    client = app.test_client() if person == "anonymous" else login(people[person])
    assert_route_outcome(app, client, endpoint, method, arguments, FINDING_EXPECTED[endpoint][method][person], person)


def _state(finding_id: int) -> tuple:
    db.session.expire_all()
    finding = db.session.get(Finding, finding_id)
    return (finding.title, finding.status, finding.version, list(finding.board_questions),
            [lesson.id for lesson in finding.lessons])


def test_crafted_ids_of_another_reviewers_finding_are_404_and_change_nothing(
        login, make_review, make_lesson, make_finding, lead, create_user):
    other_lead = create_user("ander@example.org", roles=("reviewer",))
    theirs = make_review(title="Andere review", actor=other_lead)
    their_lessons = [make_lesson(theirs, "keten"), make_lesson(theirs, "stelsel")]
    finding = make_finding(other_lead, their_lessons, questions=("Eerste?", "Tweede?"))
    mine = make_review(title="Mijn review")
    my_lesson = make_lesson(mine, "keten")
    before = _state(finding.id)
    audit_rows = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    client = login(lead)
    base = f"/findings/{finding.id}"
    version = str(finding.version)
    for path, data in ((base, None), (f"{base}/edit", None),
                       (f"{base}/edit", {**vars(finding_input([my_lesson], title="Gekaapt")), "version": version}),
                       (f"{base}/status", {"status": "agreed", "version": version}),
                       (f"{base}/lessons/{their_lessons[0].id}/move/down", {"version": version}),
                       (f"{base}/questions", {"new-question": "Ingeschoven?", "new-version": version}),
                       (f"{base}/questions/0", {"question-0-question": "Overschreven?", "question-0-version": version}),
                       (f"{base}/questions/0/move/down", {"version": version}),
                       (f"{base}/questions/0/delete", {"version": version})):
        response = client.post(path, data=data) if data is not None else client.get(path)
        assert response.status_code == 404, path
        assert finding.title not in response.get_data(as_text=True)
    assert _state(finding.id) == before
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == audit_rows


def test_the_list_shows_only_my_findings(login, world, lead):
    people, _arguments = world
    page = login(lead).get("/findings").get_data(as_text=True)
    assert "Overdracht stokt bij verhuizing" in page and "Hun bevinding" not in page
    page = login(people["outsider_reviewer"]).get("/findings").get_data(as_text=True)
    assert "Hun bevinding" in page and "Overdracht stokt bij verhuizing" not in page


def test_the_menu_shows_findings_to_reviewers(login, world):
    people, _arguments = world
    assert 'href="/findings"' in login(people["co_reviewer"]).get("/dashboard").get_data(as_text=True)
    for person in ("participant", "policy_owner"):
        assert 'href="/findings"' not in login(people[person]).get("/dashboard").get_data(as_text=True)

"""Every brief route × every kind of person.

A brief is visible and editable to reviewers who created it or who edit (lead or co-reviewer) a review that
one of its findings rests on; for anyone else its routes are 404, so its existence is not revealed. Its shared
draft is readable (and open for comments) to every member of a source review. The list and the new-brief
form are for the global role reviewer (403 for other roles). A policy owner the brief is addressed to gets 404
here too: boards read briefs in their portal. ``BRIEF_EXPECTED`` feeds the route inventory in
tests/test_route_access.py.
"""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from learning.audit import AuditEvent
from learning.briefs import services
from learning.briefs.access import draft_reader
from learning.briefs.models import Brief, BriefComment, BriefDocument, BriefVersion
from learning.db import db
from tests.briefs.conftest import brief_input, issue_version
from tests.findings.conftest import organisation
from tests.reviews.test_review_access import EDIT, PEOPLE, READ, REVIEWERS
from tests.test_route_access import assert_route_outcome

# Editors of a source review see the brief; everyone else gets the same answer as for a missing one.
BRIEF_EDITORS = EDIT | {person: "404" for person, outcome in EDIT.items() if outcome == "403"}
# The shared draft: every member of a source review.
DRAFT_READERS = READ

BRIEF_EXPECTED: dict[str, dict[str, dict[str, str]]] = {
    "briefs.index": {"GET": REVIEWERS},
    "briefs.new": {"GET": REVIEWERS, "POST": REVIEWERS},
    "briefs.show": {"GET": BRIEF_EDITORS},
    "briefs.edit": {"GET": BRIEF_EDITORS, "POST": BRIEF_EDITORS},
    "briefs.move_finding": {"POST": BRIEF_EDITORS},
    "briefs.preview": {"GET": BRIEF_EDITORS},
    "briefs.share": {"POST": BRIEF_EDITORS},
    "briefs.draft": {"GET": DRAFT_READERS},
    "briefs.comment": {"POST": DRAFT_READERS},
    "briefs.resolve_comment": {"POST": BRIEF_EDITORS},
    "briefs.approve": {"POST": BRIEF_EDITORS},
    "briefs.issue": {"POST": BRIEF_EDITORS},
    "briefs.documents_status": {"GET": BRIEF_EDITORS},
    "briefs.download": {"GET": BRIEF_EDITORS},
    "briefs.retry_document": {"POST": BRIEF_EDITORS},
}

CASES = [(endpoint, method, person) for endpoint, methods in BRIEF_EXPECTED.items()
         for method in methods for person in PEOPLE]


def test_the_rules_read_as_intended():
    assert BRIEF_EDITORS == {"anonymous": "login", "lead": "view", "co_reviewer": "view", "participant": "404",
                             "expert": "404", "observer": "404", "outsider_reviewer": "404",
                             "policy_owner": "404", "admin": "404"}
    assert DRAFT_READERS == {"anonymous": "login", "lead": "view", "co_reviewer": "view", "participant": "view",
                             "expert": "view", "observer": "view", "outsider_reviewer": "404",
                             "policy_owner": "404", "admin": "404"}


def _issued_brief(actor, finding, owner, *, title: str) -> tuple[Brief, BriefComment, BriefDocument]:  # noqa: ANN001
    """A shared brief with a comment and an issued version whose PDF is ready (no render needed)."""
    brief = services.create_brief(brief_input([finding], [owner], title=title), actor=actor)
    services.share_brief(brief, actor=actor)
    db.session.commit()
    comment = services.add_comment(draft_reader(actor, brief.id), "introduction", "Korter graag.", actor=actor)
    db.session.commit()
    version = issue_version(brief, issuer=actor, start=False)
    pdf = b"%PDF-1.7 not really a pdf"
    document = BriefDocument(version_id=version.id, organisation_id=owner.organisation_id,
                             organisation_name="Gemeente Midden", status="ready", pdf=pdf,
                             sha256=hashlib.sha256(pdf).hexdigest(), size=len(pdf))
    db.session.add(document)
    brief.shared_at = version.issued_at  # shared again for the draft of version 2
    db.session.commit()
    return brief, comment, document


@pytest.fixture
def world(people_in_every_role, make_review, make_agreed_finding, lead, region):  # noqa: ANN001, ANN201
    """A brief resting on a review with a member in every role, addressed to the policy owner; the outsider
    reviewer leads another review with a brief of their own."""
    review = make_review()
    people = people_in_every_role(review)
    gemeente = organisation("Gemeente Midden", "gemeente", region)
    people["policy_owner"].organisation_id = gemeente.id
    db.session.commit()
    finding = make_agreed_finding(lead, review, "Regie valt weg bij crisis", [gemeente])
    brief, comment, document = _issued_brief(lead, finding, people["policy_owner"], title="Onze notitie")
    elsewhere = make_review(title="Review elders", actor=people["outsider_reviewer"])
    theirs = make_agreed_finding(people["outsider_reviewer"], elsewhere, "Hun bevinding", [gemeente])
    services.create_brief(brief_input([theirs], [people["policy_owner"]], title="Hun notitie"),
                          actor=people["outsider_reviewer"])
    db.session.commit()
    arguments = {"brief_id": brief.id, "finding_id": finding.id, "direction": "down", "comment_id": comment.id,
                 "document_id": document.id}
    return people, arguments


@pytest.mark.parametrize("endpoint, method, person", CASES)
def test_brief_route_access(app, login, world, endpoint, method, person):
    people, arguments = world
    client = app.test_client() if person == "anonymous" else login(people[person])
    assert_route_outcome(app, client, endpoint, method, arguments, BRIEF_EXPECTED[endpoint][method][person], person)


def _state(brief_id: int) -> tuple:
    db.session.expire_all()
    brief = db.session.get(Brief, brief_id)
    comments = db.session.scalars(sa.select(BriefComment).where(BriefComment.brief_id == brief_id)).all()
    return (brief.title, brief.version, brief.content_version, brief.shared_at, brief.approved_by_id,
            brief.latest_version_number, [f.id for f in brief.findings],
            [(c.body, c.resolved_at) for c in comments],
            db.session.scalar(sa.select(sa.func.count(BriefVersion.id))),
            db.session.scalar(sa.select(sa.func.count(BriefDocument.id))))


def test_crafted_ids_of_another_reviewers_brief_are_404_and_change_nothing(
        login, make_review, make_agreed_finding, lead, create_user, region):
    gemeente = organisation("Gemeente Midden", "gemeente", region)
    owner = create_user("bea@example.org", roles=("policy_owner",), organisation_id=gemeente.id)
    other_lead = create_user("ander@example.org", roles=("reviewer",))
    theirs = make_agreed_finding(other_lead, make_review(title="Andere review", actor=other_lead), "Hun bevinding",
                                 [gemeente])
    brief, comment, document = _issued_brief(other_lead, theirs, owner, title="Hun geheime notitie")
    mine = make_agreed_finding(lead, make_review(title="Mijn review"), "Mijn bevinding", [gemeente])
    before = _state(brief.id)
    audit_rows = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    client = login(lead)
    base = f"/briefs/{brief.id}"
    version = str(brief.content_version)
    edit = {"title": "Gekaapt", "response_deadline": "2099-01-01", "language": "nl", "finding_ids": [str(mine.id)],
            "addressee_ids": [str(owner.id)], "version": version}
    for path, data in ((base, None), (f"{base}/edit", None), (f"{base}/edit", edit),
                       (f"{base}/findings/{theirs.id}/move/down", {"version": version}),
                       (f"{base}/preview", None), (f"{base}/share", {}), (f"{base}/draft", None),
                       (f"{base}/draft/comments", {"section": "introduction", "introduction-body": "Ingeschoven"}),
                       (f"{base}/comments/{comment.id}/resolve", {f"resolve-{comment.id}-note": "Weg"}),
                       (f"{base}/approve", {"version": version}), (f"{base}/issue", {"version": version}),
                       (f"{base}/documents", None), (f"{base}/documents/{document.id}/pdf", None),
                       (f"{base}/documents/{document.id}/retry", {})):
        response = client.post(path, data=data) if data is not None else client.get(path)
        assert response.status_code == 404, path
        assert "Hun geheime notitie" not in response.get_data(as_text=True)
    assert _state(brief.id) == before
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == audit_rows


def test_a_document_of_another_brief_is_not_found_through_mine(login, world, make_review, make_agreed_finding,
                                                              create_user, region):
    people, arguments = world
    owner = people["policy_owner"]
    other_lead = create_user("ander@example.org", roles=("reviewer",))
    theirs = make_agreed_finding(other_lead, make_review(title="Andere review", actor=other_lead), "Hun bevinding",
                                 [owner.organisation])
    _brief, comment, document = _issued_brief(other_lead, theirs, owner, title="Hun notitie met PDF")
    client = login(people["lead"])
    base = f"/briefs/{arguments['brief_id']}"
    assert client.get(f"{base}/documents/{document.id}/pdf").status_code == 404
    assert client.post(f"{base}/documents/{document.id}/retry").status_code == 404
    assert client.post(f"{base}/comments/{comment.id}/resolve", data={}).status_code == 404


def test_every_brief_route_is_in_the_table(app):
    routes = {(rule.endpoint, method) for rule in app.url_map.iter_rules() if rule.endpoint.startswith("briefs.")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes == {(endpoint, method) for endpoint, methods in BRIEF_EXPECTED.items() for method in methods}

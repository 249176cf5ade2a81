"""The shared draft: members of source reviews read only the sections of findings resting on their own reviews
(plus the introduction and context), comment per section, and see only their own comments; editors see all
comments per section, open and resolved, and resolve them."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from learning.briefs import services
from learning.briefs.models import BriefComment
from learning.db import db
from learning.findings import services as finding_services
from learning.reviews.models import MemberRole
from tests.briefs.conftest import brief_input
from tests.helpers import text_of


@pytest.fixture
def shared(create_user, region, lead, make_review, add_member, make_lesson, make_finding, make_agreed_finding):  # noqa: ANN001, ANN201
    """Reviews A and B, both led by ``lead``; a brief with F-A (on A only), F-B (on B only) and F-AB (on both),
    shared for comments. ``pa`` takes part in A, ``pb`` in B, ``pc`` in an unrelated review C."""
    from tests.findings.conftest import organisation

    gemeente = organisation("Gemeente Midden", "gemeente", region)
    bea = create_user("bea@example.org", name="Bea Bestuurder", roles=("policy_owner",), organisation_id=gemeente.id)
    review_a, review_b = make_review(title="Review A"), make_review(title="Review B")
    review_c = make_review(title="Review C")
    people = {name: create_user(f"{name}@example.org", name=name.upper()) for name in ("pa", "pb", "pc")}
    add_member(review_a, people["pa"], MemberRole.PARTICIPANT.value)
    add_member(review_b, people["pb"], MemberRole.EXPERT_BY_EXPERIENCE.value)
    add_member(review_c, people["pc"], MemberRole.PARTICIPANT.value)
    f_a = make_agreed_finding(lead, review_a, "Alleen uit A", [gemeente], pattern="Geheim patroon uit review A.")
    f_b = make_agreed_finding(lead, review_b, "Alleen uit B", [gemeente], pattern="Geheim patroon uit review B.")
    f_ab = make_finding(lead, [make_lesson(review_a, "keten"), make_lesson(review_b, "stelsel")], title="Uit A en B",
                        pattern="Gedeeld patroon van A en B.", questions=("Wat doet u?",),
                        organisation_ids=[gemeente.id])
    finding_services.change_status(f_ab, "agreed", actor=lead, expected_version=f_ab.version)
    brief = services.create_brief(brief_input([f_a, f_b, f_ab], [bea], introduction="Inleiding voor iedereen."),
                                  actor=lead)
    services.share_brief(brief, actor=lead)
    db.session.commit()
    return brief, people, {"a": f_a, "b": f_b, "ab": f_ab}


def test_a_member_reads_only_the_findings_of_their_own_reviews(login, shared):
    brief, people, findings = shared
    page = login(people["pa"]).get(f"/briefs/{brief.id}/draft")
    text = text_of(page)
    assert page.status_code == 200
    assert "Inleiding voor iedereen." in text
    assert "Geheim patroon uit review A." in text and "Gedeeld patroon van A en B." in text
    assert "Alleen uit B" not in text and "Geheim patroon uit review B." not in text
    assert f"finding-{findings['b'].id}" not in page.get_data(as_text=True)
    text = text_of(login(people["pb"]).get(f"/briefs/{brief.id}/draft"))
    assert "Geheim patroon uit review B." in text and "Gedeeld patroon van A en B." in text
    assert "Geheim patroon uit review A." not in text
    # Not a member of a source review: the draft does not exist for them.
    assert login(people["pc"]).get(f"/briefs/{brief.id}/draft").status_code == 404
    # Members never reach the editors' pages.
    assert login(people["pa"]).get(f"/briefs/{brief.id}").status_code == 404


def test_a_member_cannot_comment_on_a_section_they_cannot_see(login, shared):
    brief, people, findings = shared
    client = login(people["pa"])
    response = client.post(f"/briefs/{brief.id}/draft/comments", data={
        "section": f"finding-{findings['b'].id}", f"finding-{findings['b'].id}-body": "Ingeschoven"})
    assert response.status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(BriefComment.id))) == 0


def test_comments_per_section_are_private_to_their_author_and_resolved_by_editors(login, lead, shared):
    brief, people, findings = shared
    section = f"finding-{findings['a'].id}"
    pa = login(people["pa"])
    response = pa.post(f"/briefs/{brief.id}/draft/comments", data={"section": section,
                                                                  f"{section}-body": "Noem ook de huisarts."})
    assert response.status_code == 302
    empty = pa.post(f"/briefs/{brief.id}/draft/comments", data={"section": "introduction", "introduction-body": " "})
    assert empty.status_code == 422 and "Schrijf je commentaar." in text_of(empty)
    login(people["pb"]).post(f"/briefs/{brief.id}/draft/comments", data={"section": "introduction",
                                                                         "introduction-body": "Inleiding is te lang."})
    assert "Noem ook de huisarts." in text_of(pa.get(f"/briefs/{brief.id}/draft"))
    assert "Inleiding is te lang." not in text_of(pa.get(f"/briefs/{brief.id}/draft"))
    assert "Noem ook de huisarts." not in text_of(login(people["pb"]).get(f"/briefs/{brief.id}/draft"))

    editor = login(lead)
    page = text_of(editor.get(f"/briefs/{brief.id}"))
    assert "2 commentaren staan nog open." in page
    assert "Noem ook de huisarts." in page and "Inleiding is te lang." in page
    comment = db.session.scalar(sa.select(BriefComment).where(BriefComment.body == "Noem ook de huisarts."))
    response = editor.post(f"/briefs/{brief.id}/comments/{comment.id}/resolve",
                           data={f"resolve-{comment.id}-note": "Huisarts toegevoegd."})
    assert response.status_code == 302
    page = text_of(editor.get(f"/briefs/{brief.id}"))
    assert "1 commentaar staat nog open." in page and "Afgehandeld door Ria Reviewer op" in page
    assert "Huisarts toegevoegd." in page
    assert "Afgehandeld op" in text_of(pa.get(f"/briefs/{brief.id}/draft"))
    # A member cannot resolve, and an id of another brief's comment is not found.
    assert pa.post(f"/briefs/{brief.id}/comments/{comment.id}/resolve", data={}).status_code == 404
    assert editor.post(f"/briefs/{brief.id + 1}/comments/{comment.id}/resolve", data={}).status_code == 404


def test_issuing_closes_the_comment_round(login, lead, create_user, add_member, shared):
    brief, people, _findings = shared
    approver = create_user("tweede@example.org", roles=("reviewer",))
    review_a = brief.findings[0].lessons[0].review
    add_member(review_a, approver, MemberRole.CO_REVIEWER.value)
    services.approve_brief(brief, expected_content_version=brief.content_version, actor=approver)
    services.issue_brief(brief, change_note="", expected_content_version=brief.content_version, actor=lead)
    db.session.commit()
    assert login(people["pa"]).get(f"/briefs/{brief.id}/draft").status_code == 404


def test_members_find_the_shared_draft_on_their_reviews_feedback_page(login, shared):
    brief, people, findings = shared
    review_a = findings["a"].lessons[0].review
    page = login(people["pa"]).get(f"/reviews/{review_a.id}/terugkoppeling")
    assert page.status_code == 200
    assert f'href="/briefs/{brief.id}/draft"' in page.get_data(as_text=True)
    assert "Concept-notities om op te reageren" in text_of(page)
    # Once issued, the round's sharing ends and the draft is no longer offered for comments.
    brief.shared_at = None
    db.session.commit()
    page = login(people["pa"]).get(f"/reviews/{review_a.id}/terugkoppeling")
    assert f'href="/briefs/{brief.id}/draft"' not in page.get_data(as_text=True)


def test_a_comment_from_a_fully_anonymous_review_carries_no_name(login, lead, shared):
    from learning.audit import AuditEvent

    brief, people, findings = shared
    review_a = findings["a"].lessons[0].review
    review_a.fully_anonymous = True
    db.session.commit()
    section = f"finding-{findings['a'].id}"
    response = login(people["pa"]).post(f"/briefs/{brief.id}/draft/comments", data={
        "section": section, f"{section}-body": "Het gezin wist niet wie belde."})
    assert response.status_code == 302
    editor_page = text_of(login(lead).get(f"/briefs/{brief.id}"))
    assert "Het gezin wist niet wie belde." in editor_page
    assert "een lid van een anonieme review" in editor_page and "PA" not in editor_page
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "brief.commented"))
    assert event.actor_id is None
    # The author still finds their own comment on the draft.
    assert "Het gezin wist niet wie belde." in text_of(login(people["pa"]).get(f"/briefs/{brief.id}/draft"))

"""Brief services without HTTP: the rules of a draft, optimistic locking, four eyes, issuing versions."""

from __future__ import annotations

import copy
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from learning.audit import AuditEvent
from learning.briefs import access, services
from learning.briefs.models import Brief, BriefComment, BriefDocument, BriefVersion
from learning.briefs.services import BriefConflict, BriefError, BriefInvalid, ChangedMeanwhile, JobsDown
from learning.db import db, utcnow
from learning.findings.models import Finding
from learning.reviews.models import MemberRole
from tests.briefs.conftest import brief_input


def errors_of(raised: pytest.ExceptionInfo) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for error in raised.value.errors:
        found.setdefault(error.field, []).append(str(error))
    return found


def audit_actions(brief_id: int) -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.object_type == "brief", AuditEvent.object_id == brief_id).order_by(AuditEvent.id)))


@pytest.fixture
def world(draft_world):  # noqa: ANN001, ANN201
    return draft_world


def new_brief(world, **fields) -> Brief:  # noqa: ANN001, ANN003
    brief = services.create_brief(brief_input([world.f1, world.f2, world.f3], [world.bea, world.gijs], **fields),
                                  actor=world.lead)
    db.session.commit()
    return brief


def approve_and_issue(brief: Brief, world, *, change_note: str = "") -> BriefVersion:  # noqa: ANN001
    services.approve_brief(brief, expected_content_version=brief.content_version, actor=world.co)
    db.session.commit()
    version = services.issue_brief(brief, change_note=change_note, expected_content_version=brief.content_version,
                                   actor=world.lead)
    db.session.commit()
    return version


# --- the draft and its rules ---------------------------------------------------------------------------


def test_create_keeps_the_order_and_addresses_each_owner_for_their_organisation(world):
    brief = services.create_brief(brief_input([world.f3, world.f1], [world.gijs, world.bea]), actor=world.lead)
    db.session.commit()
    db.session.expire_all()
    assert [finding.id for finding in brief.findings] == [world.f3.id, world.f1.id]
    assert {(a.user_id, a.organisation_id) for a in brief.addressees} == {
        (world.bea.id, world.gemeente.id), (world.gijs.id, world.ggz.id)}
    assert (brief.content_version, brief.latest_version_number, brief.created_by_id) == (1, 0, world.lead.id)
    assert audit_actions(brief.id) == ["brief.created"]


def test_no_findings_no_addressees_and_a_past_deadline_are_all_named_at_once(world):
    with pytest.raises(BriefInvalid) as raised:
        services.create_brief(brief_input([], [], response_deadline=date.today() - timedelta(days=1)),
                              actor=world.lead)
    errors = errors_of(raised)
    assert "Kies minstens één bevinding voor de notitie." in errors["finding_ids"]
    assert "Kies minstens één beleidseigenaar aan wie de notitie gericht is." in errors["addressee_ids"]
    assert errors["response_deadline"] == ["De reactietermijn ligt in het verleden. Kies vandaag of een latere datum."]
    assert db.session.scalar(sa.select(sa.func.count(Brief.id))) == 0


def test_today_is_a_valid_deadline_and_a_missing_one_is_not(world):
    services.create_brief(brief_input([world.f1], [world.bea], response_deadline=utcnow().date()), actor=world.lead)
    with pytest.raises(BriefInvalid) as raised:
        services.create_brief(brief_input([world.f1], [world.bea], response_deadline=None), actor=world.lead)
    assert list(errors_of(raised)) == ["response_deadline"]


def test_an_addressed_organisation_must_get_a_finding(world):
    with pytest.raises(BriefInvalid) as raised:
        services.create_brief(brief_input([world.f2], [world.bea, world.gijs]), actor=world.lead)
    assert errors_of(raised) == {"addressee_ids": [
        "GGZ Midden krijgt geen enkele bevinding: geen van de gekozen bevindingen is aan deze organisatie gericht. "
        "Kies een bevinding voor haar, of haal haar beleidseigenaar weg."]}


def test_a_finding_must_go_to_an_addressed_organisation(world):
    with pytest.raises(BriefInvalid) as raised:
        services.create_brief(brief_input([world.f2, world.f3], [world.bea]), actor=world.lead)
    assert errors_of(raised) == {"finding_ids": [
        "De bevinding “Wachtlijst GGZ vertraagt veiligheid” is aan geen van de gekozen organisaties gericht, dus "
        "niemand zou haar krijgen. Kies een beleidseigenaar van een organisatie waaraan zij gericht is, of haal haar "
        "uit de notitie."]}


def test_only_agreed_findings_the_reviewer_may_see(world, make_review, make_lesson, make_finding, create_user,
                                                   make_agreed_finding):
    concept = make_finding(world.lead, [make_lesson(world.review, "keten")], title="Nog concept",
                           organisation_ids=[world.gemeente.id])
    with pytest.raises(BriefInvalid) as raised:
        services.create_brief(brief_input([concept], [world.bea]), actor=world.lead)
    assert errors_of(raised)["finding_ids"] == [
        "De bevinding “Nog concept” is concept: alleen vastgestelde bevindingen kunnen in een notitie."]
    stranger = create_user("vreemd@example.org", roles=("reviewer",))
    theirs = make_agreed_finding(stranger, make_review(title="Andere review", actor=stranger), "Hun bevinding",
                                 [world.gemeente])
    for ids in ([theirs.id], [2**40], [0]):
        data = brief_input([], [world.bea])
        data.finding_ids = ids
        with pytest.raises(BriefInvalid) as raised:
            services.create_brief(data, actor=world.lead)
        assert errors_of(raised)["finding_ids"][0].startswith("Kies bevindingen uit de lijst")


def test_addressees_are_active_policy_owners_with_an_organisation(world, create_user):
    nobody = create_user("los@example.org", roles=("policy_owner",))
    gone = create_user("weg@example.org", roles=("policy_owner",), organisation_id=world.gemeente.id, active=False)
    for person in (nobody, gone, world.co):
        with pytest.raises(BriefInvalid) as raised:
            services.create_brief(brief_input([world.f2], [person]), actor=world.lead)
        assert errors_of(raised) == {"addressee_ids": ["Kies beleidseigenaren uit de lijst."]}


def test_an_addressee_who_left_is_named_when_issuing(world):
    brief = new_brief(world)
    world.gijs.active = False
    db.session.commit()
    problems = [str(problem) for problem in services.brief_problems(brief)]
    assert "Gijs GGZ is geen actieve beleidseigenaar (meer) met een organisatie. Haal het vinkje weg of kies iemand " \
           "anders." in problems


# --- editing: content version, conflicts, approval voided --------------------------------------------------


def test_a_change_bumps_the_content_version_and_nothing_changed_does_not(world):
    brief = new_brief(world)
    same = brief_input([world.f1, world.f2, world.f3], [world.bea, world.gijs])
    assert services.update_brief(brief, same, expected_content_version=1, actor=world.lead) == []
    assert brief.content_version == 1
    changed = services.update_brief(brief, brief_input([world.f1, world.f2, world.f3], [world.bea, world.gijs],
                                                       title="Nieuwe titel", language="en"),
                                    expected_content_version=1, actor=world.co)
    db.session.commit()
    assert set(changed) == {"title", "language"} and brief.content_version == 2


def test_a_stale_edit_overwrites_nothing(world):
    brief = new_brief(world)
    services.update_brief(brief, brief_input([world.f1, world.f2, world.f3], [world.bea, world.gijs], title="Eerst"),
                          expected_content_version=1, actor=world.co)
    db.session.commit()
    with pytest.raises(BriefConflict) as raised:
        services.update_brief(brief, brief_input([world.f1], [world.bea], title="Later"), expected_content_version=1,
                              actor=world.lead)
    assert raised.value.current["title"] == "Eerst" and raised.value.submitted["title"] == "Later"
    db.session.rollback()
    db.session.expire_all()
    assert (brief.title, len(brief.findings), brief.content_version) == ("Eerst", 3, 2)


def test_a_change_to_the_content_voids_the_approval(world):
    brief = new_brief(world)
    services.approve_brief(brief, expected_content_version=1, actor=world.co)
    db.session.commit()
    assert services.approval_holds(brief) and brief.approved_by_id == world.co.id and brief.approved_at is not None
    services.move_finding(brief, world.f3.id, "up", expected_content_version=1, actor=world.lead)
    db.session.commit()
    assert [f.id for f in brief.findings] == [world.f1.id, world.f3.id, world.f2.id]
    assert brief.content_version == 2 and not brief.approval_is_current and not services.approval_holds(brief)
    with pytest.raises(ChangedMeanwhile):
        services.move_finding(brief, world.f3.id, "up", expected_content_version=1, actor=world.lead)
    with pytest.raises(ChangedMeanwhile):
        services.approve_brief(brief, expected_content_version=1, actor=world.co)


def test_approval_needs_content_that_can_be_issued(world):
    brief = new_brief(world)
    world.f3.organisations = []
    db.session.commit()
    with pytest.raises(BriefInvalid):
        services.approve_brief(brief, expected_content_version=1, actor=world.co)


def test_findings_a_colleague_added_from_another_review_stay(world, create_user, make_review, add_member,
                                                           make_agreed_finding):
    other_lead = create_user("ander@example.org", roles=("reviewer",))
    other_review = make_review(title="Review B", actor=other_lead)
    theirs = make_agreed_finding(other_lead, other_review, "Bevinding uit review B", [world.gemeente])
    add_member(world.review, other_lead, MemberRole.CO_REVIEWER.value)  # they edit both reviews
    brief = services.create_brief(brief_input([theirs], [world.bea]), actor=other_lead)
    services.update_brief(brief, brief_input([theirs, world.f2], [world.bea]), expected_content_version=1,
                          actor=other_lead)
    db.session.commit()
    # The lead of review A edits the brief (F2 rests on their review) and sends only F2: B's finding stays.
    assert access.brief_for_editor(world.lead, brief.id) is not None
    services.update_brief(brief, brief_input([world.f2], [world.bea], title="Aangepast"), expected_content_version=2,
                          actor=world.lead)
    db.session.commit()
    assert [f.id for f in brief.findings] == [theirs.id, world.f2.id]
    # Taking away the last finding of one's own review would lock oneself out.
    with pytest.raises(BriefInvalid) as raised:
        services.update_brief(brief, brief_input([], [world.bea]), expected_content_version=3, actor=world.lead)
    assert "anders kun je deze notitie daarna zelf niet meer zien" in errors_of(raised)["finding_ids"][0]


# --- who may edit -----------------------------------------------------------------------------------------


def test_editors_are_the_creator_and_the_editors_of_source_reviews_with_the_reviewer_role(world, create_user,
                                                                                        add_member):
    brief = new_brief(world)
    participant = create_user("deelnemer@example.org")
    add_member(world.review, participant, MemberRole.PARTICIPANT.value)
    outsider = create_user("buiten@example.org", roles=("reviewer",))
    assert access.brief_for_editor(world.lead, brief.id) is brief
    assert access.brief_for_editor(world.co, brief.id) is brief
    assert access.brief_for_editor(participant, brief.id) is None
    assert access.brief_for_editor(outsider, brief.id) is None
    for row in list(world.co.role_rows):
        db.session.delete(row)
    db.session.commit()
    db.session.expire_all()
    assert access.brief_for_editor(world.co, brief.id) is None


# --- sharing and comments ---------------------------------------------------------------------------------


def test_sharing_tells_the_members_of_the_source_reviews(world, create_user, add_member, outbox):
    brief = new_brief(world)
    participant = create_user("deelnemer@example.org", language="en")
    add_member(world.review, participant, MemberRole.PARTICIPANT.value)
    told = services.share_brief(brief, actor=world.lead)
    db.session.commit()
    assert {person.id for person in told} == {world.co.id, participant.id}
    assert brief.shared_at is not None and brief.content_version == 1
    assert len(outbox.to("deelnemer@example.org")) == 1 and outbox.to(world.lead.email) == []
    assert f"/briefs/{brief.id}/draft" in outbox.text(outbox.to("deelnemer@example.org")[0])
    with pytest.raises(BriefError):
        services.share_brief(brief, actor=world.co)


def test_comments_need_a_shared_draft_and_a_readable_section(world, create_user, add_member):
    brief = new_brief(world)
    participant = create_user("deelnemer@example.org")
    add_member(world.review, participant, MemberRole.PARTICIPANT.value)
    assert access.draft_reader(participant, brief.id) is None  # not shared yet
    services.share_brief(brief, actor=world.lead)
    db.session.commit()
    reader = access.draft_reader(participant, brief.id)
    assert reader is not None and not reader.is_editor
    with pytest.raises(BriefError) as raised:
        services.add_comment(reader, "finding-999999", "Hallo", actor=participant)
    assert raised.value.field == "section"
    with pytest.raises(BriefError) as raised:
        services.add_comment(reader, "introduction", "   ", actor=participant)
    assert raised.value.field == "body"
    comment = services.add_comment(reader, f"finding-{world.f2.id}", "Noem ook de jeugdarts.", actor=participant)
    db.session.commit()
    services.resolve_comment(comment, note="Toegevoegd aan het patroon.", actor=world.lead)
    db.session.commit()
    assert (comment.resolved_by_id, comment.resolution) == (world.lead.id, "Toegevoegd aan het patroon.")
    with pytest.raises(BriefError):
        services.resolve_comment(comment, note="", actor=world.co)
    assert brief.content_version == 1  # comments are not content


# --- four eyes and issuing ------------------------------------------------------------------------------


def test_issuing_needs_an_approval_by_someone_else(world):
    brief = new_brief(world)
    with pytest.raises(BriefError, match="tweede reviewer"):
        services.issue_brief(brief, change_note="", expected_content_version=1, actor=world.lead)
    services.approve_brief(brief, expected_content_version=1, actor=world.co)
    db.session.commit()
    with pytest.raises(BriefError, match="zelf goedgekeurd"):
        services.issue_brief(brief, change_note="", expected_content_version=1, actor=world.co)
    # An approval by someone who can no longer edit the brief does not count.
    for row in list(world.co.role_rows):
        db.session.delete(row)
    db.session.commit()
    db.session.expire_all()
    with pytest.raises(BriefError, match="tweede reviewer"):
        services.issue_brief(brief, change_note="", expected_content_version=1, actor=world.lead)
    assert db.session.scalar(sa.select(sa.func.count(BriefVersion.id))) == 0


def test_issuing_freezes_a_version_moves_findings_into_the_brief_and_starts_the_pdfs(world):
    brief = new_brief(world)
    brief_id = brief.id
    services.share_brief(brief, actor=world.lead)
    db.session.commit()
    version = approve_and_issue(brief, world)
    db.session.expire_all()
    brief = db.session.get(Brief, brief_id)
    assert (version.number, version.issued_by_id, version.approved_by_id) == (1, world.lead.id, world.co.id)
    assert version.approved_at is not None and version.response_deadline == brief.response_deadline
    assert version.snapshot["number"] == 1 and version.snapshot["approved_by"] == "Cor Coreviewer"
    assert [entry["id"] for entry in version.snapshot["findings"]] == [world.f1.id, world.f2.id, world.f3.id]
    assert brief.latest_version_number == 1
    assert brief.shared_at is None and brief.approved_by_id is None  # the next version starts a fresh round
    assert {db.session.get(Finding, f.id).status for f in (world.f1, world.f2, world.f3)} == {"in_brief"}
    documents = db.session.scalars(sa.select(BriefDocument).where(BriefDocument.version_id == version.id)).all()
    assert {d.organisation_name for d in documents} == {"Gemeente Midden", "GGZ Midden"}
    assert {d.status for d in documents} == {"ready"}  # without REDIS_URL: rendered inline after the commit
    assert "brief.issued" in audit_actions(brief_id)
    issued = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "brief.issued"))
    assert issued.details["number"] == 1 and issued.details["approved_by_id"] == world.co.id


def test_a_second_version_needs_a_change_note_and_leaves_the_first_untouched(world):
    brief = new_brief(world)
    first = approve_and_issue(brief, world)
    frozen = copy.deepcopy(first.snapshot)
    services.update_brief(brief, brief_input([world.f1, world.f2, world.f3], [world.bea, world.gijs],
                                             introduction="Een verbeterde inleiding."),
                          expected_content_version=brief.content_version, actor=world.lead)
    db.session.commit()
    services.approve_brief(brief, expected_content_version=brief.content_version, actor=world.co)
    db.session.commit()
    with pytest.raises(BriefError) as raised:
        services.issue_brief(brief, change_note="  ", expected_content_version=brief.content_version,
                             actor=world.lead)
    assert raised.value.field == "change_note"
    second = services.issue_brief(brief, change_note="Inleiding verbeterd.",
                                  expected_content_version=brief.content_version, actor=world.lead)
    db.session.commit()
    db.session.expire_all()
    versions = db.session.scalars(sa.select(BriefVersion).order_by(BriefVersion.number)).all()
    assert [v.number for v in versions] == [1, 2] and second.change_note == "Inleiding verbeterd."
    assert versions[0].snapshot == frozen
    assert versions[0].snapshot["introduction"] == "Drie reviews lieten hetzelfde zien."
    assert versions[1].snapshot["introduction"] == "Een verbeterde inleiding."
    assert {db.session.get(Finding, f.id).status for f in (world.f1, world.f2, world.f3)} == {"in_brief"}


def test_issuing_checks_the_rules_again(world):
    brief = new_brief(world)
    services.approve_brief(brief, expected_content_version=1, actor=world.co)
    db.session.commit()
    with time_machine.travel(utcnow() + timedelta(days=40)):
        with pytest.raises(BriefInvalid) as raised:
            services.issue_brief(brief, change_note="", expected_content_version=1, actor=world.lead)
    assert list(errors_of(raised)) == ["response_deadline"]
    with pytest.raises(ChangedMeanwhile):
        services.issue_brief(brief, change_note="", expected_content_version=0, actor=world.lead)


def test_redis_down_when_issuing_creates_nothing(app, world):
    brief = new_brief(world)
    services.approve_brief(brief, expected_content_version=1, actor=world.co)
    db.session.commit()
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens there
    with pytest.raises(JobsDown, match="niet bereikbaar"):
        services.issue_brief(brief, change_note="", expected_content_version=1, actor=world.lead)
    db.session.commit()
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(BriefVersion.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(BriefDocument.id))) == 0
    assert brief.latest_version_number == 0 and services.approval_holds(brief)
    assert {db.session.get(Finding, f.id).status for f in (world.f1, world.f2, world.f3)} == {"agreed"}
    assert "brief.issued" not in audit_actions(brief.id)


def test_comments_survive_issuing(world):
    brief = new_brief(world)
    services.share_brief(brief, actor=world.lead)
    reader = access.draft_reader(world.co, brief.id)
    services.add_comment(reader, "introduction", "Korter graag.", actor=world.co)
    db.session.commit()
    approve_and_issue(brief, world)
    assert db.session.scalar(sa.select(sa.func.count(BriefComment.id))) == 1


def test_a_carried_finding_reopened_for_changes_voids_the_approval(world):
    from learning.findings import services as finding_services

    brief = new_brief(world)
    services.approve_brief(brief, expected_content_version=1, actor=world.co)
    db.session.commit()
    finding_services.change_status(world.f2, "concept", actor=world.lead, expected_version=world.f2.version)
    db.session.commit()
    db.session.expire_all()
    assert brief.content_version == 2 and not brief.approval_is_current
    finding_services.change_status(world.f2, "agreed", actor=world.lead, expected_version=world.f2.version)
    db.session.commit()
    with pytest.raises(BriefError, match="tweede reviewer"):
        services.issue_brief(brief, change_note="", expected_content_version=2, actor=world.lead)

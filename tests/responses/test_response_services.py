"""The portal's services without HTTP: the response rules, draft and submit, the submit-all refusal,
amending with history, conflicts, the finding's move to answered, actions, progress and threads."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from learning.audit import AuditEvent
from learning.db import db, utcnow
from learning.findings.models import Finding
from learning.responses import services
from learning.responses.models import Action, ActionUpdate, Notification, Response, ResponseRevision, ThreadMessage
from learning.responses.services import ActionInput, ChangedMeanwhile, EditConflict, ResponseError, SubmissionIncomplete
from tests.responses.conftest import today


def entries(world, organisation) -> list[dict]:  # noqa: ANN001
    return [{"id": f.id, "title": f.title} for f in world.findings if organisation in f.organisations]


def save(world, finding, decision="adopted", reasoning="", organisation=None, actor=None, **kwargs):  # noqa: ANN001, ANN003, ANN201
    organisation = organisation or world.gemeente
    existing = services.find_response(world.brief.id, finding.id, organisation.id)
    kwargs.setdefault("expected_version", existing.version if existing else 0)
    response = services.save_response(world.brief, finding.id, organisation.id, decision=decision, reasoning=reasoning,
                                      actor=actor or world.owner, **kwargs)
    db.session.commit()
    return response


def submit(world, organisation=None, actor=None, **kwargs):  # noqa: ANN001, ANN003, ANN201
    organisation = organisation or world.gemeente
    submitted = services.submit_responses(world.brief, organisation.id, entries(world, organisation),
                                          actor=actor or (world.owner if organisation == world.gemeente
                                                          else world.other_owner), **kwargs)
    db.session.commit()
    return submitted


def status_of(finding: Finding) -> str:
    db.session.expire_all()
    return db.session.get(Finding, finding.id).status


def count(model) -> int:  # noqa: ANN001
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def action_data(**changes) -> ActionInput:  # noqa: ANN003
    fields = {"description": "Overdrachtsprotocol bij verhuizing vaststellen", "owner_name": "Ria Jansen",
              "owner_organisation": "Gemeente Midden", "due_date": today() + timedelta(days=30)}
    return ActionInput(**{**fields, **changes})


# --- saving a response --------------------------------------------------------------------------


@pytest.mark.parametrize("decision", ["partly", "not_adopted"])
def test_partly_and_not_adopted_need_reasoning(portal_world, decision):
    with pytest.raises(ResponseError) as refused:
        save(portal_world, portal_world.f1, decision, "   ")
    assert refused.value.field == "reasoning" and "toelichting" in str(refused.value)
    assert count(Response) == 0


def test_adopted_needs_no_reasoning_and_is_saved_as_a_draft(portal_world):
    response = save(portal_world, portal_world.f1, "adopted")
    assert (response.decision, response.status, response.version, response.revisions) == ("adopted", "draft", 1, [])
    assert db.session.scalar(sa.select(AuditEvent.action).order_by(AuditEvent.id.desc())) == "response.saved"


def test_unknown_decision_and_empty_draft_are_refused(portal_world):
    with pytest.raises(ResponseError) as refused:
        save(portal_world, portal_world.f1, "maybe", "Eerst overleggen")
    assert refused.value.field == "decision"
    with pytest.raises(ResponseError) as refused:
        save(portal_world, portal_world.f1, "", " ")
    assert refused.value.field == "decision"
    assert count(Response) == 0


def test_a_draft_may_hold_reasoning_before_a_decision(portal_world):
    response = save(portal_world, portal_world.f1, "", "We bespreken dit in het MT van 3 maart.")
    assert response.decision is None and response.reasoning.startswith("We bespreken")


def test_a_stale_form_overwrites_nothing(portal_world):
    first = save(portal_world, portal_world.f1, "adopted")
    save(portal_world, portal_world.f1, "partly", "Alleen voor de jeugd.")  # someone else, meanwhile
    with pytest.raises(EditConflict) as clash:
        save(portal_world, portal_world.f1, "not_adopted", "Geen budget.", expected_version=1)
    assert clash.value.current == {"decision": "Deels overgenomen", "reasoning": "Alleen voor de jeugd."}
    assert clash.value.submitted == {"decision": "Niet overgenomen", "reasoning": "Geen budget."}
    db.session.expire_all()
    assert (first.decision, first.reasoning, first.version) == ("partly", "Alleen voor de jeugd.", 2)


def test_a_second_first_save_is_a_conflict(portal_world):
    save(portal_world, portal_world.f1, "adopted")
    with pytest.raises(EditConflict):
        save(portal_world, portal_world.f1, "partly", "Anders", expected_version=0)
    assert count(Response) == 1


def test_a_draft_is_not_submitted_on_its_own(portal_world):
    save(portal_world, portal_world.f1, "adopted")
    with pytest.raises(ResponseError):
        save(portal_world, portal_world.f1, "adopted", "Toch", submit=True)


# --- submitting together ------------------------------------------------------------------------


def test_submit_all_is_refused_with_the_list_of_what_is_missing(portal_world):
    save(portal_world, portal_world.f1, "adopted")
    with pytest.raises(SubmissionIncomplete) as refused:
        submit(portal_world)
    assert refused.value.missing == ["Regie bij crisis ontbreekt: kies een besluit."]
    # A reasoning that went missing some other way (older data) is named too.
    db.session.add(Response(brief_id=portal_world.brief.id, finding_id=portal_world.f2.id,
                            organisation_id=portal_world.gemeente.id, decision="not_adopted", reasoning=""))
    db.session.commit()
    with pytest.raises(SubmissionIncomplete) as refused:
        submit(portal_world)
    assert refused.value.missing == [
        "Regie bij crisis ontbreekt: geef een toelichting (verplicht bij deels en niet overgenomen)."]
    assert db.session.scalar(sa.select(sa.func.count(Response.id)).where(Response.status == "submitted")) == 0
    assert count(ResponseRevision) == 0


def test_submit_all_submits_every_response_with_a_first_revision(portal_world):
    save(portal_world, portal_world.f1, "adopted")
    save(portal_world, portal_world.f2, "partly", "Voor de jeugd wel, voor volwassenen niet.")
    submitted = submit(portal_world)
    assert sorted(r.finding_id for r in submitted) == [portal_world.f1.id, portal_world.f2.id]
    for response in submitted:
        assert response.status == "submitted" and response.first_submitted_at and response.submitted_by_id == \
            portal_world.owner.id
        assert [(r.number, r.decision) for r in response.revisions] == [(1, response.decision)]
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "response.submitted"))
    assert event.object_id == portal_world.brief.id and event.details["organisation_id"] == portal_world.gemeente.id
    # Terugkoppeling: the members of the source review hear about it (the board member does not).
    notified = set(db.session.scalars(sa.select(Notification.user_id)))
    assert portal_world.people["participant"].id in notified and portal_world.owner.id not in notified
    with pytest.raises(ResponseError, match="al ingediend"):
        submit(portal_world)


def test_submit_all_refuses_what_changed_since_the_page_was_shown(portal_world):
    save(portal_world, portal_world.f1, "adopted")
    save(portal_world, portal_world.f2, "adopted")
    shown = {portal_world.f1.id: 1, portal_world.f2.id: 1}
    save(portal_world, portal_world.f2, "not_adopted", "Toch niet.")  # a colleague, meanwhile
    with pytest.raises(ChangedMeanwhile):
        submit(portal_world, expected_versions=shown)
    assert count(ResponseRevision) == 0


def test_amend_and_resubmit_keeps_the_history(portal_world, create_user):
    save(portal_world, portal_world.f1, "adopted")
    save(portal_world, portal_world.f2, "adopted")
    submit(portal_world)
    response = save(portal_world, portal_world.f2, "partly", "Na overleg: alleen voor gezinnen met jonge kinderen.")
    assert response.status == "submitted" and response.has_unsubmitted_changes
    assert [r.decision for r in response.revisions] == ["adopted"]  # what reviewers see is unchanged
    assert services.brief_state([portal_world.f1.id, portal_world.f2.id], [response]).amended == 1
    # Back to what was submitted: nothing left to submit.
    save(portal_world, portal_world.f2, "adopted", "")
    assert not response.has_unsubmitted_changes
    colleague = create_user("collega@gemeente.example", roles=("policy_owner",),
                            organisation_id=portal_world.gemeente.id)
    save(portal_world, portal_world.f2, "partly", "Alleen jonge kinderen.", actor=colleague, submit=True)
    db.session.expire_all()
    response = db.session.get(Response, response.id)
    assert [(r.number, r.decision, r.submitted_by_id) for r in response.revisions] == [
        (2, "partly", colleague.id), (1, "adopted", portal_world.owner.id)]
    assert not response.has_unsubmitted_changes and response.submitted_by_id == colleague.id
    with pytest.raises(ResponseError, match="Kies een besluit"):
        save(portal_world, portal_world.f2, "", "Weet niet meer")


def test_a_submitted_response_cannot_be_resubmitted_unchanged(portal_world):
    save(portal_world, portal_world.f1, "adopted")
    save(portal_world, portal_world.f2, "adopted")
    submit(portal_world)
    with pytest.raises(ResponseError, match="niets gewijzigd"):
        save(portal_world, portal_world.f1, "adopted", "", submit=True)


# --- the finding's place in the loop ------------------------------------------------------------


def test_a_finding_is_answered_only_when_every_addressed_organisation_submitted(portal_world):
    save(portal_world, portal_world.f1, "adopted")
    save(portal_world, portal_world.f2, "adopted")
    submit(portal_world)
    assert status_of(portal_world.f1) == "answered"  # the gemeente is its only board
    assert status_of(portal_world.f2) == "in_brief"  # the GGZ has not answered yet
    save(portal_world, portal_world.f2, "not_adopted", "Valt buiten ons mandaat.", organisation=portal_world.ggz,
         actor=portal_world.other_owner)
    assert status_of(portal_world.f2) == "in_brief"  # a draft is no answer
    save(portal_world, portal_world.f3, "adopted", organisation=portal_world.ggz, actor=portal_world.other_owner)
    submit(portal_world, organisation=portal_world.ggz)
    assert status_of(portal_world.f2) == "answered" and status_of(portal_world.f3) == "answered"


def test_every_issued_brief_carrying_the_finding_counts(portal_world, issue_brief, create_user, region):
    from tests.findings.conftest import organisation

    politie = organisation("Politie Midden", "politie", region)
    chief = create_user("chef@politie.example", roles=("policy_owner",), organisation_id=politie.id)
    portal_world.f1.organisations = [portal_world.gemeente, politie]
    db.session.commit()
    second = issue_brief([portal_world.f1], [(chief, politie)], title="Tweede notitie")
    save(portal_world, portal_world.f1, "adopted")
    save(portal_world, portal_world.f2, "adopted")
    submit(portal_world)
    assert status_of(portal_world.f1) == "in_brief"
    services.save_response(second, portal_world.f1.id, politie.id, decision="adopted", reasoning="",
                           expected_version=0, actor=chief)
    services.submit_responses(second, politie.id, [{"id": portal_world.f1.id, "title": "F1"}], actor=chief)
    db.session.commit()
    assert status_of(portal_world.f1) == "answered"


def test_only_a_finding_in_a_brief_becomes_answered(portal_world):
    portal_world.f1.status = "closed"
    db.session.commit()
    save(portal_world, portal_world.f1, "adopted")
    save(portal_world, portal_world.f2, "adopted")
    submit(portal_world)
    assert status_of(portal_world.f1) == "closed"


# --- actions and progress -----------------------------------------------------------------------


@pytest.mark.parametrize("changes, field", [
    ({"owner_name": " "}, "owner_name"),
    ({"owner_organisation": ""}, "owner_organisation"),
    ({"description": ""}, "description"),
    ({"due_date": None}, "due_date"),
    ({"due_date": today() - timedelta(days=1)}, "due_date"),
])
def test_an_action_needs_owner_and_a_due_date_from_today(portal_world, changes, field):
    with pytest.raises(ResponseError) as refused:
        services.add_action(portal_world.brief, portal_world.f1.id, portal_world.gemeente.id, action_data(**changes),
                            actor=portal_world.owner, today=today())
    assert refused.value.field == field
    assert count(Action) == 0 and count(Response) == 0


def test_adding_an_action_starts_the_response(portal_world):
    action = services.add_action(portal_world.brief, portal_world.f1.id, portal_world.gemeente.id,
                                 action_data(due_date=today()), actor=portal_world.owner, today=today())
    db.session.commit()
    assert action.status == "open" and action.response.status == "draft" and action.response.decision is None
    # Not submitted yet: the review members hear of it with the submission, not before.
    assert count(Notification) == 0


def test_editing_an_action(portal_world):
    action = services.add_action(portal_world.brief, portal_world.f1.id, portal_world.gemeente.id, action_data(),
                                 actor=portal_world.owner, today=today())
    db.session.commit()
    later = today() + timedelta(days=60)
    with time_machine.travel(utcnow() + timedelta(days=45), tick=False):
        # The due date has passed; changing something else keeps it, moving it into the past is refused.
        assert services.update_action(action, action_data(owner_name="Piet Peters", due_date=action.due_date),
                                      expected_version=1,
                                      actor=portal_world.owner, today=today()) == ["owner_name"]
        db.session.commit()
        with pytest.raises(ResponseError) as refused:
            services.update_action(action, action_data(due_date=today() - timedelta(days=2)), expected_version=2,
                                   actor=portal_world.owner, today=today())
        assert refused.value.field == "due_date"
        with pytest.raises(EditConflict) as clash:
            services.update_action(action, action_data(due_date=later), expected_version=1, actor=portal_world.owner,
                                   today=today())
    assert clash.value.current["owner_name"] == "Piet Peters"
    db.session.expire_all()
    assert (action.owner_name, action.version) == ("Piet Peters", 2)


def test_progress_notes_and_status_changes(portal_world):
    save(portal_world, portal_world.f1, "adopted")
    save(portal_world, portal_world.f2, "adopted")
    action = services.add_action(portal_world.brief, portal_world.f1.id, portal_world.gemeente.id, action_data(),
                                 actor=portal_world.owner, today=today())
    submit(portal_world)
    before = count(Notification)
    with pytest.raises(ResponseError) as refused:
        services.report_progress(action, note=" ", status="open", expected_version=action.version,
                                 actor=portal_world.owner)
    assert refused.value.field == "note"
    services.report_progress(action, note="Eerste overleg gevoerd.", status="open", expected_version=action.version,
                             actor=portal_world.owner)
    db.session.commit()
    assert (action.status, action.version) == ("open", 1) and count(Notification) == before  # a note is no news
    services.report_progress(action, note="", status="in_progress", expected_version=1, actor=portal_world.owner)
    db.session.commit()
    assert count(Notification) > before  # a change of state is
    with pytest.raises(ResponseError, match="reden"):
        services.report_progress(action, note="", status="lapsed", expected_version=action.version,
                                 actor=portal_world.owner)
    with pytest.raises(EditConflict):
        services.report_progress(action, note="Klaar", status="done", expected_version=1, actor=portal_world.owner)
    services.report_progress(action, note="Wet verandert per 1 januari.", status="lapsed",
                             expected_version=action.version, actor=portal_world.owner)
    db.session.commit()
    assert action.status == "lapsed" and action.lapse_reason == "Wet verandert per 1 januari." and action.finished_at
    services.report_progress(action, note="Toch weer nodig.", status="in_progress", expected_version=action.version,
                             actor=portal_world.owner)
    db.session.commit()
    assert action.finished_at is None and action.lapse_reason == ""
    updates = db.session.scalars(sa.select(ActionUpdate).order_by(ActionUpdate.id)).all()
    assert [(u.old_status, u.new_status) for u in updates] == [
        (None, None), ("open", "in_progress"), ("in_progress", "lapsed"), ("lapsed", "in_progress")]
    with pytest.raises(ResponseError) as refused:
        services.report_progress(action, note="", status="finished", expected_version=action.version,
                                 actor=portal_world.owner)
    assert refused.value.field == "status"


# --- threads and the state of a brief -----------------------------------------------------------


def test_threads(portal_world, lead):
    with pytest.raises(ResponseError) as refused:
        services.post_message(portal_world.brief, portal_world.f1.id, portal_world.gemeente.id, body=" ",
                              actor=portal_world.owner)
    assert refused.value.field == "body"
    services.post_message(portal_world.brief, portal_world.f1.id, portal_world.gemeente.id,
                          body="Wat bedoelt u met overdracht?", actor=portal_world.owner)
    question = services.post_message(portal_world.brief, portal_world.f1.id, portal_world.gemeente.id,
                                     body="Per wanneer geldt de nieuwe afspraak?", actor=lead, is_question=True)
    services.post_message(portal_world.brief, portal_world.f2.id, portal_world.ggz.id, body="Vraag van de GGZ",
                          actor=portal_world.other_owner)
    db.session.commit()
    mine = services.threads_of(portal_world.brief.id, portal_world.gemeente.id)
    assert list(mine) == [(portal_world.gemeente.id, portal_world.f1.id)]
    assert [m.is_question for m in mine[(portal_world.gemeente.id, portal_world.f1.id)]] == [False, True]
    services.mark_question(question, is_question=False, actor=lead)
    db.session.commit()
    assert not db.session.get(ThreadMessage, question.id).is_question


def test_brief_state_labels(portal_world):
    ids = [portal_world.f1.id, portal_world.f2.id]
    assert services.brief_state(ids, []).labels == ["nog te beantwoorden"]
    save(portal_world, portal_world.f1, "adopted")
    action = services.add_action(portal_world.brief, portal_world.f1.id, portal_world.gemeente.id, action_data(),
                                 actor=portal_world.owner, today=today())
    db.session.commit()
    assert services.brief_state(ids, services.responses_of(portal_world.brief.id)).labels == [
        "concept opgeslagen", "1 actie open"]
    save(portal_world, portal_world.f2, "adopted")
    submit(portal_world)
    services.report_progress(action, note="", status="done", expected_version=action.version, actor=portal_world.owner)
    db.session.commit()
    assert services.brief_state(ids, services.responses_of(portal_world.brief.id)).labels == ["ingediend"]

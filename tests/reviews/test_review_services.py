"""Reviews without HTTP: creation with a method snapshot, status rules, edits and their conflicts."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from learning.audit import AuditEvent
from learning.db import db
from learning.reviews import methods, privacy, services
from learning.reviews.methods import PhaseInput
from learning.reviews.models import MemberRole, Method, ReviewStatus
from learning.reviews.privacy import PersonalDataFound
from learning.reviews.services import EditConflict, ReviewError, ReviewInput
from tests.reviews.conftest import TODAY, builtin_method


def review_input(region, **changes) -> ReviewInput:  # noqa: ANN001
    data = {"kind": "casusreview", "title": "Gezin B", "learning_question": "Wat leren we?", "region_id": region.id,
            "planned_start": TODAY + timedelta(days=7), "case_summary": "Vader en kind B.", **changes}
    return ReviewInput(**data)


def test_create_snapshots_the_method_and_makes_the_author_lead(app, region, lead):
    method = builtin_method()
    review = services.create_review(review_input(region), method=method, actor=lead, today=TODAY)
    assert [phase.name for phase in review.phases] == [phase.name for phase in method.phases]
    assert len(review.phases) == 8 and review.method_name == "Leren met impact — casusreview"
    assert review.status == ReviewStatus.CONCEPT and review.members[0].user_id == lead.id
    assert review.members[0].role == MemberRole.LEAD_REVIEWER
    assert db.session.scalar(sa.select(AuditEvent.action).where(
        AuditEvent.object_type == "review", AuditEvent.object_id == review.id)) == "review.created"


def test_library_edits_never_change_a_running_review(app, region, lead):
    copy = methods.copy_method(builtin_method("after_action_review"), actor=lead)
    review = services.create_review(review_input(region), method=copy, actor=lead, today=TODAY)
    before = [phase.name for phase in review.phases]
    methods.add_phase(copy, PhaseInput(name="Extra fase"), actor=lead)
    methods.update_phase(copy, copy.phases[0], PhaseInput(name="Hernoemd"), actor=lead)
    db.session.commit()
    db.session.refresh(review)
    assert [phase.name for phase in review.phases] == before


def test_the_review_copy_can_be_adapted(app, make_review, lead):
    review = make_review()
    first = review.phases[0]
    methods.move_phase(review, first, "down", actor=lead)
    methods.add_phase(review, PhaseInput(name="Nabespreking", minutes=20), actor=lead)
    assert review.phases[1] is first and review.phases[-1].name == "Nabespreking"
    assert [phase.position for phase in review.phases] == list(range(9))


def test_method_without_phases_is_refused(app, region, lead):
    empty = Method(name="Leeg", language="nl", suitable_kinds=["casusreview"], created_by_id=lead.id)
    db.session.add(empty)
    with pytest.raises(ReviewError, match="geen fasen"):
        services.create_review(review_input(region), method=empty, actor=lead, today=TODAY)


@pytest.mark.parametrize("changes, field, message", [
    ({"planned_start": TODAY - timedelta(days=1)}, "planned_start", "verleden"),
    ({"planned_end": TODAY + timedelta(days=1), "planned_start": TODAY + timedelta(days=3)}, "planned_end",
     "voor de begindatum"),
    ({"planned_start": None, "planned_end": TODAY}, "planned_start", "begindatum"),
    ({"region_id": 9999}, "region_id", "regio"),
    ({"kind": "webinar"}, "kind", "soort"),
    ({"case_summary": "x" * 20_001}, "case_summary", "20000"),
])
def test_bad_input_names_the_field(app, region, lead, changes, field, message):
    with pytest.raises(ReviewError) as error:
        services.create_review(review_input(region, **changes), method=builtin_method(), actor=lead, today=TODAY)
    assert error.value.field == field and message in str(error.value)


def test_personal_data_stops_the_save_until_confirmed(app, region, lead):
    data = review_input(region, case_summary="Moeder (BSN 111222333) belde mevrouw Jansen.")
    with pytest.raises(PersonalDataFound) as found:
        services.create_review(data, method=builtin_method(), actor=lead, today=TODAY)
    [field] = found.value.fields
    kinds = [segment.match.kind for segment in field.segments if segment.match]
    assert field.name == "case_summary" and kinds == ["bsn", "surname_after_title"]
    marks = [segment.token for segment in field.segments if segment.match]
    review = services.create_review(data, method=builtin_method(), actor=lead, today=TODAY, confirming=marks)
    stored = privacy.confirmed_fingerprints(review.id)
    assert len(stored) == 2 and not stored & set(marks)  # kept per review, unlike what the form carries
    events = list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "privacy.pseudonym_confirmed")))
    assert sorted(event.details["kind"] for event in events) == ["bsn", "surname_after_title"]
    assert all(set(event.details) == {"kind"} for event in events)


def test_confirmation_tokens_are_personal(app, region, lead, create_user):
    other = create_user("ander@example.org", roles=("reviewer",))
    data = review_input(region, case_summary="Gesprek met meneer Pietersen.")
    tokens = {}
    for person in (lead, other):
        with pytest.raises(PersonalDataFound) as found:
            services.create_review(data, method=builtin_method(), actor=person, today=TODAY)
        tokens[person.id] = [s.token for f in found.value.fields for s in f.segments if s.match]
        assert len(tokens[person.id]) == 1
    assert tokens[lead.id] != tokens[other.id]
    with pytest.raises(PersonalDataFound):  # someone else's token confirms nothing
        services.create_review(data, method=builtin_method(), actor=lead, today=TODAY, confirming=tokens[other.id])


def test_confirmation_is_remembered_for_later_edits(app, region, lead):
    data = review_input(region, case_summary="Contact met meneer Pietersen.")
    with pytest.raises(PersonalDataFound) as found:
        services.create_review(data, method=builtin_method(), actor=lead, today=TODAY)
    marks = [s.token for f in found.value.fields for s in f.segments if s.match]
    review = services.create_review(data, method=builtin_method(), actor=lead, today=TODAY, confirming=marks)
    data.learning_question = "Een nieuwe leervraag"
    services.update_review(review, data, expected_version=review.version, actor=lead, today=TODAY)
    assert review.learning_question == "Een nieuwe leervraag"


def test_status_moves_one_step_at_a_time(app, make_review, lead):
    review = make_review()
    with pytest.raises(ReviewError, match="niet naar"):
        services.change_status(review, "gesloten", actor=lead)
    for status in ("voorbereiding", "bijeenkomst", "afronding", "gesloten"):
        services.change_status(review, status, actor=lead)
    assert review.status == "gesloten" and services.next_statuses(review) == []
    with pytest.raises(ReviewError):
        services.change_status(review, "afronding", actor=lead)
    with pytest.raises(ReviewError, match="Onbekende"):
        services.change_status(make_review(), "gearchiveerd", actor=lead)


def test_stale_edit_is_a_conflict_and_changes_nothing(app, make_review, lead, region):
    review = make_review()
    opened_version = review.version
    services.update_review(review, review_input(region, title="Eerste wijziging"), expected_version=opened_version,
                           actor=lead, today=TODAY)
    db.session.commit()
    with pytest.raises(EditConflict) as conflict:
        services.update_review(review, review_input(region, title="Tweede, op oude versie"),
                               expected_version=opened_version, actor=lead, today=TODAY)
    assert review.title == "Eerste wijziging"
    assert conflict.value.submitted["title"] == "Tweede, op oude versie"


def test_past_start_date_may_stay_when_unchanged(app, make_review, lead, region):
    review = make_review()
    review.planned_start = TODAY - timedelta(days=30)  # the review simply went ahead
    db.session.commit()
    data = review_input(region, planned_start=review.planned_start, title="Nieuwe titel")
    services.update_review(review, data, expected_version=review.version, actor=lead, today=TODAY)
    assert review.title == "Nieuwe titel"


def test_update_records_the_changed_fields(app, make_review, lead, region, organisation):
    review = make_review()
    changed = services.update_review(
        review, review_input(region, title="Nieuw", organisation_ids=[organisation.id]),
        expected_version=review.version, actor=lead, today=TODAY)
    assert set(changed) >= {"title", "organisation_ids"}
    assert review.organisations == [organisation]


def test_unknown_organisation_is_refused(app, make_review, lead, region):
    review = make_review()
    with pytest.raises(ReviewError) as error:
        services.update_review(review, review_input(region, organisation_ids=[4242]), expected_version=review.version,
                               actor=lead, today=TODAY)
    assert error.value.field == "organisation_ids"


def test_changing_only_the_organisations_raises_the_version_once(app, make_review, lead, region, organisation):
    review = make_review()
    version = review.version
    services.update_review(review, review_input(region, title=review.title, learning_question=review.learning_question,
                                                planned_start=review.planned_start, case_summary=review.case_summary,
                                                family_perspective=review.family_perspective,
                                                organisation_ids=[organisation.id]),
                           expected_version=version, actor=lead, today=TODAY)
    db.session.commit()
    assert review.version == version + 1


def test_confirming_text_in_a_timeline_is_not_an_edit_of_the_review(app, make_review, lead):
    from learning.reviews import timeline
    from learning.reviews.access import review_access

    review = make_review()
    version = review.version
    access = review_access(lead, review.id)
    data = timeline.EpisodeInput(title="Gesprek met mevrouw Jansen", period="voorjaar")
    with pytest.raises(PersonalDataFound) as found:
        timeline.add_episode(access, data, integrated=True)
    marks = [s.token for f in found.value.fields for s in f.segments if s.match]
    timeline.add_episode(access, data, integrated=True, confirming=marks)
    db.session.commit()
    assert review.version == version and len(privacy.confirmed_fingerprints(review.id)) == 1

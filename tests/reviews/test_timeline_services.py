"""Timelines of key practice episodes, called as services (no HTTP)."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from learning.admin.models import TaxonomyTerm, Vocabulary
from learning.audit import AuditEvent
from learning.db import db
from learning.reviews import privacy
from learning.reviews import timeline as timelines
from learning.reviews.access import episode_in
from learning.reviews.models import Episode, MemberRole
from learning.reviews.privacy import PersonalDataFound
from learning.reviews.services import EditConflict, ReviewError
from learning.reviews.timeline import DESCRIPTION_LIMIT, EpisodeInput

from .conftest import access_for


def agency_kinds(*codes: str) -> list[TaxonomyTerm]:
    return list(db.session.scalars(sa.select(TaxonomyTerm).where(
        TaxonomyTerm.vocabulary == Vocabulary.AGENCY_KIND.value, TaxonomyTerm.code.in_(codes))
        .order_by(TaxonomyTerm.code)))


def other_agency_kind(not_this: TaxonomyTerm) -> TaxonomyTerm:
    return db.session.scalar(sa.select(TaxonomyTerm).where(
        TaxonomyTerm.vocabulary == Vocabulary.AGENCY_KIND.value, TaxonomyTerm.id != not_this.id)
        .order_by(TaxonomyTerm.id).limit(1))


def item(title: str, when: date | None = date(2025, 3, 1), **fields) -> EpisodeInput:  # noqa: ANN003
    return EpisodeInput(title=title, occurred_on=when, **fields)


def add(access, title: str, when: date | None = date(2025, 3, 1), *, integrated: bool = False,  # noqa: ANN001
        **fields) -> Episode:  # noqa: ANN003
    episode = timelines.add_episode(access, item(title, when, **fields), integrated=integrated)
    db.session.commit()
    return episode


def titles(review, owner_id) -> list[str]:  # noqa: ANN001
    return [episode.title for episode in timelines.timeline(review, owner_id)]


@pytest.fixture
def review(make_review):  # noqa: ANN001, ANN201
    return make_review()


@pytest.fixture
def participant(create_user, add_member, review):  # noqa: ANN001, ANN201
    user = create_user("pim@example.org", name="Pim Deelnemer")
    add_member(review, user, MemberRole.PARTICIPANT.value)
    return user


@pytest.fixture
def other_participant(create_user, add_member, review):  # noqa: ANN001, ANN201
    user = create_user("olga@example.org", name="Olga Deelnemer")
    add_member(review, user, MemberRole.PARTICIPANT.value)
    return user


@pytest.fixture
def co_reviewer(create_user, add_member, review):  # noqa: ANN001, ANN201
    user = create_user("cor@example.org", name="Cor Reviewer", roles=("reviewer",))
    add_member(review, user, MemberRole.CO_REVIEWER.value)
    return user


@pytest.fixture
def observer(create_user, add_member, review):  # noqa: ANN001, ANN201
    user = create_user("otto@example.org", name="Otto Waarnemer")
    add_member(review, user, MemberRole.OBSERVER.value)
    return user


# --- adding -------------------------------------------------------------------------------------


def test_participant_adds_to_own_timeline_not_the_integrated_one(review, participant):  # noqa: ANN001
    access = access_for(participant, review)
    first = add(access, "Melding bij Veilig Thuis")
    second = add(access, "Huisbezoek wijkteam")

    assert titles(review, participant.id) == ["Melding bij Veilig Thuis", "Huisbezoek wijkteam"]
    assert titles(review, None) == []
    assert first.timeline_owner_id == participant.id
    assert second.position > first.position


def test_reviewer_adds_to_integrated_timeline(review, lead, co_reviewer):  # noqa: ANN001
    add(access_for(lead, review), "Start hulpverlening", integrated=True)
    add(access_for(co_reviewer, review), "Overdracht", integrated=True)

    assert titles(review, None) == ["Start hulpverlening", "Overdracht"]
    assert titles(review, lead.id) == []


def test_participant_cannot_add_to_integrated_timeline(review, participant):  # noqa: ANN001
    with pytest.raises(ReviewError):
        timelines.add_episode(access_for(participant, review), item("Melding"), integrated=True)
    assert db.session.scalar(sa.select(sa.func.count(Episode.id))) == 0


@pytest.mark.parametrize("integrated", [False, True])
def test_observer_cannot_add_anything(review, observer, integrated):  # noqa: ANN001
    with pytest.raises(ReviewError):
        timelines.add_episode(access_for(observer, review), item("Melding"), integrated=integrated)
    assert db.session.scalar(sa.select(sa.func.count(Episode.id))) == 0


def test_episode_needs_a_date_or_a_period(review, participant):  # noqa: ANN001
    access = access_for(participant, review)
    with pytest.raises(ReviewError) as raised:
        timelines.add_episode(access, item("Melding", None), integrated=False)
    assert raised.value.field == "occurred_on"

    episode = timelines.add_episode(access, item("Melding", None, period="voorjaar 2025"), integrated=False)
    assert episode.period == "voorjaar 2025" and episode.occurred_on is None


def test_episode_needs_a_title(review, participant):  # noqa: ANN001
    with pytest.raises(ReviewError) as raised:
        timelines.add_episode(access_for(participant, review), item("   "), integrated=False)
    assert raised.value.field == "title"


def test_description_over_the_limit_is_refused(review, participant):  # noqa: ANN001
    access = access_for(participant, review)
    with pytest.raises(ReviewError) as raised:
        timelines.add_episode(access, item("Melding", description="x" * (DESCRIPTION_LIMIT + 1)), integrated=False)
    assert raised.value.field == "description"

    episode = timelines.add_episode(access, item("Melding", description="x" * DESCRIPTION_LIMIT), integrated=False)
    assert len(episode.description) == DESCRIPTION_LIMIT


def test_agency_kinds_are_saved_and_unknown_ones_refused(review, participant):  # noqa: ANN001
    access = access_for(participant, review)
    kind = agency_kinds("veilig_thuis")[0]
    episode = timelines.add_episode(access, item("Melding", agency_kind_ids=[kind.id]), integrated=False)
    assert [term.code for term in episode.agency_kinds] == ["veilig_thuis"]

    with pytest.raises(ReviewError) as raised:
        timelines.add_episode(access, item("Melding", agency_kind_ids=[999_999]), integrated=False)
    assert raised.value.field == "agency_kind_ids"


# --- personal data ------------------------------------------------------------------------------

PERSONAL_TITLE = "Gesprek met mevrouw Jansen"
PERSONAL_DESCRIPTION = "Haar BSN 111222333 stond in het verslag."


def fingerprints(found: PersonalDataFound) -> list[str]:
    return [segment.token for field in found.fields for segment in field.segments if segment.match]


def test_personal_data_is_refused_until_confirmed(review, participant):  # noqa: ANN001
    access = access_for(participant, review)
    data = item(PERSONAL_TITLE, description=PERSONAL_DESCRIPTION)
    with pytest.raises(PersonalDataFound) as raised:
        timelines.add_episode(access, data, integrated=False)
    found = raised.value
    assert {field.name for field in found.fields} == {"title", "description"}
    kinds = {segment.match.kind for field in found.fields for segment in field.segments if segment.match}
    assert {"bsn", "surname_after_title"} <= kinds
    assert titles(review, participant.id) == []

    marks = fingerprints(found)
    episode = timelines.add_episode(access, data, integrated=False, confirming=marks)
    db.session.commit()

    assert episode.title == PERSONAL_TITLE
    assert len(privacy.confirmed_fingerprints(review.id)) == len(set(marks))


def test_confirming_only_some_matches_is_not_enough(review, participant):  # noqa: ANN001
    access = access_for(participant, review)
    data = item(PERSONAL_TITLE, description=PERSONAL_DESCRIPTION)
    with pytest.raises(PersonalDataFound) as raised:
        timelines.add_episode(access, data, integrated=False)
    marks = fingerprints(raised.value)

    with pytest.raises(PersonalDataFound):
        timelines.add_episode(access, data, integrated=False, confirming=marks[:1])
    assert titles(review, participant.id) == []


def test_each_confirmation_is_audited_without_the_text(review, participant):  # noqa: ANN001
    access = access_for(participant, review)
    data = item(PERSONAL_TITLE, description=PERSONAL_DESCRIPTION)
    with pytest.raises(PersonalDataFound) as raised:
        timelines.add_episode(access, data, integrated=False)
    marks = fingerprints(raised.value)
    timelines.add_episode(access, data, integrated=False, confirming=marks)
    db.session.commit()

    rows = list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "privacy.pseudonym_confirmed")))
    assert len(rows) == len(set(marks))
    for row in rows:
        assert set(row.details) == {"kind"}
        assert row.actor_id == participant.id
        assert (row.object_type, row.object_id) == ("review", review.id)
        details = repr(row.details)
        assert "111222333" not in details and "Jansen" not in details


def test_confirmed_data_needs_no_new_confirmation_in_the_same_review(review, participant, lead):  # noqa: ANN001
    access = access_for(participant, review)
    data = item(PERSONAL_TITLE, description=PERSONAL_DESCRIPTION)
    with pytest.raises(PersonalDataFound) as raised:
        timelines.add_episode(access, data, integrated=False)
    timelines.add_episode(access, data, integrated=False, confirming=fingerprints(raised.value))
    db.session.commit()

    timelines.add_episode(access_for(lead, review), data, integrated=True)
    db.session.commit()
    assert titles(review, None) == [PERSONAL_TITLE]


def test_update_with_personal_data_is_refused_and_changes_nothing(review, participant):  # noqa: ANN001
    access = access_for(participant, review)
    episode = add(access, "Melding")
    with pytest.raises(PersonalDataFound):
        timelines.update_episode(access, episode, item(PERSONAL_TITLE), expected_version=episode.version)
    db.session.rollback()
    assert db.session.get(Episode, episode.id).title == "Melding"


# --- merging ------------------------------------------------------------------------------------


def test_reviewer_merges_a_participants_episode(review, participant, lead):  # noqa: ANN001
    kind = agency_kinds("veilig_thuis")[0]
    source = add(access_for(participant, review), "Melding", date(2025, 2, 1), period="",
                 description="Buren belden.", source="Verslag", agency_kind_ids=[kind.id])

    merged = timelines.merge_into_timeline(access_for(lead, review), source)
    db.session.commit()

    assert merged.merged_from_id == source.id
    assert merged.timeline_owner_id is None
    assert (merged.title, merged.occurred_on, merged.description, merged.source) == (
        "Melding", date(2025, 2, 1), "Buren belden.", "Verslag")
    assert [term.id for term in merged.agency_kinds] == [kind.id]
    assert titles(review, None) == ["Melding"]
    assert titles(review, participant.id) == ["Melding"]  # the original stays on its own timeline
    assert timelines.merged_source_ids(review) == {source.id}


def test_merging_twice_is_refused(review, participant, lead):  # noqa: ANN001
    source = add(access_for(participant, review), "Melding")
    access = access_for(lead, review)
    timelines.merge_into_timeline(access, source)
    db.session.commit()

    with pytest.raises(ReviewError):
        timelines.merge_into_timeline(access, source)
    assert titles(review, None) == ["Melding"]


def test_merging_an_integrated_item_is_refused(review, lead):  # noqa: ANN001
    access = access_for(lead, review)
    integrated = add(access, "Start", integrated=True)
    with pytest.raises(ReviewError):
        timelines.merge_into_timeline(access, integrated)
    assert titles(review, None) == ["Start"]


def test_participant_cannot_merge(review, participant):  # noqa: ANN001
    access = access_for(participant, review)
    source = add(access, "Melding")
    with pytest.raises(ReviewError):
        timelines.merge_into_timeline(access, source)
    assert titles(review, None) == []


def test_merged_item_lands_in_date_order(review, participant, lead):  # noqa: ANN001
    reviewer = access_for(lead, review)
    add(reviewer, "Januari", date(2025, 1, 10), integrated=True)
    add(reviewer, "Ergens in de zomer", None, period="zomer 2025", integrated=True)
    add(reviewer, "Maart", date(2025, 3, 1), integrated=True)
    add(reviewer, "December", date(2025, 12, 1), integrated=True)
    source = add(access_for(participant, review), "Februari", date(2025, 2, 1))

    timelines.merge_into_timeline(reviewer, source)
    db.session.commit()

    assert titles(review, None) == ["Januari", "Ergens in de zomer", "Februari", "Maart", "December"]
    assert [e.position for e in timelines.timeline(review, None)] == [0, 1, 2, 3, 4]


def test_merged_item_without_date_or_later_than_all_goes_last(review, participant, lead):  # noqa: ANN001
    reviewer = access_for(lead, review)
    add(reviewer, "Januari", date(2025, 1, 10), integrated=True)
    add(reviewer, "Maart", date(2025, 3, 1), integrated=True)
    own = access_for(participant, review)
    later = add(own, "Mei", date(2025, 5, 1))
    undated = add(own, "Ooit", None, period="najaar")

    timelines.merge_into_timeline(reviewer, undated)
    timelines.merge_into_timeline(reviewer, later)
    db.session.commit()

    assert titles(review, None) == ["Januari", "Maart", "Ooit", "Mei"]


def test_deleting_the_merged_copy_lets_the_source_be_merged_again(review, participant, lead):  # noqa: ANN001
    source = add(access_for(participant, review), "Melding")
    reviewer = access_for(lead, review)
    timelines.delete_episode(reviewer, timelines.merge_into_timeline(reviewer, source))
    db.session.commit()

    again = timelines.merge_into_timeline(reviewer, source)
    db.session.commit()
    assert again.merged_from_id == source.id
    assert titles(review, None) == ["Melding"]


# --- order and deleting -------------------------------------------------------------------------


def test_moving_up_and_down_reorders(review, participant):  # noqa: ANN001
    access = access_for(participant, review)
    first, second, third = (add(access, name) for name in ("Een", "Twee", "Drie"))

    timelines.move_episode(access, third, "up")
    db.session.commit()
    assert titles(review, participant.id) == ["Een", "Drie", "Twee"]

    timelines.move_episode(access, first, "down")
    db.session.commit()
    assert titles(review, participant.id) == ["Drie", "Een", "Twee"]


def test_moving_the_first_up_or_the_last_down_does_nothing(review, participant):  # noqa: ANN001
    access = access_for(participant, review)
    first, second = add(access, "Een"), add(access, "Twee")

    timelines.move_episode(access, first, "up")
    timelines.move_episode(access, second, "down")
    db.session.commit()

    assert titles(review, participant.id) == ["Een", "Twee"]


def test_moving_someone_elses_item_is_refused(review, participant, other_participant):  # noqa: ANN001
    theirs = add(access_for(other_participant, review), "Item van de ander")
    with pytest.raises(ReviewError):
        timelines.move_episode(access_for(participant, review), theirs, "up")


def test_delete_renumbers_positions(review, participant):  # noqa: ANN001
    access = access_for(participant, review)
    _, second, _, _ = (add(access, name) for name in ("Een", "Twee", "Drie", "Vier"))

    timelines.delete_episode(access, second)
    db.session.commit()

    remaining = timelines.timeline(review, participant.id)
    assert [e.title for e in remaining] == ["Een", "Drie", "Vier"]
    assert [e.position for e in remaining] == [0, 1, 2]
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "episode.deleted")) is not None


def test_deleting_a_merged_source_keeps_the_integrated_copy(review, participant, lead):  # noqa: ANN001
    own = access_for(participant, review)
    source = add(own, "Melding")
    merged = timelines.merge_into_timeline(access_for(lead, review), source)
    db.session.commit()
    merged_id = merged.id

    timelines.delete_episode(own, source)
    db.session.commit()

    db.session.expire_all()
    copy = db.session.get(Episode, merged_id)
    assert copy is not None and copy.merged_from_id is None
    assert titles(review, None) == ["Melding"]


# --- who may change what ------------------------------------------------------------------------


def test_participant_cannot_change_or_delete_someone_elses_item(review, participant, other_participant):  # noqa: ANN001
    theirs = add(access_for(other_participant, review), "Item van de ander")
    access = access_for(participant, review)

    with pytest.raises(ReviewError):
        timelines.update_episode(access, theirs, item("Gewijzigd"), expected_version=theirs.version)
    with pytest.raises(ReviewError):
        timelines.delete_episode(access, theirs)
    db.session.rollback()
    assert titles(review, other_participant.id) == ["Item van de ander"]


def test_participant_cannot_change_or_delete_an_integrated_item(review, participant, lead):  # noqa: ANN001
    integrated = add(access_for(lead, review), "Start", integrated=True)
    access = access_for(participant, review)

    with pytest.raises(ReviewError):
        timelines.update_episode(access, integrated, item("Gewijzigd"), expected_version=integrated.version)
    with pytest.raises(ReviewError):
        timelines.delete_episode(access, integrated)
    db.session.rollback()
    assert titles(review, None) == ["Start"]


def test_observer_cannot_change_their_own_former_item(review, create_user, add_member):  # noqa: ANN001
    """Changing an own item takes a contributing role, not just authorship."""
    user = create_user("vera@example.org")
    member = add_member(review, user, MemberRole.PARTICIPANT.value)
    episode = add(access_for(user, review), "Melding")
    member.role = MemberRole.OBSERVER.value
    db.session.commit()

    with pytest.raises(ReviewError):
        timelines.delete_episode(access_for(user, review), episode)


def test_editors_change_integrated_items(review, lead, co_reviewer):  # noqa: ANN001
    integrated = add(access_for(lead, review), "Start", integrated=True)

    timelines.update_episode(access_for(co_reviewer, review), integrated, item("Start hulp", date(2025, 1, 2)),
                             expected_version=integrated.version)
    db.session.commit()

    assert titles(review, None) == ["Start hulp"]
    assert timelines.timeline(review, None)[0].occurred_on == date(2025, 1, 2)


def test_update_with_stale_version_conflicts_and_changes_nothing(review, participant):  # noqa: ANN001
    access = access_for(participant, review)
    episode = add(access, "Melding")
    old_version = episode.version
    timelines.update_episode(access, episode, item("Eerste wijziging"), expected_version=old_version)
    db.session.commit()

    with pytest.raises(EditConflict):
        timelines.update_episode(access, episode, item("Tweede wijziging"), expected_version=old_version)
    db.session.commit()

    db.session.expire_all()
    assert db.session.get(Episode, episode.id).title == "Eerste wijziging"


def test_update_with_current_version_saves_and_increments_version(review, participant):  # noqa: ANN001
    access = access_for(participant, review)
    episode = add(access, "Melding")
    version = episode.version

    timelines.update_episode(access, episode, item("Melding bij Veilig Thuis", period="maart"),
                             expected_version=version)
    db.session.commit()

    db.session.expire_all()
    saved = db.session.get(Episode, episode.id)
    assert (saved.title, saved.period) == ("Melding bij Veilig Thuis", "maart")
    assert saved.version == version + 1


def test_changing_only_the_agency_kinds_increments_the_version(review, participant):  # noqa: ANN001
    access = access_for(participant, review)
    first = agency_kinds("veilig_thuis")[0]
    second = other_agency_kind(first)
    episode = add(access, "Melding", agency_kind_ids=[first.id])
    version = episode.version

    timelines.update_episode(access, episode, item("Melding", agency_kind_ids=[second.id]),
                             expected_version=version)
    db.session.commit()

    db.session.expire_all()
    saved = db.session.get(Episode, episode.id)
    assert [term.id for term in saved.agency_kinds] == [second.id]
    with pytest.raises(EditConflict):
        timelines.update_episode(access, saved, item("Melding", agency_kind_ids=[first.id]),
                                 expected_version=version)


# --- who sees what ------------------------------------------------------------------------------


def test_participant_does_not_see_another_participants_own_item(review, participant, other_participant):  # noqa: ANN001
    theirs = add(access_for(other_participant, review), "Item van de ander")

    assert episode_in(access_for(participant, review), theirs.id) is None
    assert episode_in(access_for(other_participant, review), theirs.id) is theirs


def test_reviewers_see_participants_own_items(review, participant, lead, co_reviewer):  # noqa: ANN001
    own = add(access_for(participant, review), "Melding")

    assert episode_in(access_for(lead, review), own.id) is own
    assert episode_in(access_for(co_reviewer, review), own.id) is own


def test_every_member_sees_integrated_items(review, participant, observer, lead):  # noqa: ANN001
    integrated = add(access_for(lead, review), "Start", integrated=True)

    assert episode_in(access_for(participant, review), integrated.id) is integrated
    assert episode_in(access_for(observer, review), integrated.id) is integrated


def test_episode_of_another_review_is_not_found(review, participant, make_review, add_member):  # noqa: ANN001
    other_review = make_review(title="Gezin B")
    add_member(other_review, participant, MemberRole.PARTICIPANT.value)
    elsewhere = add(access_for(participant, other_review), "Elders")

    assert episode_in(access_for(participant, review), elsewhere.id) is None
    assert episode_in(access_for(participant, other_review), elsewhere.id) is elsewhere

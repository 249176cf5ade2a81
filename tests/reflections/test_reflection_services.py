"""Reflection rounds and reflections as services (no HTTP): drafts, submission, visibility, anonymity."""

from __future__ import annotations

from datetime import timedelta

import pytest

from learning.audit import AuditEvent
from learning.db import db, utcnow
from learning.reflections import services
from learning.reflections.models import Reflection, ReflectionRound, Visibility
from learning.reflections.services import ReflectionError, SaveConflict
from learning.reviews.models import MemberRole
from learning.reviews.privacy import PersonalDataFound
from tests.review_fixtures import access_for

BSN = "111222333"  # passes the elfproef


def open_round(access, *, hours: float = 24, phase_ids=None) -> ReflectionRound:  # noqa: ANN001
    reflection_round = services.open_round(access, title="Voor de bijeenkomst", moment="before",
                                           deadline=utcnow() + timedelta(hours=hours), phase_ids=phase_ids)
    db.session.commit()
    return reflection_round


@pytest.fixture
def round_(lead, review) -> ReflectionRound:  # noqa: ANN001
    return open_round(access_for(lead, review))


def key(reflection_round: ReflectionRound, index: int = 0) -> str:
    return reflection_round.prompts[index]["key"]


def save(user, review, reflection_round, text: str, *, expected_version: int | None = None) -> Reflection:  # noqa: ANN001
    access = access_for(user, review)
    if expected_version is None:
        own = services.own_reflection(access, reflection_round)
        expected_version = own.version if own else 0
    reflection = services.save_answers(access, reflection_round, answers={key(reflection_round): text},
                                       expected_version=expected_version)
    db.session.commit()
    return reflection


def submit(user, review, reflection_round, text: str = "Het overleg liep stroef.",  # noqa: ANN001
           visibility: str = Visibility.GROUP.value, **options) -> Reflection:  # noqa: ANN003
    access = access_for(user, review)
    own = services.own_reflection(access, reflection_round)
    reflection = services.submit(access, reflection_round, answers={key(reflection_round): text},
                                 visibility=visibility, expected_version=own.version if own else 0, **options)
    db.session.commit()
    return reflection


def readable(user, review, reflection_round) -> list[tuple[str, str | None]]:  # noqa: ANN001
    """(text, author name or None) of what ``user`` may read."""
    return [(shown.reflection.published_answers[key(reflection_round)],
             shown.author.display_name if shown.author else None)
            for shown in services.readable_reflections(access_for(user, review), reflection_round)]


def make_fully_anonymous(review) -> None:  # noqa: ANN001
    review.fully_anonymous = True
    db.session.commit()


# --- rounds -----------------------------------------------------------------------------------


def test_open_round_copies_the_prompts_of_the_chosen_phases(lead, review):  # noqa: ANN001
    second, fourth = review.phases[1], review.phases[3]
    reflection_round = open_round(access_for(lead, review), phase_ids=[fourth.id, second.id])
    expected = [{"key": f"{phase.id}.{index}", "phase": phase.name, "prompt": prompt}
                for phase in (second, fourth) for index, prompt in enumerate(phase.prompts)]
    assert reflection_round.prompts == expected
    assert reflection_round.is_open()


def test_open_round_without_a_choice_asks_every_phases_prompts(round_, review):  # noqa: ANN001
    assert len(round_.prompts) == sum(len(phase.prompts) for phase in review.phases)


def test_prompts_stay_as_they_were_when_the_round_opened(round_, review):  # noqa: ANN001
    asked = round_.prompts[0]["prompt"]
    review.phases[0].prompts = ["Een heel andere vraag?"]
    db.session.commit()
    db.session.expire_all()
    assert round_.prompts[0]["prompt"] == asked


def test_open_round_refuses_a_deadline_in_the_past(lead, review):  # noqa: ANN001
    with pytest.raises(ReflectionError):
        open_round(access_for(lead, review), hours=-1)


def test_open_round_refuses_phases_without_prompts(lead, review):  # noqa: ANN001
    review.phases[2].prompts = []
    db.session.commit()
    with pytest.raises(ReflectionError):
        open_round(access_for(lead, review), phase_ids=[review.phases[2].id])


@pytest.mark.parametrize("role", [MemberRole.PARTICIPANT.value, MemberRole.EXPERT_BY_EXPERIENCE.value,
                                  MemberRole.OBSERVER.value])
def test_only_reviewers_open_a_round(member, review, role):  # noqa: ANN001
    user = member("Niet Reviewer", role)
    with pytest.raises(ReflectionError):
        open_round(access_for(user, review))
    db.session.rollback()
    assert services.rounds_of(access_for(user, review)) == []


def test_a_co_reviewer_opens_a_round(member, review):  # noqa: ANN001
    co = member("Co Reviewer", MemberRole.CO_REVIEWER.value)
    assert open_round(access_for(co, review)).opened_by_id == co.id


# --- the working copy -------------------------------------------------------------------------


def test_first_save_creates_a_private_draft(pim, lead, review, round_):  # noqa: ANN001
    reflection = save(pim, review, round_, "Eerste gedachte.", expected_version=0)
    assert reflection.version == 1
    assert reflection.answers == {key(round_): "Eerste gedachte."}
    assert reflection.published_answers is None and not reflection.submitted
    assert services.own_reflection(access_for(pim, review), round_).id == reflection.id
    assert readable(lead, review, round_) == []
    assert readable(pim, review, round_) == []


def test_save_keeps_only_answers_to_the_rounds_prompts(pim, review, round_):  # noqa: ANN001
    reflection = services.save_answers(access_for(pim, review), round_, expected_version=0,
                                       answers={key(round_): "Ja.", "999.0": "Onbekende vraag"})
    assert reflection.answers == {key(round_): "Ja."}


def test_each_save_with_the_current_version_updates_the_draft(pim, review, round_):  # noqa: ANN001
    save(pim, review, round_, "Eerste.", expected_version=0)
    reflection = save(pim, review, round_, "Tweede versie van mijn antwoord.", expected_version=1)
    assert reflection.version == 2
    assert reflection.answers == {key(round_): "Tweede versie van mijn antwoord."}


def test_a_stale_tab_gets_a_conflict_with_both_texts(pim, review, round_):  # noqa: ANN001
    save(pim, review, round_, "Eerste.", expected_version=0)
    save(pim, review, round_, "Uit het eerste tabblad.", expected_version=1)
    with pytest.raises(SaveConflict) as conflict:
        save(pim, review, round_, "Versie uit het andere tabblad.", expected_version=1)
    assert conflict.value.theirs == {key(round_): "Uit het eerste tabblad."}
    assert conflict.value.mine == {key(round_): "Versie uit het andere tabblad."}
    assert [prompt["key"] for prompt, _theirs, _mine in conflict.value.differences(round_.prompts)] == [key(round_)]
    db.session.rollback()
    assert services.own_reflection(access_for(pim, review), round_).answers == {key(round_): "Uit het eerste tabblad."}


def test_two_tabs_both_starting_fresh_conflict_instead_of_doubling(pim, review, round_):  # noqa: ANN001
    save(pim, review, round_, "Tabblad een.", expected_version=0)
    with pytest.raises(SaveConflict):
        save(pim, review, round_, "Tabblad twee.", expected_version=0)


def test_saving_after_the_deadline_is_refused(pim, review, lead, time_machine):  # noqa: ANN001
    reflection_round = open_round(access_for(lead, review), hours=1)
    save(pim, review, reflection_round, "Op tijd.", expected_version=0)
    time_machine.move_to(reflection_round.deadline + timedelta(minutes=1), tick=False)
    with pytest.raises(ReflectionError):
        save(pim, review, reflection_round, "Te laat.", expected_version=1)
    db.session.rollback()
    assert services.own_reflection(access_for(pim, review), reflection_round).answers == {
        key(reflection_round): "Op tijd."}


def test_saving_after_the_round_is_closed_is_refused(pim, lead, review, round_):  # noqa: ANN001
    services.close_round(access_for(lead, review), round_)
    db.session.commit()
    with pytest.raises(ReflectionError):
        save(pim, review, round_, "Na sluiting.", expected_version=0)


def test_observers_write_no_reflections(member, review, round_):  # noqa: ANN001
    observer = member("Olga Waarnemer", MemberRole.OBSERVER.value)
    with pytest.raises(ReflectionError):
        save(observer, review, round_, "Mijn blik.", expected_version=0)
    with pytest.raises(ReflectionError):
        submit(observer, review, round_)
    db.session.rollback()
    assert services.own_reflection(access_for(observer, review), round_) is None


def test_an_answer_over_the_limit_is_refused(pim, review, round_):  # noqa: ANN001
    with pytest.raises(ReflectionError):
        save(pim, review, round_, "x" * (services.ANSWER_LIMIT + 1), expected_version=0)


# --- submitting -------------------------------------------------------------------------------


def test_submit_publishes_the_answers_and_keeps_a_revision(pim, review, round_):  # noqa: ANN001
    reflection = submit(pim, review, round_, "Het overleg liep stroef.", Visibility.GROUP.value)
    assert reflection.published_answers == {key(round_): "Het overleg liep stroef."}
    assert reflection.visibility == Visibility.GROUP.value and reflection.submitted_at is not None
    assert [(revision.answers, revision.visibility) for revision in reflection.revisions] == [
        ({key(round_): "Het overleg liep stroef."}, "group")]


def test_submit_after_a_draft_uses_the_same_reflection(pim, review, round_):  # noqa: ANN001
    draft = save(pim, review, round_, "Concept.", expected_version=0)
    assert submit(pim, review, round_, "Definitief.").id == draft.id


def test_resubmitting_adds_a_second_revision(pim, review, round_, time_machine):  # noqa: ANN001
    time_machine.move_to(utcnow(), tick=False)
    submit(pim, review, round_, "Eerste versie.")
    time_machine.shift(60)
    reflection = submit(pim, review, round_, "Tweede versie van mijn antwoord.", Visibility.ANONYMOUS.value)
    assert [(revision.answers[key(round_)], revision.visibility) for revision in reflection.revisions] == [
        ("Eerste versie.", "group"), ("Tweede versie van mijn antwoord.", "anonymous")]
    assert reflection.published_answers == {key(round_): "Tweede versie van mijn antwoord."}


def test_edits_after_submitting_stay_private_until_resubmitted(pim, noor, review, round_):  # noqa: ANN001
    submit(pim, review, round_, "Gepubliceerde tekst.")
    reflection = save(pim, review, round_, "Nieuwe tekst na het indienen.")
    assert reflection.answers == {key(round_): "Nieuwe tekst na het indienen."}
    assert reflection.published_answers == {key(round_): "Gepubliceerde tekst."}
    assert readable(noor, review, round_) == [("Gepubliceerde tekst.", "Pim Deelnemer")]
    submit(pim, review, round_, "Nieuwe tekst na het indienen.")
    assert readable(noor, review, round_) == [("Nieuwe tekst na het indienen.", "Pim Deelnemer")]


def test_submit_from_a_stale_tab_is_a_conflict(pim, review, round_):  # noqa: ANN001
    save(pim, review, round_, "Eerste.", expected_version=0)
    save(pim, review, round_, "Uit het eerste tabblad.", expected_version=1)
    with pytest.raises(SaveConflict) as conflict:
        services.submit(access_for(pim, review), round_, answers={key(round_): "Uit het andere tabblad."},
                        visibility=Visibility.GROUP.value, expected_version=1)
    assert conflict.value.theirs == {key(round_): "Uit het eerste tabblad."}
    db.session.rollback()
    assert not services.own_reflection(access_for(pim, review), round_).submitted


@pytest.mark.parametrize("answer", ["", "   \n "])
def test_submit_needs_at_least_one_answer(pim, review, round_, answer):  # noqa: ANN001
    with pytest.raises(ReflectionError):
        submit(pim, review, round_, answer)
    db.session.rollback()
    assert services.own_reflection(access_for(pim, review), round_) is None


@pytest.mark.parametrize("visibility", ["", "everyone", "GROUP"])
def test_submit_needs_a_known_visibility(pim, review, round_, visibility):  # noqa: ANN001
    with pytest.raises(ReflectionError):
        submit(pim, review, round_, visibility=visibility)


def test_submit_with_a_bsn_is_stopped_until_confirmed(pim, noor, review, round_):  # noqa: ANN001
    text = f"Het BSN {BSN} stond in het dossier."
    with pytest.raises(PersonalDataFound) as found:
        submit(pim, review, round_, text)
    db.session.rollback()
    assert services.own_reflection(access_for(pim, review), round_) is None
    tokens = [segment.token for findings in found.value.fields for segment in findings.segments if segment.token]
    assert [segment.text for findings in found.value.fields for segment in findings.segments if segment.token] == [BSN]
    reflection = submit(pim, review, round_, text, confirming=tokens)
    assert reflection.published_answers == {key(round_): text}
    assert readable(noor, review, round_) == [(text, "Pim Deelnemer")]


def test_a_wrong_token_does_not_confirm(pim, review, round_):  # noqa: ANN001
    with pytest.raises(PersonalDataFound):
        submit(pim, review, round_, f"BSN {BSN}.", confirming=["niet-het-goede-token"])


def test_submitting_after_the_deadline_is_refused(pim, lead, review, time_machine):  # noqa: ANN001
    reflection_round = open_round(access_for(lead, review), hours=1)
    time_machine.move_to(reflection_round.deadline + timedelta(seconds=1), tick=False)
    with pytest.raises(ReflectionError):
        submit(pim, review, reflection_round)


# --- who reads what ---------------------------------------------------------------------------


def test_reviewers_only_reflections_are_not_readable_by_participants(pim, noor, lead, member, review, round_):  # noqa: ANN001
    co = member("Co Reviewer", MemberRole.CO_REVIEWER.value)
    submit(pim, review, round_, "Alleen voor de reviewers.", Visibility.REVIEWERS.value)
    assert readable(noor, review, round_) == []
    assert readable(pim, review, round_) == []
    assert readable(co, review, round_) == [("Alleen voor de reviewers.", "Pim Deelnemer")]
    assert readable(lead, review, round_) == [("Alleen voor de reviewers.", "Pim Deelnemer")]


def test_group_reflections_show_their_author(pim, noor, member, review, round_):  # noqa: ANN001
    observer = member("Olga Waarnemer", MemberRole.OBSERVER.value)
    submit(pim, review, round_, "Met mijn naam.", Visibility.GROUP.value)
    assert readable(noor, review, round_) == [("Met mijn naam.", "Pim Deelnemer")]
    assert readable(observer, review, round_) == [("Met mijn naam.", "Pim Deelnemer")]


def test_anonymous_reflections_show_their_author_to_the_lead_only(pim, noor, lead, member, review, round_):  # noqa: ANN001
    co = member("Co Reviewer", MemberRole.CO_REVIEWER.value)
    submit(pim, review, round_, "Zonder naam.", Visibility.ANONYMOUS.value)
    assert readable(noor, review, round_) == [("Zonder naam.", None)]
    assert readable(co, review, round_) == [("Zonder naam.", None)]
    assert readable(lead, review, round_) == [("Zonder naam.", "Pim Deelnemer")]
    (shown,) = services.readable_reflections(access_for(noor, review), round_)
    assert shown.anonymous


def test_readable_reflections_are_listed_by_their_random_order_key(member, lead, review):  # noqa: ANN001
    writers = [member(f"Deelnemer {number}") for number in range(8)]
    for _attempt in range(3):
        reflection_round = open_round(access_for(lead, review))
        for number, writer in enumerate(writers):
            submit(writer, review, reflection_round, f"Reflectie nummer {number} over de samenwerking.")
        shown = [each.reflection for each in services.readable_reflections(access_for(lead, review), reflection_round)]
        assert len(shown) == 8
        assert [each.id for each in shown] == [each.id for each in sorted(shown, key=lambda row: row.order_key)]
        if [each.id for each in shown] != sorted(each.id for each in shown):
            return
    pytest.fail("three rounds of eight reflections were all listed in the order they were submitted")


def test_participation_lists_who_has_and_has_not_submitted(member, lead, review, round_):  # noqa: ANN001
    pim = member("Pim Deelnemer")
    noor = member("Noor Deelnemer")
    sam = member("Sam Expert", MemberRole.EXPERT_BY_EXPERIENCE.value)
    member("Olga Waarnemer", MemberRole.OBSERVER.value)
    submit(pim, review, round_)
    save(noor, review, round_, "Nog een concept.")
    result = services.participation(access_for(lead, review), round_)
    assert [user.id for user in result.submitted] == [pim.id]
    assert sorted(user.id for user in result.waiting) == sorted([noor.id, sam.id])
    assert (result.count, result.total) == (1, 3)


def test_participation_count_ignores_reflections_by_reviewers(member, lead, review, round_):  # noqa: ANN001
    pim = member("Pim Deelnemer")
    member("Noor Deelnemer")
    submit(lead, review, round_, "Ook de reviewer reflecteert.", Visibility.REVIEWERS.value)
    submit(pim, review, round_)
    result = services.participation(access_for(lead, review), round_)
    assert len(result.waiting) == 1
    assert (result.count, result.total) == (1, 2)


# --- volledig anoniem ---------------------------------------------------------------------------


def test_fully_anonymous_reflections_name_nobody_not_even_to_the_lead(pim, noor, lead, review, round_):  # noqa: ANN001
    make_fully_anonymous(review)
    submit(pim, review, round_, "Niemand weet van wie.", Visibility.ANONYMOUS.value)
    submit(noor, review, round_, "Alleen voor de reviewers.", Visibility.REVIEWERS.value)
    assert sorted(readable(lead, review, round_)) == [("Alleen voor de reviewers.", None),
                                                      ("Niemand weet van wie.", None)]
    assert readable(noor, review, round_) == [("Niemand weet van wie.", None)]


def test_fully_anonymous_reflections_store_a_key_not_an_account(pim, noor, review, round_):  # noqa: ANN001
    make_fully_anonymous(review)
    mine = submit(pim, review, round_, "Niemand weet van wie.", Visibility.ANONYMOUS.value)
    theirs = submit(noor, review, round_, "Ook anoniem.", Visibility.ANONYMOUS.value)
    db.session.expire_all()
    assert mine.author_id is None and theirs.author_id is None
    assert mine.author_key and theirs.author_key and mine.author_key != theirs.author_key


def test_the_author_finds_and_edits_their_own_fully_anonymous_reflection(pim, noor, review, round_):  # noqa: ANN001
    make_fully_anonymous(review)
    mine = submit(pim, review, round_, "Niemand weet van wie.", Visibility.ANONYMOUS.value)
    assert services.own_reflection(access_for(pim, review), round_).id == mine.id
    assert services.own_reflection(access_for(noor, review), round_) is None
    edited = save(pim, review, round_, "Aangepast, nog steeds anoniem.")
    assert edited.id == mine.id and edited.answers == {key(round_): "Aangepast, nog steeds anoniem."}
    assert edited.published_answers == {key(round_): "Niemand weet van wie."}


def test_fully_anonymous_review_refuses_sharing_with_a_name(pim, review, round_):  # noqa: ANN001
    make_fully_anonymous(review)
    with pytest.raises(ReflectionError):
        submit(pim, review, round_, visibility=Visibility.GROUP.value)


def test_fully_anonymous_participation_gives_counts_only(pim, noor, lead, review, round_):  # noqa: ANN001
    make_fully_anonymous(review)
    submit(pim, review, round_, "Niemand weet van wie.", Visibility.ANONYMOUS.value)
    result = services.participation(access_for(lead, review), round_)
    assert (result.submitted, result.waiting, result.count, result.total) == ([], [], 1, 2)


def test_fully_anonymous_submission_leaves_no_audit_trail_to_the_author(pim, review, round_):  # noqa: ANN001
    make_fully_anonymous(review)
    text = f"Het BSN {BSN} stond in het dossier."
    with pytest.raises(PersonalDataFound) as found:
        submit(pim, review, round_, text, visibility=Visibility.ANONYMOUS.value)
    db.session.rollback()
    tokens = [segment.token for findings in found.value.fields for segment in findings.segments if segment.token]
    submit(pim, review, round_, text, visibility=Visibility.ANONYMOUS.value, confirming=tokens)
    named = db.session.scalars(db.select(AuditEvent.action).where(
        AuditEvent.actor_id == pim.id, AuditEvent.object_type == "review", AuditEvent.object_id == review.id)).all()
    assert named == []

"""Evidence for lessons, lessons in one click, and dot-votes on lessons, as services (no HTTP)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from learning.db import db
from learning.lessons import evidence, services, votes
from learning.lessons.models import Lesson, LessonStatus, lesson_contributions, lesson_reflections
from learning.lessons.services import EvidenceChoice, EvidenceConflict, LessonError
from learning.meetings import services as meetings
from learning.reflections import contributions, voting
from learning.reflections.models import ContributionStatus, Visibility, VoteStatus
from learning.reflections.voting import VoteError
from learning.reviews.models import MemberRole
from tests.lessons.conftest import (
    agreed_lesson,
    contribute,
    episode,
    open_round,
    reflect,
    start_meeting,
    write_lesson,
)
from tests.review_fixtures import access_for


@pytest.fixture
def met(editor, review, pim, noor):  # noqa: ANN001, ANN201
    """The review after its meeting: reflections of each visibility, timelines, contributions."""
    reflection_round = open_round(editor)
    meeting = start_meeting(editor)
    meeting.moderate_anonymous = False
    db.session.commit()
    items = {
        "group": reflect(pim, review, reflection_round, "We werkten langs elkaar heen.", Visibility.GROUP.value),
        "anonymous": reflect(noor, review, reflection_round, "Niemand had het overzicht.", Visibility.ANONYMOUS.value),
        "integrated": episode(review, "Melding op vrijdagavond"),
        "own_pim": episode(review, "Mijn huisbezoek", owner=pim),
        "own_noor": episode(review, "Mijn telefoontje", owner=noor),
        "named": contribute(pim, review, meeting, "Een vaste piketregeling in het weekend."),
        "anon": contribute(noor, review, meeting, "Wie belt de ouders?", anonymous=True),
    }
    second_round = open_round(editor)
    items["reviewers"] = reflect(pim, review, second_round, "Alleen voor jullie: het schuurde.",
                                 Visibility.REVIEWERS.value)
    held = contribute(noor, review, meeting, "Nog te modereren.")
    contributions.moderate(meeting, held, ContributionStatus.HELD.value)
    hidden = contribute(pim, review, meeting, "Verborgen door de facilitator.")
    contributions.moderate(meeting, hidden, ContributionStatus.HIDDEN.value)
    db.session.commit()
    items.update(held=held, hidden=hidden, meeting=meeting, round=reflection_round)
    return items


def texts(shown: evidence.Evidence) -> dict[str, list[tuple[str, str | None]]]:
    """Per kind, (excerpt, author name or None) as this person sees them."""
    return {kind: [(item.excerpt, item.author.display_name if item.author else None) for item in items]
            for kind, items in (("reflections", shown.reflections), ("episodes", shown.episodes),
                                ("contributions", shown.contributions))}


def choose(access, lesson: Lesson, **ids) -> bool:  # noqa: ANN001, ANN003
    changed = services.set_evidence(access, lesson, EvidenceChoice(**ids), expected_version=lesson.version)
    db.session.commit()
    return changed


# --- what the picker offers ---------------------------------------------------------------------------


def test_reviewers_are_offered_everything_submitted_and_not_hidden(editor, met):  # noqa: ANN001
    offered = texts(evidence.pickable(editor))
    assert sorted(text for text, _author in offered["reflections"]) == [
        "Alleen voor jullie: het schuurde.", "Niemand had het overzicht.", "We werkten langs elkaar heen."]
    assert [text for text, _author in offered["episodes"]] == [
        "Melding op vrijdagavond", "Mijn huisbezoek", "Mijn telefoontje"]
    assert sorted(text for text, _author in offered["contributions"]) == [
        "Een vaste piketregeling in het weekend.", "Nog te modereren.", "Wie belt de ouders?"]


def test_the_lead_sees_who_wrote_anonymous_items_a_co_reviewer_does_not(editor, review, co_reviewer, met):  # noqa: ANN001
    lead_view = texts(evidence.pickable(editor))
    co_view = texts(evidence.pickable(access_for(co_reviewer, review)))
    assert ("Niemand had het overzicht.", "Noor Deelnemer") in lead_view["reflections"]
    assert ("Niemand had het overzicht.", None) in co_view["reflections"]
    assert ("Wie belt de ouders?", None) in co_view["contributions"]
    assert ("We werkten langs elkaar heen.", "Pim Deelnemer") in co_view["reflections"]


def test_in_a_fully_anonymous_review_nobody_is_named(editor, review, pim, noor):  # noqa: ANN001
    review.fully_anonymous = True
    db.session.commit()
    reflection_round = open_round(editor)
    reflect(pim, review, reflection_round, "Het overleg liep stroef.", Visibility.ANONYMOUS.value)
    meeting = start_meeting(editor)
    meeting.moderate_anonymous = False
    db.session.commit()
    contribute(noor, review, meeting, "Meer tijd voor de overdracht.")
    lesson = write_lesson(editor)
    shown = evidence.pickable(editor)
    choose(editor, lesson, reflection_ids=[shown.reflections[0].id], contribution_ids=[shown.contributions[0].id])
    for access in (editor, access_for(pim, review)):
        for view in (texts(evidence.pickable(access)), texts(evidence.linked(access, lesson))):
            authors = [author for items in view.values() for _text, author in items]
            assert authors and set(authors) == {None}


def test_members_are_shown_only_what_they_may_read(editor, review, pim, met):  # noqa: ANN001
    lesson = agreed_lesson(editor)
    everything = evidence.pickable(editor)
    choose(editor, lesson, reflection_ids=[item.id for item in everything.reflections],
           episode_ids=[item.id for item in everything.episodes],
           contribution_ids=[item.id for item in everything.contributions])
    seen = texts(evidence.linked(access_for(pim, review), lesson))
    assert sorted(seen["reflections"]) == [("Niemand had het overzicht.", None),
                                           ("We werkten langs elkaar heen.", "Pim Deelnemer")]
    assert [text for text, _author in seen["episodes"]] == ["Melding op vrijdagavond", "Mijn huisbezoek"]
    assert sorted(seen["contributions"]) == [("Een vaste piketregeling in het weekend.", "Pim Deelnemer"),
                                             ("Wie belt de ouders?", None)]
    counts = {access.user.id: services.lessons_of(access)[0].evidence_count
              for access in (editor, access_for(pim, review))}
    assert counts == {editor.user.id: 9, pim.id: 6}


def test_episodes_follow_the_timeline_rule(editor, review, co_reviewer, pim, noor, met):  # noqa: ANN001
    from learning.reviews.models import Episode

    all_episodes = list(db.session.scalars(sa.select(Episode).where(Episode.review_id == review.id)))
    for person in (editor.user, co_reviewer, pim, noor):
        access = access_for(person, review)
        expected = {item.id for item in all_episodes if access.can_see_timeline_of(item.timeline_owner_id)}
        assert {item.id for item in evidence.pickable(access).episodes} == expected


# --- choosing -----------------------------------------------------------------------------------


def test_linking_evidence_raises_the_version_and_is_audited(editor, review, met):  # noqa: ANN001
    lesson = write_lesson(editor)
    before = lesson.version
    assert choose(editor, lesson, reflection_ids=[met["group"].id], episode_ids=[met["integrated"].id],
                  contribution_ids=[met["named"].id, met["held"].id])
    assert lesson.version == before + 1
    assert {r.id for r in lesson.reflections} == {met["group"].id}
    assert {c.id for c in lesson.contributions} == {met["named"].id, met["held"].id}
    assert not choose(editor, lesson, reflection_ids=[met["group"].id], episode_ids=[met["integrated"].id],
                      contribution_ids=[met["held"].id, met["named"].id])
    assert choose(editor, lesson, episode_ids=[met["integrated"].id])
    assert lesson.reflections == [] and lesson.contributions == []


@pytest.mark.parametrize("kind", ["reflection_ids", "episode_ids", "contribution_ids"])
def test_evidence_of_another_review_is_refused_and_nothing_is_saved(editor, review, other_review, met, kind):  # noqa: ANN001
    other_lead = other_review.members[0].user
    other_access = access_for(other_lead, other_review)
    foreign = {
        "reflection_ids": lambda: reflect(other_lead, other_review, open_round(other_access), "Elders.").id,
        "episode_ids": lambda: episode(other_review, "Elders").id,
        "contribution_ids": lambda: contribute(other_lead, other_review, start_meeting(other_access), "Elders.").id,
    }[kind]()
    lesson = write_lesson(editor)
    choose(editor, lesson, reflection_ids=[met["group"].id])
    version = lesson.version
    choice = {"reflection_ids": [met["anonymous"].id], kind: [foreign]}
    with pytest.raises(evidence.EvidenceError, match="hoort niet bij deze review"):
        services.set_evidence(editor, lesson, EvidenceChoice(**choice), expected_version=version)
    db.session.rollback()
    assert [r.id for r in db.session.get(Lesson, lesson.id).reflections] == [met["group"].id]
    assert lesson.version == version


def test_items_the_reviewer_may_not_link_are_refused(editor, review, pim, met):  # noqa: ANN001
    draft_round = open_round(editor)
    from learning.reflections import services as reflections

    draft = reflections.save_answers(access_for(pim, review), draft_round,
                                     answers={draft_round.prompts[0]["key"]: "Nog niet ingediend."},
                                     expected_version=0)
    db.session.commit()
    lesson = write_lesson(editor)
    for choice in (EvidenceChoice(reflection_ids=[draft.id]), EvidenceChoice(contribution_ids=[met["hidden"].id]),
                   EvidenceChoice(episode_ids=[999_999])):
        with pytest.raises(evidence.EvidenceError):
            services.set_evidence(editor, lesson, choice, expected_version=lesson.version)
    with pytest.raises(LessonError):
        services.set_evidence(access_for(pim, review), lesson, EvidenceChoice(), expected_version=lesson.version)


def test_links_the_reviewer_cannot_see_stay_when_they_save(editor, review, met):  # noqa: ANN001
    lesson = write_lesson(editor)
    choose(editor, lesson, contribution_ids=[met["named"].id, met["held"].id])
    contributions.moderate(met["meeting"], met["held"], ContributionStatus.HIDDEN.value)
    db.session.commit()
    assert [item.id for item in evidence.linked(editor, lesson).contributions] == [met["named"].id]
    choose(editor, lesson, reflection_ids=[met["group"].id], contribution_ids=[met["named"].id])
    linked = set(db.session.scalars(sa.select(lesson_contributions.c.contribution_id).where(
        lesson_contributions.c.lesson_id == lesson.id)))
    assert linked == {met["named"].id, met["held"].id}


def test_a_stale_evidence_choice_is_a_conflict_with_both_selections(editor, review, co_reviewer, met):  # noqa: ANN001
    lesson = write_lesson(editor)
    opened = lesson.version
    choose(access_for(co_reviewer, review), lesson, reflection_ids=[met["group"].id])
    with pytest.raises(EvidenceConflict) as clash:
        services.set_evidence(editor, lesson, EvidenceChoice(episode_ids=[met["integrated"].id]),
                              expected_version=opened)
    assert [item.text for item in clash.value.current] == ["We werkten langs elkaar heen."]
    assert [item.text for item in clash.value.submitted] == ["Melding op vrijdagavond"]
    db.session.rollback()
    assert set(db.session.scalars(sa.select(lesson_reflections.c.reflection_id))) == {met["group"].id}


def test_deleting_a_reflection_removes_the_link_not_the_lesson(editor, met):  # noqa: ANN001
    lesson = write_lesson(editor)
    choose(editor, lesson, reflection_ids=[met["group"].id])
    db.session.delete(met["group"])
    db.session.commit()
    assert db.session.get(Lesson, lesson.id).reflections == []


# --- in one click -------------------------------------------------------------------------------------


def test_a_lesson_from_a_contribution_copies_the_text_and_links_it(editor, review, met):  # noqa: ANN001
    source = services.contribution_source(editor, met["anon"].id)
    lesson = services.lesson_from_contribution(editor, source)
    db.session.commit()
    assert (lesson.text, lesson.status, lesson.level) == ("Wie belt de ouders?", LessonStatus.CONCEPT.value, None)
    assert [c.id for c in lesson.contributions] == [met["anon"].id]
    assert lesson.created_by_id == editor.user.id


@pytest.mark.parametrize("name", ["group", "anonymous"])
def test_a_lesson_from_a_reflection_copies_the_submitted_answers(editor, review, met, name):  # noqa: ANN001
    lesson = services.lesson_from_reflection(editor, services.reflection_source(editor, met[name].id))
    db.session.commit()
    assert lesson.text == met[name].published_answers[met["round"].prompts[0]["key"]]
    assert [r.id for r in lesson.reflections] == [met[name].id]
    assert not evidence.linked(editor, lesson).restricted


def test_a_reflection_for_reviewers_only_is_linked_but_not_copied(editor, review, met):  # noqa: ANN001
    lesson = services.lesson_from_reflection(editor, services.reflection_source(editor, met["reviewers"].id))
    db.session.commit()
    assert lesson.text == "" and lesson.status == LessonStatus.CONCEPT.value
    assert [r.id for r in lesson.reflections] == [met["reviewers"].id]
    assert evidence.linked(editor, lesson).restricted


def test_a_contribution_held_for_moderation_is_linked_but_not_copied(editor, review, met):  # noqa: ANN001
    lesson = services.lesson_from_contribution(editor, services.contribution_source(editor, met["held"].id))
    db.session.commit()
    assert lesson.text == "" and [c.id for c in lesson.contributions] == [met["held"].id]
    assert evidence.linked(editor, lesson).restricted


def test_sources_outside_what_the_reviewer_may_link_are_not_found(editor, other_review, met):  # noqa: ANN001
    other_lead = other_review.members[0].user
    foreign = contribute(other_lead, other_review, start_meeting(access_for(other_lead, other_review)), "Elders.")
    assert services.contribution_source(editor, met["hidden"].id) is None
    assert services.contribution_source(editor, foreign.id) is None
    assert services.reflection_source(editor, 999_999) is None


def test_a_very_long_reflection_is_shortened_to_fit_a_lesson(editor, review, pim):  # noqa: ANN001
    reflection_round = open_round(editor)
    answers = {prompt["key"]: "Lang antwoord. " * 400 for prompt in reflection_round.prompts[:2]}
    from learning.reflections import services as reflections

    reflection = reflections.submit(access_for(pim, review), reflection_round, answers=answers,
                                    visibility=Visibility.GROUP.value, expected_version=0)
    db.session.commit()
    lesson = services.lesson_from_reflection(editor, reflection)
    assert len(lesson.text) == services.TEXT_LIMIT and lesson.text.endswith("…")


# --- dot-votes ----------------------------------------------------------------------------------


@pytest.fixture
def three_lessons(editor):  # noqa: ANN001, ANN201
    return [write_lesson(editor, "Vast aanspreekpunt."), write_lesson(editor, "Piketregeling in het weekend."),
            agreed_lesson(editor, "Eén gezamenlijk draaiboek.")]


def test_a_vote_on_lessons_runs_through_the_meetings_ballot(editor, review, pim, noor, three_lessons):  # noqa: ANN001
    meeting = start_meeting(editor)
    vote = votes.open_lesson_vote(editor, meeting_id=meeting.id, lesson_ids=[lesson.id for lesson in three_lessons],
                                  title="Wat is het belangrijkst?", dots_per_person=3)
    db.session.commit()
    assert vote.target == "lessons" and voting.open_vote_of(meeting) is vote
    assert [(option.item_type, option.label) for option in vote.options] == [
        ("lesson", "Vast aanspreekpunt."), ("lesson", "Piketregeling in het weekend."),
        ("lesson", "Eén gezamenlijk draaiboek.")]
    first, second, third = vote.options
    voting.cast(access_for(pim, review), vote, {second.id: 2, third.id: 1})
    voting.cast(access_for(noor, review), vote, {second.id: 1})
    db.session.commit()
    assert votes.latest_result(editor) is None
    voting.close_vote(editor, meeting, vote)
    db.session.commit()
    result = votes.latest_result(access_for(pim, review))
    assert [(tally.option.label, tally.dots) for tally in result.tallies] == [
        ("Piketregeling in het weekend.", 3), ("Eén gezamenlijk draaiboek.", 1), ("Vast aanspreekpunt.", 0)]
    assert result.voters == 2 and result.vote.status == VoteStatus.CLOSED.value


def test_a_vote_needs_a_running_meeting_of_this_review(editor, review, other_review, three_lessons):  # noqa: ANN001
    ids = [lesson.id for lesson in three_lessons]
    other_meeting = start_meeting(access_for(other_review.members[0].user, other_review))
    meeting = start_meeting(editor)
    meetings.close_meeting(meeting, actor=editor.user)
    db.session.commit()
    for meeting_id in (None, other_meeting.id, meeting.id, 999_999):
        with pytest.raises(LessonError, match="bijeenkomst") as refused:
            votes.open_lesson_vote(editor, meeting_id=meeting_id, lesson_ids=ids, title="")
        assert refused.value.field == "meeting_id"


def test_a_vote_takes_only_this_reviews_lessons_and_at_least_two(editor, review, other_review, three_lessons):  # noqa: ANN001
    meeting = start_meeting(editor)
    theirs = write_lesson(access_for(other_review.members[0].user, other_review))
    with pytest.raises(LessonError, match="van deze review") as refused:
        votes.open_lesson_vote(editor, meeting_id=meeting.id, lesson_ids=[three_lessons[0].id, theirs.id], title="")
    assert refused.value.field == "lesson_ids"
    with pytest.raises(LessonError, match="minstens twee"):
        votes.open_lesson_vote(editor, meeting_id=meeting.id, lesson_ids=[three_lessons[0].id], title="")


def test_a_lesson_without_text_is_not_put_to_a_vote(editor, review, met, three_lessons):  # noqa: ANN001
    empty = services.lesson_from_reflection(editor, services.reflection_source(editor, met["reviewers"].id))
    db.session.commit()
    with pytest.raises(LessonError, match="zonder tekst") as refused:
        votes.open_lesson_vote(editor, meeting_id=met["meeting"].id, lesson_ids=[empty.id, three_lessons[0].id],
                               title="Wat eerst?")
    assert refused.value.field == "lesson_ids"


def test_the_meetings_voting_rules_still_apply(editor, review, pim, three_lessons):  # noqa: ANN001
    meeting = start_meeting(editor)
    ids = [lesson.id for lesson in three_lessons]
    with pytest.raises(VoteError):
        votes.open_lesson_vote(editor, meeting_id=meeting.id, lesson_ids=ids, title="", dots_per_person=21)
    votes.open_lesson_vote(editor, meeting_id=meeting.id, lesson_ids=ids, title="")
    db.session.commit()
    with pytest.raises(VoteError, match="loopt al"):
        votes.open_lesson_vote(editor, meeting_id=meeting.id, lesson_ids=ids, title="")
    with pytest.raises(LessonError):
        votes.open_lesson_vote(access_for(pim, review), meeting_id=meeting.id, lesson_ids=ids, title="")


def test_open_vote_on_takes_prepared_options_and_shortens_labels(editor, review):  # noqa: ANN001
    meeting = start_meeting(editor)
    vote = voting.open_vote_on(editor, meeting, title="", target="lessons",
                               options=[("lesson", 1, "kort"), ("lesson", 2, "lang " * 200)])
    assert vote.title == "Stemming" and len(vote.options[1].label) == voting.LABEL_LIMIT
    with pytest.raises(VoteError):
        voting.open_vote_on(editor, meeting, title="", target="findings", options=[("x", 1, "a"), ("x", 2, "b")])


def test_observers_do_not_vote_on_lessons(editor, review, member, three_lessons):  # noqa: ANN001
    observer = member("Olaf Waarnemer", MemberRole.OBSERVER.value)
    meeting = start_meeting(editor)
    vote = votes.open_lesson_vote(editor, meeting_id=meeting.id, lesson_ids=[lesson.id for lesson in three_lessons],
                                  title="")
    with pytest.raises(VoteError):
        voting.cast(access_for(observer, review), vote, {vote.options[0].id: 1})

"""Contributions (inbreng) and dot-votes during a meeting, as services (no HTTP)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
import sqlalchemy as sa

from learning.db import db, utcnow
from learning.meetings import services as meetings
from learning.meetings.models import Meeting
from learning.meetings.services import MeetingInput
from learning.reflections import contributions, voting
from learning.reflections import services as reflections
from learning.reflections.contributions import ContributionError
from learning.reflections.models import Contribution, ContributionStatus, Vote, VoteOption, VoteStatus
from learning.reflections.voting import VoteError
from learning.reviews.models import MemberRole
from tests.review_fixtures import access_for


def state_version(meeting: Meeting) -> int:
    """What a live poll compares: the stored state version."""
    return db.session.scalar(sa.select(Meeting.state_version).where(Meeting.id == meeting.id))


@pytest.fixture
def observer(member):  # noqa: ANN001, ANN201
    return member("Olga Waarnemer", MemberRole.OBSERVER.value)


@pytest.fixture
def planned(lead, review) -> Meeting:  # noqa: ANN001
    start = utcnow() + timedelta(days=1)
    meeting = meetings.plan_meeting(access_for(lead, review), MeetingInput(
        title="Reviewbijeenkomst", starts_at=start, ends_at=start + timedelta(hours=3)))
    db.session.commit()
    return meeting


@pytest.fixture
def meeting(planned, lead) -> Meeting:  # noqa: ANN001
    """A running meeting, in its first phase."""
    meetings.start_meeting(planned, actor=lead)
    db.session.commit()
    return planned


def send(user, review, meeting: Meeting, text: str = "Meer tijd voor de overdracht.", *,  # noqa: ANN001
         anonymous: bool = False, item_id: int | None = None) -> Contribution:
    contribution = contributions.contribute(
        access_for(user, review), meeting, text=text, anonymous=anonymous,
        agenda_item_id=item_id if item_id is not None else meeting.current_item.id)
    db.session.commit()
    return contribution


def group_view(user, review, meeting: Meeting, item_id: int | None = None) -> list[tuple[str, str | None]]:  # noqa: ANN001
    """(text, author name or None) of what ``user`` sees for a phase."""
    return sorted((shown.contribution.text, shown.author.display_name if shown.author else None)
                  for shown in contributions.for_group(access_for(user, review), meeting,
                                                       item_id if item_id is not None else meeting.current_item.id))


def fully_anonymous(review) -> None:  # noqa: ANN001
    review.fully_anonymous = True
    db.session.commit()


# --- contributing -----------------------------------------------------------------------------


def test_a_named_contribution_is_visible_to_the_group_at_once(pim, noor, review, meeting):  # noqa: ANN001
    contribution = send(pim, review, meeting, "Meer tijd voor de overdracht.")
    assert contribution.status == ContributionStatus.VISIBLE.value
    assert (contribution.author_id, contribution.anonymous) == (pim.id, False)
    assert group_view(noor, review, meeting) == [("Meer tijd voor de overdracht.", "Pim Deelnemer")]


def test_contributing_needs_a_running_meeting(pim, lead, review, planned):  # noqa: ANN001
    with pytest.raises(ContributionError):
        send(pim, review, planned, item_id=planned.agenda[0].id)
    db.session.rollback()
    meetings.start_meeting(planned, actor=lead)
    meetings.close_meeting(planned, actor=lead)
    db.session.commit()
    with pytest.raises(ContributionError):
        send(pim, review, planned)


def test_contributing_to_another_phase_than_the_current_one_is_refused(pim, review, meeting):  # noqa: ANN001
    with pytest.raises(ContributionError, match="al gesloten"):
        send(pim, review, meeting, item_id=meeting.agenda[1].id)


def test_a_contribution_sent_after_the_phase_moved_on_is_refused(pim, review, meeting):  # noqa: ANN001
    first_phase = meeting.current_item.id
    meetings.go_to(meeting, from_position=0, direction="next")
    db.session.commit()
    with pytest.raises(ContributionError, match="al gesloten"):
        send(pim, review, meeting, item_id=first_phase)
    db.session.rollback()
    assert contributions.for_facilitator(access_for(pim, review), meeting) == []


@pytest.mark.parametrize("text", ["", "   \n  ", "x" * (contributions.TEXT_LIMIT + 1)])
def test_a_contribution_needs_a_short_text(pim, review, meeting, text):  # noqa: ANN001
    with pytest.raises(ContributionError):
        send(pim, review, meeting, text)


def test_a_contribution_of_exactly_the_limit_is_accepted(pim, review, meeting):  # noqa: ANN001
    assert len(send(pim, review, meeting, "x" * contributions.TEXT_LIMIT).text) == contributions.TEXT_LIMIT


def test_observers_send_no_contributions(observer, review, meeting):  # noqa: ANN001
    with pytest.raises(ContributionError):
        send(observer, review, meeting)


def test_anonymous_contributions_are_held_for_moderation(pim, noor, review, meeting):  # noqa: ANN001
    contribution = send(pim, review, meeting, "Niemand durfde het te zeggen.", anonymous=True)
    assert contribution.status == ContributionStatus.HELD.value
    assert group_view(noor, review, meeting) == []


def test_anonymous_contributions_are_visible_without_moderation(pim, noor, review, meeting):  # noqa: ANN001
    meeting.moderate_anonymous = False
    db.session.commit()
    contribution = send(pim, review, meeting, "Niemand durfde het te zeggen.", anonymous=True)
    assert contribution.status == ContributionStatus.VISIBLE.value
    assert group_view(noor, review, meeting) == [("Niemand durfde het te zeggen.", None)]


def test_the_group_sees_only_visible_contributions_of_that_phase(pim, noor, lead, review, meeting):  # noqa: ANN001
    first_phase = meeting.current_item.id
    send(pim, review, meeting, "Zichtbaar in fase een.")
    held = send(noor, review, meeting, "Wacht op de gespreksleider.", anonymous=True)
    hidden = send(noor, review, meeting, "Verborgen door de gespreksleider.")
    contributions.moderate(meeting, hidden, ContributionStatus.HIDDEN.value)
    meetings.go_to(meeting, from_position=0, direction="next")
    db.session.commit()
    send(noor, review, meeting, "Zichtbaar in fase twee.")
    assert group_view(noor, review, meeting, first_phase) == [("Zichtbaar in fase een.", "Pim Deelnemer")]
    assert group_view(noor, review, meeting) == [("Zichtbaar in fase twee.", "Noor Deelnemer")]
    assert held.status == ContributionStatus.HELD.value
    assert len(contributions.for_facilitator(access_for(lead, review), meeting)) == 4


def test_moderating_a_held_contribution_shows_it(pim, noor, review, meeting):  # noqa: ANN001
    held = send(pim, review, meeting, "Niemand durfde het te zeggen.", anonymous=True)
    contributions.moderate(meeting, held, ContributionStatus.VISIBLE.value)
    db.session.commit()
    assert group_view(noor, review, meeting) == [("Niemand durfde het te zeggen.", None)]


def test_an_unknown_moderation_status_is_refused(pim, review, meeting):  # noqa: ANN001
    contribution = send(pim, review, meeting)
    with pytest.raises(ContributionError):
        contributions.moderate(meeting, contribution, "deleted")


def test_nobody_sees_contributions_while_they_are_switched_off(pim, noor, lead, review, meeting):  # noqa: ANN001
    send(pim, review, meeting)
    meetings.set_contributions_visible(meeting, False)
    db.session.commit()
    assert group_view(noor, review, meeting) == []
    assert group_view(lead, review, meeting) == []
    meetings.set_contributions_visible(meeting, True)
    db.session.commit()
    assert len(group_view(noor, review, meeting)) == 1


def test_the_author_of_an_anonymous_contribution_is_shown_to_the_lead_only(pim, noor, lead, member, review, meeting):  # noqa: ANN001
    co = member("Co Reviewer", MemberRole.CO_REVIEWER.value)
    held = send(pim, review, meeting, "Niemand durfde het te zeggen.", anonymous=True)
    contributions.moderate(meeting, held, ContributionStatus.VISIBLE.value)
    db.session.commit()
    assert group_view(noor, review, meeting) == [("Niemand durfde het te zeggen.", None)]
    assert group_view(pim, review, meeting) == [("Niemand durfde het te zeggen.", None)]
    assert group_view(co, review, meeting) == [("Niemand durfde het te zeggen.", None)]
    assert group_view(lead, review, meeting) == [("Niemand durfde het te zeggen.", "Pim Deelnemer")]


def test_in_a_fully_anonymous_review_every_contribution_is_anonymous_without_author(pim, lead, review, meeting):  # noqa: ANN001
    fully_anonymous(review)
    contribution = send(pim, review, meeting, "Met naam bedoeld.", anonymous=False)
    db.session.expire_all()
    assert contribution.anonymous is True
    assert contribution.author_id is None and contribution.author_key
    contributions.moderate(meeting, contribution, ContributionStatus.VISIBLE.value)
    db.session.commit()
    assert group_view(lead, review, meeting) == [("Met naam bedoeld.", None)]


def test_moderating_and_clustering_raise_the_state_version(pim, review, meeting):  # noqa: ANN001
    contribution = send(pim, review, meeting)
    before = state_version(meeting)
    contributions.moderate(meeting, contribution, ContributionStatus.HIDDEN.value)
    db.session.commit()
    moderated = state_version(meeting)
    assert moderated > before
    contributions.set_cluster(meeting, contribution, "  Overdracht  ")
    db.session.commit()
    assert state_version(meeting) > moderated
    assert contribution.cluster == "Overdracht"


def test_a_new_contribution_raises_the_state_version(pim, review, meeting):  # noqa: ANN001
    before = state_version(meeting)
    send(pim, review, meeting)
    assert state_version(meeting) > before


# --- dot-votes ----------------------------------------------------------------------------------


TEXTS = ("Meer tijd voor de overdracht.", "Eerder bellen met de huisarts.", "Samen optrekken met de school.")


@pytest.fixture
def options(pim, noor, review, meeting) -> list[Contribution]:  # noqa: ANN001
    """Three visible contributions in the current phase."""
    return [send(pim if index % 2 == 0 else noor, review, meeting, text) for index, text in enumerate(TEXTS)]


def open_vote(user, review, meeting: Meeting, **settings) -> Vote:  # noqa: ANN001, ANN003
    settings.setdefault("target", "contributions")
    vote = voting.open_vote(access_for(user, review), meeting, title="Wat is het belangrijkst?", **settings)
    db.session.commit()
    return vote


@pytest.fixture
def vote(options, lead, review, meeting) -> Vote:  # noqa: ANN001
    return open_vote(lead, review, meeting, dots_per_person=3, allow_stacking=True)


def option_for(vote: Vote, text: str) -> VoteOption:
    (option,) = [option for option in vote.options if option.label == text]
    return option


def cast(user, review, vote: Vote, allocation: dict[str, int]):  # noqa: ANN001, ANN201
    """``allocation`` by label: {"Meer tijd voor de overdracht.": 2}."""
    ballot = voting.cast(access_for(user, review), vote, {option_for(vote, text).id: dots
                                                           for text, dots in allocation.items()})
    db.session.commit()
    return ballot


def close(user, review, meeting: Meeting, vote: Vote) -> None:  # noqa: ANN001
    voting.close_vote(access_for(user, review), meeting, vote)
    db.session.commit()


def test_open_vote_offers_the_visible_contributions_of_the_phase(vote):  # noqa: ANN001
    assert sorted(option.label for option in vote.options) == sorted(TEXTS)
    assert {option.item_type for option in vote.options} == {"contribution"}
    assert vote.status == VoteStatus.OPEN.value


def test_open_vote_needs_two_visible_options(pim, noor, lead, review, meeting):  # noqa: ANN001
    send(pim, review, meeting, "Zichtbaar.")
    send(noor, review, meeting, "Wacht op moderatie.", anonymous=True)
    with pytest.raises(VoteError):
        open_vote(lead, review, meeting)
    db.session.rollback()
    assert voting.open_vote_of(meeting) is None


def test_only_one_vote_runs_per_meeting(vote, lead, review, meeting):  # noqa: ANN001
    with pytest.raises(VoteError):
        open_vote(lead, review, meeting)
    db.session.rollback()
    close(lead, review, meeting, vote)
    assert open_vote(lead, review, meeting).id != vote.id


@pytest.mark.parametrize("dots", [0, 21, -1])
def test_dots_per_person_lie_between_1_and_20(options, lead, review, meeting, dots):  # noqa: ANN001
    with pytest.raises(VoteError):
        open_vote(lead, review, meeting, dots_per_person=dots)


@pytest.mark.parametrize("dots", [1, 20])
def test_dots_per_person_at_the_limits_are_accepted(options, lead, review, meeting, dots):  # noqa: ANN001
    assert open_vote(lead, review, meeting, dots_per_person=dots).dots_per_person == dots


def test_only_reviewers_open_a_vote(options, pim, review, meeting):  # noqa: ANN001
    with pytest.raises(VoteError):
        open_vote(pim, review, meeting)


def test_the_ballot_keeps_the_text_as_it_was_when_the_vote_opened(vote, options):  # noqa: ANN001
    option = option_for(vote, TEXTS[0])
    options[0].text = "Later aangepaste tekst."
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(VoteOption, option.id).label == TEXTS[0]


def test_a_ballot_within_the_dots_is_kept(vote, pim, review):  # noqa: ANN001
    ballot = cast(pim, review, vote, {TEXTS[0]: 2, TEXTS[1]: 1})
    assert sum(ballot.dots.values()) == 3
    assert voting.ballot_of(vote, pim).id == ballot.id


def test_more_dots_than_allowed_are_refused(vote, pim, review):  # noqa: ANN001
    with pytest.raises(VoteError):
        cast(pim, review, vote, {TEXTS[0]: 2, TEXTS[1]: 2})
    db.session.rollback()
    assert voting.ballot_of(vote, pim) is None


def test_no_stacking_when_the_vote_does_not_allow_it(options, lead, pim, review, meeting):  # noqa: ANN001
    vote = open_vote(lead, review, meeting, dots_per_person=3, allow_stacking=False)
    with pytest.raises(VoteError):
        cast(pim, review, vote, {TEXTS[0]: 2})
    db.session.rollback()
    assert cast(pim, review, vote, {TEXTS[0]: 1, TEXTS[1]: 1, TEXTS[2]: 1})


def test_an_unknown_option_is_refused(vote, pim, review, lead, meeting, options):  # noqa: ANN001
    with pytest.raises(VoteError):
        voting.cast(access_for(pim, review), vote, {options[0].id + 10_000: 1})
    with pytest.raises(VoteError):
        voting.cast(access_for(pim, review), vote, {max(option.id for option in vote.options) + 1: 1})


def test_a_negative_dot_is_refused(vote, pim, review):  # noqa: ANN001
    with pytest.raises(VoteError):
        cast(pim, review, vote, {TEXTS[0]: 2, TEXTS[1]: -1})


@pytest.mark.parametrize("allocation", [{}, {TEXTS[0]: 0}])
def test_a_ballot_needs_at_least_one_dot(vote, pim, review, allocation):  # noqa: ANN001
    with pytest.raises(VoteError):
        cast(pim, review, vote, allocation)


def test_voting_twice_is_refused(vote, pim, review):  # noqa: ANN001
    cast(pim, review, vote, {TEXTS[0]: 1})
    with pytest.raises(VoteError, match="al gestemd"):
        cast(pim, review, vote, {TEXTS[1]: 1})
    db.session.rollback()
    assert voting.ballot_of(vote, pim).dots == {str(option_for(vote, TEXTS[0]).id): 1}


def test_observers_do_not_vote(vote, observer, review):  # noqa: ANN001
    with pytest.raises(VoteError):
        cast(observer, review, vote, {TEXTS[0]: 1})


def test_a_closed_vote_takes_no_ballots(vote, lead, pim, review, meeting):  # noqa: ANN001
    close(lead, review, meeting, vote)
    with pytest.raises(VoteError):
        cast(pim, review, vote, {TEXTS[0]: 1})


def test_results_wait_until_the_vote_closes(vote, pim, review):  # noqa: ANN001
    cast(pim, review, vote, {TEXTS[0]: 1})
    with pytest.raises(VoteError):
        voting.results(vote)


def test_results_are_totals_most_dots_first_with_the_number_of_voters(vote, lead, pim, noor, review, meeting):  # noqa: ANN001
    cast(pim, review, vote, {TEXTS[2]: 2, TEXTS[1]: 1})
    cast(noor, review, vote, {TEXTS[2]: 1, TEXTS[0]: 1})
    cast(lead, review, vote, {TEXTS[1]: 3})
    close(lead, review, meeting, vote)
    tallies, voters = voting.results(vote)
    assert [(tally.option.label, tally.dots) for tally in tallies] == [(TEXTS[1], 4), (TEXTS[2], 3), (TEXTS[0], 1)]
    assert voters == 3


def test_results_show_no_single_ballot(vote, lead, pim, review, meeting):  # noqa: ANN001
    cast(pim, review, vote, {TEXTS[0]: 3})
    close(lead, review, meeting, vote)
    tallies, voters = voting.results(vote)
    assert {field.name for field in dataclasses.fields(tallies[0])} == {"option", "dots"}
    assert isinstance(voters, int)
    assert sorted(tally.dots for tally in tallies) == [0, 0, 3]


def test_opening_and_closing_a_vote_raise_the_state_version(options, lead, review, meeting):  # noqa: ANN001
    before = state_version(meeting)
    vote = open_vote(lead, review, meeting)
    opened = state_version(meeting)
    assert opened > before
    close(lead, review, meeting, vote)
    assert state_version(meeting) > opened
    assert vote.status == VoteStatus.CLOSED.value and vote.closed_at is not None


def test_a_vote_on_reflections_offers_only_what_the_group_may_read(pim, noor, member, lead, review, meeting):  # noqa: ANN001
    sam = member("Sam Expert", MemberRole.EXPERT_BY_EXPERIENCE.value)
    reflection_round = reflections.open_round(access_for(lead, review), title="Vooraf", moment="before",
                                              deadline=utcnow() + timedelta(days=1))
    prompt = reflection_round.prompts[0]["key"]
    for user, text, visibility in ((pim, "Met naam gedeeld.", "group"), (noor, "Anoniem gedeeld.", "anonymous"),
                                   (sam, "Alleen voor de reviewers.", "reviewers")):
        reflections.submit(access_for(user, review), reflection_round, answers={prompt: text},
                           visibility=visibility, expected_version=0)
    db.session.commit()
    vote = open_vote(lead, review, meeting, target="reflections", round_id=reflection_round.id)
    assert sorted(option.label for option in vote.options) == ["Anoniem gedeeld.", "Met naam gedeeld."]
    assert {option.item_type for option in vote.options} == {"reflection"}

"""Meetings as services (no HTTP): planning, the agenda, invitations, and the live state with its timer."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from learning.db import db, utcnow
from learning.meetings import services
from learning.meetings.models import Meeting, MeetingStatus
from learning.meetings.services import MeetingError, MeetingInput
from learning.reviews.models import MemberRole
from tests.conftest import Outbox
from tests.review_fixtures import access_for


def state_version(meeting: Meeting) -> int:
    """What a live poll compares: the stored state version."""
    return db.session.scalar(sa.select(Meeting.state_version).where(Meeting.id == meeting.id))


def next_week() -> datetime:
    # Whole minutes: a calendar file has no sub-second precision.
    return (utcnow() + timedelta(days=7)).replace(second=0, microsecond=0)


def meeting_input(start: datetime | None = None, *, hours: float = 2, **fields) -> MeetingInput:  # noqa: ANN003
    start = start or next_week()
    fields.setdefault("title", "Reviewbijeenkomst")
    return MeetingInput(starts_at=start, ends_at=start + timedelta(hours=hours), **fields)


def plan(access, data: MeetingInput | None = None) -> Meeting:  # noqa: ANN001
    meeting = services.plan_meeting(access, data or meeting_input())
    db.session.commit()
    return meeting


def names(meeting: Meeting) -> list[str]:
    db.session.expire_all()
    return [item.name for item in meeting.agenda]


@pytest.fixture
def review(make_review):  # noqa: ANN001, ANN201
    return make_review()


@pytest.fixture
def meeting(lead, review) -> Meeting:  # noqa: ANN001
    return plan(access_for(lead, review))


@pytest.fixture
def running(meeting, lead) -> Meeting:  # noqa: ANN001
    services.start_meeting(meeting, actor=lead)
    db.session.commit()
    return meeting


@pytest.fixture
def clock(time_machine):  # noqa: ANN001, ANN201
    """Time stands still on a whole second until the test moves it with ``clock.shift(seconds)``."""
    time_machine.move_to(utcnow().replace(microsecond=0), tick=False)
    return time_machine


# --- planning ---------------------------------------------------------------------------------


def test_plan_meeting_copies_the_review_phases_into_the_agenda(meeting, review):  # noqa: ANN001
    phases = review.phases
    assert len(meeting.agenda) == len(phases) > 1
    for position, (item, phase) in enumerate(zip(meeting.agenda, phases, strict=True)):
        assert (item.position, item.review_phase_id, item.name, item.purpose, item.prompts, item.minutes) == (
            position, phase.id, phase.name, phase.purpose, phase.prompts, phase.minutes)
    assert meeting.status == MeetingStatus.PLANNED.value


def test_agenda_is_a_copy_a_later_phase_edit_does_not_reach_it(meeting, review):  # noqa: ANN001
    review.phases[0].name = "Andere naam"
    review.phases[0].prompts = ["Nieuwe vraag?"]
    db.session.commit()
    db.session.expire_all()
    assert meeting.agenda[0].name != "Andere naam"
    assert meeting.agenda[0].prompts != ["Nieuwe vraag?"]


def test_plan_meeting_keeps_title_place_and_link(lead, review):  # noqa: ANN001
    meeting = plan(access_for(lead, review), meeting_input(
        title="  Tweede bijeenkomst ", place=" Stadskantoor ", online_link="https://meet.example.org/abc"))
    assert (meeting.title, meeting.place, meeting.online_link) == (
        "Tweede bijeenkomst", "Stadskantoor", "https://meet.example.org/abc")


@pytest.mark.parametrize(("starts_in", "hours", "fields", "field"), [
    (timedelta(days=1), 2, {"title": "   "}, "title"),
    (timedelta(hours=-1), 2, {}, "starts_at"),
    (timedelta(days=1), -0.5, {}, "ends_at"),
    (timedelta(days=1), 0, {}, "ends_at"),
    (timedelta(days=1), 12.25, {}, "ends_at"),
    (timedelta(days=1), 2, {"online_link": "meet.example.org/abc"}, "online_link"),
    (timedelta(days=1), 2, {"online_link": "javascript:alert(1)"}, "online_link"),
    (timedelta(days=1), 2, {"online_link": "ftp://meet.example.org/abc"}, "online_link"),
    (timedelta(days=1), 2, {"online_link": "https://"}, "online_link"),
], ids=["no title", "start in the past", "end before start", "end at start", "longer than 12 hours",
        "link without scheme", "javascript link", "ftp link", "link without host"])
def test_plan_meeting_refuses_what_breaks_a_rule(lead, review, starts_in, hours, fields, field):  # noqa: ANN001
    data = meeting_input(utcnow() + starts_in, hours=hours, **fields)
    with pytest.raises(MeetingError) as refused:
        services.plan_meeting(access_for(lead, review), data)
    assert refused.value.field == field
    assert str(refused.value)
    db.session.rollback()
    assert services.meetings_of(review) == []


def test_a_meeting_of_exactly_twelve_hours_is_allowed(lead, review):  # noqa: ANN001
    meeting = plan(access_for(lead, review), meeting_input(hours=12))
    assert meeting.ends_at - meeting.starts_at == timedelta(hours=12)


def test_update_meeting_keeps_an_unchanged_start_that_has_passed(meeting, lead, clock):  # noqa: ANN001
    start, end = meeting.starts_at, meeting.ends_at
    clock.move_to(start + timedelta(minutes=30), tick=False)
    services.update_meeting(meeting, MeetingInput(title="Nieuwe titel", starts_at=start, ends_at=end), actor=lead)
    db.session.commit()
    db.session.expire_all()
    assert (meeting.title, meeting.starts_at) == ("Nieuwe titel", start)


def test_update_meeting_refuses_moving_the_start_into_the_past(meeting, lead, clock):  # noqa: ANN001
    start = meeting.starts_at
    clock.move_to(start + timedelta(minutes=30), tick=False)
    with pytest.raises(MeetingError) as refused:
        services.update_meeting(meeting, meeting_input(start - timedelta(minutes=5)), actor=lead)
    assert refused.value.field == "starts_at"


def test_update_meeting_checks_the_end_as_well(meeting, lead):  # noqa: ANN001
    data = MeetingInput(title="Titel", starts_at=meeting.starts_at, ends_at=meeting.starts_at - timedelta(hours=1))
    with pytest.raises(MeetingError) as refused:
        services.update_meeting(meeting, data, actor=lead)
    assert refused.value.field == "ends_at"


# --- the agenda -------------------------------------------------------------------------------


def test_agenda_item_name_and_minutes_can_be_changed(meeting):  # noqa: ANN001
    item = meeting.agenda[1]
    services.update_agenda_item(meeting, item, name="  Korter gesprek ", minutes=5)
    db.session.commit()
    db.session.expire_all()
    assert (meeting.agenda[1].name, meeting.agenda[1].minutes) == ("Korter gesprek", 5)


@pytest.mark.parametrize(("name", "minutes", "field"), [
    ("  ", 10, "name"), ("Opening", 0, "minutes"), ("Opening", -5, "minutes"), ("Opening", 601, "minutes"),
])
def test_agenda_item_with_bad_values_is_refused(meeting, name, minutes, field):  # noqa: ANN001
    item = meeting.agenda[0]
    before = (item.name, item.minutes)
    with pytest.raises(MeetingError) as refused:
        services.update_agenda_item(meeting, item, name=name, minutes=minutes)
    assert refused.value.field == field
    db.session.rollback()
    assert (meeting.agenda[0].name, meeting.agenda[0].minutes) == before


def test_agenda_items_move_up_and_down(meeting):  # noqa: ANN001
    first, second, third = names(meeting)[:3]
    services.move_agenda_item(meeting, meeting.agenda[1], "up")
    db.session.commit()
    assert names(meeting)[:3] == [second, first, third]
    services.move_agenda_item(meeting, meeting.agenda[1], "down")
    db.session.commit()
    assert names(meeting)[:3] == [second, third, first]
    assert [item.position for item in meeting.agenda] == list(range(len(meeting.agenda)))


def test_moving_beyond_either_end_changes_nothing(meeting):  # noqa: ANN001
    before = names(meeting)
    services.move_agenda_item(meeting, meeting.agenda[0], "up")
    services.move_agenda_item(meeting, meeting.agenda[-1], "down")
    db.session.commit()
    assert names(meeting) == before


def test_removing_an_agenda_item_renumbers_the_rest(meeting):  # noqa: ANN001
    before = names(meeting)
    services.remove_agenda_item(meeting, meeting.agenda[1])
    db.session.commit()
    assert names(meeting) == before[:1] + before[2:]
    assert [item.position for item in meeting.agenda] == list(range(len(before) - 1))


def test_the_last_agenda_item_cannot_be_removed(meeting):  # noqa: ANN001
    while len(meeting.agenda) > 1:
        services.remove_agenda_item(meeting, meeting.agenda[-1])
    db.session.commit()
    with pytest.raises(MeetingError):
        services.remove_agenda_item(meeting, meeting.agenda[0])
    db.session.rollback()
    assert len(names(meeting)) == 1


def test_order_and_items_are_fixed_once_the_meeting_runs(running):  # noqa: ANN001
    before = names(running)
    with pytest.raises(MeetingError):
        services.move_agenda_item(running, running.agenda[1], "up")
    with pytest.raises(MeetingError):
        services.remove_agenda_item(running, running.agenda[1])
    db.session.rollback()
    assert names(running) == before


# --- invitations --------------------------------------------------------------------------------


def calendar_event(message):  # noqa: ANN001, ANN201
    parts = [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]
    assert len(parts) == 1, "the invitation carries one calendar attachment"
    content = parts[0].get_content()
    events = [each for each in Calendar.from_ical(content).walk() if each.name == "VEVENT"]
    assert len(events) == 1
    return events[0]


def test_invitations_go_to_every_active_member_but_the_sender(
        lead, review, create_user, add_member, outbox):  # noqa: ANN001
    meeting = plan(access_for(lead, review), meeting_input(place="Stadskantoor, zaal 3"))
    dutch = create_user("pim@example.org", name="Pim Deelnemer")
    english = create_user("sam@example.org", name="Sam Expert", language="en")
    observer = create_user("olga@example.org", name="Olga Waarnemer")
    gone = create_user("oud@example.org", name="Oud Lid", active=False)
    add_member(review, dutch)
    add_member(review, english, MemberRole.EXPERT_BY_EXPERIENCE.value)
    add_member(review, observer, MemberRole.OBSERVER.value)
    add_member(review, gone)

    assert services.send_invitations(meeting, actor=lead) == 3
    assert len(outbox) == 0, "nothing is mailed before the commit"
    db.session.commit()

    assert sorted(message["To"] for message in outbox.messages()) == sorted(
        [dutch.email, english.email, observer.email])
    assert outbox.to(lead.email) == [] and outbox.to(gone.email) == []
    (to_english,) = outbox.to(english.email)
    (to_dutch,) = outbox.to(dutch.email)
    assert to_english["Content-Language"] == "en" and "Dear Sam Expert" in Outbox.text(to_english)
    assert to_dutch["Content-Language"] == "nl" and "Beste Pim Deelnemer" in Outbox.text(to_dutch)
    assert meeting.invitations_sent_at is not None


def test_the_calendar_attachment_holds_the_meetings_time_and_place(
        lead, review, create_user, add_member, outbox):  # noqa: ANN001
    meeting = plan(access_for(lead, review), meeting_input(place="Stadskantoor, zaal 3"))
    add_member(review, create_user("pim@example.org"))
    services.send_invitations(meeting, actor=lead)
    db.session.commit()
    event = calendar_event(outbox.to("pim@example.org")[0])
    assert event.decoded("dtstart") == meeting.starts_at
    assert event.decoded("dtend") == meeting.ends_at
    assert str(event["location"]) == "Stadskantoor, zaal 3"
    assert str(event["summary"]) == meeting.title


def test_invitations_rolled_back_are_never_mailed(meeting, lead, review, create_user, add_member, outbox):  # noqa: ANN001
    add_member(review, create_user("pim@example.org"))
    services.send_invitations(meeting, actor=lead)
    db.session.rollback()
    db.session.commit()
    assert len(outbox) == 0
    db.session.expire_all()
    assert meeting.invitations_sent_at is None


# --- running it: the timer -----------------------------------------------------------------------


def test_start_meeting_starts_the_first_phases_timer(meeting, lead, clock):  # noqa: ANN001
    services.start_meeting(meeting, actor=lead)
    db.session.commit()
    assert meeting.status == MeetingStatus.RUNNING.value
    assert meeting.current_position == 0
    assert services.timer_running(meeting)
    assert services.remaining_seconds(meeting) == meeting.agenda[0].minutes * 60


def test_remaining_time_counts_down_while_running(meeting, lead, clock):  # noqa: ANN001
    services.start_meeting(meeting, actor=lead)
    db.session.commit()
    full = meeting.agenda[0].minutes * 60
    clock.shift(90)
    assert services.remaining_seconds(meeting) == full - 90


def test_remaining_time_stands_still_while_paused(meeting, lead, clock):  # noqa: ANN001
    services.start_meeting(meeting, actor=lead)
    clock.shift(60)
    services.pause_timer(meeting)
    db.session.commit()
    full = meeting.agenda[0].minutes * 60
    assert not services.timer_running(meeting)
    clock.shift(300)
    assert services.remaining_seconds(meeting) == full - 60
    services.start_timer(meeting)
    db.session.commit()
    clock.shift(40)
    assert services.remaining_seconds(meeting) == full - 100


def test_extend_timer_adds_minutes(running, clock):  # noqa: ANN001
    before = services.remaining_seconds(running)
    services.extend_timer(running, 5)
    db.session.commit()
    assert services.remaining_seconds(running) == before + 300


@pytest.mark.parametrize("minutes", [0, -1, 61])
def test_extend_timer_refuses_nothing_negative_or_more_than_an_hour(running, minutes):  # noqa: ANN001
    seconds = running.timer_seconds
    with pytest.raises(MeetingError):
        services.extend_timer(running, minutes)
    assert running.timer_seconds == seconds


def test_extend_timer_allows_a_whole_hour(running):  # noqa: ANN001
    seconds = running.timer_seconds
    services.extend_timer(running, 60)
    assert running.timer_seconds == seconds + 3600


def test_timer_runs_negative_when_over_time(meeting, lead, clock):  # noqa: ANN001
    services.start_meeting(meeting, actor=lead)
    db.session.commit()
    clock.shift(meeting.agenda[0].minutes * 60 + 75)
    assert services.remaining_seconds(meeting) == -75


# --- running it: phases ------------------------------------------------------------------------


def test_next_and_previous_reset_the_timer_to_the_new_phase(meeting, lead, clock):  # noqa: ANN001
    services.start_meeting(meeting, actor=lead)
    clock.shift(200)
    assert services.go_to(meeting, from_position=0, direction="next") is True
    db.session.commit()
    assert meeting.current_position == 1
    assert meeting.current_item.id == meeting.agenda[1].id
    assert services.remaining_seconds(meeting) == meeting.agenda[1].minutes * 60
    clock.shift(30)
    assert services.go_to(meeting, from_position=1, direction="previous") is True
    db.session.commit()
    assert meeting.current_position == 0
    assert services.remaining_seconds(meeting) == meeting.agenda[0].minutes * 60


def test_there_is_no_phase_before_the_first_or_after_the_last(running):  # noqa: ANN001
    with pytest.raises(MeetingError):
        services.go_to(running, from_position=0, direction="previous")
    last = len(running.agenda) - 1
    for position in range(last):
        assert services.go_to(running, from_position=position, direction="next")
    db.session.commit()
    with pytest.raises(MeetingError):
        services.go_to(running, from_position=last, direction="next")
    assert running.current_position == last


def test_two_facilitators_pressing_next_at_once_move_one_phase(running):  # noqa: ANN001
    version = state_version(running)
    assert services.go_to(running, from_position=0, direction="next") is True
    db.session.commit()
    moved_version = state_version(running)
    assert services.go_to(running, from_position=0, direction="next") is False
    db.session.commit()
    db.session.expire_all()
    assert running.current_position == 1
    assert moved_version > version
    assert state_version(running) == moved_version


def test_phases_only_change_while_the_meeting_runs(meeting, lead):  # noqa: ANN001
    with pytest.raises(MeetingError):
        services.go_to(meeting, from_position=0, direction="next")
    services.start_meeting(meeting, actor=lead)
    services.close_meeting(meeting, actor=lead)
    db.session.commit()
    with pytest.raises(MeetingError):
        services.go_to(meeting, from_position=0, direction="next")


# --- running it: state version, closing, attendance -----------------------------------------------


def test_every_visible_change_raises_the_state_version(meeting, lead, clock):  # noqa: ANN001
    steps = [
        ("start", lambda: services.start_meeting(meeting, actor=lead)),
        ("pause", lambda: services.pause_timer(meeting)),
        ("timer start", lambda: services.start_timer(meeting)),
        ("extend", lambda: services.extend_timer(meeting, 5)),
        ("next", lambda: services.go_to(meeting, from_position=0, direction="next")),
        ("previous", lambda: services.go_to(meeting, from_position=1, direction="previous")),
        ("hide contributions", lambda: services.set_contributions_visible(meeting, False)),
        ("show contributions", lambda: services.set_contributions_visible(meeting, True)),
        ("close", lambda: services.close_meeting(meeting, actor=lead)),
    ]
    for name, step in steps:
        before = state_version(meeting)
        clock.shift(10)
        step()
        db.session.commit()
        assert state_version(meeting) > before, f"{name} did not raise the state version"


def test_saving_notes_leaves_the_state_version_alone(running):  # noqa: ANN001
    before = state_version(running)
    services.save_notes(running.agenda[0], "Alleen voor de gespreksleider.")
    db.session.commit()
    db.session.expire_all()
    assert running.agenda[0].notes == "Alleen voor de gespreksleider."
    assert state_version(running) == before


def test_contributions_visible_toggle_is_kept(running):  # noqa: ANN001
    services.set_contributions_visible(running, False)
    db.session.commit()
    db.session.expire_all()
    assert running.contributions_visible is False


def test_close_meeting_stops_the_timer(meeting, lead, clock):  # noqa: ANN001
    services.start_meeting(meeting, actor=lead)
    clock.shift(100)
    services.close_meeting(meeting, actor=lead)
    db.session.commit()
    left = services.remaining_seconds(meeting)
    assert left == meeting.agenda[0].minutes * 60 - 100
    clock.shift(600)
    assert services.remaining_seconds(meeting) == left
    assert not services.timer_running(meeting)
    assert meeting.status == MeetingStatus.CLOSED.value


def test_a_closed_meeting_does_not_start_again(meeting, lead):  # noqa: ANN001
    services.start_meeting(meeting, actor=lead)
    services.close_meeting(meeting, actor=lead)
    db.session.commit()
    with pytest.raises(MeetingError):
        services.start_meeting(meeting, actor=lead)
    with pytest.raises(MeetingError):
        services.start_timer(meeting)
    assert meeting.status == MeetingStatus.CLOSED.value


def test_attendance_is_set_and_unset(meeting, lead, review, create_user, add_member):  # noqa: ANN001
    pim = create_user("pim@example.org")
    add_member(review, pim)
    assert services.attendance(meeting) == {}
    services.set_attendance(meeting, lead.id, True)
    services.set_attendance(meeting, pim.id, True)
    db.session.commit()
    assert services.attendance(meeting) == {lead.id: True, pim.id: True}
    services.set_attendance(meeting, pim.id, False)
    db.session.commit()
    assert services.attendance(meeting) == {lead.id: True, pim.id: False}

"""The live meeting and reflections through HTTP: polling, autosave, conflicts, deadlines, votes."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from learning.db import db, utcnow
from learning.meetings import services as meetings
from learning.meetings.services import MeetingInput
from learning.reflections import contributions, voting
from learning.reflections import services as reflections
from learning.reflections.models import Reflection
from learning.reviews.access import review_access
from learning.reviews.models import MemberRole
from tests.helpers import text_of

HX = {"HX-Request": "true"}


@pytest.fixture
def running(make_review, lead, create_user, add_member):  # noqa: ANN001, ANN201
    review = make_review()
    participant = create_user("wendy@example.org", name="Wendy Wijkteam")
    observer = create_user("waarnemer@example.org")
    add_member(review, participant, MemberRole.PARTICIPANT.value)
    add_member(review, observer, MemberRole.OBSERVER.value)
    start = utcnow() + timedelta(hours=1)
    meeting = meetings.plan_meeting(review_access(lead, review.id), MeetingInput(
        title="Bijeenkomst", starts_at=start, ends_at=start + timedelta(hours=3)))
    meetings.start_meeting(meeting, actor=lead)
    db.session.commit()
    return review, meeting, participant, observer


def url(review, meeting, tail: str = "") -> str:  # noqa: ANN001
    return f"/reviews/{review.id}/meetings/{meeting.id}{tail}"


def test_unchanged_live_state_is_a_304_without_rendering(login, running, count_queries):
    review, meeting, participant, _ = running
    client = login(participant)
    first = client.get(url(review, meeting, "/live/state"))
    assert first.status_code == 200 and "Fase 1 van 8" in text_of(first)
    etag = first.headers["ETag"]
    with count_queries() as counter:
        again = client.get(url(review, meeting, "/live/state"), headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    assert counter.count <= 6, counter.statements  # person, roles, review+membership, meeting id, state version
    assert "no-store" in again.headers["Cache-Control"]


def test_a_phase_change_changes_the_etag_and_the_state(login, running, lead):
    review, meeting, participant, _ = running
    client = login(participant)
    etag = client.get(url(review, meeting, "/live/state")).headers["ETag"]
    login(lead).post(url(review, meeting, "/phase"), data={"direction": "next", "from_position": "0"}, headers=HX)
    changed = client.get(url(review, meeting, "/live/state"), headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag and "Fase 2 van 8" in text_of(changed)


def test_two_facilitators_pressing_next_move_one_phase(login, running, lead, create_user, add_member):
    review, meeting, _, _ = running
    co = create_user("co@example.org", roles=("reviewer",))
    add_member(review, co, MemberRole.CO_REVIEWER.value)
    for client in (login(lead), login(co)):
        client.post(url(review, meeting, "/phase"), data={"direction": "next", "from_position": "0"}, headers=HX)
    db.session.refresh(meeting)
    assert meeting.current_position == 1


def test_facilitator_actions_answer_htmx_with_204_and_a_trigger(login, running, lead):
    review, meeting, _, _ = running
    response = login(lead).post(url(review, meeting, "/timer/pause"), headers=HX)
    assert response.status_code == 204 and response.headers["HX-Trigger"] == "meeting-changed"
    refused = login(lead).post(url(review, meeting, "/timer/extend"), data={"minutes": "90"}, headers=HX)
    assert refused.status_code == 422 and "1 tot 60" in refused.get_data(as_text=True)


def test_contribution_to_a_closed_phase_keeps_the_text(login, running, lead):
    review, meeting, participant, _ = running
    first_item = meeting.agenda[0].id
    login(lead).post(url(review, meeting, "/phase"), data={"direction": "next", "from_position": "0"}, headers=HX)
    response = login(participant).post(url(review, meeting, "/contributions"), headers=HX,
                                       data={"agenda_item_id": first_item, "text": "Te laat bedacht"})
    assert response.status_code == 422
    assert "al gesloten" in text_of(response) and "Te laat bedacht" in response.get_data(as_text=True)


def test_anonymous_contribution_waits_for_the_facilitator(login, running, lead):
    review, meeting, participant, _ = running
    login(participant).post(url(review, meeting, "/contributions"),
                            data={"agenda_item_id": meeting.agenda[0].id, "text": "Anoniem punt", "anonymous": "yes"})
    assert "Anoniem punt" not in text_of(login(participant).get(url(review, meeting, "/live/state")))
    console = text_of(login(lead).get(url(review, meeting, "/console")))
    assert "Anoniem punt" in console and "wacht op jou" in console
    contribution_id = db.session.scalar(sa.select(sa.text("id FROM contributions")))
    login(lead).post(url(review, meeting, f"/contributions/{contribution_id}/visible"))
    assert "Anoniem punt" in text_of(login(participant).get(url(review, meeting, "/live/state")))


def test_voting_once_privately_then_results(login, running, lead):
    review, meeting, participant, observer = running
    access = review_access(participant, review.id)
    for text in ("Eerste punt", "Tweede punt"):
        contributions.contribute(access, meeting, agenda_item_id=meeting.agenda[0].id, text=text, anonymous=False)
    db.session.commit()
    login(lead).post(url(review, meeting, "/votes"), data={"title": "Wat telt?", "dots_per_person": "3",
                                                           "allow_stacking": "yes", "scope": "phase"})
    vote = voting.open_vote_of(meeting)
    ballot_url = url(review, meeting, f"/votes/{vote.id}")
    option = {o.label: o.id for o in vote.options}
    client = login(participant)
    too_many = client.post(ballot_url, data={f"option-{option['Eerste punt']}": "4"})
    assert too_many.status_code == 422 and "3 stippen" in text_of(too_many)
    assert client.post(ballot_url, data={f"option-{option['Eerste punt']}": "2",
                                         f"option-{option['Tweede punt']}": "1"}).status_code == 302
    twice = client.post(ballot_url, data={f"option-{option['Tweede punt']}": "1"})
    assert "al gestemd" in text_of(twice)
    assert login(observer).post(ballot_url, data={f"option-{option['Tweede punt']}": "1"}).status_code == 403
    assert "Uitslag" not in text_of(login(lead).get(ballot_url))
    login(lead).post(url(review, meeting, f"/votes/{vote.id}/close"))
    results = text_of(login(observer).get(ballot_url))
    assert "Eerste punt — 2 stippen" in results and "1 persoon stemde" in results


@pytest.fixture
def reflection_round(running, lead):  # noqa: ANN001, ANN201
    review, _, _, _ = running
    reflection_round = reflections.open_round(review_access(lead, review.id), title="Vooraf", moment="before",
                                              deadline=utcnow() + timedelta(days=2),
                                              phase_ids=[review.phases[0].id])
    db.session.commit()
    return reflection_round


def test_autosave_returns_the_time_and_the_new_version(login, running, reflection_round):
    review, _, participant, _ = running
    key = reflection_round.prompts[0]["key"]
    response = login(participant).post(f"/reviews/{review.id}/reflections/{reflection_round.id}/autosave",
                                       headers=HX, data={f"answer-{key}": "Eerste gedachte", "version": "0"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Opgeslagen om" in html
    assert 'id="reflection-version"' in html and 'hx-swap-oob="true"' in html
    assert db.session.scalar(sa.select(Reflection.answers))[key] == "Eerste gedachte"


def test_a_second_tab_gets_a_conflict_with_both_texts(login, running, reflection_round):
    review, _, participant, _ = running
    key = reflection_round.prompts[0]["key"]
    path = f"/reviews/{review.id}/reflections/{reflection_round.id}/autosave"
    first, second = login(participant), login(participant)
    first.post(path, headers=HX, data={f"answer-{key}": "Tekst uit venster A", "version": "0"})
    first.post(path, headers=HX, data={f"answer-{key}": "Tekst uit venster A, langer", "version": "1"})
    conflict = second.post(path, headers=HX, data={f"answer-{key}": "Tekst uit venster B", "version": "1"})
    assert conflict.status_code == 409 and conflict.headers["HX-Retarget"] == "#conflict-area"
    assert "Tekst uit venster A, langer" in text_of(conflict)
    assert db.session.scalar(sa.select(Reflection.answers))[key] == "Tekst uit venster A, langer"


def test_writing_after_the_deadline_is_refused_with_the_text_kept(login, running, reflection_round):
    review, _, participant, _ = running
    key = reflection_round.prompts[0]["key"]
    with time_machine.travel(utcnow() + timedelta(days=3)):
        response = login(participant).post(f"/reviews/{review.id}/reflections/{reflection_round.id}/submit",
                                           data={f"answer-{key}": "Te laat", "visibility": "group", "version": "0"})
    assert response.status_code == 422 and "deadline" in text_of(response)
    assert "Te laat" in response.get_data(as_text=True)


def test_submit_with_personal_data_asks_for_confirmation(login, running, reflection_round):
    review, _, participant, _ = running
    key = reflection_round.prompts[0]["key"]
    path = f"/reviews/{review.id}/reflections/{reflection_round.id}/submit"
    data = {f"answer-{key}": "Ik sprak mevrouw Jansen.", "visibility": "group", "version": "0"}
    warned = login(participant).post(path, data=data)
    assert warned.status_code == 422 and "persoonsgegevens" in text_of(warned)
    token = warned.get_data(as_text=True).split('name="confirm_pseudonym" value="')[1].split('"')[0]
    assert login(participant).post(path, data={**data, "confirm_pseudonym": token}).status_code == 302
    assert db.session.scalar(sa.select(Reflection.visibility)) == "group"


def test_expired_csrf_on_autosave_tells_the_page_to_refresh_the_token(login, running, reflection_round):
    review, _, participant, _ = running
    client = login(participant)
    response = client.post(f"/reviews/{review.id}/reflections/{reflection_round.id}/autosave",
                           headers=HX, data={"csrf_token": None, "version": "0"})
    assert response.status_code == 400 and response.headers["X-CSRF-Expired"] == "1"
    token = client.get("/csrf-token")
    assert token.status_code == 200 and token.headers["Cache-Control"] == "no-store" and len(token.data) > 20
    fresh = client.post(f"/reviews/{review.id}/reflections/{reflection_round.id}/autosave",
                        headers={**HX, "X-CSRFToken": token.get_data(as_text=True)},
                        data={"csrf_token": None, "version": "0"})
    assert fresh.status_code == 200


def test_meeting_invitations_carry_the_meeting_as_ics(login, running, lead, outbox):
    review, meeting, participant, _ = running
    login(lead).post(url(review, meeting, "/invitations"))
    [message] = outbox.to(participant.email)
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert "BEGIN:VEVENT" in attachment.get_content()
    assert f"/reviews/{review.id}/meetings/{meeting.id}/live" in outbox.text(message)


def test_plan_meeting_in_the_past_keeps_the_form(login, make_review, lead):
    review = make_review()
    response = login(lead).post(f"/reviews/{review.id}/meetings", data={
        "title": "Terugblik", "starts_at": "2020-01-01T10:00", "ends_at": "2020-01-01T12:00"})
    assert "in het verleden" in text_of(response) and 'value="Terugblik"' in response.get_data(as_text=True)


def test_dashboard_lists_rounds_waiting_for_me_until_i_submit(login, running, reflection_round):
    review, _, participant, observer = running
    client = login(participant)
    assert "Reflectie schrijven: Vooraf" in text_of(client.get("/dashboard"))
    assert "Reflectie schrijven" not in text_of(login(observer).get("/dashboard"))
    key = reflection_round.prompts[0]["key"]
    client.post(f"/reviews/{review.id}/reflections/{reflection_round.id}/submit",
                data={f"answer-{key}": "Klaar", "visibility": "group", "version": "0"})
    assert "Reflectie schrijven" not in text_of(client.get("/dashboard"))

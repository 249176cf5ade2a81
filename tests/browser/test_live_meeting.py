"""Two people in a live meeting, and a reflection that survives a dropped connection."""

import re
from datetime import timedelta

import sqlalchemy as sa
from playwright.sync_api import expect

from learning.auth.services import find_user_by_email
from learning.db import db, utcnow
from learning.demo.data import DEMO_PASSWORD
from learning.demo.reviews import TITLE as DEMO_CASE_TITLE
from learning.meetings import services as meetings
from learning.meetings.services import MeetingInput
from learning.reflections import services as reflections
from learning.reflections.models import Reflection
from learning.reviews.access import review_access
from learning.reviews.models import Review
from tests.browser.conftest import serious_accessibility_violations, sign_in


def demo_review(runner) -> Review:  # noqa: ANN001
    runner.invoke(args=["demo", "load"])
    return db.session.scalar(sa.select(Review).where(Review.title == DEMO_CASE_TITLE))


def sign_in_participant(page, base: str) -> None:  # noqa: ANN001
    page.goto(f"{base}/login")
    page.get_by_label("E-mailadres").fill("wijkteam@example.org")
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page).to_have_url(f"{base}/dashboard")


def test_participant_sees_the_next_phase_within_two_seconds(live_server, runner, browser, page):
    review = demo_review(runner)
    lead = find_user_by_email("reviewer@example.org")
    start = utcnow() + timedelta(hours=1)
    meeting = meetings.plan_meeting(review_access(lead, review.id), MeetingInput(
        title="Eerste bijeenkomst", starts_at=start, ends_at=start + timedelta(hours=3)))
    db.session.commit()
    base = f"{live_server}/reviews/{review.id}/meetings/{meeting.id}"

    sign_in(page, live_server, runner, "reviewer@example.org")
    page.goto(f"{base}/console")
    participant = browser.new_context(bypass_csp=True, locale="nl-NL").new_page()
    sign_in_participant(participant, live_server)
    participant.goto(f"{base}/live")
    expect(participant.get_by_text("De bijeenkomst is nog niet begonnen")).to_be_visible()

    page.get_by_role("button", name="Bijeenkomst starten").click()
    expect(participant.get_by_text("Fase 1 van 8")).to_be_visible(timeout=2000)
    page.get_by_role("button", name="Volgende fase").click()
    expect(participant.get_by_text("Fase 2 van 8")).to_be_visible(timeout=2000)
    expect(participant.get_by_role("timer")).to_have_text(re.compile(r"^\s*\d+:\d\d\s*$"))
    assert serious_accessibility_violations(participant) == []

    participant.get_by_label("Jouw inbreng bij deze fase").fill("De overdracht per e-mail werkte niet.")
    participant.get_by_role("button", name="Versturen").click()
    expect(participant.get_by_text("Je inbreng is verstuurd")).to_be_visible()
    expect(page.locator("#console-state")).to_contain_text("De overdracht per e-mail werkte niet.", timeout=3000)
    expect(participant.locator("#live-state")).to_contain_text("De overdracht per e-mail werkte niet.", timeout=2000)
    participant.context.close()


def test_reflection_typed_offline_is_saved_when_the_connection_returns(live_server, runner, page):
    review = demo_review(runner)
    lead = find_user_by_email("reviewer@example.org")
    reflection_round = reflections.open_round(
        review_access(lead, review.id), title="Vooraf", moment="before", deadline=utcnow() + timedelta(days=2),
        phase_ids=[review.phases[2].id])
    db.session.commit()
    sign_in_participant(page, live_server)
    page.goto(f"{live_server}/reviews/{review.id}/reflections/{reflection_round.id}")
    assert serious_accessibility_violations(page) == []

    page.route(re.compile(r".*/autosave$"), lambda route: route.abort())
    answer = page.locator("textarea.lmi-autosave").first
    answer.fill("Wat mij bijbleef: niemand had het hele plaatje.")
    answer.press("Tab")
    expect(page.locator("#save-status")).to_contain_text("Niet opgeslagen", timeout=5000)
    assert answer.input_value() == "Wat mij bijbleef: niemand had het hele plaatje."

    page.unroute(re.compile(r".*/autosave$"))
    expect(page.locator("#save-status")).to_contain_text("Opgeslagen om", timeout=15000)
    db.session.rollback()
    saved = db.session.scalar(sa.select(Reflection).where(Reflection.round_id == reflection_round.id))
    assert [text for text in saved.answers.values() if text] == ["Wat mij bijbleef: niemand had het hele plaatje."]
    assert saved.published_answers is None  # saved, not shared

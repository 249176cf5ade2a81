"""A Meet-Up: a respondent answers with an event code, the reviewer highlights and publishes, readers read."""

from __future__ import annotations

import re
from datetime import date

import sqlalchemy as sa
from playwright.sync_api import expect

from learning.admin.models import Region
from learning.auth.services import find_user_by_email
from learning.db import db
from learning.reflections import vragenronde
from learning.reflections.models import Answer, Anthology
from learning.reviews import services
from learning.reviews.models import Method
from tests.browser.conftest import serious_accessibility_violations, sign_in


def named(label: str, hidden: str) -> re.Pattern:
    """A button's name: its visible label, then the visually hidden part that tells it apart."""
    return re.compile(rf"^{re.escape(label)}\s*: {re.escape(hidden)}$")


QUESTIONS = ("Welke eerste stappen zet jij?", "Welke ondersteuning wil je?", "Wat is het meest ingewikkeld?",
             "Wat zou jou helpen?")


def meet_up(runner):  # noqa: ANN001, ANN201
    runner.invoke(args=["demo", "load"])
    lead = find_user_by_email("reviewer@example.org")
    method = db.session.scalar(sa.select(Method).where(Method.builtin_key == "vragenronde", Method.language == "nl"))
    region = db.session.scalar(sa.select(Region).where(Region.name == "Regio Midden"))
    review = services.create_review(services.ReviewInput(
        kind="vragenronde", title="Meet-Up: samen sterker in de wijk", learning_question="Wat helpt jou?",
        region_id=region.id), method=method, actor=lead, today=date.today())
    for text in QUESTIONS:
        vragenronde.add_question(review, text, actor=lead)
    code = vragenronde.create_event_code(review, hours=8, actor=lead)
    db.session.commit()
    return review, code.code


def answer_id(review) -> int:  # noqa: ANN001
    db.session.rollback()
    return db.session.scalar(sa.select(Answer.id).where(Answer.review_id == review.id).order_by(Answer.id))


def test_a_respondent_answers_and_the_reviewer_publishes_a_bloemlezing(live_server, runner, browser, page):
    review, code = meet_up(runner)

    respondent = browser.new_context(bypass_csp=True, locale="nl-NL").new_page()
    respondent.goto(f"{live_server}/v")
    assert serious_accessibility_violations(respondent) == []
    respondent.get_by_label("Deelnamecode").fill("zzzz zzzz")
    respondent.get_by_role("button", name="Naar de vragen").click()
    expect(respondent.locator("#code-error")).to_contain_text("Deze deelnamecode kennen we niet")
    expect(respondent.get_by_label("Deelnamecode")).to_have_value("zzzz zzzz")
    assert serious_accessibility_violations(respondent) == []
    respondent.get_by_label("Deelnamecode").fill(code.lower())
    respondent.get_by_role("button", name="Naar de vragen").click()
    expect(respondent).to_have_url(f"{live_server}/v/{code}")
    expect(respondent.get_by_role("heading", level=1)).to_have_text("Meet-Up: samen sterker in de wijk")
    assert serious_accessibility_violations(respondent) == []
    respondent.get_by_label(f"1. {QUESTIONS[0]}").fill("Eerst het gezin zelf laten vertellen wat er speelt.")
    respondent.get_by_label(f"4. {QUESTIONS[3]}").fill("Een vast aanspreekpunt bij Veilig Thuis.")
    respondent.get_by_role("button", name="Antwoorden versturen").click()
    expect(respondent.get_by_role("heading", level=1)).to_have_text("Dank je wel")
    assert serious_accessibility_violations(respondent) == []

    sign_in(page, live_server, runner, "reviewer@example.org")
    page.goto(f"{live_server}/reviews/{review.id}/vragenronde/answers")
    first = page.locator("section", has=page.get_by_role("heading", name=re.compile("^Vraag 1:")))
    expect(first).to_contain_text("1 antwoord · 0 in het oog springend")
    assert serious_accessibility_violations(page) == []
    first.get_by_role("button", name=named("Markeren als in het oog springend", "antwoord 1")).click()  # htmx
    expect(first).to_contain_text("1 antwoord · 1 in het oog springend")
    expect(page.locator(f"#highlight-{answer_id(review)}")).to_be_focused()  # the same button, now to undo
    expect(first.get_by_role("button", name=named("Markering weghalen", "antwoord 1"))).to_be_visible()
    first.locator("summary", has_text="Licht aanpassen").click()
    first.get_by_label("Tekst in de bloemlezing").fill("Eerst het gezin zelf laten vertellen wat er speelt!")
    first.get_by_role("button", name="Aanpassing opslaan").click()
    expect(first).to_contain_text("origineel: Eerst het gezin zelf laten vertellen wat er speelt.")
    assert serious_accessibility_violations(page) == []

    page.get_by_role("link", name="Bloemlezing samenstellen").click()
    page.get_by_label("Inleiding", exact=True).fill("Dit gaf de zaal ons mee.")
    page.get_by_role("button", name="Inleiding opslaan").click()
    page.get_by_label("Openbaar, voor iedereen met de link").check()
    page.get_by_role("button", name="Publiceren").click()
    expect(page.get_by_role("status").first).to_contain_text("openbaar gepubliceerd")
    expect(page.get_by_role("link", name="Download de bloemlezing als PDF")).to_be_visible()
    assert serious_accessibility_violations(page) == []
    token = db.session.scalar(sa.select(Anthology.public_token).where(Anthology.review_id == review.id))

    page.get_by_role("link", name="Bekijk de bloemlezing").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Meet-Up: samen sterker in de wijk")
    expect(page.locator("blockquote")).to_have_text(["Eerst het gezin zelf laten vertellen wat er speelt!"])
    assert serious_accessibility_violations(page) == []

    respondent.goto(f"{live_server}/bloemlezing/{token}")
    expect(respondent.get_by_role("heading", level=2).first).to_have_text(f"1. {QUESTIONS[0]}")
    expect(respondent.locator("blockquote")).to_have_text(["Eerst het gezin zelf laten vertellen wat er speelt!"])
    expect(respondent.get_by_text("Een vast aanspreekpunt")).to_have_count(0)
    assert serious_accessibility_violations(respondent) == []
    with respondent.expect_download() as download:
        respondent.get_by_role("link", name="Download de bloemlezing als PDF").click()
    assert download.value.suggested_filename == "bloemlezing.pdf"
    respondent.context.close()


def test_the_reviewers_pages_pass_axe(live_server, runner, page):
    review, _code = meet_up(runner)
    sign_in(page, live_server, runner, "reviewer@example.org")
    for path in ("vragenronde", "vragenronde/codes", "vragenronde/import", "vragenronde/answer"):
        page.goto(f"{live_server}/reviews/{review.id}/{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert serious_accessibility_violations(page) == [], path
    page.goto(f"{live_server}/reviews/{review.id}/vragenronde")
    moved = vragenronde.questions(review)[0]
    page.get_by_role("button", name=named("Omlaag", "vraag 1")).click()  # htmx swaps the list; focus stays put
    expect(page.locator("#question-list li").first).to_contain_text(QUESTIONS[1])
    expect(page.locator(f"#move-down-question-{moved.id}")).to_be_focused()
    expect(page.locator(f"#move-down-question-{moved.id}")).to_contain_text("vraag 2")

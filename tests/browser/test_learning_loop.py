"""From what was said to what the system must change: a contribution becomes a lesson with evidence, the
lesson a finding with questions for the board, and an anonymised copy reaches another region's library."""

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import serious_accessibility_violations, sign_in

CONTRIBUTION = "Samenwerken in crisis vraagt één gezamenlijk draaiboek."


def open_review(page: Page, title_start: str) -> None:
    page.get_by_role("link", name="Overzicht", exact=True).first.click()
    page.get_by_role("link", name=re.compile(title_start)).first.click()


def test_a_contribution_becomes_a_finding_and_a_library_lesson(live_server, runner, page, browser):
    runner.invoke(args=["demo", "load"])
    sign_in(page, live_server, runner, "reviewer@example.org")
    open_review(page, "Gezin C")
    page.get_by_role("link", name="Bijeenkomsten").click()
    page.get_by_role("link", name="Leiden (facilitator)").click()
    page.get_by_role("button", name=re.compile(rf"^Leerpunt maken\s*: {CONTRIBUTION[:30]}")).click()

    # The lesson starts from the contribution's words; the reviewer sharpens it and sets a level.
    text = page.get_by_label("Leerpunt", exact=True)
    expect(text).to_have_value(re.compile("gezamenlijk draaiboek"))
    text.fill("Organisaties in de keten hebben geen gezamenlijk draaiboek voor samenwerking bij een crisis.")
    page.get_by_label("Niveau").select_option(label="keten")
    page.get_by_label("Thema 1", exact=True).fill("crisis")
    page.get_by_role("button", name="Opslaan").click()

    page.get_by_role("link", name="Bewijs kiezen").click()
    page.get_by_label(re.compile("In het weekend is ons wijkteam")).check()
    page.get_by_label(re.compile("We hebben wel samengewerkt")).check()
    page.get_by_label(re.compile("Crisisplaatsing op zaterdag")).check()
    page.get_by_role("button", name="Bewijs opslaan").click()
    evidence = page.locator("section", has=page.get_by_role("heading", name="Waarop dit leerpunt rust"))
    for shown in ("In het weekend is ons wijkteam", "We hebben wel samengewerkt", "Crisisplaatsing op zaterdag",
                  "gezamenlijk draaiboek"):
        expect(evidence).to_contain_text(shown)
    page.get_by_role("button", name=re.compile("^Vaststellen")).click()
    expect(page.get_by_text("Vastgesteld", exact=True).first).to_be_visible()
    lesson_url = page.url

    # Promote to a finding with two questions for the board.
    page.get_by_role("link", name="Bevinding maken van dit leerpunt").click()
    page.get_by_label("Titel", exact=True).fill("Geen gezamenlijk draaiboek bij crises")
    page.get_by_label("Soort bevinding").select_option(label="samenwerking in de keten bij crisis")
    page.get_by_label("Waarom dit ertoe doet voor kinderen en gezinnen").fill(
        "Kinderen en ouders krijgen in een crisis tegenstrijdige berichten van verschillende organisaties.")
    assert serious_accessibility_violations(page) == []
    page.get_by_role("button", name="Bevinding vastleggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Geen gezamenlijk draaiboek bij crises")
    questions = page.locator("#board-questions")
    add_form = questions.locator("form", has=page.get_by_role("button", name="Vraag toevoegen"))
    for question in ("Wie stelt het gezamenlijke crisisdraaiboek vast?",
                     "Welke middelen maakt u vrij voor een gezamenlijke oefening?"):
        add_form.get_by_label("Vraag aan bestuurders").fill(question)
        add_form.get_by_role("button", name="Vraag toevoegen").click()
        expect(questions.locator("p.lmi-highlighted", has_text=question)).to_be_visible()
    expect(questions.locator("li.lmi-phase")).to_have_count(2)
    # The evidence summary is computed from the links: one review, one region, the one linked episode.
    for key, value in (("Reviews", "1"), ("Regio's", "1"), ("Sleutelmomenten", "1")):
        item = page.locator(".utrecht-data-list__item", has=page.locator("dt", has_text=re.compile(f"^{key}$")))
        expect(item.locator("dd")).to_have_text(value)
    assert serious_accessibility_violations(page) == []

    page.goto(f"{live_server}/themes")
    expect(page.get_by_role("table")).to_be_visible()
    assert serious_accessibility_violations(page) == []

    page.goto(lesson_url)
    publish_to_library_and_find_from_another_region(page, live_server, runner, browser)


def publish_to_library_and_find_from_another_region(page: Page, live_server, runner, browser) -> None:  # noqa: ANN001
    page.get_by_role("link", name="Publiceren in bibliotheek").click()
    expect(page.get_by_label("Tekst", exact=True)).to_have_value(re.compile("gezamenlijk draaiboek"))
    page.get_by_label("Titel", exact=True).fill("Een gezamenlijk draaiboek voor crises")
    page.get_by_role("button", name="Voorbeeld bekijken").click()
    preview = page.locator("main")
    expect(preview).to_contain_text("Een gezamenlijk draaiboek voor crises")
    expect(preview).not_to_contain_text("Gezin C")  # the review's title never travels
    page.get_by_role("button", name="Publiceren in bibliotheek").click()
    expect(page.get_by_text(re.compile("In de bibliotheek sinds"))).to_be_visible()

    # A reviewer from another region finds it with another form of the word ("samengewerkt").
    context = browser.new_context(bypass_csp=True, locale="nl-NL")
    try:
        other = context.new_page()
        other.set_default_timeout(10_000)
        sign_in(other, live_server, runner, "reviewer.oost@example.org")
        other.get_by_role("link", name="Bibliotheek").first.click()
        other.get_by_label("Zoekwoorden").fill("samengewerkt")
        other.get_by_role("button", name="Zoeken").click()
        results = other.locator("main")
        expect(results).to_contain_text("Een gezamenlijk draaiboek voor crises")
        expect(results).not_to_contain_text("Ria Reviewer")
        assert serious_accessibility_violations(other) == []
    finally:
        context.close()

"""A reviewer prepares a casusreview in one sitting; an invited participant joins through the link."""

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import serious_accessibility_violations, sign_in
from tests.helpers import link_in

SUMMARY_WITH_DATA = "Moeder en Fatima (11) wonen samen. BSN van moeder: 111222333. Het wijkteam kende het gezin."
SUMMARY_FIXED = "Moeder en dochter (11) wonen samen. Het wijkteam kende het gezin."


def add_episode(page: Page, title: str, day: str) -> None:
    section = page.locator("section", has=page.get_by_role("heading", name="Gezamenlijke tijdlijn"))
    section.get_by_text("Sleutelmoment toevoegen aan de gezamenlijke tijdlijn").click()
    form = section.locator("form.lmi-episode-form").last
    form.get_by_label("Titel").fill(title)
    form.get_by_label("Datum").fill(day)
    form.get_by_label("Veilig Thuis").check()
    form.get_by_role("button", name="Toevoegen").click()
    expect(page.locator("#timeline-sections")).to_contain_text(title)


def test_reviewer_prepares_a_review_and_a_participant_joins(live_server, runner, page, browser, outbox):
    runner.invoke(args=["demo", "load"])
    # The demo loop's own e-mails (a brief issued and answered) are in the outbox already.
    from_demo = {message["Message-ID"] for message in outbox.messages()}
    sign_in(page, live_server, runner, "reviewer@example.org")
    page.get_by_role("link", name="Nieuwe review").click()
    page.get_by_label("Soort", exact=True).select_option("casusreview")
    page.get_by_label("Titel", exact=True).fill("Gezin B: signalen op school")
    page.get_by_label("Leervraag").fill("Hoe delen school en wijkteam zorgen op tijd?")
    page.get_by_label("Regio", exact=True).select_option(label="Regio Midden")
    page.get_by_label("Methode", exact=True).select_option(label="Leren met impact — casusreview (Casusreview)")
    page.get_by_label("Casusbeschrijving (gepseudonimiseerd)").fill(SUMMARY_WITH_DATA)
    page.get_by_role("button", name="Review aanmaken").click()

    warning = page.get_by_role("alert").filter(has_text="persoonsgegevens")
    expect(warning).to_be_visible()
    expect(warning.locator("mark", has_text="111222333").first).to_be_visible()
    expect(warning.locator("mark", has_text="Fatima").first).to_be_visible()
    assert serious_accessibility_violations(page) == []
    page.get_by_label("Casusbeschrijving (gepseudonimiseerd)").fill(SUMMARY_FIXED)
    page.get_by_role("button", name="Review aanmaken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gezin B: signalen op school")
    review_url = page.url
    assert serious_accessibility_violations(page) == []

    page.get_by_role("link", name="Tijdlijn").click()
    for title, day in (("Zorgen van de mentor", "2025-01-15"), ("Gesprek met moeder", "2025-02-03"),
                       ("Melding bij Veilig Thuis", "2025-03-10")):
        add_episode(page, title, day)
    expect(page.locator("#timeline-sections .lmi-episode")).to_have_count(3)
    assert serious_accessibility_violations(page) == []

    page.get_by_role("link", name="Deelnemers").click()
    for email in ("wijkteam@example.org", "nieuwe.collega@example.org"):
        page.get_by_label("E-mailadres").fill(email)
        page.get_by_label("Rol in deze review").select_option("participant")
        page.get_by_role("button", name="Uitnodiging versturen").click()
        expect(page.get_by_role("status")).to_contain_text(f"Uitnodiging verstuurd naar {email}")
    assert serious_accessibility_violations(page) == []
    assert sorted(message["To"] for message in outbox.messages() if message["Message-ID"] not in from_demo) == [
        "nieuwe.collega@example.org", "wijkteam@example.org"]

    link = link_in(outbox.text(outbox.to("nieuwe.collega@example.org")[0]), live_server)
    newcomer = browser.new_context(bypass_csp=True, locale="nl-NL").new_page()
    newcomer.goto(link)
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Uitnodiging voor een review")
    assert serious_accessibility_violations(newcomer) == []
    newcomer.get_by_label("Nieuw wachtwoord", exact=True).fill("een zin die ik onthoud")
    newcomer.get_by_label("Herhaal het nieuwe wachtwoord").fill("een zin die ik onthoud")
    newcomer.get_by_role("button", name="Uitnodiging aannemen").click()
    expect(newcomer).to_have_url(review_url)
    expect(newcomer.get_by_role("heading", level=1)).to_have_text("Gezin B: signalen op school")
    expect(newcomer.get_by_text(re.compile("jouw rol: Deelnemer"))).to_be_visible()
    newcomer.context.close()

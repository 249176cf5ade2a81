"""The whole loop from finding to terugkoppeling, in a real browser.

A lead reviewer writes a brief for a board and tries to issue it before a second reviewer approved it;
the co-reviewer approves in a browser of her own, the lead issues version 1 and downloads its PDF. The
policy owner signs in with TOTP, answers the finding in the portal ("deels overgenomen", first without
the required reasoning) and adds an action; a participant of the source review then reads the board's
answer on the terugkoppeling page and has an e-mail about it. axe-core checks the brief preview, the
portal and the terugkoppeling page.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pypdf
import pytest
import redis
from playwright.sync_api import Page, expect
from rq import SimpleWorker

from learning.briefs import services as brief_services
from learning.db import db, utcnow
from learning.findings import services as finding_services
from learning.jobs import queue
from learning.reviews.models import MemberRole, Review
from tests.browser.conftest import serious_accessibility_violations, sign_in_as
from tests.conftest import DEFAULT_PASSWORD
from tests.findings import conftest as findings_conftest
from tests.findings.conftest import make_finding, make_lesson  # noqa: F401  (fixtures, used by `world`)

FINDING = "Regie valt weg bij crisis"
QUESTIONS = ("Wie heeft bij u de regie als het thuis spannend wordt?",
             "Hoe weet iedereen in de keten wie dat is?")
BRIEF = "Regie bij crisis in de keten"
REASONING = "We beleggen de regie bij het wijkteam, maar een crisisdienst buiten kantoortijd is nog niet haalbaar."
ACTION = "Het wijkteam krijgt de regie bij crisis, vastgelegd in het convenant"
PDF_TIMEOUT = 30_000  # ms: rendering runs inline after the issue's commit, or a poll or two later


def flashes(page: Page):  # noqa: ANN201
    """The page's messages after an action (a polite live region; the brief page has a second one for its PDFs)."""
    return page.locator(".lmi-flashes")


@pytest.fixture
def world(request, create_user, region, lead, make_review, add_member) -> dict:  # noqa: ANN001
    """A review led by ``lead`` with a co-reviewer and a participant; one agreed finding on a keten and a stelsel
    lesson, with two board questions, addressed to the gemeente whose policy owner has TOTP."""
    new_lesson, new_finding = request.getfixturevalue("make_lesson"), request.getfixturevalue("make_finding")
    gemeente = findings_conftest.organisation("Gemeente Midden", "gemeente", region)
    owner = create_user("bea@example.org", name="Bea Bestuurder", roles=("policy_owner",),
                        organisation_id=gemeente.id)
    co = create_user("cor@example.org", name="Cor Coreviewer", roles=("reviewer",))
    participant = create_user("piet@example.org", name="Piet Deelnemer")
    review = make_review(title="Gezin C, crisis na verhuizing")
    add_member(review, co, MemberRole.CO_REVIEWER.value)
    add_member(review, participant, MemberRole.PARTICIPANT.value)
    lessons = [new_lesson(review, "keten"), new_lesson(review, "stelsel")]
    finding = new_finding(lead, lessons, questions=QUESTIONS, title=FINDING,
                          pattern="Bij een crisis weet niemand in de keten wie de regie heeft.",
                          why_it_matters="Kinderen blijven dan te lang in een onveilige situatie.",
                          organisation_ids=[gemeente.id], policy_owner_ids=[owner.id])
    finding_services.change_status(finding, "agreed", actor=lead, expected_version=finding.version)
    db.session.commit()
    assert owner.mfa_enabled and lead.mfa_enabled and co.mfa_enabled and not participant.mfa_enabled
    return {"gemeente": gemeente, "owner": owner, "co": co, "participant": participant, "review": review,
            "finding": finding}


def test_a_brief_goes_to_the_board_and_its_answer_back_to_the_review(live_server, page, new_page, outbox, lead,
                                                                     world):  # noqa: ANN001
    today = utcnow().date()
    brief_url = write_the_brief(page, live_server, lead, today)

    # The co-reviewer of the source review approves, in a browser of her own.
    co_page = new_page()
    sign_in_as(co_page, live_server, world["co"], DEFAULT_PASSWORD)
    co_page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Notities").click()
    co_page.get_by_role("link", name=BRIEF).click()
    approval = co_page.locator("#approval")
    approval.get_by_role("button", name="Goedkeuren").click()
    expect(flashes(co_page)).to_contain_text("Je hebt de notitie goedgekeurd")
    expect(co_page.locator("#approval")).to_contain_text("Goedgekeurd door Cor Coreviewer")
    # Who approves does not issue (four eyes).
    expect(co_page.locator("#issue")).to_contain_text("Je hebt deze inhoud zelf goedgekeurd")
    expect(co_page.get_by_role("button", name="Versie 1 uitgeven")).to_have_count(0)

    issue_and_download(page, brief_url)
    assert [message["To"] for message in outbox.messages()] == ["bea@example.org"]  # the delivery to the board

    answer_in_the_portal(new_page(), live_server, world["owner"], today)

    read_the_terugkoppeling(new_page(), live_server, world, outbox)


def write_the_brief(page: Page, base: str, lead, today) -> str:  # noqa: ANN001
    """The lead writes the brief, checks the preview and cannot issue without approval; returns the brief's URL."""
    sign_in_as(page, base, lead, DEFAULT_PASSWORD)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Notities").click()
    page.get_by_role("link", name="Nieuwe notitie").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nieuwe notitie")
    page.get_by_label("Titel", exact=True).fill(BRIEF)
    page.get_by_label("Inleiding", exact=True).fill("In de review van gezin C kwam een patroon naar boven dat "
                                                      "we aan u voorleggen.")
    page.get_by_label("Reageren vóór").fill((today + timedelta(weeks=6)).isoformat())
    page.get_by_label(FINDING, exact=True).check()
    page.get_by_label("Bea Bestuurder — Gemeente Midden", exact=True).check()
    page.get_by_role("button", name="Notitie opslaan").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(BRIEF)
    expect(flashes(page)).to_contain_text("De notitie is opgeslagen als concept")
    brief_url = page.url
    expect(page.locator("#findings")).to_contain_text(FINDING)

    # The preview shows what the gemeente's PDF will hold.
    page.get_by_role("link", name="Voorbeeld per organisatie").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Voorbeeld van de notitie")
    preview = page.locator(".lmi-brief-preview")
    for text in (BRIEF, FINDING, *QUESTIONS):
        expect(preview).to_contain_text(text)
    assert serious_accessibility_violations(page) == []

    # Without a second reviewer's approval there is nothing to issue, and the page says why.
    page.get_by_role("link", name="Terug naar de notitie").click()
    issue = page.locator("#issue")
    expect(issue).to_contain_text("Uitgeven kan pas als een tweede reviewer de huidige inhoud heeft goedgekeurd.")
    expect(page.get_by_role("button", name="Versie 1 uitgeven")).to_have_count(0)
    # A post to issue anyway (a crafted request, or a tab from before an approval was voided) is refused.
    page.evaluate("""([action, token, version]) => {
        const form = document.createElement("form");
        form.method = "post";
        form.action = action;
        for (const [name, value] of [["csrf_token", token], ["version", version]]) {
            const input = document.createElement("input");
            input.type = "hidden"; input.name = name; input.value = value;
            form.append(input);
        }
        document.body.append(form);
        form.submit();
    }""", [f"{brief_url}/issue", page.locator("#approval input[name=csrf_token]").input_value(),
           page.locator("#approval input[name=version]").input_value()])
    expect(page.locator("#issue .utrecht-alert--error")).to_contain_text(
        "Uitgeven kan pas als een tweede reviewer deze inhoud heeft goedgekeurd (vier ogen).")
    expect(page.locator("#versions")).to_contain_text("Deze notitie is nog niet uitgegeven.")
    return brief_url


def issue_and_download(page: Page, brief_url: str) -> None:
    """Once approved, the lead issues version 1; the PDF is made and downloads with the finding in it."""
    page.goto(brief_url)
    expect(page.locator("#approval")).to_contain_text("Goedgekeurd door Cor Coreviewer")
    page.get_by_role("button", name="Versie 1 uitgeven").click()
    expect(flashes(page)).to_contain_text("Versie 1 is uitgegeven")
    versions = page.locator("#versions")
    expect(versions.get_by_role("heading", name=re.compile("^Versie 1"))).to_be_visible()
    # "PDF wordt gemaakt…" while a worker renders (htmx polls), the link at once when rendering ran inline.
    download_link = versions.get_by_role("link", name=re.compile("^PDF downloaden"))
    expect(download_link).to_be_visible(timeout=PDF_TIMEOUT)
    expect(download_link).to_have_accessible_name(re.compile("versie 1 voor Gemeente Midden"))
    with page.expect_download() as download_info:
        download_link.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as file:
        pdf = file.read()
    assert pdf.startswith(b"%PDF")
    text = " ".join(" ".join(page_.extract_text().split()) for page_ in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert FINDING in text
    assert BRIEF in text
    # Issuing moved the finding on: it now sits in a brief.
    expect(page.locator("#findings")).to_contain_text(re.compile("in notitie", re.IGNORECASE))


def answer_in_the_portal(page: Page, base: str, owner, today) -> None:  # noqa: ANN001
    """The policy owner answers "deels overgenomen" (first without reasoning), adds an action and submits."""
    sign_in_as(page, base, owner, DEFAULT_PASSWORD)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Portaal").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notities aan mijn organisatie")
    page.get_by_role("link", name=BRIEF).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(BRIEF)
    assert serious_accessibility_violations(page) == []

    finding = page.locator("section", has=page.get_by_role("heading", name=re.compile(f"^Bevinding 1: {FINDING}")))
    for question in QUESTIONS:
        expect(finding).to_contain_text(question)
    finding.get_by_label("Deels overgenomen", exact=True).check()
    finding.get_by_role("button", name="Concept opslaan").click()

    # Refused: the reasoning is required for "deels"; the message is next to the field and the choice kept.
    finding = page.locator("section", has=page.get_by_role("heading", name=re.compile(f"^Bevinding 1: {FINDING}")))
    expect(finding.get_by_role("alert")).to_contain_text(
        "Geef een toelichting: bij deels overgenomen en niet overgenomen is die verplicht.")
    reasoning = finding.get_by_label("Toelichting", exact=True)
    expect(reasoning).to_have_attribute("aria-invalid", "true")
    expect(finding.get_by_label("Deels overgenomen", exact=True)).to_be_checked()
    reasoning.fill(REASONING)
    finding.get_by_role("button", name="Concept opslaan").click()
    expect(flashes(page)).to_contain_text("De reactie is als concept opgeslagen")

    finding = page.locator("section", has=page.get_by_role("heading", name=re.compile(f"^Bevinding 1: {FINDING}")))
    expect(finding.get_by_label("Deels overgenomen", exact=True)).to_be_checked()
    expect(finding.get_by_label("Toelichting", exact=True)).to_have_value(REASONING)
    finding.locator("summary", has_text="Actie toevoegen").click()
    finding.get_by_label("Actie", exact=True).fill(ACTION)
    finding.get_by_label("Eigenaar (naam)").fill("Wethouder Jansen")
    finding.get_by_label("Organisatie van de eigenaar").fill("Gemeente Midden")
    finding.get_by_label("Klaar op").fill((today + timedelta(days=90)).isoformat())
    finding.get_by_role("button", name="Actie toevoegen", exact=True).click()
    expect(flashes(page)).to_contain_text("De actie is toegevoegd.")
    expect(page.locator(".lmi-card", has_text=ACTION).first).to_contain_text("Wethouder Jansen (Gemeente Midden)")

    page.get_by_role("button", name="Alles indienen").click()
    expect(flashes(page)).to_contain_text("1 reactie is ingediend.")
    expect(page.locator("#submit")).to_contain_text("Alle reacties zijn ingediend.")


def read_the_terugkoppeling(page: Page, base: str, world: dict, outbox) -> None:  # noqa: ANN001
    """The participant of the source review sees the board's answer, and was told by e-mail."""
    review: Review = world["review"]
    participant = world["participant"]
    mails = outbox.to(participant.email)
    assert len(mails) == 1, [message["Subject"] for message in outbox.messages()]
    body = outbox.text(mails[0])
    assert FINDING in body
    assert f"{base}/reviews/{review.id}/terugkoppeling" in body

    sign_in_as(page, base, participant, DEFAULT_PASSWORD)
    page.get_by_role("link", name=re.compile("^Meldingen")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Meldingen")
    expect(page.locator("#notifications")).to_contain_text(FINDING)
    page.get_by_role("button", name="Bekijk de terugkoppeling").click()

    expect(page).to_have_url(f"{base}/reviews/{review.id}/terugkoppeling")
    expect(page.get_by_role("heading", level=1)).to_have_text("Wat is er met onze inbreng gedaan?")
    section = page.locator("section", has=page.get_by_role("heading", level=2, name=FINDING))
    answer = section.get_by_role("article", name="Reactie van Gemeente Midden")
    expect(answer).to_contain_text("Deels overgenomen")
    expect(answer).to_contain_text(REASONING)
    actions = answer.get_by_role("table", name="Acties van Gemeente Midden")
    expect(actions).to_contain_text(ACTION)
    expect(actions).to_contain_text("Wethouder Jansen")
    expect(section).to_contain_text(BRIEF)
    assert serious_accessibility_violations(page) == []


# --- with Redis: the page follows the PDF until a worker has made it ------------------------------------

REDIS_TEST_URL = "redis://127.0.0.1:6379/9"  # the database and lock of tests/briefs/test_rendering.py


@pytest.fixture
def redis_app(app):  # noqa: ANN001, ANN201
    app.config["REDIS_URL"] = REDIS_TEST_URL
    connection = redis.Redis.from_url(REDIS_TEST_URL)
    try:
        connection.ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis at {REDIS_TEST_URL} does not answer: {error}")
    # Runs side by side (one Redis) take turns: their job ids are the same, and one run's worker must not
    # take another run's job.
    with connection.lock("lmi-tests:briefs-rendering", timeout=600, blocking_timeout=600):
        clear_jobs(connection)
        try:
            yield app
        finally:
            clear_jobs(connection)


def clear_jobs(connection: redis.Redis) -> None:
    for key in connection.scan_iter("rq:*"):
        connection.delete(key)


def test_with_a_worker_the_brief_page_shows_the_pdf_being_made_then_its_link(redis_app, live_server, page, outbox,
                                                                            lead, world):  # noqa: ANN001
    brief = brief_services.create_brief(brief_services.BriefInput(
        title=BRIEF, response_deadline=utcnow().date() + timedelta(weeks=6), finding_ids=[world["finding"].id],
        addressee_ids=[world["owner"].id]), actor=lead)
    db.session.commit()
    brief_services.approve_brief(brief, expected_content_version=brief.content_version, actor=world["co"])
    db.session.commit()

    sign_in_as(page, live_server, lead, DEFAULT_PASSWORD)
    page.goto(f"{live_server}/briefs/{brief.id}")
    page.get_by_role("button", name="Versie 1 uitgeven").click()
    expect(flashes(page)).to_contain_text("Versie 1 is uitgegeven")
    versions = page.locator("#versions")
    # The request only enqueued the job: the page says the PDF is being made, and asks again every 2 seconds.
    expect(versions.get_by_role("row", name=re.compile("Gemeente Midden"))).to_contain_text("PDF wordt gemaakt…")
    expect(versions.get_by_role("link", name=re.compile("^PDF downloaden"))).to_have_count(0)
    assert len(outbox) == 0
    jobs = queue(redis_app)
    assert jobs.count == 1

    SimpleWorker([jobs], connection=jobs.connection).work(burst=True)
    # Without a reload the link appears, and the live region tells a screen reader once.
    link = versions.get_by_role("link", name=re.compile("^PDF downloaden"))
    expect(link).to_be_visible(timeout=PDF_TIMEOUT)
    expect(page.locator("#brief-documents-summary")).to_have_text(
        re.compile(r"^\s*1 PDF is klaar om te downloaden\.\s*$"))
    expect(versions).not_to_contain_text("PDF wordt gemaakt…")
    with page.expect_download() as download_info:
        link.click()
    with open(download_info.value.path(), "rb") as file:
        assert file.read().startswith(b"%PDF")
    assert [message["To"] for message in outbox.messages()] == ["bea@example.org"]

"""Briefs through HTTP, as reviewers use them: the form and its errors, the preview per board, four eyes,
issuing, the versions with their PDFs (status polling, download, retry), and the list."""

from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from learning.audit import AuditEvent
from learning.briefs import services
from learning.briefs.models import Brief, BriefDocument, BriefVersion
from learning.db import db, utcnow
from tests.briefs.conftest import brief_input, issue_version
from tests.helpers import text_of


def form_data(world, findings=None, owners=None, **changes) -> dict:  # noqa: ANN001, ANN003
    findings = [world.f1, world.f2, world.f3] if findings is None else findings
    owners = [world.bea, world.gijs] if owners is None else owners
    return {"title": "Regie in de keten", "introduction": "Wat wij zagen in drie reviews.",
            "context": "Voorjaar 2026.", "response_deadline": (date.today() + timedelta(days=30)).isoformat(),
            "language": "nl", "finding_ids": [str(f.id) for f in findings],
            "addressee_ids": [str(o.id) for o in owners], **changes}


def audit_count(action: str) -> int:
    return db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == action))


def only_brief() -> Brief | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(Brief))


def checked(html: str, name: str) -> set[str]:
    return set(re.findall(rf'name="{name}" value="(\d+)"[^>]*checked', html))


@pytest.fixture
def world(draft_world):  # noqa: ANN001, ANN201
    return draft_world


@pytest.fixture
def brief(world) -> Brief:  # noqa: ANN001
    brief = services.create_brief(brief_input([world.f1, world.f2, world.f3], [world.bea, world.gijs]),
                                  actor=world.lead)
    db.session.commit()
    return brief


# --- the form ---------------------------------------------------------------------------------------------


def test_start_from_a_finding_then_save(login, world):
    world.f2.policy_owners = [world.bea]
    db.session.commit()
    client = login(world.lead)
    page = client.get(f"/briefs/new?finding_id={world.f2.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert checked(html, "finding_ids") == {str(world.f2.id)} and checked(html, "addressee_ids") == {str(world.bea.id)}
    assert "Bea Bestuurder — Gemeente Midden" in text_of(page)
    response = client.post("/briefs/new", data=form_data(world, [world.f2], [world.bea]))
    brief = only_brief()
    assert response.status_code == 302 and response.headers["Location"] == f"/briefs/{brief.id}"
    assert [f.id for f in brief.findings] == [world.f2.id] and brief.title == "Regie in de keten"


@pytest.mark.parametrize("finding_id", ["999999", str(2**40), "abc", "-1"])
def test_starting_from_a_finding_that_cannot_be_used_says_why(login, world, finding_id):
    page = login(world.lead).get(f"/briefs/new?finding_id={finding_id}")
    assert page.status_code == 200 and checked(page.get_data(as_text=True), "finding_ids") == set()
    assert "Deze bevinding kun je niet in een notitie opnemen" in text_of(page)


def test_errors_are_named_and_what_was_typed_stays(login, world):
    client = login(world.lead)
    response = client.post("/briefs/new", data=form_data(
        world, [world.f2, world.f3], [world.bea], introduction="Mijn zorgvuldig getypte inleiding.",
        response_deadline=(date.today() - timedelta(days=2)).isoformat()))
    text, html = text_of(response), response.get_data(as_text=True)
    assert response.status_code == 422 and only_brief() is None
    assert "De reactietermijn ligt in het verleden. Kies vandaag of een latere datum." in text
    assert "De bevinding “Wachtlijst GGZ vertraagt veiligheid” is aan geen van de gekozen organisaties gericht" in text
    assert "Mijn zorgvuldig getypte inleiding." in html
    assert checked(html, "finding_ids") == {str(world.f2.id), str(world.f3.id)}
    assert checked(html, "addressee_ids") == {str(world.bea.id)}
    assert 'href="#finding_ids"' in html and 'href="#response_deadline"' in html  # the error summary links


@pytest.mark.parametrize("case, message", [
    ("no findings", "Kies minstens één bevinding voor de notitie."),
    ("no addressees", "Kies minstens één beleidseigenaar aan wie de notitie gericht is."),
    ("organisation without finding", "GGZ Midden krijgt geen enkele bevinding"),
])
def test_each_rule_is_a_clear_error(login, world, case, message):
    data = {"no findings": form_data(world, [], [world.bea]),
            "no addressees": form_data(world, [world.f1], []),
            "organisation without finding": form_data(world, [world.f2], [world.bea, world.gijs])}[case]
    response = login(world.lead).post("/briefs/new", data=data)
    assert response.status_code == 422 and message in text_of(response) and only_brief() is None


def test_check_shows_who_gets_what_without_saving(login, world):
    response = login(world.lead).post("/briefs/new", data={**form_data(world), "action": "check"})
    text = text_of(response)
    assert response.status_code == 200 and only_brief() is None
    assert "Alles klopt" in text
    assert "Gemeente Midden (Bea Bestuurder): krijgt 2 bevindingen: Regie valt weg bij crisis; Overdracht stokt bij " \
           "verhuizing" in text
    assert "GGZ Midden (Gijs GGZ): krijgt 2 bevindingen: Regie valt weg bij crisis; Wachtlijst GGZ vertraagt " \
           "veiligheid" in text


def test_an_edit_on_old_content_shows_the_conflict_and_overwrites_nothing(login, world, brief):
    stale = login(world.lead)
    stale.get(f"/briefs/{brief.id}/edit")
    assert login(world.co).post(f"/briefs/{brief.id}/edit", data={**form_data(world, title="Titel van Cor"),
                                                                  "version": "1"}).status_code == 302
    response = stale.post(f"/briefs/{brief.id}/edit", data={**form_data(world, title="Titel van Ria"), "version": "1"})
    assert response.status_code == 409
    assert "Iemand anders heeft dit intussen gewijzigd" in text_of(response) and "Titel van Cor" in text_of(response)
    assert 'value="Titel van Ria"' in response.get_data(as_text=True)
    assert only_brief().title == "Titel van Cor"
    # Saving again now knowingly replaces the newer content.
    assert stale.post(f"/briefs/{brief.id}/edit", data={**form_data(world, title="Titel van Ria"),
                                                         "version": "2"}).status_code == 302
    assert only_brief().title == "Titel van Ria"


def test_move_a_finding_without_javascript(login, world, brief):
    client = login(world.lead)
    response = client.post(f"/briefs/{brief.id}/findings/{world.f3.id}/move/up", data={"version": "1"})
    assert response.status_code == 302
    assert [f.id for f in only_brief().findings] == [world.f1.id, world.f3.id, world.f2.id]
    client.post(f"/briefs/{brief.id}/findings/{world.f3.id}/move/up", data={"version": "1"})  # stale: nothing
    assert [f.id for f in only_brief().findings] == [world.f1.id, world.f3.id, world.f2.id]


# --- the preview ------------------------------------------------------------------------------------------


def test_the_preview_shows_each_board_only_its_own_findings(login, world, brief):
    client = login(world.lead)
    gemeente = client.get(f"/briefs/{brief.id}/preview?organisation={world.gemeente.id}")
    text = text_of(gemeente)
    assert gemeente.status_code == 200
    assert "Bij een crisis weet niemand wie de regie heeft." in text
    assert "Bij een verhuizing gaat de zorg over veiligheid niet mee." in text
    assert "Behandeling start pas na maanden." not in text and "Wachtlijst GGZ" not in text
    assert "Aan: Bea Bestuurder, Gemeente Midden" in text
    ggz = text_of(client.get(f"/briefs/{brief.id}/preview?organisation={world.ggz.id}"))
    assert "Behandeling start pas na maanden." in ggz and "Bij een verhuizing gaat de zorg" not in ggz
    assert client.get(f"/briefs/{brief.id}/preview?organisation=999999").status_code == 404


# --- four eyes, issuing and the versions --------------------------------------------------------------------


def test_approve_then_another_reviewer_issues(login, world, brief):
    lead, co = login(world.lead), login(world.co)
    page = text_of(lead.get(f"/briefs/{brief.id}"))
    assert "Nog niet goedgekeurd." in page and "Uitgeven kan pas als een tweede reviewer" in page
    assert co.post(f"/briefs/{brief.id}/approve", data={"version": "1"}).status_code == 302
    page = text_of(co.get(f"/briefs/{brief.id}"))
    assert "Goedgekeurd door Cor Coreviewer op" in page and "De goedkeuring geldt voor de huidige inhoud." in page
    assert "Je hebt deze inhoud zelf goedgekeurd." in page
    refused = co.post(f"/briefs/{brief.id}/issue", data={"version": "1"})
    assert refused.status_code == 422 and db.session.scalar(sa.select(sa.func.count(BriefVersion.id))) == 0
    response = lead.post(f"/briefs/{brief.id}/issue", data={"version": "1"})
    assert response.status_code == 302
    page = lead.get(f"/briefs/{brief.id}")
    text = text_of(page)
    assert "Versie 1 is uitgegeven." in text and "Versie 1 (laatste)" in text
    assert "Goedgekeurd door Cor Coreviewer op" in text
    documents = db.session.scalars(sa.select(BriefDocument)).all()
    for document in documents:
        assert document.sha256 in text  # each PDF's SHA-256 is shown
        assert f"/briefs/{brief.id}/documents/{document.id}/pdf" in page.get_data(as_text=True)
    assert "hx-trigger" not in page.get_data(as_text=True)  # nothing pending: no polling


def test_a_changed_brief_says_its_approval_no_longer_holds(login, world, brief):
    login(world.co).post(f"/briefs/{brief.id}/approve", data={"version": "1"})
    login(world.lead).post(f"/briefs/{brief.id}/edit", data={**form_data(world, title="Anders"), "version": "1"})
    text = text_of(login(world.lead).get(f"/briefs/{brief.id}"))
    assert "keurde op" in text and "de goedkeuring geldt niet meer" in text


def test_version_two_needs_a_change_note(login, world, brief):
    lead, co = login(world.lead), login(world.co)
    co.post(f"/briefs/{brief.id}/approve", data={"version": "1"})
    lead.post(f"/briefs/{brief.id}/issue", data={"version": "1"})
    lead.post(f"/briefs/{brief.id}/edit", data={**form_data(world, title="Gecorrigeerd"), "version": "1"})
    co.post(f"/briefs/{brief.id}/approve", data={"version": "2"})
    response = lead.post(f"/briefs/{brief.id}/issue", data={"version": "2", "change_note": ""})
    assert response.status_code == 422
    assert "Beschrijf wat er veranderd is ten opzichte van versie 1." in text_of(response)
    assert lead.post(f"/briefs/{brief.id}/issue", data={"version": "2", "change_note": "Titel gecorrigeerd."}
                     ).status_code == 302
    text = text_of(lead.get(f"/briefs/{brief.id}"))
    assert "Versie 2 (laatste)" in text and "Versie 1" in text and "Titel gecorrigeerd." in text


def test_redis_down_when_issuing_fails_cleanly(app, login, world, brief):
    login(world.co).post(f"/briefs/{brief.id}/approve", data={"version": "1"})
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    response = login(world.lead).post(f"/briefs/{brief.id}/issue", data={"version": "1"})
    assert response.status_code == 503
    assert "De notitie is niet uitgegeven: de wachtrij voor het maken van de PDF" in text_of(response)
    assert "is nu niet bereikbaar. Er is niets aangemaakt of verstuurd." in text_of(response)
    assert db.session.scalar(sa.select(sa.func.count(BriefVersion.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(BriefDocument.id))) == 0
    assert only_brief().latest_version_number == 0


@pytest.fixture
def issued(world, brief):  # noqa: ANN001, ANN201
    """Version 1 of the brief with one PDF pending and one failed (no job run)."""
    version = issue_version(brief, issuer=world.lead, approver=world.co, start=False)
    pending = BriefDocument(version_id=version.id, organisation_id=world.gemeente.id,
                            organisation_name="Gemeente Midden", status="pending")
    failed = BriefDocument(version_id=version.id, organisation_id=world.ggz.id, organisation_name="GGZ Midden",
                           status="failed", error="Lettertype ontbreekt", attempts=1)
    db.session.add_all([pending, failed])
    db.session.commit()
    return version, pending, failed


def test_the_status_fragment_is_polled_while_a_pdf_is_being_made(login, world, brief, issued):
    _version, pending, failed = issued
    client = login(world.lead)
    html = client.get(f"/briefs/{brief.id}").get_data(as_text=True)
    assert f'hx-get="/briefs/{brief.id}/documents"' in html and 'hx-trigger="every 2s"' in html
    fragment = client.get(f"/briefs/{brief.id}/documents", headers={"HX-Request": "true"})
    text = text_of(fragment)
    assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)
    assert "PDF wordt gemaakt…" in text and "PDF maken mislukt: Lettertype ontbreekt" in text
    assert "Opnieuw proberen" in text
    # Once no PDF is pending any more, the fragment stops asking.
    assert 'hx-swap-oob' not in fragment.get_data(as_text=True)  # nothing announced while still working
    db.session.execute(sa.update(BriefDocument).where(BriefDocument.id == pending.id).values(status="failed"))
    db.session.commit()
    last = client.get(f"/briefs/{brief.id}/documents", headers={"HX-Request": "true"})
    assert "hx-trigger" not in last.get_data(as_text=True)
    # The last answer fills the page's live region once.
    assert '<p id="brief-documents-summary" hx-swap-oob="innerHTML">' in last.get_data(as_text=True)
    assert "2 PDF's konden niet gemaakt worden; probeer het opnieuw." in text_of(last).replace("&#39;", "'")


def test_a_failed_pdf_can_be_retried_and_downloaded(login, world, brief, issued):
    _version, _pending, failed = issued
    client = login(world.lead)
    assert client.post(f"/briefs/{brief.id}/documents/{failed.id}/retry").status_code == 302
    db.session.expire_all()
    document = db.session.get(BriefDocument, failed.id)
    assert document.status == "ready"  # rendered inline after the commit, without Redis
    response = client.get(f"/briefs/{brief.id}/documents/{document.id}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="notitie-over-regie-in-de-keten-v1-ggz-midden.pdf"')
    assert hashlib.sha256(response.data).hexdigest() == document.sha256
    assert audit_count("brief.downloaded") == 1 and audit_count("brief.pdf_retried") == 1


def test_a_pdf_whose_job_was_lost_stops_the_polling_and_can_be_started_again(login, world, brief, issued):
    _version, pending, failed = issued
    db.session.execute(sa.update(BriefDocument).where(BriefDocument.id == failed.id).values(status="ready",
                                                                                        pdf=b"%PDF-1.7"))
    client = login(world.lead)
    # Just issued: being made, polled, nothing to retry yet (retrying is refused).
    assert "Opnieuw starten" not in text_of(client.get(f"/briefs/{brief.id}"))
    client.post(f"/briefs/{brief.id}/documents/{pending.id}/retry")
    db.session.expire_all()
    assert db.session.get(BriefDocument, pending.id).status == "pending"
    # Eleven minutes later nothing came of it (the job was lost): no more polling, a way out instead.
    db.session.execute(sa.update(BriefDocument).where(BriefDocument.id == pending.id)
                       .values(queued_at=utcnow() - timedelta(minutes=11)))
    db.session.commit()
    html = client.get(f"/briefs/{brief.id}").get_data(as_text=True)
    assert 'hx-trigger="every 2s"' not in html
    assert "Deze PDF laat te lang op zich wachten." in text_of(client.get(f"/briefs/{brief.id}"))
    assert client.post(f"/briefs/{brief.id}/documents/{pending.id}/retry").status_code == 302
    db.session.expire_all()
    assert db.session.get(BriefDocument, pending.id).status == "ready"  # rendered inline, without Redis


def test_the_preview_of_a_draft_says_it_is_not_issued_yet(login, world, brief):
    text = text_of(login(world.lead).get(f"/briefs/{brief.id}/preview?organisation={world.gemeente.id}"))
    assert "Versie v1 (nog niet uitgegeven)" in text and "uitgegeven op" not in text



def test_a_pdf_that_is_not_ready_cannot_be_downloaded(login, world, brief, issued):
    _version, pending, failed = issued
    client = login(world.lead)
    for document in (pending, failed):
        assert client.get(f"/briefs/{brief.id}/documents/{document.id}/pdf").status_code == 404


# --- the list ---------------------------------------------------------------------------------------------


def test_the_list_shows_state_and_deadline(login, world, brief, create_user):
    client = login(world.lead)
    text = text_of(client.get("/briefs"))
    assert "Notitie over regie in de keten" in text and "concept" in text
    client.post(f"/briefs/{brief.id}/share")
    assert "gedeeld voor commentaar" in text_of(client.get("/briefs"))
    login(world.co).post(f"/briefs/{brief.id}/approve", data={"version": "1"})
    assert "goedgekeurd" in text_of(client.get("/briefs"))
    client.post(f"/briefs/{brief.id}/issue", data={"version": "1"})
    text = text_of(client.get("/briefs"))
    assert "uitgegeven v1" in text
    outsider = create_user("buiten@example.org", roles=("reviewer",))
    assert "Notitie over regie in de keten" not in text_of(login(outsider).get("/briefs"))


def test_the_menu_shows_briefs_to_reviewers(login, world):
    assert 'href="/briefs"' in login(world.lead).get("/dashboard").get_data(as_text=True)
    assert 'href="/briefs"' not in login(world.bea).get("/dashboard").get_data(as_text=True)


def test_the_list_costs_the_same_number_of_queries_for_more_briefs(login, world, count_queries):
    def add(count: int) -> None:
        for number in range(count):
            services.create_brief(brief_input([world.f1, world.f2, world.f3], [world.bea, world.gijs],
                                              title=f"Notitie {number}"), actor=world.lead)
        db.session.commit()

    client = login(world.lead)
    add(2)
    client.get("/briefs")
    with count_queries() as few:
        assert client.get("/briefs").status_code == 200
    add(5)
    with count_queries() as many:
        assert client.get("/briefs").status_code == 200
    assert many.count == few.count

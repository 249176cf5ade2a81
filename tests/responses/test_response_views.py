"""The portal and the reviewers' page through HTTP: what the board sees, refused forms that keep what was
typed, submitting together, amending with history, conflicts, actions, threads and the PDF."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa
import time_machine

from learning.db import db, utcnow
from learning.findings.models import Finding
from learning.responses import services
from learning.responses.models import Action, Response, ThreadMessage
from learning.responses.services import ActionInput
from tests.helpers import text_of
from tests.responses.conftest import PDF_BYTES, today


def response_data(finding, decision="", reasoning="", version="0", intent="draft") -> dict:  # noqa: ANN001
    prefix = f"response-{finding.id}"
    data = {f"{prefix}-reasoning": reasoning, f"{prefix}-version": version, "intent": intent}
    if decision:
        data[f"{prefix}-decision"] = decision
    return data


def action_form(finding, **changes) -> dict:  # noqa: ANN001, ANN003
    fields = {"description": "Overdrachtsprotocol vaststellen", "owner_name": "Ria Jansen",
              "owner_organisation": "Gemeente Midden", "due_date": (today() + timedelta(days=30)).isoformat()}
    return {f"action-{finding.id}-{name}": value for name, value in {**fields, **changes}.items()}


def checked(html: str, name: str) -> set[str]:
    return set(re.findall(rf'name="{re.escape(name)}"[^>]*value="([^"]+)"[^>]*checked', html)) | set(
        re.findall(rf'checked[^>]*name="{re.escape(name)}"[^>]*value="([^"]+)"', html))


def version_of(world, finding) -> str:  # noqa: ANN001
    response = services.find_response(world.brief.id, finding.id, world.gemeente.id)
    return str(response.version if response else 0)


# --- the list -----------------------------------------------------------------------------------


def test_the_list_shows_my_briefs_newest_first_with_deadline_and_state(login, portal_world, issue_brief):
    w = portal_world
    older = issue_brief([w.f1], [(w.owner, w.gemeente)], title="Eerdere notitie over overdracht",
                        issued_at=utcnow() - timedelta(days=40), deadline=today() - timedelta(days=3))
    assert older.id
    page = login(w.owner).get("/portal")
    text = text_of(page)
    assert page.status_code == 200
    assert text.index("Regie bij crisis in de keten") < text.index("Eerdere notitie over overdracht")
    assert "nog 14 dagen" in text and "3 dagen te laat" in text and "nog te beantwoorden" in text
    assert "voor Gemeente Midden · 2 bevindingen" in text
    with time_machine.travel(utcnow() + timedelta(days=20), tick=False):
        assert "6 dagen te laat" in text_of(login(w.owner).get("/portal"))
    assert "Geen" not in text and "notities aan u gericht" not in text


def test_the_list_of_a_policy_owner_without_briefs(login, create_user):
    text = text_of(login(create_user(roles=("policy_owner",))).get("/portal"))
    assert "Er zijn nog geen notities aan u gericht" in text


# --- one brief ----------------------------------------------------------------------------------


def test_the_brief_page_shows_only_my_organisations_findings(login, portal_world):
    w = portal_world
    page = login(w.owner).get(f"/portal/briefs/{w.brief.id}")
    text = text_of(page)
    assert page.status_code == 200
    assert w.f1.title in text and w.f2.title in text and w.f3.title not in text
    assert "Welke afspraak maakt u over: overdracht stokt bij verhuizing?" in text
    assert "v1 van" in text and f"/portal/briefs/{w.brief.id}/versions/1/pdf" in page.get_data(as_text=True)
    assert "GGZ Noord" not in text


def test_a_refused_response_keeps_what_was_typed(login, portal_world):
    w = portal_world
    client = login(w.owner)
    page = client.post(f"/portal/briefs/{w.brief.id}/findings/{w.f1.id}/response",
                       data=response_data(w.f1, "not_adopted", "  "))
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "Geef een toelichting: bij deels overgenomen en niet overgenomen is die verplicht." in text_of(page)
    assert checked(html, f"response-{w.f1.id}-decision") == {"not_adopted"}
    assert 'role="alert"' in html and f'href="#response-{w.f1.id}-reasoning"' in html
    assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 0


def test_draft_then_submit_all_then_amend_with_history(login, portal_world, lead, outbox):
    w = portal_world
    client = login(w.owner)
    base = f"/portal/briefs/{w.brief.id}"
    assert client.post(f"{base}/findings/{w.f1.id}/response", data=response_data(w.f1, "adopted")).status_code == 302
    # Submitting while F2 has no decision: refused with the list, nothing submitted.
    page = client.post(f"{base}/submit", data={"versions": f"{w.f1.id}:1,{w.f2.id}:0"})
    assert page.status_code == 422
    assert "Dit ontbreekt nog: Regie bij crisis ontbreekt: kies een besluit." in text_of(page)
    client.post(f"{base}/findings/{w.f2.id}/response",
                data=response_data(w.f2, "partly", "Alleen voor gezinnen met jonge kinderen."))
    # The reviewers do not see drafts.
    reviewer_page = text_of(login(lead).get(f"/briefs/{w.brief.id}/responses"))
    assert "Alleen voor gezinnen met jonge kinderen." not in reviewer_page
    page = client.post(f"{base}/submit", data={"versions": f"{w.f1.id}:1,{w.f2.id}:1"}, follow_redirects=True)
    assert "2 reacties zijn ingediend." in text_of(page) and "Ingediend" in text_of(page)
    assert "Alle reacties zijn ingediend." in text_of(page)
    assert "Alles indienen</button>" not in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Finding, w.f1.id).status == "answered"
    reviewer_page = text_of(login(lead).get(f"/briefs/{w.brief.id}/responses"))
    assert "Versie 1, ingediend door Bea Bestuurder" in reviewer_page
    assert "Alleen voor gezinnen met jonge kinderen." in reviewer_page
    # Amend, saved as a draft: the reviewers still see version 1.
    client.post(f"{base}/findings/{w.f2.id}/response",
                data=response_data(w.f2, "not_adopted", "Na overleg met de wethouder toch niet.",
                                   version=version_of(w, w.f2)))
    page_text = text_of(client.get(base))
    assert "Wijziging nog niet ingediend" in page_text and "1 wijziging nog niet ingediend" in page_text
    assert "Alles indienen</button>" in client.get(base).get_data(as_text=True)
    assert "Na overleg met de wethouder" not in text_of(login(lead).get(f"/briefs/{w.brief.id}/responses"))
    page = client.post(f"{base}/findings/{w.f2.id}/response",
                       data=response_data(w.f2, "not_adopted", "Na overleg met de wethouder toch niet.",
                                          version=version_of(w, w.f2), intent="submit"), follow_redirects=True)
    assert "De gewijzigde reactie is ingediend." in text_of(page)
    assert "Versie 2, ingediend door Bea Bestuurder" in text_of(page)
    reviewer_page = text_of(login(lead).get(f"/briefs/{w.brief.id}/responses"))
    assert "Versie 2, ingediend door Bea Bestuurder" in reviewer_page and "Eerdere versies (1)" in reviewer_page
    assert "Versie 1, ingediend door Bea Bestuurder" in reviewer_page


def test_a_stale_response_form_shows_both_versions_and_overwrites_nothing(login, portal_world, create_user):
    w = portal_world
    colleague = create_user("collega@gemeente.example", name="Carla Collega", roles=("policy_owner",),
                            organisation_id=w.gemeente.id)
    from learning.briefs.models import BriefAddressee, BriefRecipient, BriefVersion

    # A second policy owner of the board, addressed in the issued version as well as in the draft.
    db.session.add(BriefAddressee(brief_id=w.brief.id, user_id=colleague.id, organisation_id=w.gemeente.id))
    version = db.session.scalar(sa.select(BriefVersion).where(BriefVersion.brief_id == w.brief.id))
    db.session.add(BriefRecipient(version_id=version.id, user_id=colleague.id, organisation_id=w.gemeente.id))
    db.session.commit()
    base = f"/portal/briefs/{w.brief.id}/findings/{w.f1.id}/response"
    login(colleague).post(base, data=response_data(w.f1, "partly", "Alleen in de stad."))
    page = login(w.owner).post(base, data=response_data(w.f1, "not_adopted", "Geen geld.", version="0"))
    text, html = text_of(page), page.get_data(as_text=True)
    assert page.status_code == 409
    assert "Iemand anders heeft dit intussen gewijzigd" in text
    assert "Huidige versie: Toelichting Alleen in de stad." in text and "Jouw versie: Toelichting Geen geld." in text
    assert "Geen geld." in html.split("lmi-conflict", 1)[1]  # kept in the form below
    assert f'name="response-{w.f1.id}-version" type="hidden" value="1"' in html
    db.session.expire_all()
    response = services.find_response(w.brief.id, w.f1.id, w.gemeente.id)
    assert (response.decision, response.reasoning) == ("partly", "Alleen in de stad.")


# --- actions ------------------------------------------------------------------------------------


def test_refused_actions_keep_what_was_typed(login, portal_world):
    w = portal_world
    client = login(w.owner)
    url = f"/portal/briefs/{w.brief.id}/findings/{w.f1.id}/actions"
    page = client.post(url, data=action_form(w.f1, owner_name="", due_date=""))
    text, html = text_of(page), page.get_data(as_text=True)
    assert page.status_code == 422
    assert "Vul de naam in van wie de actie uitvoert." in text
    assert "Kies de datum waarop de actie klaar moet zijn." in text
    assert "Overdrachtsprotocol vaststellen" in html and 'value="Gemeente Midden"' in html
    assert "<details class=\"lmi-details\" open>" in html
    yesterday = (today() - timedelta(days=1)).isoformat()
    page = client.post(url, data=action_form(w.f1, due_date=yesterday))
    assert page.status_code == 422
    assert "Deze datum ligt in het verleden. Kies vandaag of later." in text_of(page)
    assert f'value="{yesterday}"' in page.get_data(as_text=True)
    page = client.post(url, data=action_form(w.f1, due_date="31-02-2027"))
    assert "Dit is geen geldige datum" in text_of(page) and 'value="31-02-2027"' in page.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Action.id))) == 0


def test_an_action_with_progress_over_time(login, portal_world, lead):
    w = portal_world
    client = login(w.owner)
    page = client.post(f"/portal/briefs/{w.brief.id}/findings/{w.f1.id}/actions", data=action_form(w.f1),
                       follow_redirects=True)
    assert "De actie is toegevoegd." in text_of(page)
    action = db.session.scalar(sa.select(Action))
    url = f"/portal/briefs/{w.brief.id}/actions/{action.id}"
    text = text_of(client.get(url))
    assert "Ria Jansen (Gemeente Midden)" in text and "actie vastgelegd" in text
    page = client.post(f"{url}/progress", data={"progress-status": "lapsed", "progress-note": "",
                                                "progress-version": "1"})
    assert page.status_code == 422 and "Geef de reden waarom de actie vervalt." in text_of(page)
    assert re.search(r'<option[^>]*selected[^>]*value="lapsed"|<option[^>]*value="lapsed"[^>]*selected', page.get_data(as_text=True))
    client.post(f"{url}/progress", data={"progress-status": "in_progress", "progress-note": "Eerste overleg gevoerd.",
                                         "progress-version": "1"})
    page = client.post(f"{url}/progress", data={"progress-status": "done", "progress-note": "",
                                                "progress-version": "1"})
    assert page.status_code == 409 and "Iemand anders heeft dit intussen gewijzigd" in text_of(page)
    text = text_of(client.get(url))
    assert "status van open naar in uitvoering" in text and "Eerste overleg gevoerd." in text
    # Editing: the owner's name is required, with the message by the field.
    page = client.post(url, data={"action-description": "Protocol", "action-owner_name": "",
                                  "action-owner_organisation": "Gemeente", "action-version": "2",
                                  "action-due_date": action.due_date.isoformat()})
    assert page.status_code == 422 and "Vul de naam in van wie de actie uitvoert." in text_of(page)
    page = client.post(url, data={"action-description": "Protocol", "action-owner_name": "Piet",
                                  "action-owner_organisation": "Gemeente", "action-version": "2",
                                  "action-due_date": action.due_date.isoformat()}, follow_redirects=True)
    assert "De actie is opgeslagen." in text_of(page) and "Piet (Gemeente)" in text_of(page)
    # The reviewers see the actions once the response is submitted.
    assert "Protocol" not in text_of(login(lead).get(f"/briefs/{w.brief.id}/responses"))
    services.save_response(w.brief, w.f1.id, w.gemeente.id, decision="adopted", reasoning="",
                           expected_version=db.session.get(Action, action.id).response.version, actor=w.owner)
    services.save_response(w.brief, w.f2.id, w.gemeente.id, decision="adopted", reasoning="", expected_version=0,
                           actor=w.owner)
    services.submit_responses(w.brief, w.gemeente.id, [{"id": w.f1.id, "title": "F1"}, {"id": w.f2.id, "title": "F2"}],
                              actor=w.owner)
    db.session.commit()
    reviewer_page = text_of(login(lead).get(f"/briefs/{w.brief.id}/responses"))
    assert "Protocol" in reviewer_page and "In uitvoering" in reviewer_page and "Eerste overleg gevoerd." in reviewer_page


# --- threads ------------------------------------------------------------------------------------


def test_a_thread_between_the_board_and_the_reviewers(login, portal_world, lead):
    w = portal_world
    owner, reviewer = login(w.owner), login(lead)
    page = owner.post(f"/portal/briefs/{w.brief.id}/findings/{w.f1.id}/messages",
                      data={f"message-{w.f1.id}-body": "  "})
    assert page.status_code == 422 and "Schrijf een bericht." in text_of(page)
    owner.post(f"/portal/briefs/{w.brief.id}/findings/{w.f1.id}/messages",
               data={f"message-{w.f1.id}-body": "Bedoelt u ook de overdracht naar de GI?",
                     f"message-{w.f1.id}-is_question": "y"})
    assert db.session.scalar(sa.select(ThreadMessage.is_question)) is False  # only reviewers ask follow-up questions
    text = text_of(reviewer.get(f"/briefs/{w.brief.id}/responses"))
    assert "Bedoelt u ook de overdracht naar de GI?" in text
    prefix = f"message-{w.gemeente.id}-{w.f1.id}"
    page = reviewer.post(f"/briefs/{w.brief.id}/responses/{w.gemeente.id}/findings/{w.f1.id}/messages",
                         data={f"{prefix}-body": "Ja, ook die. Wanneer verwacht u een besluit?",
                               f"{prefix}-is_question": "y"}, follow_redirects=True)
    assert "De vervolgvraag is geplaatst." in text_of(page)
    text = text_of(owner.get(f"/portal/briefs/{w.brief.id}"))
    assert "Ja, ook die. Wanneer verwacht u een besluit?" in text and "Vervolgvraag" in text
    other = text_of(login(w.other_owner).get(f"/portal/briefs/{w.brief.id}"))
    assert "Wanneer verwacht u een besluit?" not in other and "Bedoelt u ook" not in other
    first = db.session.scalar(sa.select(ThreadMessage).order_by(ThreadMessage.id))
    reviewer.post(f"/briefs/{w.brief.id}/responses/messages/{first.id}/question", data={"is_question": "1"})
    db.session.expire_all()
    assert db.session.get(ThreadMessage, first.id).is_question
    page = reviewer.post(f"/briefs/{w.brief.id}/responses/{w.gemeente.id}/findings/{w.f1.id}/messages",
                         data={f"{prefix}-body": ""})
    assert page.status_code == 422 and "Schrijf een bericht." in text_of(page)


# --- the PDF ------------------------------------------------------------------------------------


def test_each_board_downloads_its_own_pdf(login, portal_world, issue_brief):
    w = portal_world
    page = login(w.owner).get(f"/portal/briefs/{w.brief.id}/versions/1/pdf")
    assert page.status_code == 200 and page.mimetype == "application/pdf"
    assert page.data == PDF_BYTES + b"Gemeente Midden" and "attachment" in page.headers["Content-Disposition"]
    assert login(w.other_owner).get(f"/portal/briefs/{w.brief.id}/versions/1/pdf").data == PDF_BYTES + b"GGZ Noord"
    assert login(w.owner).get(f"/portal/briefs/{w.brief.id}/versions/2/pdf").status_code == 404
    pending = issue_brief([w.f1], [(w.owner, w.gemeente)], title="Nog in de maak", ready=False)
    page = login(w.owner).get(f"/portal/briefs/{pending.id}")
    assert "de PDF is nog niet beschikbaar" in text_of(page)
    assert login(w.owner).get(f"/portal/briefs/{pending.id}/versions/1/pdf").status_code == 404


def test_the_reviewers_page_before_any_answer(login, portal_world, lead):
    w = portal_world
    text = text_of(login(lead).get(f"/briefs/{w.brief.id}/responses"))
    assert "Gemeente Midden" in text and "GGZ Noord" in text and "0 van 2 bevindingen beantwoord" in text
    assert "Nog niet beantwoord" in text



def test_query_counts_do_not_grow_with_actions_messages_and_revisions(login, portal_world, lead, count_queries):
    w = portal_world

    def add_some() -> None:
        for number in range(3):
            action = services.add_action(w.brief, w.f1.id, w.gemeente.id, ActionInput(
                f"Actie {number}", "Ria", "Gemeente", today() + timedelta(days=5)), actor=w.owner, today=today())
            services.report_progress(action, note="Loopt", status="in_progress", expected_version=action.version,
                                     actor=w.owner)
            services.post_message(w.brief, w.f1.id, w.gemeente.id, body=f"Vraag {number}", actor=lead)
            services.post_message(w.brief, w.f2.id, w.ggz.id, body=f"Vraag {number}", actor=w.other_owner)
        db.session.commit()

    for finding in (w.f1, w.f2):
        response = services.find_response(w.brief.id, finding.id, w.gemeente.id)
        services.save_response(w.brief, finding.id, w.gemeente.id, decision="adopted", reasoning="",
                               expected_version=response.version if response else 0, actor=w.owner)
    db.session.commit()
    add_some()
    services.submit_responses(w.brief, w.gemeente.id, [{"id": w.f1.id, "title": "F1"}, {"id": w.f2.id, "title": "F2"}],
                              actor=w.owner)
    db.session.commit()
    owner, reviewer = login(w.owner), login(lead)
    pages = (owner, f"/portal/briefs/{w.brief.id}"), (owner, "/portal"), (reviewer, f"/briefs/{w.brief.id}/responses")
    before = []
    for client, url in pages:
        client.get(url)
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        before.append(counter.count)
    add_some()
    services.save_response(w.brief, w.f1.id, w.gemeente.id, decision="partly", reasoning="Toch deels",
                           expected_version=services.find_response(w.brief.id, w.f1.id, w.gemeente.id).version,
                           actor=w.owner, submit=True)
    db.session.commit()
    after = []
    for client, url in pages:
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        after.append(counter.count)
    assert after == before, (before, after)
    assert max(after) < 40, after

"""The reviewers' follow-up overview: open and overdue responses and actions, sorted by urgency, with escalation."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from learning.audit import AuditEvent
from learning.db import db
from learning.responses.models import Action, ReminderLog, Response
from tests.followup.conftest import DAY0, add_action, at, count_rows, issue, make_brief, respond
from tests.helpers import text_of


def row_ids(page: str, table: str) -> list[str]:
    body = page[page.index(f'id="{table}"'):]
    body = body[:body.index("</table>")]
    return re.findall(r'<tr class="utrecht-table__row" id="([^"]+)"', body)


def test_open_responses_and_actions_sorted_by_urgency(issued, clock, login, make_lesson, make_finding):
    people = issued.people
    late = make_finding(people["ria"], [make_lesson(issued.review_a, "keten")], title="Te laat",
                        organisation_ids=[issued.gemeente.id], questions=("Vraag?",))
    late.status = "in_brief"
    earlier = make_brief("Eerdere notitie", people["ria"], [late], [(people["greet"], issued.gemeente)],
                         deadline=DAY0 - timedelta(days=5))
    issue(earlier, people["ria"], issued_at=at(DAY0 - timedelta(days=40)))
    for finding in (issued.f1, issued.f3):  # the GGZ answered everything
        answer = respond(issued.brief, finding, issued.ggz, people["gijs"], submitted_at=at(DAY0))
    later = add_action(answer, description="Later af", due=DAY0 + timedelta(days=40))
    overdue = add_action(answer, description="Al te laat", due=DAY0 - timedelta(days=2))
    add_action(answer, description="Klaar", due=DAY0 - timedelta(days=9), status="done", finished_at=at(DAY0))
    page = login(people["ria"]).get("/follow-up").get_data(as_text=True)
    assert row_ids(page, "responses-table") == [f"response-{earlier.id}-{issued.gemeente.id}",
                                                f"response-{issued.brief.id}-{issued.gemeente.id}"]
    assert row_ids(page, "actions-table") == [f"action-{overdue.id}", f"action-{later.id}"]
    text = text_of(login(people["ria"]).get("/follow-up"))
    assert "5 dagen te laat" in text and "nog 10 dagen" in text and "0 van 2 bevindingen" in text
    assert "2 dagen te laat" in text and "Klaar" not in text and "GGZ Midden" in text
    filtered = login(people["ria"]).get("/follow-up?overdue=1").get_data(as_text=True)
    assert row_ids(filtered, "responses-table") == [f"response-{earlier.id}-{issued.gemeente.id}"]
    assert row_ids(filtered, "actions-table") == [f"action-{overdue.id}"]
    assert 'aria-current="step"' in page  # the findings in the loop


def test_only_briefs_the_reviewer_may_edit(issued, login):
    people = issued.people
    assert "Regie in de keten" in login(people["bram"]).get("/follow-up").get_data(as_text=True)  # edits review B
    page = login(people["outsider"]).get("/follow-up").get_data(as_text=True)
    assert "Regie in de keten" not in page and "Overdracht stokt" not in page


def test_marking_for_escalation(issued, login):
    people = issued.people
    respond(issued.brief, issued.f1, issued.gemeente, people["greet"], reasoning="Begonnen", decision="partly")
    client = login(people["ria"])
    path = f"/follow-up/briefs/{issued.brief.id}/organisations/{issued.gemeente.id}/escalate"
    response = client.post(path, data={"overdue": "1"})
    assert response.status_code == 302 and response.headers["Location"] == "/follow-up?overdue=1"
    db.session.expire_all()
    rows = db.session.scalars(sa.select(Response).where(Response.organisation_id == issued.gemeente.id)).all()
    assert sorted(row.finding_id for row in rows) == sorted([issued.f1.id, issued.f2.id])  # F2 made, as a draft
    assert all(row.escalated_at is not None and row.escalated_by_id == people["ria"].id for row in rows)
    assert {row.status for row in rows} == {"draft"} and rows[0].reasoning in ("Begonnen", "")
    assert count_rows(AuditEvent, AuditEvent.action == "response.escalated") == 1
    page = text_of(client.get("/follow-up"))
    assert "Gemarkeerd voor escalatie op" in page
    again = text_of(client.post(path, follow_redirects=True))
    assert "Dit was al gemarkeerd voor escalatie." in again
    assert count_rows(AuditEvent, AuditEvent.action == "response.escalated") == 1


def test_sending_a_reminder_now_once_a_day(issued, clock, login, outbox):
    client = login(issued.people["ria"])
    path = f"/follow-up/briefs/{issued.brief.id}/organisations/{issued.gemeente.id}/remind"
    page = text_of(client.post(path, follow_redirects=True))
    assert "Herinnering verstuurd aan 2 beleidseigenaren van Gemeente Midden." in page
    assert sorted(message["To"] for message in outbox.messages()) == ["gerrit@example.org", "greet@example.org"]
    assert "De reviewers vragen u met voorrang" in outbox.text(outbox.to("greet@example.org")[0])
    assert count_rows(ReminderLog, ReminderLog.kind == "escalation") == 2
    page = text_of(client.post(path, follow_redirects=True))
    assert "Vandaag is er al een herinnering over deze notitie naar Gemeente Midden gestuurd." in page
    assert len(outbox) == 2
    assert count_rows(AuditEvent, AuditEvent.action == "reminder.sent_now") == 1
    clock.move_to(at(DAY0 + timedelta(days=1)))
    page = text_of(login(issued.people["ria"]).post(path, follow_redirects=True))  # signed in again: a day later
    assert "Herinnering verstuurd" in page and len(outbox) == 4


def test_the_escalation_reminder_does_not_replace_the_scheduled_one(issued, clock, login, runner, outbox):
    clock.move_to(at(DAY0 + timedelta(days=3)))
    login(issued.people["ria"]).post(f"/follow-up/briefs/{issued.brief.id}/organisations/{issued.gemeente.id}/remind")
    assert runner.invoke(args=["reminders", "send"]).output.strip() == "3 herinneringen verstuurd"


def test_escalating_and_reminding_about_an_action(issued, login, outbox):
    people = issued.people
    answer = respond(issued.brief, issued.f3, issued.ggz, people["gijs"], submitted_at=at(DAY0))
    action = add_action(answer, description="Casusregie bij de GGZ")
    client = login(people["bram"])
    assert client.post(f"/follow-up/actions/{action.id}/escalate").status_code == 302
    db.session.expire_all()
    assert db.session.get(Action, action.id).escalated_by_id == people["bram"].id
    assert count_rows(AuditEvent, AuditEvent.action == "action.escalated") == 1
    page = text_of(client.post(f"/follow-up/actions/{action.id}/remind", follow_redirects=True))
    assert "Herinnering over de actie verstuurd." in page
    assert [message["To"] for message in outbox.messages()] == ["gijs@example.org"]
    page = text_of(client.post(f"/follow-up/actions/{action.id}/remind", follow_redirects=True))
    assert "Vandaag is er al een herinnering over deze actie gestuurd." in page and len(outbox) == 1


def test_nobody_to_remind_when_everything_is_in(issued, login, outbox):
    people = issued.people
    for finding in (issued.f1, issued.f3):
        respond(issued.brief, finding, issued.ggz, people["gijs"], submitted_at=at(DAY0))
    client = login(people["ria"])
    page = text_of(client.post(f"/follow-up/briefs/{issued.brief.id}/organisations/{issued.ggz.id}/remind",
                               follow_redirects=True))
    assert "Er is niemand om te herinneren" in page and len(outbox) == 0
    page = text_of(client.post(f"/follow-up/briefs/{issued.brief.id}/organisations/{issued.ggz.id}/escalate",
                               follow_redirects=True))
    assert "al ingediend" in page


def test_crafted_ids_are_404_and_change_nothing(issued, login, outbox):
    people = issued.people
    answer = respond(issued.brief, issued.f3, issued.ggz, people["gijs"], submitted_at=at(DAY0))
    action = add_action(answer)
    client = login(people["outsider"])
    for path in (f"/follow-up/briefs/{issued.brief.id}/organisations/{issued.gemeente.id}/escalate",
                 f"/follow-up/briefs/{issued.brief.id}/organisations/{issued.gemeente.id}/remind",
                 f"/follow-up/actions/{action.id}/escalate", f"/follow-up/actions/{action.id}/remind"):
        assert client.post(path).status_code == 404, path
    other = login(people["ria"])  # an organisation the brief did not go to
    assert other.post(f"/follow-up/briefs/{issued.brief.id}/organisations/999/escalate").status_code == 404
    db.session.expire_all()
    assert db.session.get(Action, action.id).escalated_at is None
    assert count_rows(Response, Response.escalated_at.is_not(None)) == 0 and len(outbox) == 0


def test_the_overview_costs_the_same_queries_whatever_the_number_of_briefs(issued, login, count_queries,
                                                                         make_lesson, make_finding):
    people = issued.people
    answer = respond(issued.brief, issued.f3, issued.ggz, people["gijs"], submitted_at=at(DAY0))
    add_action(answer)
    client = login(people["ria"])
    with count_queries() as one:
        assert client.get("/follow-up").status_code == 200
    for number in range(5):
        finding = make_finding(people["ria"], [make_lesson(issued.review_a, "keten")], title=f"Extra {number}",
                               organisation_ids=[issued.gemeente.id, issued.ggz.id], questions=("Vraag?",))
        finding.status = "in_brief"
        brief = make_brief(f"Notitie {number}", people["ria"], [finding],
                           [(people["greet"], issued.gemeente), (people["gijs"], issued.ggz)])
        issue(brief, people["ria"])
        add_action(respond(brief, finding, issued.ggz, people["gijs"], submitted_at=at(DAY0)))
    with count_queries() as six:
        page = client.get("/follow-up").get_data(as_text=True)
    assert "Notitie 4" in page
    assert six.count == one.count, (one.statements, six.statements)

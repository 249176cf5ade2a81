"""Terugkoppeling as it happens: e-mail and in-app notifications to the members of the source reviews."""

from __future__ import annotations

import json

import sqlalchemy as sa

from learning.db import db
from learning.responses import notifications
from learning.responses.models import Notification
from learning.responses.services import submit_responses
from tests.followup.conftest import DAY0, add_action, at, respond


def notified(kind: str | None = None) -> list[tuple[int, int]]:
    query = sa.select(Notification.user_id, Notification.review_id).order_by(Notification.user_id,
                                                                             Notification.review_id)
    if kind:
        query = query.where(Notification.kind == kind)
    return [tuple(row) for row in db.session.execute(query)]


def submit(world, organisation, finding_ids, actor):  # noqa: ANN001, ANN201
    responses = [respond(world.brief, finding, organisation, actor, decision="partly",
                         reasoning=f"Deels: {finding.title}", submitted_at=at(DAY0))
                 for finding in world.findings if finding.id in finding_ids]
    notifications.responses_submitted(responses, actor=actor)
    return responses


def test_each_member_of_each_source_review_is_told_once_per_review(issued, outbox):
    people = issued.people
    submit(issued, issued.gemeente, {issued.f1.id, issued.f2.id}, people["greet"])  # F1 rests on A and B, F2 on A
    assert len(outbox) == 0  # not before the commit
    db.session.commit()
    a, b = issued.review_a.id, issued.review_b.id
    expected = sorted([(people[name].id, a) for name in ("ria", "piet", "erin", "olga", "dirk")]
                      + [(people[name].id, b) for name in ("bram", "bo", "dirk")])
    assert notified("responses_submitted") == expected  # Ina's account is inactive; Dirk once per review
    assert sorted(message["To"] for message in outbox.messages()) == sorted(
        f"{people[name].email}" for name in ("ria", "piet", "erin", "olga", "dirk", "bram", "bo", "dirk"))


def test_a_message_holds_only_its_own_review_and_its_findings(issued, outbox):
    people = issued.people
    submit(issued, issued.gemeente, {issued.f1.id, issued.f2.id}, people["greet"])
    db.session.commit()
    for message in outbox.to("piet@example.org") + outbox.to("bo@example.org"):
        text = outbox.text(message) + message["Subject"]
        assert "Gemeente Midden" in text and "deels overgenomen" in text
    piet = outbox.text(outbox.to("piet@example.org")[0])
    assert "Review Alfa" in piet and "Overdracht stokt" in piet and "Wachtlijst zonder regie" in piet
    assert "Bravo" not in piet
    bo = outbox.text(outbox.to("bo@example.org")[0])
    assert "Review Bravo geheim" in bo and "Overdracht stokt" in bo
    assert "Alfa" not in bo and "Wachtlijst zonder regie" not in bo  # F2 rests on A only
    assert f"http://lmi.test/reviews/{issued.review_b.id}/terugkoppeling" in bo
    for message in outbox.messages():  # nobody's name: not the board member, not the authors
        assert "Greet" not in outbox.text(message)
    dirk = [outbox.text(message) for message in outbox.to("dirk@example.org")]
    assert len(dirk) == 2 and sum("Review Alfa" in text for text in dirk) == 1


def test_the_email_is_in_the_members_language(issued, outbox):
    submit(issued, issued.gemeente, {issued.f2.id}, issued.people["greet"])
    db.session.commit()
    assert outbox.to("erin@example.org")[0]["Content-Language"] == "en"
    assert outbox.to("piet@example.org")[0]["Content-Language"] == "nl"
    assert "Beste Piet Deelnemer" in outbox.text(outbox.to("piet@example.org")[0])


def test_the_actor_is_not_told_about_their_own_action(issued, add_member, outbox):
    add_member(issued.review_a, issued.people["greet"], "observer")
    submit(issued, issued.gemeente, {issued.f2.id}, issued.people["greet"])
    db.session.commit()
    assert outbox.to("greet@example.org") == []


def test_a_rolled_back_submission_tells_nobody(issued, outbox):
    submit(issued, issued.gemeente, set(), issued.people["greet"])  # nothing submitted: nothing to tell
    responses = [respond(issued.brief, issued.f2, issued.gemeente, issued.people["greet"], submitted_at=at(DAY0))]
    notifications.responses_submitted(responses, actor=issued.people["greet"])
    db.session.rollback()
    db.session.commit()
    assert len(outbox) == 0 and notified() == []


def test_drafts_are_not_news(issued, outbox):
    draft = respond(issued.brief, issued.f2, issued.gemeente, issued.people["greet"])
    notifications.responses_submitted([draft], actor=issued.people["greet"])
    add = add_action(draft)
    notifications.action_changed(add, old_status=None, actor=issued.people["greet"])
    db.session.commit()
    assert len(outbox) == 0 and notified() == []


def test_an_action_changing_state_is_news_a_note_is_not(issued, outbox):
    people = issued.people
    response = respond(issued.brief, issued.f3, issued.ggz, people["gijs"], submitted_at=at(DAY0))
    action = add_action(response, description="Casusregie bij de GGZ")
    notifications.action_changed(action, old_status=None, actor=people["gijs"])
    db.session.commit()
    assert notified("action_changed") == sorted([(people["bram"].id, issued.review_b.id),
                                                 (people["bo"].id, issued.review_b.id),
                                                 (people["dirk"].id, issued.review_b.id)])
    assert "actie toegevoegd" in outbox.text(outbox.to("bo@example.org")[0])
    notifications.action_changed(action, old_status="open", actor=people["gijs"])  # a note: status unchanged
    db.session.commit()
    assert len(notified("action_changed")) == 3
    action.status = "in_progress"
    notifications.action_changed(action, old_status="open", actor=people["gijs"])
    db.session.commit()
    assert len(notified("action_changed")) == 6
    texts = [outbox.text(message) for message in outbox.to("bo@example.org")]
    assert len(texts) == 2 and any("is nu in uitvoering (was open)" in text and "Casusregie bij de GGZ" in text
                                   for text in texts)


def test_the_portal_submission_notifies_through_the_same_code(issued, outbox):
    people = issued.people
    entries = [entry for entry in issued.version.snapshot["findings"] if entry["id"] in (issued.f1.id, issued.f3.id)]
    for finding in (issued.f1, issued.f3):
        respond(issued.brief, finding, issued.ggz, people["gijs"], decision="not_adopted", reasoning="Geen budget")
    submit_responses(issued.brief, issued.ggz.id, entries, actor=people["gijs"])
    db.session.commit()
    assert notified("responses_submitted")  # the portal's service called notifications.responses_submitted
    assert "niet overgenomen" in outbox.text(outbox.to("bo@example.org")[0])


# --- in the app -------------------------------------------------------------------------------------


def test_the_list_the_unread_count_and_marking_read(issued, login, outbox):
    people = issued.people
    submit(issued, issued.gemeente, {issued.f1.id, issued.f2.id}, people["greet"])
    response = respond(issued.brief, issued.f3, issued.ggz, people["gijs"], submitted_at=at(DAY0))
    action = add_action(response)
    notifications.action_changed(action, old_status=None, actor=people["gijs"])
    db.session.commit()
    dirk = login(people["dirk"])
    page = dirk.get("/dashboard").get_data(as_text=True)
    assert 'href="/notifications"' in page and "3</span>" in page and "ongelezen meldingen" in page
    page = dirk.get("/notifications").get_data(as_text=True)
    assert page.count('id="notification-') == 3
    assert page.index("actie toegevoegd") < page.index("op 2 bevindingen uit de review")  # newest first
    assert "Review Alfa" in page and "Review Bravo geheim" in page  # Dirk is in both
    first = db.session.scalars(sa.select(Notification).where(Notification.user_id == people["dirk"].id)
                               .order_by(Notification.id)).first()
    response = dirk.post(f"/notifications/{first.id}/read", data={"next": "review"})
    assert response.status_code == 302 and response.headers["Location"] == f"/reviews/{first.review_id}/terugkoppeling"
    assert "2</span>" in dirk.get("/dashboard").get_data(as_text=True)
    assert dirk.post("/notifications/read").status_code == 302
    page = dirk.get("/notifications").get_data(as_text=True)
    assert "Alle meldingen zijn gelezen." in page and "ongelezen" not in page
    piet = login(people["piet"]).get("/notifications").get_data(as_text=True)
    assert "Bravo" not in piet and piet.count('id="notification-') == 1


def test_the_message_is_written_in_the_readers_language(issued, login):
    submit(issued, issued.gemeente, {issued.f2.id}, issued.people["greet"])
    db.session.commit()
    erin = login(issued.people["erin"])
    page = erin.get("/notifications").get_data(as_text=True)
    assert '<html lang="en"' in page


def test_another_persons_notification_is_404_and_stays_unread(issued, login):
    submit(issued, issued.gemeente, {issued.f2.id}, issued.people["greet"])
    db.session.commit()
    theirs = db.session.scalar(sa.select(Notification).where(Notification.user_id == issued.people["piet"].id))
    assert login(issued.people["olga"]).post(f"/notifications/{theirs.id}/read").status_code == 404
    db.session.expire_all()
    assert db.session.get(Notification, theirs.id).read_at is None


def test_the_unread_count_costs_no_query_of_its_own(issued, login, count_queries):
    client = login(issued.people["piet"])
    with count_queries() as none_unread:
        client.get("/dashboard")
    db.session.add_all(Notification(user_id=issued.people["piet"].id, review_id=issued.review_a.id,
                                    kind="responses_submitted", params={"review_title": "Review Alfa", "items": []})
                       for _ in range(4))
    db.session.commit()
    with count_queries() as four_unread:
        page = client.get("/dashboard").get_data(as_text=True)
    assert "4</span>" in page
    assert four_unread.count == none_unread.count


def test_members_of_a_fully_anonymous_review_are_told_and_nobody_is_named(issued, outbox):
    """Everyone in the review hears, not "the authors": nothing about who wrote what is looked up or revealed."""
    issued.review_a.fully_anonymous = True
    db.session.commit()
    submit(issued, issued.gemeente, {issued.f2.id}, issued.people["greet"])
    db.session.commit()
    people = issued.people
    assert sorted(message["To"] for message in outbox.messages()) == sorted(
        people[name].email for name in ("ria", "piet", "erin", "olga", "dirk"))
    for message in outbox.messages():
        text = outbox.text(message)
        assert all(people[name].display_name not in text.split("\n", 1)[1]
                   for name in ("ria", "piet", "erin", "olga", "dirk", "greet"))
    params = db.session.scalars(sa.select(Notification.params)).all()
    assert all(set(item) == {"review_title", "items"} for item in params)
    assert not any(person.display_name in json.dumps(params, ensure_ascii=False) for person in people.values())

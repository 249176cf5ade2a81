"""``flask reminders send``: each reminder once per kind, object, recipient and day, whatever the number of runs."""

from __future__ import annotations

import threading
from datetime import timedelta

import sqlalchemy as sa

from learning.db import db
from learning.responses import reminders
from learning.responses.models import ReminderLog
from tests.followup.conftest import DAY0, add_action, at, count_rows, respond


def run(runner) -> str:  # noqa: ANN001
    result = runner.invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def recipients(outbox) -> list[str]:  # noqa: ANN001
    return sorted(message["To"] for message in outbox.messages())


def test_due_soon_reminders_go_out_once_whatever_the_number_of_runs(issued, clock, runner, outbox):
    assert run(runner) == "0 herinneringen verstuurd"  # ten days ahead: not yet
    clock.move_to(at(DAY0 + timedelta(days=3)))  # seven days before the deadline
    assert run(runner) == "3 herinneringen verstuurd"
    assert run(runner) == "0 herinneringen verstuurd"
    assert recipients(outbox) == ["gerrit@example.org", "gijs@example.org", "greet@example.org"]
    message = outbox.to("greet@example.org")[0]
    assert "Regie in de keten" in message["Subject"]
    text = outbox.text(message)
    assert "Gemeente Midden" in text and "2 bevindingen" in text
    assert f"http://lmi.test/portal/briefs/{issued.brief.id}" in text
    assert outbox.to("gerrit@example.org")[0]["Content-Language"] == "en"
    clock.move_to(at(DAY0 + timedelta(days=4)))  # once per deadline: not again the next day
    assert run(runner) == "0 herinneringen verstuurd"
    assert len(outbox) == 3
    assert count_rows(ReminderLog, ReminderLog.kind == "response_due_soon") == 3


def test_an_organisation_that_submitted_everything_gets_no_reminder(issued, clock, runner, outbox):
    people = issued.people
    for finding in (issued.f1, issued.f3):
        respond(issued.brief, finding, issued.ggz, people["gijs"], submitted_at=at(DAY0))
    respond(issued.brief, issued.f1, issued.gemeente, people["greet"], submitted_at=at(DAY0))  # F2 still missing
    clock.move_to(at(DAY0 + timedelta(days=5)))
    assert run(runner) == "2 herinneringen verstuurd"
    assert recipients(outbox) == ["gerrit@example.org", "greet@example.org"]
    assert "1 bevinding" in outbox.text(outbox.to("greet@example.org")[0])


def test_a_missed_day_is_caught_up_and_a_draft_does_not_count(issued, clock, runner, outbox):
    respond(issued.brief, issued.f3, issued.ggz, issued.people["gijs"])  # a draft only
    clock.move_to(at(DAY0 + timedelta(days=9)))  # the cron did not run on the seventh day before
    assert run(runner) == "3 herinneringen verstuurd"


def test_overdue_reminders_repeat_every_week_by_default(issued, clock, runner, outbox):
    clock.move_to(at(DAY0 + timedelta(days=11)))  # the day after the deadline
    assert run(runner) == "3 herinneringen verstuurd"
    assert run(runner) == "0 herinneringen verstuurd"
    assert "te laat" in outbox.to("greet@example.org")[0]["Subject"]
    assert "1 dag geleden" in outbox.text(outbox.to("greet@example.org")[0])
    for days in range(12, 18):  # the six days after: nothing
        clock.move_to(at(DAY0 + timedelta(days=days)))
        assert run(runner) == "0 herinneringen verstuurd"
    clock.move_to(at(DAY0 + timedelta(days=18)))  # a week after the first
    assert run(runner) == "3 herinneringen verstuurd"
    assert run(runner) == "0 herinneringen verstuurd"
    assert len(outbox) == 6


def test_overdue_reminders_can_be_daily(app, issued, clock, runner, outbox):
    app.config["REMINDER_OVERDUE_EVERY_DAYS"] = 1
    clock.move_to(at(DAY0 + timedelta(days=11)))
    assert run(runner) == "3 herinneringen verstuurd"
    assert run(runner) == "0 herinneringen verstuurd"
    clock.move_to(at(DAY0 + timedelta(days=12)))  # the next day: again, once
    assert run(runner) == "3 herinneringen verstuurd"
    assert run(runner) == "0 herinneringen verstuurd"
    assert len(outbox) == 6


def test_only_active_policy_owners_who_are_addressees_are_reminded(issued, clock, runner, outbox):
    people = issued.people
    people["gerrit"].active = False
    people["gijs"].role_rows.clear()  # no longer a policy owner
    db.session.commit()
    clock.move_to(at(DAY0 + timedelta(days=4)))
    assert run(runner) == "1 herinnering verstuurd"
    assert recipients(outbox) == ["greet@example.org"]


def test_action_reminders_before_and_after_the_due_date(issued, clock, runner, outbox):
    people = issued.people
    for finding in (issued.f1, issued.f2):
        respond(issued.brief, finding, issued.gemeente, people["greet"], submitted_at=at(DAY0))
    answer = respond(issued.brief, issued.f3, issued.ggz, people["gijs"], submitted_at=at(DAY0))
    respond(issued.brief, issued.f1, issued.ggz, people["gijs"], submitted_at=at(DAY0))
    action = add_action(answer, due=DAY0 + timedelta(days=20), description="Casusregie bij de GGZ")
    add_action(answer, due=DAY0 + timedelta(days=20), status="done", finished_at=at(DAY0))  # finished: never
    clock.move_to(at(DAY0 + timedelta(days=13)))  # seven days before the due date
    assert run(runner) == "1 herinnering verstuurd"
    assert run(runner) == "0 herinneringen verstuurd"
    message = outbox.to("gijs@example.org")[0]
    assert "Casusregie bij de GGZ" in outbox.text(message)
    assert f"/portal/briefs/{issued.brief.id}/actions/{action.id}" in outbox.text(message)
    clock.move_to(at(DAY0 + timedelta(days=21)))
    assert run(runner) == "1 herinnering verstuurd"
    assert any("over de datum" in message["Subject"] for message in outbox.to("gijs@example.org"))
    action.status = "done"
    db.session.commit()
    clock.move_to(at(DAY0 + timedelta(days=28)))
    assert run(runner) == "0 herinneringen verstuurd"


def test_actions_of_a_response_never_submitted_are_not_reminded(issued, clock, runner, outbox):
    people = issued.people
    draft = respond(issued.brief, issued.f3, issued.ggz, people["gijs"])
    add_action(draft, due=DAY0 + timedelta(days=2))
    for finding in (issued.f1, issued.f2):
        respond(issued.brief, finding, issued.gemeente, people["greet"], submitted_at=at(DAY0))
    respond(issued.brief, issued.f1, issued.ggz, people["gijs"], submitted_at=at(DAY0))
    assert run(runner) == "0 herinneringen verstuurd"


def test_a_second_claim_of_the_same_reminder_is_refused(issued):
    recipient = issued.people["greet"].id
    assert reminders.claim("response_overdue", "brief", issued.brief.id, recipient, DAY0) is True
    assert reminders.claim("response_overdue", "brief", issued.brief.id, recipient, DAY0) is False
    assert reminders.claim("response_overdue", "brief", issued.brief.id, recipient, DAY0 + timedelta(days=1)) is True
    assert reminders.claim("escalation", "brief", issued.brief.id, recipient, DAY0) is True


def test_two_concurrent_claims_insert_once(app, issued):
    """The first transaction holds its claim uncommitted while the second tries: the second waits and gets none."""
    recipient, brief_id = issued.people["greet"].id, issued.brief.id
    db.session.commit()
    first_claimed, second_started = threading.Event(), threading.Event()
    results: dict[str, bool] = {}

    def first() -> None:
        with app.app_context():
            results["first"] = reminders.claim("response_overdue", "brief", brief_id, recipient, DAY0)
            first_claimed.set()
            second_started.wait(5)
            threading.Event().wait(0.3)  # the second is now waiting for this transaction
            db.session.commit()
            db.session.remove()

    def second() -> None:
        first_claimed.wait(5)
        with app.app_context():
            second_started.set()
            results["second"] = reminders.claim("response_overdue", "brief", brief_id, recipient, DAY0)
            db.session.commit()
            db.session.remove()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert results == {"first": True, "second": False}
    assert count_rows(ReminderLog, ReminderLog.object_id == brief_id) == 1


def test_two_concurrent_runs_send_each_reminder_once(app, issued, clock, outbox):
    clock.move_to(at(DAY0 + timedelta(days=11)))
    db.session.commit()
    barrier = threading.Barrier(2)
    sent: list[int] = []
    errors: list[BaseException] = []

    def run_once() -> None:
        try:
            with app.app_context():
                barrier.wait(5)
                sent.append(reminders.send_reminders(DAY0 + timedelta(days=11)))
                db.session.commit()
                db.session.remove()
        except BaseException as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=run_once) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert sorted(sent) == [0, 3]
    assert len(outbox) == 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReminderLog)) == 3

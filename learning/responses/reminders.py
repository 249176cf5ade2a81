"""Reminders to boards: before a response deadline, when responses are overdue, before an action's
due date and when an action is overdue; and the reviewers' "Nu herinnering sturen" (escalation).

Who gets them: the recipients (``BriefRecipient``) of an issued brief's latest version, per organisation, with an
active account and the global role policy owner, and only for the organisations the latest issued
version went to (``loop.addressed_findings``): the same people who see the brief in their portal.

* ``response_due_soon``: the organisation has not submitted all its responses and the deadline of
  the latest version is ``REMINDER_DAYS_BEFORE`` days away or less (default 7). Sent once per
  deadline: on the first run inside that window (a missed cron day is caught up the next day).
* ``response_overdue``: the deadline has passed and responses are still missing. Sent on the first
  run after the deadline and then every ``REMINDER_OVERDUE_EVERY_DAYS`` days (default 7, weekly:
  a board that has not answered needs a steady reminder, not a daily one that teaches it to filter
  our mail; set it to 1 for daily reminders) until every response is submitted.
* ``action_due_soon`` / ``action_overdue``: the same two rules for actions that are open or in
  progress, on a response that has been submitted, by the action's due date. They go to the
  addressees of the organisation the action belongs to.
* ``escalation``: a reviewer presses "Nu herinnering sturen" on the follow-up overview
  (:func:`send_now`); at most once per object, recipient and day.

Idempotent, whatever the number of runs and even when two run at the same time: every reminder is
first claimed by inserting its ``ReminderLog`` row (kind, object, recipient, day; a unique key) with
``INSERT … ON CONFLICT DO NOTHING RETURNING id``, and the e-mail is queued only when this run's
insert made the row. A second run the same day finds the row and sends nothing; of two concurrent
runs the database lets exactly one insert it (PostgreSQL makes the second wait for the first's
commit, SQLite has one writer at a time). E-mail leaves after the commit (``send_mail``), so a run
that fails half-way sends nothing and logs nothing, and the next run does the work.

"Today" is ``utcnow().date()`` unless a date is passed (tests, and ``--today`` for a catch-up run).

Scheduling in production: run ``flask reminders send`` once a day on one machine, for example
with cron (the morning, so boards read it at the start of their day)::

    0 7 * * * cd /app && flask reminders send >> /var/log/lmi-reminders.log 2>&1

or as an rq-scheduler job that calls :func:`send_reminders` in an app context. Running it more
often, or on several machines at once, is harmless: each reminder still goes out once a day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import format_date
from sqlalchemy.dialects import postgresql, sqlite

from learning import audit
from learning.admin.models import Organisation
from learning.auth.models import User, UserRole
from learning.briefs.models import Brief, BriefRecipient, BriefVersion
from learning.db import db, utcnow
from learning.findings.models import Finding
from learning.i18n import _, ngettext
from learning.mail import external_url, send_mail
from learning.responses.loop import OPEN_ACTION_STATUSES, addressed_findings, submitted_response_join
from learning.responses.models import Action, ReminderKind, ReminderLog, Response

BRIEF = "brief"
ACTION = "action"


class AlreadySentToday(ValueError):
    """"Nu herinnering sturen" pressed again on the same day: nobody gets a second one; ``str()`` says so."""


class NobodyToRemind(ValueError):
    """No active policy owner is an addressee for this organisation: there is nobody to send to."""


class _Text:
    """Text made when the mail is rendered (in the recipient's language): ``str()`` calls ``make``."""

    def __init__(self, make: Callable[[], str]) -> None:
        self.make = make

    def __str__(self) -> str:
        return self.make()


def today_utc() -> date:
    return utcnow().date()


# --- claiming: the ReminderLog row first, the e-mail only when this run made it -------------------


def claim(kind: str, object_type: str, object_id: int, recipient_id: int, day: date, *,
          sent_by: Any = None) -> bool:
    """Insert the log row of this reminder; True when this call inserted it (and must send it).

    ``INSERT … ON CONFLICT DO NOTHING RETURNING id`` (PostgreSQL and SQLite 3.35+): no exception and
    no savepoint needed, and of two concurrent transactions only one gets a row back.
    """
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    statement = (
        module.insert(ReminderLog)
        .values(kind=kind, object_type=object_type, object_id=object_id, recipient_id=recipient_id, day=day,
                sent_at=utcnow(), sent_by_id=getattr(sent_by, "id", None))
        .on_conflict_do_nothing(index_elements=["kind", "object_type", "object_id", "recipient_id", "day"])
        .returning(ReminderLog.id)
    )
    return db.session.execute(statement).scalar() is not None


# --- who is waiting for what ---------------------------------------------------------------------


def _policy_owner() -> sa.ColumnElement[bool]:
    return sa.and_(User.active.is_(True), sa.exists().where(UserRole.user_id == User.id,
                                                            UserRole.role == "policy_owner"))


def open_responses() -> sa.Subquery:
    """Per issued brief and addressed organisation: deadline, findings addressed, responses submitted.

    Only pairs with at least one response still missing.
    """
    addressed = addressed_findings("reminder_addressed")
    query = (
        sa.select(addressed.c.brief_id, addressed.c.organisation_id, addressed.c.deadline,
                  sa.func.count().label("addressed"), sa.func.count(Response.id).label("submitted"))
        .select_from(addressed).outerjoin(Response, submitted_response_join(addressed))
        .group_by(addressed.c.brief_id, addressed.c.organisation_id, addressed.c.deadline)
        .having(sa.func.count(Response.id) < sa.func.count())
    )
    return query.subquery("open_responses")


@dataclass(frozen=True)
class ResponseReminder:
    kind: str
    brief_id: int
    brief_title: str
    organisation_id: int
    organisation_name: str
    deadline: date
    missing: int
    recipient: User


@dataclass(frozen=True)
class ActionReminder:
    kind: str
    action: Action
    brief_id: int
    brief_title: str
    finding_title: str
    organisation_name: str
    recipient: User


def _latest_version_of(brief_id: sa.ColumnElement) -> sa.ColumnElement[bool]:
    return sa.and_(BriefVersion.brief_id == brief_id, BriefVersion.number == Brief.latest_version_number)


def _recipient_for(organisation_id: sa.ColumnElement) -> sa.ColumnElement[bool]:
    """Who the latest issued version was addressed to for this organisation (never the next draft's list)."""
    return sa.and_(BriefRecipient.version_id == BriefVersion.id, BriefRecipient.organisation_id == organisation_id)


def _belonging_recipient() -> sa.ColumnElement[bool]:
    """The recipient, while they still belong to the organisation they were addressed for."""
    return sa.and_(User.id == BriefRecipient.user_id, User.organisation_id == BriefRecipient.organisation_id)


def _issued_title() -> sa.ColumnElement[str]:
    """The title as issued (the draft of a next version may already carry another)."""
    return BriefVersion.snapshot["title"].as_string().label("title")


def _response_rows(horizon: date, pairs: list[tuple[int, int]] | None = None) -> list[tuple]:
    """(brief id, title, organisation id, name, deadline, missing, recipient) with a deadline up to ``horizon``."""
    pending = open_responses()
    query = (
        sa.select(pending.c.brief_id, _issued_title(), pending.c.organisation_id, Organisation.name,
                  pending.c.deadline, (pending.c.addressed - pending.c.submitted).label("missing"), User)
        .select_from(pending)
        .join(Brief, Brief.id == pending.c.brief_id)
        .join(Organisation, Organisation.id == pending.c.organisation_id)
        .join(BriefVersion, _latest_version_of(pending.c.brief_id))
        .join(BriefRecipient, _recipient_for(pending.c.organisation_id))
        .join(User, _belonging_recipient())
        .where(_policy_owner(), pending.c.deadline.is_not(None), pending.c.deadline <= horizon)
        .order_by(pending.c.deadline, pending.c.brief_id, pending.c.organisation_id, User.id)
    )
    if pairs is not None:
        query = query.where(sa.tuple_(pending.c.brief_id, pending.c.organisation_id).in_(pairs))
    return list(db.session.execute(query))


def _action_rows(horizon: date | None, action_ids: list[int] | None = None) -> list[tuple]:
    """(action, brief id, title, finding title, organisation name, recipient) for unfinished actions of
    submitted responses, due up to ``horizon``."""
    addressed = addressed_findings("action_addressed")
    query = (
        sa.select(Action, Response.brief_id, _issued_title(), Finding.title, Organisation.name, User)
        .join(Response, Response.id == Action.response_id)
        .join(Brief, Brief.id == Response.brief_id)
        .join(Finding, Finding.id == Response.finding_id)
        .join(Organisation, Organisation.id == Response.organisation_id)
        .join(BriefVersion, _latest_version_of(Response.brief_id))
        .join(BriefRecipient, _recipient_for(Response.organisation_id))
        .join(User, _belonging_recipient())
        .where(_policy_owner(), Response.first_submitted_at.is_not(None), Action.status.in_(OPEN_ACTION_STATUSES),
               sa.exists().where(addressed.c.brief_id == Response.brief_id,
                                 addressed.c.organisation_id == Response.organisation_id,
                                 addressed.c.finding_id == Response.finding_id))
        .order_by(Action.due_date, Action.id, User.id)
    )
    if horizon is not None:
        query = query.where(Action.due_date <= horizon)
    if action_ids is not None:
        query = query.where(Action.id.in_(action_ids))
    return list(db.session.execute(query))


def _last_sent(since: date) -> dict[tuple[str, str, int, int], date]:
    """(kind, object type, object id, recipient) → the last day a reminder went out, from ``since`` on."""
    rows = db.session.execute(
        sa.select(ReminderLog.kind, ReminderLog.object_type, ReminderLog.object_id, ReminderLog.recipient_id,
                  sa.func.max(ReminderLog.day))
        .where(ReminderLog.day >= since)
        .group_by(ReminderLog.kind, ReminderLog.object_type, ReminderLog.object_id, ReminderLog.recipient_id))
    return {(kind, object_type, object_id, recipient): day for kind, object_type, object_id, recipient, day in rows}


def _kind_due(due: date, today: date, *, days_before: int) -> str | None:
    """Which reminder a deadline or due date calls for today, if any."""
    if due < today:
        return "overdue"
    if (due - today).days <= days_before:
        return "due_soon"
    return None


def _should_send(stage: str, due: date, today: date, last: date | None, *, days_before: int, every: int) -> bool:
    """Once per deadline before it; after it, once every ``every`` days."""
    if last is None:
        return True
    if stage == "due_soon":
        return last < due - timedelta(days=days_before)
    return (today - last).days >= every


# --- the run -------------------------------------------------------------------------------------


def send_reminders(today: date | None = None) -> int:
    """Send the reminders that are due today and not sent yet; returns how many e-mails were queued."""
    today = today or today_utc()
    days_before = current_app.config["REMINDER_DAYS_BEFORE"]
    every = max(1, current_app.config["REMINDER_OVERDUE_EVERY_DAYS"])
    horizon = today + timedelta(days=days_before)
    last_sent = _last_sent(today - timedelta(days=max(days_before, every) + 1))
    sent = 0
    for brief_id, title, organisation_id, name, deadline, missing, recipient in _response_rows(horizon):
        stage = _kind_due(deadline, today, days_before=days_before)
        if stage is None:
            continue
        kind = ReminderKind.RESPONSE_OVERDUE if stage == "overdue" else ReminderKind.RESPONSE_DUE_SOON
        last = last_sent.get((kind.value, BRIEF, brief_id, recipient.id))
        if not _should_send(stage, deadline, today, last, days_before=days_before, every=every):
            continue
        if claim(kind.value, BRIEF, brief_id, recipient.id, today):
            _mail_response(ResponseReminder(kind.value, brief_id, title, organisation_id, name, deadline, missing,
                                            recipient), today)
            sent += 1
    for action, brief_id, title, finding_title, name, recipient in _action_rows(horizon):
        stage = _kind_due(action.due_date, today, days_before=days_before)
        if stage is None:
            continue
        kind = ReminderKind.ACTION_OVERDUE if stage == "overdue" else ReminderKind.ACTION_DUE_SOON
        last = last_sent.get((kind.value, ACTION, action.id, recipient.id))
        if not _should_send(stage, action.due_date, today, last, days_before=days_before, every=every):
            continue
        if claim(kind.value, ACTION, action.id, recipient.id, today):
            _mail_action(ActionReminder(kind.value, action, brief_id, title, finding_title, name, recipient), today)
            sent += 1
    db.session.flush()
    return sent


# --- "Nu herinnering sturen" ---------------------------------------------------------------------


def send_now_for_responses(brief: Brief, organisation_id: int, *, actor: Any, today: date | None = None) -> int:
    """Remind this organisation's addressees of its missing responses now (kind ``escalation``).

    Once per brief, recipient and day: pressed again the same day it sends nothing and raises
    ``AlreadySentToday``. Returns the number of e-mails queued.
    """
    today = today or today_utc()
    rows = _response_rows(date.max, pairs=[(brief.id, organisation_id)])
    if not rows:
        raise NobodyToRemind(_("Er is niemand om te herinneren: alle reacties zijn ingediend, of deze organisatie "
                               "heeft geen actieve beleidseigenaar als geadresseerde."))
    sent = 0
    for brief_id, title, org_id, name, deadline, missing, recipient in rows:
        if claim(ReminderKind.ESCALATION.value, BRIEF, brief_id, recipient.id, today, sent_by=actor):
            _mail_response(ResponseReminder(ReminderKind.ESCALATION.value, brief_id, title, org_id, name, deadline,
                                            missing, recipient), today)
            sent += 1
    if not sent:
        raise AlreadySentToday(_("Vandaag is er al een herinnering over deze notitie naar %(organisation)s gestuurd. "
                                 "Morgen kan het weer.", organisation=rows[0][3]))
    audit.record("reminder.sent_now", actor=actor, object_type=BRIEF, object_id=brief.id,
                 organisation_id=organisation_id, recipients=sent)
    db.session.flush()
    return sent


def send_now_for_action(action: Action, *, actor: Any, today: date | None = None) -> int:
    """Remind the addressees of the action's organisation of this action now (kind ``escalation``)."""
    today = today or today_utc()
    rows = _action_rows(None, action_ids=[action.id])
    if not rows:
        raise NobodyToRemind(_("Er is niemand om te herinneren: de actie is afgerond of vervallen, of deze "
                               "organisatie heeft geen actieve beleidseigenaar als geadresseerde."))
    sent = 0
    for row_action, brief_id, title, finding_title, name, recipient in rows:
        if claim(ReminderKind.ESCALATION.value, ACTION, row_action.id, recipient.id, today, sent_by=actor):
            _mail_action(ActionReminder(ReminderKind.ESCALATION.value, row_action, brief_id, title, finding_title,
                                        name, recipient), today)
            sent += 1
    if not sent:
        raise AlreadySentToday(_("Vandaag is er al een herinnering over deze actie gestuurd. Morgen kan het weer."))
    audit.record("reminder.sent_now", actor=actor, object_type=ACTION, object_id=action.id, recipients=sent)
    db.session.flush()
    return sent


# --- the e-mails -----------------------------------------------------------------------------------


def _portal_link(brief_id: int, action_id: int | None = None) -> str:
    if action_id is not None:
        return external_url("responses.action", brief_id=brief_id, action_id=action_id)
    return external_url("responses.show", brief_id=brief_id)


def _response_subject(reminder: ResponseReminder, today: date) -> _Text:
    def make() -> str:
        deadline = format_date(reminder.deadline, "long")
        if reminder.kind == ReminderKind.RESPONSE_DUE_SOON.value:
            return _("Herinnering: graag uw reactie vóór %(date)s op “%(title)s”", date=deadline,
                     title=reminder.brief_title)
        if reminder.kind == ReminderKind.RESPONSE_OVERDUE.value:
            return _("Uw reactie op “%(title)s” is te laat (uiterlijk %(date)s)", date=deadline,
                     title=reminder.brief_title)
        return _("Herinnering van de reviewers: uw reactie op “%(title)s”", title=reminder.brief_title)
    return _Text(make)


def _mail_response(reminder: ResponseReminder, today: date) -> None:
    days = (reminder.deadline - today).days if reminder.deadline else 0
    send_mail(to=reminder.recipient.email, subject=_response_subject(reminder, today), template="reminder_response",
              language=reminder.recipient.preferred_language or "nl", user=reminder.recipient, reminder=reminder,
              days_left=max(days, 0), days_late=max(-days, 0), link=_portal_link(reminder.brief_id))


def _action_subject(reminder: ActionReminder) -> _Text:
    def make() -> str:
        due = format_date(reminder.action.due_date, "long")
        if reminder.kind == ReminderKind.ACTION_DUE_SOON.value:
            return _("Herinnering: actie af te ronden vóór %(date)s", date=due)
        if reminder.kind == ReminderKind.ACTION_OVERDUE.value:
            return _("Actie over de datum (uiterlijk %(date)s)", date=due)
        return _("Herinnering van de reviewers over een actie (uiterlijk %(date)s)", date=due)
    return _Text(make)


def _mail_action(reminder: ActionReminder, today: date) -> None:
    days = (reminder.action.due_date - today).days
    send_mail(to=reminder.recipient.email, subject=_action_subject(reminder), template="reminder_action",
              language=reminder.recipient.preferred_language or "nl", user=reminder.recipient, reminder=reminder,
              action=reminder.action, days_left=max(days, 0), days_late=max(-days, 0),
              link=_portal_link(reminder.brief_id, reminder.action.id))


# --- the command -----------------------------------------------------------------------------------


@click.group("reminders", help="Herinneringen aan besturen over reacties en acties.")
def reminders_command() -> None:
    pass


@reminders_command.command("send", help="Verstuur de herinneringen van vandaag (veilig om vaker te draaien).")
@click.option("--today", "today_text", default=None, metavar="JJJJ-MM-DD",
              help="Doe alsof het deze dag is (inhalen); standaard vandaag (UTC).")
@with_appcontext
def send_command(today_text: str | None) -> None:
    try:
        today = date.fromisoformat(today_text) if today_text else None
    except ValueError:
        raise click.BadParameter("gebruik de vorm JJJJ-MM-DD", param_hint="--today") from None
    try:
        sent = send_reminders(today)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    click.echo(ngettext("%(num)d herinnering verstuurd", "%(num)d herinneringen verstuurd", sent))

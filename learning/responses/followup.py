"""Follow-up for reviewers: what is open and overdue across their briefs, and escalation.

The overview covers the briefs a person may edit (``learning.briefs.access.briefs_editable_by``: the
global role reviewer, and the creator of the brief or an editor of a review one of its findings
rests on). For each issued brief × addressed organisation (as in the latest version: ``loop.
addressed_findings``) with responses still missing: the deadline, how many findings it was sent and
how many are answered, the days overdue. For each action of a submitted response that is open or in
progress: the due date, status and days overdue. Both lists come sorted by urgency: the deadline or
due date furthest behind first, then the nearest ahead. Two queries each, whatever the number of
briefs.

Escalation is two buttons per row:

* "Markeren voor escalatie": sets ``escalated_at``/``escalated_by`` on the organisation's responses to
  the brief (a response row is made for a finding the board has not started on, as a draft with no
  decision, so the mark has something to sit on) or on the action, with an audit entry. Marking twice
  changes nothing.
* "Nu herinnering sturen": the reminder e-mail now, to the organisation's addressees, through the same
  code as ``flask reminders send`` (kind ``escalation``, logged in ``ReminderLog``), so at most once
  per object, recipient and day; pressed again the same day it says so and sends nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from learning import audit
from learning.admin.models import Organisation
from learning.briefs.access import brief_for_editor, briefs_editable_by
from learning.briefs.models import Brief, BriefFinding, BriefVersion
from learning.db import db, utcnow
from learning.findings.models import Finding, FindingStatus
from learning.i18n import _
from learning.lessons.ids import known_id
from learning.permissions import ObjectRule, loaded
from learning.responses.loop import OPEN_ACTION_STATUSES, addressed_findings, submitted_response_join
from learning.responses.models import Action, ActionStatus, Response, ResponseStatus


class FollowupError(ValueError):
    """An escalation that cannot be done; ``str()`` is a translated message."""


def editable_brief_ids(user: Any) -> sa.Select:
    return briefs_editable_by(user).with_only_columns(Brief.id)


# --- the overview ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseRow:
    brief_id: int
    brief_title: str
    version_number: int
    organisation_id: int
    organisation_name: str
    deadline: date | None
    addressed: int
    submitted: int
    escalated_at: datetime | None
    today: date

    @property
    def missing(self) -> int:
        return self.addressed - self.submitted

    @property
    def days_overdue(self) -> int:
        return max((self.today - self.deadline).days, 0) if self.deadline else 0

    @property
    def days_left(self) -> int:
        return max((self.deadline - self.today).days, 0) if self.deadline else 0

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0


@dataclass(frozen=True)
class ActionRow:
    action: Action
    brief_id: int
    brief_title: str
    finding_title: str
    organisation_name: str
    today: date

    @property
    def days_overdue(self) -> int:
        return max((self.today - self.action.due_date).days, 0)

    @property
    def days_left(self) -> int:
        return max((self.action.due_date - self.today).days, 0)

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0


def open_responses(user: Any, *, today: date, overdue_only: bool = False) -> list[ResponseRow]:
    """Brief × organisation pairs with responses still missing, the furthest behind first (one query)."""
    addressed = addressed_findings()
    marked = sa.orm.aliased(Response, name="marked")
    query = (
        sa.select(addressed.c.brief_id, Brief.title, BriefVersion.number, addressed.c.organisation_id,
                  Organisation.name, addressed.c.deadline, sa.func.count(), sa.func.count(Response.id),
                  sa.func.max(marked.escalated_at))
        .select_from(addressed)
        .join(Brief, Brief.id == addressed.c.brief_id)
        .join(BriefVersion, BriefVersion.id == addressed.c.version_id)
        .join(Organisation, Organisation.id == addressed.c.organisation_id)
        .outerjoin(Response, submitted_response_join(addressed))
        .outerjoin(marked, sa.and_(marked.brief_id == addressed.c.brief_id, marked.finding_id == addressed.c.finding_id,
                                   marked.organisation_id == addressed.c.organisation_id))
        .where(addressed.c.brief_id.in_(editable_brief_ids(user)))
        .group_by(addressed.c.brief_id, Brief.title, BriefVersion.number, addressed.c.organisation_id,
                  Organisation.name, addressed.c.deadline)
        .having(sa.func.count(Response.id) < sa.func.count())
        .order_by(addressed.c.deadline, Brief.title, addressed.c.brief_id, Organisation.name)
    )
    if overdue_only:
        query = query.where(addressed.c.deadline < today)
    return [ResponseRow(*row, today=today) for row in db.session.execute(query)]


def open_actions(user: Any, *, today: date, overdue_only: bool = False) -> list[ActionRow]:
    """Actions open or in progress on submitted responses, the furthest behind first (one query)."""
    addressed = addressed_findings()
    query = (
        sa.select(Action, Response.brief_id, Brief.title, Finding.title, Organisation.name)
        .join(Response, Response.id == Action.response_id)
        .join(Brief, Brief.id == Response.brief_id)
        .join(Finding, Finding.id == Response.finding_id)
        .join(Organisation, Organisation.id == Response.organisation_id)
        .where(Response.brief_id.in_(editable_brief_ids(user)), Response.first_submitted_at.is_not(None),
               Action.status.in_(OPEN_ACTION_STATUSES),
               sa.exists().where(addressed.c.brief_id == Response.brief_id,
                                 addressed.c.organisation_id == Response.organisation_id,
                                 addressed.c.finding_id == Response.finding_id))
        .order_by(Action.due_date, Action.id)
    )
    if overdue_only:
        query = query.where(Action.due_date < today)
    return [ActionRow(*row, today=today) for row in db.session.execute(query)]


def findings_in_loop(user: Any) -> list[Finding]:
    """The findings the person's briefs carry that are not closed yet, for their place in the loop (one query)."""
    carried = (sa.select(BriefFinding.finding_id)
               .where(BriefFinding.brief_id.in_(editable_brief_ids(user))))
    return list(db.session.scalars(
        sa.select(Finding).where(Finding.id.in_(carried), Finding.status != FindingStatus.CLOSED.value)
        .order_by(Finding.title, Finding.id)))


# --- what an escalation button acts on ------------------------------------------------------------


@dataclass(frozen=True)
class BriefOrganisation:
    """An issued brief the person may edit and one organisation its latest version went to."""

    brief: Brief
    organisation: Organisation
    finding_ids: list[int]


def brief_organisation_for(user: Any, brief_id: int, organisation_id: int) -> BriefOrganisation | None:
    if not known_id(organisation_id):
        return None
    brief = brief_for_editor(user, brief_id)
    if brief is None or brief.latest_version_number == 0:
        return None
    addressed = addressed_findings()
    finding_ids = list(db.session.scalars(
        sa.select(addressed.c.finding_id).where(addressed.c.brief_id == brief.id,
                                                addressed.c.organisation_id == organisation_id)
        .order_by(addressed.c.finding_id)))
    if not finding_ids:
        return None
    return BriefOrganisation(brief, db.session.get(Organisation, organisation_id), finding_ids)


def action_for(user: Any, action_id: int) -> Action | None:
    """An action of a submitted response to a brief this person may edit, else None (404)."""
    if not known_id(action_id):
        return None
    return db.session.scalar(
        sa.select(Action).join(Response, Response.id == Action.response_id)
        .where(Action.id == action_id, Response.first_submitted_at.is_not(None),
               Response.brief_id.in_(editable_brief_ids(user))))


BRIEF_ORGANISATION = ObjectRule(
    "brief_organisation", lambda user, args: brief_organisation_for(user, args["brief_id"], args["organisation_id"]))
FOLLOWUP_ACTION = ObjectRule("followup_action", lambda user, args: action_for(user, args["action_id"]))


def current_brief_organisation() -> BriefOrganisation:
    return loaded("brief_organisation")


def current_action() -> Action:
    return loaded("followup_action")


# --- marking for escalation -------------------------------------------------------------------


def _response_rows(target: BriefOrganisation) -> list[Response]:
    return list(db.session.scalars(sa.select(Response).where(
        Response.brief_id == target.brief.id, Response.organisation_id == target.organisation.id,
        Response.finding_id.in_(target.finding_ids))))


def escalate_responses(target: BriefOrganisation, *, actor: Any) -> bool:
    """Mark this organisation's responses to the brief for escalation; False when they already were."""
    responses = {response.finding_id: response for response in _response_rows(target)}
    if responses and len(responses) == len(target.finding_ids) and all(
            response.escalated_at is not None for response in responses.values()):
        return False
    if all(response.is_submitted for response in responses.values()) and len(responses) == len(target.finding_ids):
        raise FollowupError(_("Deze organisatie heeft alle reacties al ingediend."))
    now = utcnow()
    for finding_id in target.finding_ids:
        response = responses.get(finding_id)
        if response is None:
            response = Response(brief_id=target.brief.id, finding_id=finding_id, organisation_id=target.organisation.id,
                                status=ResponseStatus.DRAFT.value, reasoning="")
            try:
                with db.session.begin_nested():
                    db.session.add(response)
            except IntegrityError:  # the board saved its first draft of this one meanwhile
                response = db.session.scalar(sa.select(Response).where(
                    Response.brief_id == target.brief.id, Response.organisation_id == target.organisation.id,
                    Response.finding_id == finding_id))
        if response.escalated_at is None:
            response.escalated_at, response.escalated_by_id = now, actor.id
    db.session.flush()
    audit.record("response.escalated", actor=actor, object_type="brief", object_id=target.brief.id,
                 organisation_id=target.organisation.id, finding_ids=target.finding_ids)
    return True


def escalate_action(action: Action, *, actor: Any) -> bool:
    """Mark one action for escalation; False when it already was."""
    if action.escalated_at is not None:
        return False
    if ActionStatus(action.status).is_finished:
        raise FollowupError(_("Deze actie is al %(status)s.", status=action.status_label.lower()))
    action.escalated_at, action.escalated_by_id = utcnow(), actor.id
    db.session.flush()
    audit.record("action.escalated", actor=actor, object_type="action", object_id=action.id,
                 brief_id=action.response.brief_id, organisation_id=action.response.organisation_id)
    return True



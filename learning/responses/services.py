"""The board's answers: responses per finding (draft, submit together, amend with history), actions
with progress over time, and the thread per finding between the reviewers and the board.

Rules:

* A response is one organisation's answer to one finding of one brief; the row is made the first
  time something is saved for it. Its decision is overgenomen, deels overgenomen or niet
  overgenomen; "deels" and "niet" need a reasoning, on every save.
* Drafts are saved per finding and submitted together ("Alles indienen"): refused, with the list of
  what is missing, while any finding of the organisation lacks a decision or a needed reasoning.
* A submitted response can be amended: the amendment is a draft (``has_unsubmitted_changes``)
  until it is submitted again. Each submission is kept as a ``ResponseRevision``; reviewers read
  the revisions only, never a draft.
* Every change is made on the version the person saw (``expected_version``): a stale form
  overwrites nothing and raises ``EditConflict`` with both versions to compare.
* When responses are submitted: an audit entry, ``notifications.responses_submitted`` (the
  terugkoppeling to the source reviews), and a finding moves in_brief → answered once every
  addressed organisation of it, in every issued brief that carries it, has submitted.
* Actions: a description, an owner (name and organisation) and a due date are required; a due date
  before today is refused when it is set or changed. Status open / in uitvoering / afgerond /
  vervallen; vervallen needs a reason. Progress is an ``ActionUpdate`` (a note, a status change or
  both). Once the response has been submitted, a new action and every status change call
  ``notifications.action_changed``; actions of a response never submitted reach the review
  members with its submission.

Services flush, never commit, and write the audit trail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from learning import audit
from learning.briefs.models import Brief, BriefFinding, BriefVersion
from learning.db import db, utcnow
from learning.findings.models import Finding, FindingStatus
from learning.findings.services import FindingError
from learning.findings.services import change_status as change_finding_status
from learning.i18n import _, ngettext
from learning.responses import notifications
from learning.responses.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    Decision,
    Response,
    ResponseRevision,
    ResponseStatus,
    ThreadMessage,
)

REASONING_LIMIT = 10_000
DESCRIPTION_LIMIT = 2_000
OWNER_NAME_LIMIT = 120
OWNER_ORGANISATION_LIMIT = 160
NOTE_LIMIT = 5_000
MESSAGE_LIMIT = 5_000


class ResponseError(ValueError):
    """A change that breaks a rule; ``str()`` is a translated message, ``field`` the form field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ChangedMeanwhile(ResponseError):
    """Pressed on a state someone else has since changed: nothing was changed."""


class SubmissionIncomplete(ResponseError):
    """"Alles indienen" while some findings still lack a decision or a needed reasoning."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(_("Nog niet alles is klaar om in te dienen. Er is niets ingediend."))
        self.missing = missing


@dataclass
class EditConflict(Exception):
    """Someone else saved a newer version since this form was opened; nothing was overwritten.

    ``current`` and ``submitted`` map field names to the text to show side by side.
    """

    current: dict[str, str]
    submitted: dict[str, str]


def _flush(conflict: Callable[[], Exception]) -> None:
    """Write, raising the row's version. Two saves racing on one version (or two first saves of the
    same response): the later one fails; its transaction is rolled back and ``conflict()`` raised."""
    try:
        db.session.flush()
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        raise conflict() from None


def _decision(value: str | None) -> Decision | None:
    if not value:
        return None
    try:
        return Decision(value)
    except ValueError:
        raise ResponseError(_("Kies een van de besluiten uit de lijst."), "decision") from None


def _decision_text(value: str | None) -> str:
    try:
        return Decision(value).label if value else "—"
    except ValueError:
        return value or "—"


def _missing_reasoning() -> str:
    return _("Geef een toelichting: bij deels overgenomen en niet overgenomen is die verplicht.")


# --- responses ----------------------------------------------------------------------------------


def find_response(brief_id: int, finding_id: int, organisation_id: int) -> Response | None:
    return db.session.scalar(sa.select(Response).where(
        Response.brief_id == brief_id, Response.finding_id == finding_id, Response.organisation_id == organisation_id))


def responses_of(brief_id: int, organisation_id: int | None = None) -> list[Response]:
    """A brief's responses (of one organisation, or all), with revisions and actions, in two or three queries."""
    query = (sa.select(Response).where(Response.brief_id == brief_id)
             .options(selectinload(Response.revisions), selectinload(Response.actions).selectinload(Action.updates)))
    if organisation_id is not None:
        query = query.where(Response.organisation_id == organisation_id)
    return list(db.session.scalars(query))


def response_state(response: Response | None) -> dict[str, str]:
    """What a response says now (its draft included), in the words of the form."""
    if response is None:
        return {"decision": "—", "reasoning": ""}
    return {"decision": _decision_text(response.decision), "reasoning": response.reasoning}


def latest_revision(response: Response) -> ResponseRevision | None:
    return response.revisions[0] if response.revisions else None


def save_response(brief: Brief, finding_id: int, organisation_id: int, *, decision: str | None, reasoning: str,
                  expected_version: int, actor: Any, submit: bool = False) -> Response:
    """Save this organisation's answer to one finding as a draft (made on version ``expected_version``;
    0 for a response not started). ``submit``: submit it at once, for an amendment of a submitted one."""
    response = find_response(brief.id, finding_id, organisation_id)
    submitted = {"decision": _decision_text(decision), "reasoning": reasoning}

    def conflict() -> EditConflict:
        return EditConflict(current=response_state(find_response(brief.id, finding_id, organisation_id)),
                            submitted=submitted)

    if (response.version if response is not None else 0) != expected_version:
        raise conflict()
    chosen = _decision(decision)
    reasoning = reasoning.strip()
    if len(reasoning) > REASONING_LIMIT:
        raise ResponseError(_("De toelichting is te lang: hoogstens %(limit)d tekens.", limit=REASONING_LIMIT),
                            "reasoning")
    already_submitted = response is not None and response.is_submitted
    if submit and not already_submitted:
        raise ResponseError(_("Reacties dient u samen in, met ‘Alles indienen’. Sla deze reactie op als concept."))
    if chosen is None and (submit or already_submitted):
        raise ResponseError(_("Kies een besluit."), "decision")
    if chosen is None and not reasoning:
        raise ResponseError(_("Kies een besluit of schrijf een toelichting om een concept op te slaan."), "decision")
    if chosen is not None and chosen.needs_reasoning and not reasoning:
        raise ResponseError(_missing_reasoning(), "reasoning")
    new_value = chosen.value if chosen is not None else None
    actor_id = actor.id
    last = latest_revision(response) if already_submitted else None
    if response is None:
        response = Response(brief_id=brief.id, finding_id=finding_id, organisation_id=organisation_id,
                            status=ResponseStatus.DRAFT.value, reasoning="")
        db.session.add(response)
    changed = (response.decision, response.reasoning) != (new_value, reasoning)
    if changed:
        # One INSERT or UPDATE: one step of the version.
        with db.session.no_autoflush:
            response.decision, response.reasoning = new_value, reasoning
            response.updated_by_id = actor_id
            if already_submitted:
                response.has_unsubmitted_changes = last is None or (last.decision, last.reasoning) != (
                    new_value, reasoning)
        _flush(conflict)
        audit.record("response.saved", actor=actor, object_type="response", object_id=response.id,
                     brief_id=brief.id, finding_id=finding_id, organisation_id=organisation_id)
    if submit:
        if not response.has_unsubmitted_changes:
            raise ResponseError(_("Er is niets gewijzigd sinds de vorige indiening."))
        _submit_all_of(brief, organisation_id, [response], actor=actor)
    return response


def _missing_for(response: Response | None, title: str) -> list[str]:
    if response is None or not response.decision:
        return [_("%(finding)s: kies een besluit.", finding=title)]
    if Decision(response.decision).needs_reasoning and not response.reasoning.strip():
        return [_("%(finding)s: geef een toelichting (verplicht bij deels en niet overgenomen).", finding=title)]
    return []


def missing_for_submission(brief_id: int, organisation_id: int, findings: Iterable[dict[str, Any]]) -> list[str]:
    """What keeps this organisation from submitting its responses to these findings; empty when ready."""
    by_finding = {response.finding_id: response for response in responses_of(brief_id, organisation_id)}
    missing: list[str] = []
    for entry in findings:
        missing += _missing_for(by_finding.get(entry["id"]), entry["title"])
    return missing


def submit_responses(brief: Brief, organisation_id: int, findings: list[dict[str, Any]], *, actor: Any,
                     expected_versions: dict[int, int] | None = None) -> list[Response]:
    """Submit this organisation's responses to ``findings`` (the snapshot entries addressed to it)
    together: every draft and every amendment. ``expected_versions`` (finding id → the version the
    page showed, 0 for none) refuses a submission of something someone else changed meanwhile."""
    by_finding = {response.finding_id: response for response in responses_of(brief.id, organisation_id)}
    if expected_versions is not None:
        for entry in findings:
            response = by_finding.get(entry["id"])
            if expected_versions.get(entry["id"], 0) != (response.version if response is not None else 0):
                raise ChangedMeanwhile(_("Iemand anders heeft intussen een reactie gewijzigd. Er is niets "
                                         "ingediend; bekijk de reacties en dien ze opnieuw in."))
    missing: list[str] = []
    for entry in findings:
        missing += _missing_for(by_finding.get(entry["id"]), entry["title"])
    if missing:
        raise SubmissionIncomplete(missing)
    pending = [by_finding[entry["id"]] for entry in findings
               if not by_finding[entry["id"]].is_submitted or by_finding[entry["id"]].has_unsubmitted_changes]
    if not pending:
        raise ResponseError(_("Alle reacties zijn al ingediend en sindsdien niet gewijzigd."))
    return _submit_all_of(brief, organisation_id, pending, actor=actor)


def _submit_all_of(brief: Brief, organisation_id: int, responses: list[Response], *, actor: Any) -> list[Response]:
    now, actor_id = utcnow(), actor.id
    lasts = [latest_revision(response) for response in responses]
    with db.session.no_autoflush:
        for response, last in zip(responses, lasts, strict=True):
            revision = ResponseRevision(number=(last.number if last else 0) + 1, decision=response.decision,
                                        reasoning=response.reasoning, submitted_at=now, submitted_by_id=actor_id)
            response.revisions.insert(0, revision)
            response.status = ResponseStatus.SUBMITTED.value
            response.first_submitted_at = response.first_submitted_at or now
            response.submitted_at, response.submitted_by_id = now, actor_id
            response.has_unsubmitted_changes = False
    audit.record("response.submitted", actor=actor, object_type="brief", object_id=brief.id,
                 organisation_id=organisation_id, response_ids=[r.id for r in responses],
                 finding_ids=[r.finding_id for r in responses])
    _flush(lambda: ChangedMeanwhile(_("Iemand anders heeft intussen een reactie gewijzigd. Er is niets "
                                      "ingediend; bekijk de reacties en dien ze opnieuw in.")))
    notifications.responses_submitted(responses, actor=actor)
    mark_answered([response.finding_id for response in responses], actor=actor)
    return responses


# --- the finding's place in the loop ------------------------------------------------------------


def addressed_pairs(finding_id: int) -> set[tuple[int, int]]:
    """(brief id, organisation id) of every organisation the finding is addressed to in the latest
    version of each issued brief that carries it (or has responses to it)."""
    carried = sa.select(BriefFinding.brief_id).where(BriefFinding.finding_id == finding_id)
    answered = sa.select(Response.brief_id).where(Response.finding_id == finding_id)
    versions = db.session.scalars(
        sa.select(BriefVersion).join(Brief, sa.and_(Brief.id == BriefVersion.brief_id,
                                                   BriefVersion.number == Brief.latest_version_number))
        .where(Brief.latest_version_number > 0, Brief.id.in_(carried.union(answered))))
    return {(version.brief_id, organisation["id"]) for version in versions
            for organisation in version.snapshot.get("organisations", []) if finding_id in organisation["finding_ids"]}


def submitted_pairs(finding_id: int) -> set[tuple[int, int]]:
    rows = db.session.execute(sa.select(Response.brief_id, Response.organisation_id).where(
        Response.finding_id == finding_id, Response.first_submitted_at.is_not(None)))
    return {(brief_id, organisation_id) for brief_id, organisation_id in rows}


def all_organisations_answered(finding_id: int) -> bool:
    required = addressed_pairs(finding_id)
    return bool(required) and required <= submitted_pairs(finding_id)


def mark_answered(finding_ids: Iterable[int], *, actor: Any) -> list[Finding]:
    """Move these findings in_brief → answered where every addressed organisation has now submitted."""
    changed = []
    for finding_id in dict.fromkeys(finding_ids):
        # Locked first: two boards submitting at the same moment each count the other's submission once
        # it has committed, so the last of them always moves the finding on (never neither).
        db.session.execute(sa.select(Finding.id).where(Finding.id == finding_id).with_for_update())
        finding = db.session.get(Finding, finding_id, populate_existing=True)
        if finding is None or finding.status != FindingStatus.IN_BRIEF.value:
            continue
        if not all_organisations_answered(finding_id):
            continue
        try:
            change_finding_status(finding, FindingStatus.ANSWERED.value, actor=actor, by_reviewer=False)
        except FindingError as error:
            raise ChangedMeanwhile(str(error)) from None
        changed.append(finding)
    return changed


# --- actions ------------------------------------------------------------------------------------


@dataclass
class ActionInput:
    description: str
    owner_name: str
    owner_organisation: str
    due_date: date | None


def _check_action(data: ActionInput, *, today: date, previous_due: date | None = None) -> ActionInput:
    cleaned = ActionInput(description=data.description.strip(), owner_name=" ".join(data.owner_name.split()),
                          owner_organisation=" ".join(data.owner_organisation.split()), due_date=data.due_date)
    if not cleaned.description:
        raise ResponseError(_("Beschrijf de actie."), "description")
    if len(cleaned.description) > DESCRIPTION_LIMIT:
        raise ResponseError(_("De beschrijving is te lang: hoogstens %(limit)d tekens.", limit=DESCRIPTION_LIMIT),
                            "description")
    if not cleaned.owner_name:
        raise ResponseError(_("Vul de naam in van wie de actie uitvoert."), "owner_name")
    if len(cleaned.owner_name) > OWNER_NAME_LIMIT:
        raise ResponseError(_("De naam is te lang: hoogstens %(limit)d tekens.", limit=OWNER_NAME_LIMIT), "owner_name")
    if not cleaned.owner_organisation:
        raise ResponseError(_("Vul de organisatie in van wie de actie uitvoert."), "owner_organisation")
    if len(cleaned.owner_organisation) > OWNER_ORGANISATION_LIMIT:
        raise ResponseError(_("De naam van de organisatie is te lang: hoogstens %(limit)d tekens.",
                              limit=OWNER_ORGANISATION_LIMIT), "owner_organisation")
    if cleaned.due_date is None:
        raise ResponseError(_("Kies de datum waarop de actie klaar moet zijn."), "due_date")
    if cleaned.due_date != previous_due and cleaned.due_date < today:
        raise ResponseError(_("Deze datum ligt in het verleden. Kies vandaag of later."), "due_date")
    return cleaned


def action_state(action: Action | None) -> dict[str, str]:
    if action is None:
        return {}
    return {"description": action.description, "owner_name": action.owner_name,
            "owner_organisation": action.owner_organisation, "due_date": action.due_date.isoformat(),
            "status": action.status_label}


def _input_state(data: ActionInput) -> dict[str, str]:
    return {"description": data.description, "owner_name": data.owner_name,
            "owner_organisation": data.owner_organisation,
            "due_date": data.due_date.isoformat() if data.due_date else ""}


def _response_submitted(action: Action) -> bool:
    return action.response.first_submitted_at is not None


def add_action(brief: Brief, finding_id: int, organisation_id: int, data: ActionInput, *, actor: Any,
               today: date) -> Action:
    """An open action for this organisation's response to the finding (the response is made if needed)."""
    cleaned = _check_action(data, today=today)
    response = find_response(brief.id, finding_id, organisation_id)
    if response is None:
        response = Response(brief_id=brief.id, finding_id=finding_id, organisation_id=organisation_id,
                            status=ResponseStatus.DRAFT.value, reasoning="", updated_by_id=actor.id)
        db.session.add(response)
    action = Action(description=cleaned.description, owner_name=cleaned.owner_name,
                    owner_organisation=cleaned.owner_organisation, due_date=cleaned.due_date,
                    status=ActionStatus.OPEN.value, lapse_reason="", created_by_id=actor.id)
    response.actions.append(action)
    _flush(lambda: ChangedMeanwhile(_("Iemand anders begon tegelijk aan deze reactie. Er is niets opgeslagen; "
                                      "probeer het opnieuw.")))
    audit.record("action.created", actor=actor, object_type="action", object_id=action.id, brief_id=brief.id,
                 finding_id=finding_id, organisation_id=organisation_id)
    if _response_submitted(action):
        notifications.action_changed(action, old_status=None, actor=actor)
    return action


def update_action(action: Action, data: ActionInput, *, expected_version: int, actor: Any, today: date) -> list[str]:
    """Change what the action is, who carries it out and when; returns the changed fields."""
    def conflict() -> EditConflict:
        db.session.refresh(action)
        return EditConflict(current=action_state(action), submitted=_input_state(data))

    if action.version != expected_version:
        raise EditConflict(current=action_state(action), submitted=_input_state(data))
    cleaned = _check_action(data, today=today, previous_due=action.due_date)
    changed = [name for name in ("description", "owner_name", "owner_organisation", "due_date")
               if getattr(action, name) != getattr(cleaned, name)]
    if not changed:
        return []
    for name in changed:
        setattr(action, name, getattr(cleaned, name))
    action.updated_at = utcnow()
    audit.record("action.updated", actor=actor, object_type="action", object_id=action.id, fields=changed)
    _flush(conflict)
    return changed


def report_progress(action: Action, *, note: str, status: str | None, expected_version: int,
                    actor: Any) -> ActionUpdate:
    """Progress on an action: a note, a status change, or both. Vervallen needs a reason (the note);
    a status change is made on the version the person saw."""
    note = note.strip()
    if len(note) > NOTE_LIMIT:
        raise ResponseError(_("Deze tekst is te lang: hoogstens %(limit)d tekens.", limit=NOTE_LIMIT), "note")
    try:
        target = ActionStatus(status) if status else ActionStatus(action.status)
    except ValueError:
        raise ResponseError(_("Kies een status uit de lijst."), "status") from None
    old = ActionStatus(action.status)
    changes_status = target is not old
    if not changes_status and not note:
        raise ResponseError(_("Schrijf wat er gebeurd is, of kies een nieuwe status."), "note")
    if changes_status and target is ActionStatus.LAPSED and not note:
        raise ResponseError(_("Geef de reden waarom de actie vervalt."), "note")
    if changes_status and action.version != expected_version:
        raise EditConflict(current={"status": old.label, "note": ""}, submitted={"status": target.label, "note": note})
    update = ActionUpdate(author_id=actor.id, body=note, old_status=old.value if changes_status else None,
                          new_status=target.value if changes_status else None, created_at=utcnow())
    action.updates.append(update)
    if changes_status:
        action.status = target.value
        action.finished_at = utcnow() if target.is_finished else None
        action.lapse_reason = note if target is ActionStatus.LAPSED else ""
        action.updated_at = utcnow()
    audit.record("action.updated", actor=actor, object_type="action", object_id=action.id,
                 fields=["status"] if changes_status else ["progress"],
                 **({"old": old.value, "new": target.value} if changes_status else {}))

    def conflict() -> EditConflict:
        current = db.session.get(Action, action.id)
        return EditConflict(current={"status": current.status_label if current else "", "note": ""},
                            submitted={"status": target.label, "note": note})

    _flush(conflict)
    if changes_status and _response_submitted(action):
        notifications.action_changed(action, old_status=old.value, actor=actor)
    return update


def open_action_count(actions: Iterable[Action]) -> int:
    return sum(not ActionStatus(action.status).is_finished for action in actions)


# --- threads ------------------------------------------------------------------------------------


def post_message(brief: Brief, finding_id: int, organisation_id: int, *, body: str, actor: Any,
                 is_question: bool = False) -> ThreadMessage:
    """A message in the thread about one finding between the brief's reviewers and one organisation.
    Only reviewers mark a message as a follow-up question (the caller decides who is one)."""
    body = body.strip()
    if not body:
        raise ResponseError(_("Schrijf een bericht."), "body")
    if len(body) > MESSAGE_LIMIT:
        raise ResponseError(_("Dit bericht is te lang: hoogstens %(limit)d tekens.", limit=MESSAGE_LIMIT), "body")
    message = ThreadMessage(brief_id=brief.id, finding_id=finding_id, organisation_id=organisation_id,
                            author_id=actor.id, body=body, is_question=is_question, created_at=utcnow())
    db.session.add(message)
    db.session.flush()
    audit.record("thread.posted", actor=actor, object_type="thread_message", object_id=message.id,
                 brief_id=brief.id, finding_id=finding_id, organisation_id=organisation_id, is_question=is_question)
    return message


def mark_question(message: ThreadMessage, *, is_question: bool, actor: Any) -> None:
    """A reviewer marks a message as a follow-up question (vervolgvraag), or takes the mark off."""
    if message.is_question == is_question:
        return
    message.is_question = is_question
    audit.record("thread.question_marked", actor=actor, object_type="thread_message", object_id=message.id,
                 is_question=is_question)
    db.session.flush()


def threads_of(brief_id: int, organisation_id: int | None = None) -> dict[tuple[int, int], list[ThreadMessage]]:
    """A brief's messages, per (organisation id, finding id), oldest first (one query)."""
    query = sa.select(ThreadMessage).where(ThreadMessage.brief_id == brief_id)
    if organisation_id is not None:
        query = query.where(ThreadMessage.organisation_id == organisation_id)
    threads: dict[tuple[int, int], list[ThreadMessage]] = {}
    for message in db.session.scalars(query.order_by(ThreadMessage.created_at, ThreadMessage.id)):
        threads.setdefault((message.organisation_id, message.finding_id), []).append(message)
    return threads


# --- the state of a brief in the portal ---------------------------------------------------------


@dataclass
class BriefState:
    """How far one organisation is with one brief."""

    findings: int
    submitted: int
    drafts: int
    amended: int
    open_actions: int

    @property
    def all_submitted(self) -> bool:
        return self.findings > 0 and self.submitted == self.findings

    @property
    def labels(self) -> list[str]:
        labels = []
        if self.all_submitted:
            labels.append(_("ingediend"))
            if self.amended:
                labels.append(ngettext("%(num)d wijziging nog niet ingediend",
                                       "%(num)d wijzigingen nog niet ingediend", self.amended))
        elif self.drafts or self.submitted:
            labels.append(_("concept opgeslagen"))
        else:
            labels.append(_("nog te beantwoorden"))
        if self.open_actions:
            labels.append(ngettext("%(num)d actie open", "%(num)d acties open", self.open_actions))
        return labels


def brief_state(finding_ids: list[int], responses: Iterable[Response]) -> BriefState:
    mine = [response for response in responses if response.finding_id in finding_ids]
    return BriefState(
        findings=len(finding_ids),
        submitted=sum(response.is_submitted for response in mine),
        drafts=sum(not response.is_submitted and bool(response.decision or response.reasoning) for response in mine),
        amended=sum(response.is_submitted and response.has_unsubmitted_changes for response in mine),
        open_actions=sum(open_action_count(response.actions) for response in mine),
    )


def brief_states(pairs: list[tuple[int, int, list[int]]]) -> dict[tuple[int, int], BriefState]:
    """The state per (brief id, organisation id), for the briefs of the portal list (two queries)."""
    if not pairs:
        return {}
    wanted = {(brief_id, organisation_id) for brief_id, organisation_id, _ids in pairs}
    responses = db.session.scalars(
        sa.select(Response).where(Response.brief_id.in_({brief_id for brief_id, _o, _i in pairs}))
        .options(selectinload(Response.actions)))
    grouped: dict[tuple[int, int], list[Response]] = {}
    for response in responses:
        key = (response.brief_id, response.organisation_id)
        if key in wanted:
            grouped.setdefault(key, []).append(response)
    return {(brief_id, organisation_id): brief_state(ids, grouped.get((brief_id, organisation_id), []))
            for brief_id, organisation_id, ids in pairs}


def days_until(deadline: date | None, today: date) -> int | None:
    return (deadline - today).days if deadline is not None else None

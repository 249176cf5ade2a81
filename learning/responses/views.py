"""The policy owner's portal: the briefs addressed to me, and per brief the findings addressed to my
organisation with my response, actions and the thread with the reviewers.

Every route below the list loads the brief through ``PORTAL_BRIEF`` (or the finding, action or PDF
through the rules built on it): a brief not addressed to me, a finding not addressed to my
organisation, or an action of another organisation is a 404, and nothing is changed. The forms are
plain posts that come back to the page, so they work by keyboard and without JavaScript; a form
that is refused comes back with what was typed and the message next to the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from io import BytesIO
from typing import Any

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from learning import audit
from learning.briefs.models import BriefDocument, BriefVersion
from learning.db import db, utcnow
from learning.i18n import _, ngettext
from learning.permissions import require, role
from learning.responses import bp, services
from learning.responses.access import (
    PORTAL_ACTION,
    PORTAL_BRIEF,
    PORTAL_DOCUMENT,
    PORTAL_FINDING,
    PortalBrief,
    current_portal,
    current_portal_action,
    current_portal_document,
    current_portal_finding,
    portal_briefs,
)
from learning.responses.forms import ActionForm, MessageForm, ProgressForm, ResponseForm, SubmitAllForm
from learning.responses.models import Action, Response
from learning.responses.services import ActionInput, EditConflict, ResponseError, SubmissionIncomplete

POLICY_OWNER = role("policy_owner")


def today() -> date:
    return utcnow().date()


def form_version(value: Any) -> int:
    """The version a form was shown; anything else counts as an old one (a conflict, never an error)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def show_error(form: Any, error: ResponseError) -> None:
    target = getattr(form, error.field, None) if error.field else None
    if target is not None:
        target.errors = [*target.errors, str(error)]
    else:
        form.form_errors.append(str(error))


def response_fields() -> list[tuple[str, str]]:
    return [("decision", _("Besluit")), ("reasoning", _("Toelichting"))]


def action_fields() -> list[tuple[str, str]]:
    return [("description", _("Actie")), ("owner_name", _("Eigenaar (naam)")),
            ("owner_organisation", _("Organisatie van de eigenaar")), ("due_date", _("Klaar op")),
            ("status", _("Status")), ("note", _("Voortgang"))]


# --- the list -----------------------------------------------------------------------------------


@dataclass
class PortalRow:
    portal: PortalBrief
    state: services.BriefState
    deadline: date | None
    days_left: int | None


@bp.route("")
@require(POLICY_OWNER)
def index():
    portals = portal_briefs(current_user)
    states = services.brief_states([(p.brief.id, p.organisation.id, p.finding_ids) for p in portals])
    rows = []
    for portal in portals:
        deadline = portal.deadline
        rows.append(PortalRow(portal, states[(portal.brief.id, portal.organisation.id)], deadline,
                              services.days_until(deadline, today())))
    return render_template("responses/index.html", rows=rows)


# --- one brief ----------------------------------------------------------------------------------


@dataclass
class FindingPanel:
    """One finding on the portal page with everything the board does about it."""

    number: int
    entry: dict[str, Any]
    response: Response | None
    response_form: ResponseForm
    action_form: ActionForm
    message_form: MessageForm
    messages: list[Any]
    conflict: EditConflict | None = None
    action_form_open: bool = False

    @property
    def id(self) -> int:
        return self.entry["id"]

    @property
    def actions(self) -> list[Action]:
        return list(self.response.actions) if self.response is not None else []


@dataclass
class PageOverrides:
    """The forms (with errors and what was typed) of a refused post, to show in place of fresh ones."""

    response_forms: dict[int, ResponseForm] = field(default_factory=dict)
    action_forms: dict[int, ActionForm] = field(default_factory=dict)
    message_forms: dict[int, MessageForm] = field(default_factory=dict)
    conflicts: dict[int, EditConflict] = field(default_factory=dict)
    missing: list[str] | None = None


def _versions_of(portal: PortalBrief) -> list[tuple[BriefVersion, BriefDocument | None]]:
    """Every issued version of the brief, newest first, with this organisation's PDF if it has one."""
    document = sa.orm.aliased(BriefDocument)
    rows = db.session.execute(
        sa.select(BriefVersion, document)
        .outerjoin(document, sa.and_(document.version_id == BriefVersion.id,
                                     document.organisation_id == portal.organisation.id))
        .where(BriefVersion.brief_id == portal.brief.id).order_by(BriefVersion.number.desc()))
    return [(version, doc) for version, doc in rows]


def response_form(prefix: str, response: Response | None) -> ResponseForm:
    return ResponseForm(formdata=None, prefix=prefix, decision=response.decision if response else None,
                        reasoning=response.reasoning if response else "",
                        version=str(response.version if response else 0))


def render_portal(portal: PortalBrief, overrides: PageOverrides | None = None, status: int = 200) -> tuple[str, int]:
    overrides = overrides or PageOverrides()
    by_finding = {response.finding_id: response
                  for response in services.responses_of(portal.brief.id, portal.organisation.id)}
    threads = services.threads_of(portal.brief.id, portal.organisation.id)
    panels = []
    for number, entry in enumerate(portal.findings, start=1):
        fid = entry["id"]
        response = by_finding.get(fid)
        message_form = overrides.message_forms.get(fid) or MessageForm(formdata=None, prefix=f"message-{fid}")
        if "is_question" in message_form:
            del message_form.is_question  # follow-up questions are the reviewers'
        panels.append(FindingPanel(
            number=number, entry=entry, response=response,
            response_form=overrides.response_forms.get(fid) or response_form(f"response-{fid}", response),
            action_form=overrides.action_forms.get(fid) or ActionForm(formdata=None, prefix=f"action-{fid}"),
            message_form=message_form, messages=threads.get((portal.organisation.id, fid), []),
            conflict=overrides.conflicts.get(fid), action_form_open=fid in overrides.action_forms,
        ))
    state = services.brief_state(portal.finding_ids, by_finding.values())
    deadline = portal.deadline
    versions = ",".join(f"{panel.id}:{panel.response.version if panel.response else 0}" for panel in panels)
    return render_template(
        "responses/show.html", portal=portal, view=portal.view, panels=panels, state=state, deadline=deadline,
        days_left=services.days_until(deadline, today()), documents=_versions_of(portal),
        submit_form=SubmitAllForm(formdata=None, versions=versions), missing=overrides.missing, today=today(),
    ), status


def back_to(portal: PortalBrief, anchor: str | None = None):  # noqa: ANN201
    return redirect(url_for("responses.show", brief_id=portal.brief.id, _anchor=anchor))


@bp.route("/briefs/<int:brief_id>")
@require(PORTAL_BRIEF)
def show(brief_id: int):
    return render_portal(current_portal())


@bp.route("/briefs/<int:brief_id>/findings/<int:finding_id>/response", methods=["POST"])
@require(PORTAL_FINDING)
def save_response(brief_id: int, finding_id: int):
    target = current_portal_finding()
    portal = target.portal
    form = ResponseForm(prefix=f"response-{target.id}")
    submit = request_intent() == "submit"
    if not form.validate_on_submit():
        return render_portal(portal, PageOverrides(response_forms={target.id: form}), 422)
    try:
        services.save_response(portal.brief, target.id, portal.organisation.id, decision=form.decision.data,
                               reasoning=form.reasoning.data or "", expected_version=form_version(form.version.data),
                               actor=current_user, submit=submit)
    except EditConflict as clash:
        current = services.find_response(portal.brief.id, target.id, portal.organisation.id)
        form.version.data = str(current.version if current else 0)  # saving again knowingly replaces it
        return render_portal(portal, PageOverrides(response_forms={target.id: form},
                                                   conflicts={target.id: clash}), 409)
    except ResponseError as error:
        show_error(form, error)
        return render_portal(portal, PageOverrides(response_forms={target.id: form}), 422)
    if submit:
        flash(_("De gewijzigde reactie is ingediend."), "success")
    else:
        flash(_("De reactie is als concept opgeslagen. Dien alle reacties samen in met ‘Alles indienen’ als ze "
                "klaar zijn."), "success")
    return back_to(portal, f"finding-{target.id}")


def request_intent() -> str:
    """Which button saved a response: "submit" (an amendment, submitted at once) or a draft."""
    return request.form.get("intent", "")


def _expected_versions(text: str | None) -> dict[int, int] | None:
    """"finding:version,…" as the page showed it; None when absent, and an empty dict when unreadable
    (then every response counts as changed meanwhile)."""
    if not text:
        return None
    versions: dict[int, int] = {}
    for part in text.split(","):
        finding_id, _sep, version = part.partition(":")
        try:
            versions[int(finding_id)] = int(version)
        except ValueError:
            return {}
    return versions


@bp.route("/briefs/<int:brief_id>/submit", methods=["POST"])
@require(PORTAL_BRIEF)
def submit_all(brief_id: int):
    portal = current_portal()
    form = SubmitAllForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        submitted = services.submit_responses(portal.brief, portal.organisation.id, portal.findings,
                                              actor=current_user,
                                              expected_versions=_expected_versions(form.versions.data))
    except SubmissionIncomplete as refusal:
        return render_portal(portal, PageOverrides(missing=refusal.missing), 422)
    except ResponseError as error:
        flash(str(error), "error")
        return back_to(portal, "submit")
    flash(ngettext("%(num)d reactie is ingediend. De reviewers en de deelnemers van de reviews krijgen bericht.",
                   "%(num)d reacties zijn ingediend. De reviewers en de deelnemers van de reviews krijgen bericht.",
                   len(submitted)), "success")
    return back_to(portal, "submit")


# --- actions ------------------------------------------------------------------------------------


def action_input(form: ActionForm) -> ActionInput:
    return ActionInput(description=form.description.data or "", owner_name=form.owner_name.data or "",
                       owner_organisation=form.owner_organisation.data or "", due_date=form.due_date.data)


@bp.route("/briefs/<int:brief_id>/findings/<int:finding_id>/actions", methods=["POST"])
@require(PORTAL_FINDING)
def add_action(brief_id: int, finding_id: int):
    target = current_portal_finding()
    portal = target.portal
    form = ActionForm(prefix=f"action-{target.id}")
    if form.validate_on_submit():
        try:
            action = services.add_action(portal.brief, target.id, portal.organisation.id, action_input(form),
                                         actor=current_user, today=today())
        except ResponseError as error:
            show_error(form, error)
        else:
            flash(_("De actie is toegevoegd."), "success")
            return back_to(portal, f"action-{action.id}")
    return render_portal(portal, PageOverrides(action_forms={target.id: form}), 422)


def render_action(target: Any, *, edit_form: ActionForm | None = None, progress_form: ProgressForm | None = None,
                  conflict: EditConflict | None = None, status: int = 200) -> tuple[str, int]:
    action = target.action
    version = str(action.version)
    edit_form = edit_form or ActionForm(
        formdata=None, prefix="action", description=action.description, owner_name=action.owner_name,
        owner_organisation=action.owner_organisation, due_date=action.due_date, version=version)
    progress_form = progress_form or ProgressForm(formdata=None, prefix="progress", status=action.status,
                                                  version=version)
    return render_template("responses/action.html", portal=target.portal, entry=target.entry, action=action,
                           edit_form=edit_form, progress_form=progress_form, conflict=conflict,
                           conflict_fields=action_fields(), today=today()), status


@bp.route("/briefs/<int:brief_id>/actions/<int:action_id>", methods=["GET", "POST"])
@require(PORTAL_ACTION)
def action(brief_id: int, action_id: int):
    target = current_portal_action()
    form = ActionForm(prefix="action")
    if not form.is_submitted():
        return render_action(target)
    if form.validate_on_submit():
        try:
            changed = services.update_action(target.action, action_input(form),
                                             expected_version=form_version(form.version.data), actor=current_user,
                                             today=today())
        except EditConflict as clash:
            form.version.data = str(db.session.get(Action, action_id).version)
            return render_action(target, edit_form=form, conflict=clash, status=409)
        except ResponseError as error:
            show_error(form, error)
        else:
            flash(_("De actie is opgeslagen.") if changed else _("Er was niets gewijzigd."), "success")
            return redirect(url_for("responses.action", brief_id=brief_id, action_id=action_id))
    return render_action(target, edit_form=form, status=422)


@bp.route("/briefs/<int:brief_id>/actions/<int:action_id>/progress", methods=["POST"])
@require(PORTAL_ACTION)
def report_progress(brief_id: int, action_id: int):
    target = current_portal_action()
    form = ProgressForm(prefix="progress")
    if form.validate_on_submit():
        try:
            services.report_progress(target.action, note=form.note.data or "", status=form.status.data,
                                     expected_version=form_version(form.version.data), actor=current_user)
        except EditConflict as clash:
            current = db.session.get(Action, action_id)
            form.version.data = str(current.version)
            return render_action(target, progress_form=form, conflict=clash, status=409)
        except ResponseError as error:
            show_error(form, error)
        else:
            flash(_("De voortgang is vastgelegd."), "success")
            return redirect(url_for("responses.action", brief_id=brief_id, action_id=action_id, _anchor="timeline"))
    return render_action(target, progress_form=form, status=422)


# --- the thread ---------------------------------------------------------------------------------


@bp.route("/briefs/<int:brief_id>/findings/<int:finding_id>/messages", methods=["POST"])
@require(PORTAL_FINDING)
def post_message(brief_id: int, finding_id: int):
    target = current_portal_finding()
    portal = target.portal
    form = MessageForm(prefix=f"message-{target.id}")
    if form.validate_on_submit():
        try:
            message = services.post_message(portal.brief, target.id, portal.organisation.id,
                                            body=form.body.data or "", actor=current_user)
        except ResponseError as error:
            show_error(form, error)
        else:
            flash(_("Het bericht is geplaatst."), "success")
            return back_to(portal, f"message-{message.id}")
    return render_portal(portal, PageOverrides(message_forms={target.id: form}), 422)


# --- the PDFs -----------------------------------------------------------------------------------


@bp.route("/briefs/<int:brief_id>/versions/<int:number>/pdf")
@require(PORTAL_DOCUMENT)
def download(brief_id: int, number: int):
    document = current_portal_document()
    audit.record("brief.downloaded", actor=current_user, object_type="brief_document", object_id=document.id,
                 brief_id=brief_id, version=number, organisation_id=document.organisation_id)
    response = send_file(BytesIO(document.pdf or b""), mimetype="application/pdf", as_attachment=True,
                         download_name=f"notitie-{brief_id}-v{number}.pdf", max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response

"""Briefs (notities), the reviewer side: the list, writing a draft, the preview per board, sharing the
draft for comments, four-eyes approval, issuing versions and their PDFs.

Editor routes load the brief through ``BRIEF_EDIT``, the shared draft through ``BRIEF_DRAFT`` (404 for
anyone who may not see it). The small changes are plain form posts that come back to the page, so they
work by keyboard and without JavaScript; each carries the content version it was shown.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from learning.briefs import bp, queries, services
from learning.briefs.access import (
    BRIEF_DRAFT,
    BRIEF_EDIT,
    CONTEXT,
    INTRODUCTION,
    comment_in,
    current_brief,
    current_reader,
    document_in,
    finding_section,
)
from learning.briefs.forms import BriefForm, CommentForm, IssueForm, ResolveForm, VersionForm
from learning.briefs.models import Brief, DocumentStatus
from learning.briefs.services import BriefConflict, BriefError, BriefInput, BriefInvalid, ChangedMeanwhile
from learning.briefs.snapshot import addressed_organisations, build_snapshot, organisation_view
from learning.db import utcnow
from learning.findings.access import finding_for
from learning.findings.models import FindingStatus
from learning.forms import BaseForm, posted_version, requested_page, shown_version
from learning.i18n import _, ngettext
from learning.lessons.ids import known_id
from learning.permissions import require, role

REVIEWER = role("reviewer")


def _conflict_fields() -> list[tuple[str, str]]:
    """The fields a conflict on the brief form compares, with their labels (per request: translated)."""
    return [("title", _("Titel")), ("introduction", _("Inleiding")), ("context", _("Context")),
            ("response_deadline", _("Reageren vóór")), ("language", _("Taal van de PDF")),
            ("findings", _("Bevindingen")), ("addressees", _("Beleidseigenaren"))]


def _input_from(form: BriefForm) -> BriefInput:
    return BriefInput(
        title=form.title.data or "", introduction=form.introduction.data or "", context=form.context.data or "",
        response_deadline=form.response_deadline.data, language=form.language.data or "",
        finding_ids=form.finding_ids.data or [], addressee_ids=form.addressee_ids.data or [],
    )


def _show_errors(form: Any, errors: list[BriefError]) -> None:
    for error in errors:
        field = getattr(form, error.field, None) if error.field else None
        if field is not None:
            if str(error) not in field.errors:
                field.errors = [*field.errors, str(error)]
        else:
            form.form_errors.append(str(error))


def _errors_of(error: BriefError) -> list[BriefError]:
    return error.errors if isinstance(error, BriefInvalid) else [error]


_version = shown_version


def _version_posted() -> int:
    return posted_version(VersionForm())


def _render_form(form: BriefForm, brief: Brief | None, **context: Any) -> str:
    """The brief form, with the choices and the overview of who gets what for the findings and people ticked."""
    choices = queries.form_choices(current_user, brief, finding_ids=form.finding_ids.data or [],
                                   addressee_ids=form.addressee_ids.data or [])
    return render_template("briefs/form.html", form=form, brief=brief, choices=choices,
                           conflict_fields=_conflict_fields(), **context)


def _checking() -> bool:
    """The form's "Controleren" button: show who gets what for the boxes ticked, save nothing."""
    return request.form.get("action") == "check"


def _check(form: BriefForm, brief: Brief | None) -> None:
    """Check the input against every rule and show the result; nothing is saved."""
    if not form.validate_on_submit():
        return
    problems = services.check_input(_input_from(form), actor=current_user, brief=brief)
    if problems:
        _show_errors(form, problems)
    else:
        flash(_("Alles klopt: elke organisatie krijgt minstens één bevinding en elke bevinding gaat naar minstens "
                "één organisatie. Er is nog niets opgeslagen."), "info")


@bp.route("")
@require(REVIEWER)
def index():
    page, rows = queries.briefs_page(current_user, page=requested_page())
    return render_template("briefs/index.html", page=page, rows=rows)


@bp.route("/new", methods=["GET", "POST"])
@require(REVIEWER)
def new():
    form = BriefForm()
    start_finding = start_error = None
    if not request.form and "finding_id" in request.args:
        finding_id = request.args.get("finding_id", type=int)
        start_finding = finding_for(current_user, finding_id) if known_id(finding_id) else None
        if start_finding is None:
            start_error = _("Deze bevinding kun je niet in een notitie opnemen: ze hoort niet bij een review waarvan "
                            "je (co-)reviewer bent.")
        elif start_finding.status != FindingStatus.AGREED.value:
            start_error = _("De bevinding “%(title)s” is %(status)s: alleen vastgestelde bevindingen kunnen in een "
                            "notitie.", title=start_finding.title, status=start_finding.status_label.lower())
            start_finding = None
        else:
            form.finding_ids.data = [start_finding.id]
            form.title.data = start_finding.title
            eligible = {choice.user.id for choice in queries.addressee_choices() if choice.eligible}
            form.addressee_ids.data = [owner.id for owner in start_finding.policy_owners if owner.id in eligible]
    if _checking():
        _check(form, None)
    elif form.validate_on_submit():
        try:
            brief = services.create_brief(_input_from(form), actor=current_user)
        except BriefError as error:
            _show_errors(form, _errors_of(error))
        else:
            flash(_("De notitie is opgeslagen als concept. Bekijk het voorbeeld per organisatie, deel het concept "
                    "voor commentaar en vraag een tweede reviewer om goedkeuring."), "success")
            return redirect(url_for("briefs.show", brief_id=brief.id))
    status = 422 if request.method == "POST" and not _checking() else 200
    return _render_form(form, None, start_finding=start_finding, start_error=start_error), status


@bp.route("/<int:brief_id>")
@require(BRIEF_EDIT)
def show(brief_id: int):
    return _render_page(current_brief())


def _render_page(brief: Brief, *, issue_form: IssueForm | None = None,
                 resolve_forms: dict[int, ResolveForm] | None = None, problems: list[BriefError] | None = None,
                 status: int = 200) -> tuple[str, int]:
    versions = queries.versions_of(brief)
    shares, unreached = queries.brief_shares(brief)
    comments = queries.comments_by_section(brief)
    sections = [(INTRODUCTION, _("Inleiding")), (CONTEXT, _("Context")),
                *((finding_section(f.id), _("Bevinding: %(title)s", title=f.title)) for f in brief.findings)]
    orphaned = [(section, items) for section, items in comments.items() if section not in dict(sections)]
    forms = resolve_forms or {}
    for items in comments.values():
        for comment in items:
            if comment.resolved_at is None and comment.id not in forms:
                forms[comment.id] = ResolveForm(formdata=None, prefix=f"resolve-{comment.id}")
    if issue_form is None:
        issue_form = IssueForm(formdata=None, version=str(brief.content_version))
    return render_template(
        "briefs/show.html", brief=brief, state=queries.brief_state(brief), versions=versions, shares=shares,
        unreached=unreached, comments=comments, sections=sections, orphaned=orphaned, resolve_forms=forms,
        problems=services.brief_problems(brief) if problems is None else problems,
        approval_holds=services.approval_holds(brief), issue_form=issue_form,
        polling=queries.any_pending(versions),
    ), status


@bp.route("/<int:brief_id>/edit", methods=["GET", "POST"])
@require(BRIEF_EDIT)
def edit(brief_id: int):
    brief = current_brief()
    form = BriefForm(obj=brief)
    if not request.form:
        form.finding_ids.data = [finding.id for finding in brief.findings]
        form.addressee_ids.data = [addressee.user_id for addressee in brief.addressees]
        form.version.data = str(brief.content_version)
    conflict = None
    if _checking():
        _check(form, brief)
    elif form.validate_on_submit():
        try:
            changed = services.update_brief(brief, _input_from(form), expected_content_version=_version(
                form.version.data), actor=current_user)
        except BriefConflict as clash:
            conflict = clash
            form.version.data = str(brief.content_version)  # saving again now knowingly replaces the newer content
        except BriefError as error:
            _show_errors(form, _errors_of(error))
        else:
            if changed and brief.is_issued:
                flash(_("De notitie is opgeslagen. Dit is nu het concept van versie %(number)d; uitgegeven versies "
                        "blijven zoals ze zijn.", number=brief.latest_version_number + 1), "success")
            else:
                flash(_("De notitie is opgeslagen.") if changed else _("Er was niets veranderd."), "success")
            return redirect(url_for("briefs.show", brief_id=brief.id))
    status = 200 if request.method == "GET" or _checking() else (409 if conflict else 422)
    return _render_form(form, brief, conflict=conflict), status


def _back(brief: Brief, anchor: str | None = None):  # noqa: ANN202
    return redirect(url_for("briefs.show", brief_id=brief.id, _anchor=anchor))


@bp.route("/<int:brief_id>/findings/<int:finding_id>/move/<any(up, down):direction>", methods=["POST"])
@require(BRIEF_EDIT)
def move_finding(brief_id: int, finding_id: int, direction: str):
    brief = current_brief()
    try:
        services.move_finding(brief, finding_id, direction, expected_content_version=_version_posted(),
                              actor=current_user)
    except BriefError as error:
        flash(str(error), "error")
    return _back(brief, f"finding-{finding_id}")


@bp.route("/<int:brief_id>/preview")
@require(BRIEF_EDIT)
def preview(brief_id: int):
    """The draft as each addressed board would get it now, through the same template as the PDF."""
    from learning.briefs import rendering

    brief = current_brief()
    organisations = addressed_organisations(brief)
    chosen = request.args.get("organisation", type=int)
    organisation = next((o for o in organisations if o.id == chosen), organisations[0] if organisations else None)
    if chosen is not None and organisation is not None and organisation.id != chosen:
        abort(404)
    document = None
    if organisation is not None:
        holds = brief.approval_is_current
        # Not issued yet: the preview says so where the PDF will carry the issue date.
        snapshot = build_snapshot(brief, number=brief.latest_version_number + 1, issued_at=None,
                                  approved_by=brief.approved_by if holds else None,
                                  approved_at=brief.approved_at if holds else None)
        doc = organisation_view(snapshot, organisation.id)
        document = rendering.document_fragment(doc, heading_offset=1)
    return render_template("briefs/preview.html", brief=brief, organisations=organisations,
                           organisation=organisation, document=document)


@bp.route("/<int:brief_id>/share", methods=["POST"])
@require(BRIEF_EDIT)
def share(brief_id: int):
    brief = current_brief()
    if not BaseForm().validate_on_submit():
        abort(400)
    try:
        told = services.share_brief(brief, actor=current_user)
    except BriefError as error:
        flash(str(error), "error")
    else:
        flash(ngettext("Het concept is gedeeld voor commentaar. %(num)d lid van de reviews waarop het rust kreeg "
                       "een e-mail; elk lid ziet alleen de bevindingen uit de eigen review(s).",
                       "Het concept is gedeeld voor commentaar. %(num)d leden van de reviews waarop het rust kregen "
                       "een e-mail; elk lid ziet alleen de bevindingen uit de eigen review(s).", len(told)), "success")
    return _back(brief, "sharing")


@bp.route("/<int:brief_id>/draft")
@require(BRIEF_DRAFT)
def draft(brief_id: int):
    return _render_draft(current_reader())


def _render_draft(reader: Any, *, forms: dict[str, CommentForm] | None = None, status: int = 200
                  ) -> tuple[str, int]:
    brief = reader.brief
    forms = dict(forms or {})
    for section in reader.sections:
        forms.setdefault(section, CommentForm(formdata=None, prefix=section))
    mine = queries.comments_by_section(brief, author=None if reader.is_editor else current_user)
    return render_template("briefs/draft.html", reader=reader, brief=brief, findings=reader.findings, forms=forms,
                           comments=mine, finding_section=finding_section), status


@bp.route("/<int:brief_id>/draft/comments", methods=["POST"])
@require(BRIEF_DRAFT)
def comment(brief_id: int):
    reader = current_reader()
    section = request.form.get("section", "")
    if not reader.may_read_section(section):
        abort(404)
    form = CommentForm(prefix=section)
    if form.validate_on_submit():
        try:
            services.add_comment(reader, section, form.body.data or "", actor=current_user)
        except BriefError as error:
            if error.field is None:
                flash(str(error), "error")
                return redirect(url_for("briefs.draft", brief_id=reader.brief.id))
            _show_errors(form, [error])
        else:
            flash(_("Je commentaar is opgeslagen. De reviewers van de notitie zien het."), "success")
            return redirect(url_for("briefs.draft", brief_id=reader.brief.id, _anchor=f"section-{section}"))
    return _render_draft(reader, forms={section: form}, status=422)


@bp.route("/<int:brief_id>/comments/<int:comment_id>/resolve", methods=["POST"])
@require(BRIEF_EDIT)
def resolve_comment(brief_id: int, comment_id: int):
    brief = current_brief()
    found = comment_in(brief, comment_id)
    if found is None:
        abort(404)
    form = ResolveForm(prefix=f"resolve-{found.id}")
    if form.validate_on_submit():
        try:
            services.resolve_comment(found, note=form.note.data or "", actor=current_user)
        except BriefError as error:
            if error.field is None:
                flash(str(error), "error")
                return _back(brief, f"comment-{found.id}")
            _show_errors(form, [error])
        else:
            flash(_("Het commentaar is afgehandeld."), "success")
            return _back(brief, f"comment-{found.id}")
    return _render_page(brief, resolve_forms={found.id: form}, status=422)


@bp.route("/<int:brief_id>/approve", methods=["POST"])
@require(BRIEF_EDIT)
def approve(brief_id: int):
    brief = current_brief()
    try:
        services.approve_brief(brief, expected_content_version=_version_posted(), actor=current_user)
    except BriefInvalid as error:
        return _render_page(brief, problems=error.errors, status=422)
    except BriefError as error:
        flash(str(error), "error")
    else:
        flash(_("Je hebt de notitie goedgekeurd. Een andere reviewer kan haar nu uitgeven."), "success")
    return _back(brief, "approval")


@bp.route("/<int:brief_id>/issue", methods=["POST"])
@require(BRIEF_EDIT)
def issue(brief_id: int):
    brief = current_brief()
    form = IssueForm()
    if not form.validate_on_submit():
        if form.version.errors or form.csrf_token.errors:
            abort(400)
        return _render_page(brief, issue_form=form, status=422)
    try:
        version = services.issue_brief(brief, change_note=form.change_note.data or "",
                                       expected_content_version=_version(form.version.data), actor=current_user)
    except BriefInvalid as error:
        return _render_page(brief, issue_form=form, problems=error.errors, status=422)
    except ChangedMeanwhile as error:
        flash(str(error), "error")
        return _back(brief, "issue")
    except BriefError as error:
        if error.field:
            _show_errors(form, [error])
        else:
            form.form_errors.append(str(error))
        form.version.data = str(brief.content_version)
        return _render_page(brief, issue_form=form, status=422 if not isinstance(error, services.JobsDown) else 503)
    flash(_("Versie %(number)d is uitgegeven. De PDF's worden nu gemaakt; daarna gaan ze naar de beleidseigenaren.",
            number=version.number), "success")
    return _back(brief, "versions")


@bp.route("/<int:brief_id>/documents")
@require(BRIEF_EDIT)
def documents_status(brief_id: int):
    """The versions and the state of their PDFs: the fragment htmx polls while a PDF is being made."""
    brief = current_brief()
    versions = queries.versions_of(brief)
    return render_template("briefs/_documents_status.html", brief=brief, versions=versions,
                           polling=queries.any_pending(versions))


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or "notitie"


@bp.route("/<int:brief_id>/documents/<int:document_id>/pdf")
@require(BRIEF_EDIT)
def download(brief_id: int, document_id: int):
    brief = current_brief()
    document = document_in(brief, document_id)
    if document is None or document.status != DocumentStatus.READY.value:
        abort(404)
    pdf = queries.document_pdf(document)
    if pdf is None:
        abort(404)
    services.record_download(document, actor=current_user)
    filename = f"{_slug(brief.title)}-v{document.version.number}-{_slug(document.organisation_name)}.pdf"
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.route("/<int:brief_id>/documents/<int:document_id>/retry", methods=["POST"])
@require(BRIEF_EDIT)
def retry_document(brief_id: int, document_id: int):
    from learning.briefs import rendering

    brief = current_brief()
    document = document_in(brief, document_id)
    if document is None:
        abort(404)
    if not BaseForm().validate_on_submit():
        abort(400)
    if document.status != DocumentStatus.FAILED.value and not document.is_stuck(utcnow()):
        flash(_("Deze PDF is niet mislukt; opnieuw maken is niet nodig."), "info")
    else:
        rendering.retry_document(document, actor=current_user)
        flash(_("De PDF voor %(organisation)s wordt opnieuw gemaakt.", organisation=document.organisation_name),
              "success")
    return _back(brief, "versions")

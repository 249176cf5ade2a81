"""Findings: the list, starting one (also from a lesson), the finding page, editing it, its status,
the order of its lessons and its questions for the board.

Every finding route loads the finding through ``FINDING`` (404 for anyone who may not see it).
The small changes on the finding page are plain form posts that come back to the page, so they
work by keyboard and without JavaScript; each carries the version it was shown.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from learning.admin.models import Vocabulary
from learning.admin.services import organisation_choices, term_choices
from learning.findings import bp, queries, services
from learning.findings.access import FINDING, current_finding
from learning.findings.evidence import evidence_summary
from learning.findings.forms import FindingFilterForm, FindingForm, QuestionForm, VersionForm
from learning.findings.models import Finding, FindingStatus
from learning.findings.services import ChangedMeanwhile, FindingConflict, FindingError, FindingInput
from learning.forms import posted_version, requested_page, shown_version
from learning.i18n import _
from learning.permissions import require, role

REVIEWER = role("reviewer")


def _conflict_fields() -> list[tuple[str, str]]:
    """The fields a conflict on the finding form compares, with their labels (per request: translated)."""
    return [("title", _("Titel")), ("pattern", _("Het patroon in het systeem")),
            ("finding_type", _("Soort bevinding")), ("lessons", _("Leerpunten")),
            ("why_it_matters", _("Waarom dit ertoe doet voor kinderen en gezinnen")),
            ("organisations", _("Gericht aan organisaties")), ("policy_owners", _("Gericht aan beleidseigenaren"))]


def _fill_choices(form: FindingForm, finding: Finding | None = None) -> None:
    form.finding_type_id.choices = [SelectChoice("", _("Kies een soort bevinding")), *term_choices(
        Vocabulary.FINDING_TYPE, [finding.finding_type] if finding else ())]
    form.organisation_ids.choices = organisation_choices(*(o.id for o in finding.organisations) if finding else ())
    owners = queries.policy_owner_choices(*(u.id for u in finding.policy_owners) if finding else ())
    form.policy_owner_ids.choices = [SelectChoice(user_id, label) for user_id, label in owners]


def _input_from(form: FindingForm) -> FindingInput:
    return FindingInput(
        title=form.title.data or "", pattern=form.pattern.data or "", finding_type_id=form.finding_type_id.data,
        why_it_matters=form.why_it_matters.data or "", lesson_ids=form.lesson_ids.data or [],
        organisation_ids=form.organisation_ids.data or [], policy_owner_ids=form.policy_owner_ids.data or [],
    )


def _show_error(form: Any, error: FindingError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error)]
    else:
        form.form_errors.append(str(error))


def _render_form(form: FindingForm, finding: Finding | None, **context: Any) -> str:
    picker = queries.lesson_picker(current_user)
    linked = queries.linked_lessons(finding, current_user) if finding else []
    removable, locked = queries.lessons_outside_picker(linked, picker)
    return render_template(
        "findings/form.html", form=form, finding=finding, picker=picker, outside=removable, locked=locked,
        chosen_ids=set(form.lesson_ids.data or []),
        conflict_fields=_conflict_fields(), **context,
    )


@bp.route("")
@require(REVIEWER)
def index():
    filters = FindingFilterForm(request.args)
    status = filters.status.data if filters.validate() else None
    page, rows = queries.findings_page(current_user, status=status or None, page=requested_page())
    return render_template("findings/index.html", page=page, rows=rows, filters=filters)


@bp.route("/new", methods=["GET", "POST"])
@require(REVIEWER)
def new():
    form = FindingForm()
    _fill_choices(form)
    start_error = start_lesson = None
    if not request.form and "lesson" in request.args:
        start_lesson, start_error = services.addable_lesson(current_user, request.args.get("lesson", type=int))
        if start_lesson is not None:
            form.lesson_ids.data = [start_lesson.id]
            form.pattern.data = start_lesson.text
    if form.validate_on_submit():
        try:
            finding = services.create_finding(_input_from(form), actor=current_user)
        except FindingError as error:
            _show_error(form, error)
        else:
            flash(_("De bevinding is vastgelegd als concept. Voeg nu de vragen aan bestuurders toe."), "success")
            return redirect(url_for("findings.show", finding_id=finding.id, _anchor="board-questions"))
    return _render_form(form, None, start_lesson=start_lesson, start_error=start_error)


@bp.route("/<int:finding_id>")
@require(FINDING)
def show(finding_id: int):
    return _render_page(current_finding())


def _render_page(finding: Finding, *, question_form: QuestionForm | None = None, editing: int | None = None,
                 edit_form: QuestionForm | None = None, conflict: FindingConflict | None = None,
                 status: int = 200) -> tuple[str, int]:
    """The finding page; after a refused question, with that form (and what was typed) in place."""
    version = str(finding.version)
    question_forms = [
        edit_form if index == editing and edit_form is not None
        else QuestionForm(formdata=None, prefix=f"question-{index}", question=text, version=version)
        for index, text in enumerate(finding.board_questions)
    ]
    return render_template(
        "findings/show.html", finding=finding, lessons=queries.linked_lessons(finding, current_user),
        evidence=evidence_summary(finding), next_statuses=services.next_statuses(finding),
        missing=services.missing_for_agreement(finding), editable=finding.status in services.EDITABLE_STATUSES,
        question_form=question_form or QuestionForm(formdata=None, prefix="new", version=version),
        question_forms=question_forms, editing=editing, conflict=conflict,
    ), status


@bp.route("/<int:finding_id>/edit", methods=["GET", "POST"])
@require(FINDING)
def edit(finding_id: int):
    finding = current_finding()
    if FindingStatus(finding.status) not in services.EDITABLE_STATUSES:
        flash(_("Deze bevinding is %(status)s en ligt daarmee vast. Zet haar eerst terug naar concept om iets te "
                "wijzigen.", status=finding.status_label.lower()), "info")
        return redirect(url_for("findings.show", finding_id=finding.id))
    form = FindingForm(obj=finding)
    if not request.form:
        form.lesson_ids.data = [lesson.id for lesson in finding.lessons]
        form.organisation_ids.data = [organisation.id for organisation in finding.organisations]
        form.policy_owner_ids.data = [owner.id for owner in finding.policy_owners]
        form.version.data = str(finding.version)
    _fill_choices(form, finding)
    conflict = None
    if form.validate_on_submit():
        try:
            services.update_finding(finding, _input_from(form), expected_version=_version(form.version.data),
                                    actor=current_user)
        except FindingConflict as clash:
            conflict = clash
            form.version.data = str(finding.version)  # saving again now knowingly replaces the newer version
        except FindingError as error:
            _show_error(form, error)
        else:
            flash(_("De bevinding is opgeslagen."), "success")
            return redirect(url_for("findings.show", finding_id=finding.id))
    return _render_form(form, finding, conflict=conflict)


_version = shown_version


def _version_posted() -> int:
    return posted_version(VersionForm())


def _back(finding: Finding, anchor: str | None = None):  # noqa: ANN202
    return redirect(url_for("findings.show", finding_id=finding.id, _anchor=anchor))


@bp.route("/<int:finding_id>/status", methods=["POST"])
@require(FINDING)
def change_status(finding_id: int):
    finding = current_finding()
    version = _version_posted()
    try:
        services.change_status(finding, request.form.get("status", ""), actor=current_user, expected_version=version)
    except FindingError as error:
        flash(str(error), "error")
    else:
        flash(_("De status is nu: %(status)s.", status=finding.status_label), "success")
    return _back(finding, "status")


@bp.route("/<int:finding_id>/lessons/<int:lesson_id>/move/<any(up, down):direction>", methods=["POST"])
@require(FINDING)
def move_lesson(finding_id: int, lesson_id: int, direction: str):
    finding = current_finding()
    try:
        services.move_lesson(finding, lesson_id, direction, expected_version=_version_posted(), actor=current_user)
    except FindingError as error:
        flash(str(error), "error")
    return _back(finding, f"lesson-{lesson_id}")


@bp.route("/<int:finding_id>/questions", methods=["POST"])
@require(FINDING)
def add_question(finding_id: int):
    finding = current_finding()
    form = QuestionForm(prefix="new")
    if form.validate_on_submit():
        try:
            services.add_board_question(finding, form.question.data or "", expected_version=_version(form.version.data),
                                        actor=current_user)
        except FindingConflict as clash:
            form.version.data = str(finding.version)
            return _render_page(finding, question_form=form, conflict=clash, status=409)
        except ChangedMeanwhile as error:
            flash(str(error), "error")
        except FindingError as error:
            _show_error(form, error)
            return _render_page(finding, question_form=form, status=422)
        else:
            flash(_("De vraag is toegevoegd."), "success")
        return _back(finding, "board-questions")
    return _render_page(finding, question_form=form, status=422)


@bp.route("/<int:finding_id>/questions/<int:index>", methods=["POST"])
@require(FINDING)
def update_question(finding_id: int, index: int):
    finding = current_finding()
    form = QuestionForm(prefix=f"question-{index}")
    if form.validate_on_submit():
        try:
            services.update_board_question(finding, index, form.question.data or "",
                                           expected_version=_version(form.version.data), actor=current_user)
        except FindingConflict as clash:
            form.version.data = str(finding.version)
            return _render_page(finding, editing=index, edit_form=form, conflict=clash, status=409)
        except ChangedMeanwhile as error:
            flash(str(error), "error")
        except FindingError as error:
            if error.field is None:
                flash(str(error), "error")
                return _back(finding, "board-questions")
            _show_error(form, error)
            return _render_page(finding, editing=index, edit_form=form, status=422)
        else:
            flash(_("De vraag is opgeslagen."), "success")
        return _back(finding, f"question-{index}")
    return _render_page(finding, editing=index, edit_form=form, status=422)


@bp.route("/<int:finding_id>/questions/<int:index>/move/<any(up, down):direction>", methods=["POST"])
@require(FINDING)
def move_question(finding_id: int, index: int, direction: str):
    finding = current_finding()
    try:
        services.move_board_question(finding, index, direction, expected_version=_version_posted(),
                                     actor=current_user)
    except FindingError as error:
        flash(str(error), "error")
        return _back(finding, "board-questions")
    return _back(finding, f"question-{index - 1 if direction == 'up' else index + 1}")


@bp.route("/<int:finding_id>/questions/<int:index>/delete", methods=["POST"])
@require(FINDING)
def remove_question(finding_id: int, index: int):
    finding = current_finding()
    try:
        services.remove_board_question(finding, index, expected_version=_version_posted(), actor=current_user)
    except FindingError as error:
        flash(str(error), "error")
    else:
        flash(_("De vraag is verwijderd."), "success")
    return _back(finding, "board-questions")

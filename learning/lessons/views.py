"""Lessons of a review: members read the agreed ones; reviewers write, edit, agree, link evidence and vote."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from wtforms import SelectChoice

from learning.admin.models import Vocabulary
from learning.admin.services import term_choices
from learning.i18n import _
from learning.lessons import bp, evidence, services, themes, votes
from learning.lessons.access import CONTRIBUTION_SOURCE, LESSON, REFLECTION_SOURCE, current_lesson, current_source
from learning.lessons.forms import EvidenceForm, LessonForm, LessonVoteForm
from learning.lessons.models import Lesson, LessonStatus
from learning.lessons.services import EvidenceChoice, EvidenceConflict, LessonConflict, LessonError, LessonInput
from learning.permissions import require
from learning.reflections.voting import VoteError
from learning.reviews.access import REVIEW_EDIT, REVIEW_READ, current_access
from learning.reviews.privacy import PersonalDataFound


def _show_error(form, error: LessonError) -> None:  # noqa: ANN001
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error)]
    else:
        form.form_errors.append(str(error))


def _theme_inputs(form: LessonForm, filled: int) -> None:
    """One input per theme plus room for two more (at least three, at most the limit)."""
    wanted = min(max(filled + 2, 3), themes.THEMES_PER_LESSON)
    while len(form.themes.entries) < wanted:
        form.themes.append_entry()


def _lesson_form(lesson: Lesson | None = None) -> LessonForm:
    form = LessonForm()
    form.level_id.choices = [SelectChoice("", _("Nog geen niveau"))] + term_choices(
        Vocabulary.LEVEL, [lesson.level] if lesson and lesson.level else [])
    form.principle_ids.choices = term_choices(Vocabulary.PRINCIPLE, lesson.principles if lesson else [])
    if lesson is not None and not request.form:
        form.text.data, form.polarity.data, form.level_id.data = lesson.text, lesson.polarity, lesson.level_id
        form.principle_ids.data = [term.id for term in lesson.principles]
        form.version.data = str(lesson.version)
        for theme in lesson.themes:
            form.themes.append_entry(theme.name)
    _theme_inputs(form, sum(1 for entry in form.themes.entries if entry.data))
    return form


def _input_from(form: LessonForm) -> LessonInput:
    return LessonInput(text=form.text.data or "", level_id=form.level_id.data, polarity=form.polarity.data or "",
                       themes=[entry.data or "" for entry in form.themes.entries],
                       principle_ids=form.principle_ids.data or [])


def _render_form(form: LessonForm, lesson: Lesson | None, *, found=None, conflict=None):  # noqa: ANN001, ANN202
    """The form page; 422 when it comes back with something to fix."""
    access = current_access()
    shown = evidence.linked(access, lesson) if lesson is not None else None
    status = 422 if found or conflict or form.errors or form.form_errors else 200
    return render_template("lessons/form.html", access=access, review=access.review, lesson=lesson, form=form,
                           found=found, conflict=conflict, evidence=shown,
                           suggestions=themes.suggestions(access.user)), status


# --- reading -------------------------------------------------------------------------------------


@bp.route("")
@require(REVIEW_READ)
def index(review_id: int):
    access = current_access()
    status = request.args.get("status") if access.can_edit else None
    return render_template(
        "lessons/index.html", access=access, review=access.review, status=status,
        lessons=services.lessons_of(access, status), open_votes=votes.open_lesson_votes(access), result=votes.latest_result(access),
    )


@bp.route("/<int:lesson_id>")
@require(REVIEW_READ, LESSON)
def show(review_id: int, lesson_id: int):
    access = current_access()
    lesson = current_lesson()
    return render_template("lessons/show.html", access=access, review=access.review, lesson=lesson,
                           evidence=evidence.linked(access, lesson))


# --- writing -------------------------------------------------------------------------------------


@bp.route("/new", methods=["GET", "POST"])
@require(REVIEW_EDIT)
def new(review_id: int):
    form = _lesson_form()
    found = None
    if form.validate_on_submit():
        try:
            lesson = services.create_lesson(current_access(), _input_from(form),
                                            confirming=request.form.getlist("confirm_pseudonym"))
        except PersonalDataFound as warning:
            found = warning
        except LessonError as error:
            _show_error(form, error)
        else:
            flash(_("Het leerpunt is vastgelegd als concept. Koppel nu het bewijs waarop het rust."), "success")
            return redirect(url_for("lessons.evidence_page", review_id=review_id, lesson_id=lesson.id))
    return _render_form(form, None, found=found)


@bp.route("/<int:lesson_id>/edit", methods=["GET", "POST"])
@require(REVIEW_EDIT, LESSON)
def edit(review_id: int, lesson_id: int):
    lesson = current_lesson()
    form = _lesson_form(lesson)
    found = conflict = None
    if form.validate_on_submit():
        try:
            services.update_lesson(current_access(), lesson, _input_from(form),
                                   expected_version=_version(form.version.data),
                                   confirming=request.form.getlist("confirm_pseudonym"))
        except LessonConflict as clash:
            conflict = clash
            form.version.data = str(clash.lesson.version)  # saving again now knowingly replaces the newer version
        except PersonalDataFound as warning:
            found = warning
        except LessonError as error:
            _show_error(form, error)
        else:
            flash(_("Het leerpunt is opgeslagen."), "success")
            return redirect(url_for("lessons.show", review_id=review_id, lesson_id=lesson.id))
    return _render_form(form, lesson, found=found, conflict=conflict)


def _back_to(lesson: Lesson):  # noqa: ANN202
    """Back to where the button was pressed: the list, or the lesson itself."""
    if request.form.get("next") == "show":
        return redirect(url_for("lessons.show", review_id=lesson.review_id, lesson_id=lesson.id))
    return redirect(url_for("lessons.index", review_id=lesson.review_id))


def _version(value: str | None) -> int:
    """The version a form showed; a missing or garbled one counts as stale (no lesson has version -1)."""
    try:
        return int(value or "")
    except ValueError:
        return -1


def _expected_version() -> int | None:
    """The version the page showed when the button was pressed (a garbled one counts as stale)."""
    value = request.form.get("version", "")
    return _version(value) if value else None


@bp.route("/<int:lesson_id>/agree", methods=["POST"])
@require(REVIEW_EDIT, LESSON)
def agree(review_id: int, lesson_id: int):
    lesson = current_lesson()
    try:
        services.agree_lesson(current_access(), lesson, expected_version=_expected_version())
    except LessonError as error:
        flash(str(error), "error")
    else:
        flash(_("Het leerpunt is vastgesteld. Alle leden van de review kunnen het nu lezen."), "success")
    return _back_to(lesson)


@bp.route("/<int:lesson_id>/concept", methods=["POST"])
@require(REVIEW_EDIT, LESSON)
def reopen(review_id: int, lesson_id: int):
    lesson = current_lesson()
    try:
        services.reopen_lesson(current_access(), lesson, expected_version=_expected_version())
    except LessonError as error:
        flash(str(error), "error")
    else:
        flash(_("Het leerpunt is weer een concept; alleen reviewers zien het nu."), "success")
    return _back_to(lesson)


@bp.route("/<int:lesson_id>/delete", methods=["POST"])
@require(REVIEW_EDIT, LESSON)
def delete(review_id: int, lesson_id: int):
    lesson = current_lesson()
    try:
        services.delete_lesson(current_access(), lesson, expected_version=_expected_version())
    except LessonError as error:
        flash(str(error), "error")
        return redirect(url_for("lessons.edit", review_id=review_id, lesson_id=lesson_id))
    flash(_("Het conceptleerpunt is verwijderd."), "success")
    return redirect(url_for("lessons.index", review_id=review_id))


# --- evidence --------------------------------------------------------------------------------------


@bp.route("/<int:lesson_id>/evidence", methods=["GET", "POST"])
@require(REVIEW_EDIT, LESSON)
def evidence_page(review_id: int, lesson_id: int):
    access = current_access()
    lesson = current_lesson()
    form = EvidenceForm()
    conflict = None
    if not request.form:
        linked = evidence.linked_ids(access, lesson)
        form.reflection_ids.data = sorted(linked["reflection"])
        form.episode_ids.data = sorted(linked["episode"])
        form.contribution_ids.data = sorted(linked["contribution"])
        form.version.data = str(lesson.version)
    elif form.validate_on_submit():
        choice = EvidenceChoice(reflection_ids=form.reflection_ids.data or [], episode_ids=form.episode_ids.data or [],
                                contribution_ids=form.contribution_ids.data or [])
        try:
            services.set_evidence(access, lesson, choice, expected_version=_version(form.version.data))
        except EvidenceConflict as clash:
            conflict = clash
            form.version.data = str(lesson.version)
        except (evidence.EvidenceError, LessonError) as error:
            form.form_errors.append(str(error))
        else:
            flash(_("Het bewijs bij dit leerpunt is opgeslagen."), "success")
            return redirect(url_for("lessons.show", review_id=review_id, lesson_id=lesson_id))
    chosen = {"reflection": set(form.reflection_ids.data or []), "episode": set(form.episode_ids.data or []),
              "contribution": set(form.contribution_ids.data or [])}
    status = 422 if request.form and (conflict or form.errors or form.form_errors) else 200
    return render_template("lessons/evidence.html", access=access, review=access.review, lesson=lesson, form=form,
                           offered=evidence.pickable(access), chosen=chosen, conflict=conflict), status


# --- in one click ----------------------------------------------------------------------------------


@bp.route("/from-contribution/<int:contribution_id>", methods=["POST"])
@require(REVIEW_EDIT, CONTRIBUTION_SOURCE)
def from_contribution(review_id: int, contribution_id: int):
    lesson = services.lesson_from_contribution(current_access(), current_source("contribution"))
    if lesson.text:
        flash(_("Er is een conceptleerpunt gemaakt van deze inbreng. Scherp de tekst aan en kies een niveau."),
              "success")
    else:
        flash(_("Er is een conceptleerpunt gemaakt en aan deze inbreng gekoppeld. Schrijf de tekst en kies een "
                "niveau."), "success")
    return redirect(url_for("lessons.edit", review_id=review_id, lesson_id=lesson.id))


@bp.route("/from-reflection/<int:reflection_id>", methods=["POST"])
@require(REVIEW_EDIT, REFLECTION_SOURCE)
def from_reflection(review_id: int, reflection_id: int):
    lesson = services.lesson_from_reflection(current_access(), current_source("reflection"))
    if lesson.text:
        flash(_("Er is een conceptleerpunt gemaakt van deze reflectie. Scherp de tekst aan en kies een niveau."),
              "success")
    else:
        flash(_("Er is een conceptleerpunt gemaakt en aan deze reflectie gekoppeld. Schrijf de tekst en kies een "
                "niveau."), "success")
    return redirect(url_for("lessons.edit", review_id=review_id, lesson_id=lesson.id))


# --- a dot-vote on lessons -------------------------------------------------------------------------


@bp.route("/vote", methods=["GET", "POST"])
@require(REVIEW_EDIT)
def open_vote(review_id: int):
    access = current_access()
    meetings = votes.running_meetings(access)
    # A concept still without text (made from a source for reviewers only) has nothing to vote on yet.
    listed = [item for item in services.lessons_of(access) if item.lesson.text.strip()]
    form = LessonVoteForm()
    form.meeting_id.choices = [SelectChoice(meeting.id, meeting.title) for meeting in meetings]
    form.lesson_ids.choices = [
        SelectChoice(item.lesson.id, f"{evidence.excerpt(item.lesson.text, 160)} ({item.lesson.status_label.lower()})")
        for item in listed]
    if not request.form:
        concepts = [item.lesson.id for item in listed if item.lesson.status == LessonStatus.CONCEPT.value]
        form.lesson_ids.data = concepts if len(concepts) >= 2 else [item.lesson.id for item in listed]
    elif form.validate_on_submit():
        try:
            vote = votes.open_lesson_vote(
                access, meeting_id=form.meeting_id.data, lesson_ids=form.lesson_ids.data or [],
                title=form.title.data or "", dots_per_person=form.dots_per_person.data,
                allow_stacking=bool(form.allow_stacking.data))
        except LessonError as error:
            _show_error(form, error)
        except VoteError as error:
            form.form_errors.append(str(error))
        else:
            flash(_("De stemming over de leerpunten is geopend. Deelnemers stemmen op hun scherm van de bijeenkomst."),
                  "success")
            return redirect(url_for("reflections.console", review_id=review_id, meeting_id=vote.meeting_id))
    status = 422 if request.form and (form.errors or form.form_errors) else 200
    return render_template("lessons/vote.html", access=access, review=access.review, form=form, meetings=meetings,
                           listed=listed), status

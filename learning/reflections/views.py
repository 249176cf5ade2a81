"""Reflection rounds and writing a reflection: saved as you type, submitted with a visibility of your choice."""

from __future__ import annotations

from datetime import timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from wtforms import SelectChoice

from learning.db import utcnow
from learning.i18n import _, local_to_utc, utc_to_local
from learning.permissions import require
from learning.reflections import bp, services
from learning.reflections.forms import RoundForm, visibility_choices
from learning.reflections.models import Visibility
from learning.reflections.services import ReflectionError, SaveConflict
from learning.reviews.access import REVIEW_CONTRIBUTE, REVIEW_EDIT, REVIEW_LEAD, REVIEW_READ, current_access
from learning.reviews.privacy import PersonalDataFound


def _round(round_id: int):  # noqa: ANN202
    reflection_round = services.round_in(current_access(), round_id)
    if reflection_round is None:
        abort(404)
    return reflection_round


@bp.route("/reflections")
@require(REVIEW_READ)
def rounds(review_id: int):
    access = current_access()
    form = RoundForm()
    form.phase_ids.choices = [SelectChoice(phase.id, phase.name) for phase in access.review.phases if phase.prompts]
    if not request.form:
        form.deadline.data = utc_to_local(utcnow() + timedelta(days=7)).replace(second=0, microsecond=0)
    return render_template("reflections/rounds.html", access=access, review=access.review,
                           rounds=services.rounds_of(access), form=form)


@bp.route("/reflections", methods=["POST"])
@require(REVIEW_EDIT)
def open_round(review_id: int):
    access = current_access()
    form = RoundForm()
    form.phase_ids.choices = [SelectChoice(phase.id, phase.name) for phase in access.review.phases if phase.prompts]
    if form.validate_on_submit():
        try:
            reflection_round = services.open_round(
                access, title=form.title.data or "", moment=form.moment.data,
                deadline=local_to_utc(form.deadline.data), phase_ids=form.phase_ids.data or None)
        except ReflectionError as error:
            form.form_errors.append(str(error))
        else:
            flash(_("De ronde is geopend. Deelnemers zien hem op de pagina Reflecties."), "success")
            return redirect(url_for("reflections.write", review_id=review_id, round_id=reflection_round.id))
    return render_template("reflections/rounds.html", access=access, review=access.review,
                           rounds=services.rounds_of(access), form=form), 200


@bp.route("/reflections/<int:round_id>/close", methods=["POST"])
@require(REVIEW_LEAD)
def close_round(review_id: int, round_id: int):
    services.close_round(current_access(), _round(round_id))
    flash(_("De ronde is gesloten; er kan niets meer worden toegevoegd of gewijzigd."), "success")
    return redirect(url_for("reflections.rounds", review_id=review_id))


@bp.route("/reflections/<int:round_id>")
@require(REVIEW_READ)
def write(review_id: int, round_id: int):
    access = current_access()
    reflection_round = _round(round_id)
    reflection = services.own_reflection(access, reflection_round) if access.can_contribute else None
    return render_template(
        "reflections/write.html", access=access, review=access.review, round=reflection_round,
        reflection=reflection, visibility_choices=visibility_choices(),
        open=reflection_round.is_open(), found=None, error=None,
    )


def _typed_answers(reflection_round) -> dict[str, str]:  # noqa: ANN001
    return {prompt["key"]: request.form.get(f"answer-{prompt['key']}", "") for prompt in reflection_round.prompts}


@bp.route("/reflections/<int:round_id>/autosave", methods=["POST"])
@require(REVIEW_CONTRIBUTE)
def autosave(review_id: int, round_id: int):
    """The answers, saved as they are typed (htmx). The text on screen is never replaced by the response."""
    access = current_access()
    reflection_round = _round(round_id)
    try:
        reflection = services.save_answers(access, reflection_round, answers=_typed_answers(reflection_round),
                                           expected_version=request.form.get("version", 0, type=int))
    except SaveConflict as conflict:
        response = Response(render_template("reflections/_conflict.html", conflict=conflict, round=reflection_round,
                                            differences=conflict.differences(reflection_round.prompts)), status=409)
        response.headers["HX-Retarget"] = "#conflict-area"
        response.headers["HX-Reswap"] = "innerHTML"
        return response
    except ReflectionError as error:
        return Response(render_template("reflections/_save_status.html", error=str(error)), status=422)
    return render_template("reflections/_save_status.html", saved_at=utcnow(), reflection=reflection)


@bp.route("/reflections/<int:round_id>/submit", methods=["POST"])
@require(REVIEW_CONTRIBUTE)
def submit(review_id: int, round_id: int):
    access = current_access()
    reflection_round = _round(round_id)
    answers = _typed_answers(reflection_round)
    visibility = request.form.get("visibility", "")
    try:
        services.submit(access, reflection_round, answers=answers, visibility=visibility,
                        expected_version=request.form.get("version", 0, type=int),
                        confirming=request.form.getlist("confirm_pseudonym"))
    except (PersonalDataFound, ReflectionError, SaveConflict) as problem:
        reflection = services.own_reflection(access, reflection_round)
        if isinstance(problem, SaveConflict):
            error = _("Deze reflectie is intussen in een ander venster gewijzigd. Je tekst staat hieronder; "
                      "controleer hem en dien opnieuw in.")
        else:
            error = None if isinstance(problem, PersonalDataFound) else str(problem)
        return render_template(
            "reflections/write.html", access=access, review=access.review, round=reflection_round,
            reflection=reflection, visibility_choices=visibility_choices(), open=reflection_round.is_open(),
            found=problem if isinstance(problem, PersonalDataFound) else None, error=error,
            typed=answers, chosen_visibility=visibility,
        ), 422
    flash(_("Je reflectie is ingediend. Je kunt hem tot de deadline nog aanpassen."), "success")
    return redirect(url_for("reflections.read", review_id=review_id, round_id=round_id))


@bp.route("/reflections/<int:round_id>/all")
@require(REVIEW_READ)
def read(review_id: int, round_id: int):
    access = current_access()
    reflection_round = _round(round_id)
    return render_template(
        "reflections/read.html", access=access, review=access.review, round=reflection_round,
        shown=services.readable_reflections(access, reflection_round),
        participation=services.participation(access, reflection_round) if access.is_lead else None,
        own=services.own_reflection(access, reflection_round) if access.can_contribute else None,
        Visibility=Visibility,
    )

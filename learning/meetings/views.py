"""Planning meetings and the facilitator's actions. The live screens that also show contributions
and votes are composed by learning.reflections.live_views, which reads this module's state."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from learning.db import db
from learning.htmx import is_htmx
from learning.i18n import _, local_to_utc, ngettext, utc_to_local
from learning.meetings import bp, services
from learning.meetings.forms import AgendaItemForm, MeetingForm, NotesForm
from learning.meetings.models import AgendaItem, Meeting
from learning.meetings.services import MeetingError, MeetingInput
from learning.permissions import require
from learning.reviews.access import REVIEW_EDIT, REVIEW_READ, current_access


def meeting_in(meeting_id: int) -> Meeting:
    """A meeting of the review the request's rule loaded; any other id is 404."""
    meeting = db.session.scalar(db.select(Meeting).where(
        Meeting.id == meeting_id, Meeting.review_id == current_access().review.id))
    if meeting is None:
        abort(404)
    return meeting


def _agenda_item(meeting: Meeting, item_id: int) -> AgendaItem:
    item = next((each for each in meeting.agenda if each.id == item_id), None)
    if item is None:
        abort(404)
    return item


def _input_from(form: MeetingForm) -> MeetingInput:
    return MeetingInput(title=form.title.data or "", starts_at=local_to_utc(form.starts_at.data),
                        ends_at=local_to_utc(form.ends_at.data), place=form.place.data or "",
                        online_link=form.online_link.data or "")


def _show_error(form: MeetingForm, error: MeetingError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error)]
    else:
        form.form_errors.append(str(error))


@bp.route("")
@require(REVIEW_READ)
def index(review_id: int):
    access = current_access()
    return render_template("meetings/index.html", access=access, review=access.review,
                           meetings=services.meetings_of(access.review), form=MeetingForm())


@bp.route("", methods=["POST"])
@require(REVIEW_EDIT)
def plan(review_id: int):
    access = current_access()
    form = MeetingForm()
    if form.validate_on_submit():
        try:
            meeting = services.plan_meeting(access, _input_from(form))
        except MeetingError as error:
            _show_error(form, error)
        else:
            flash(_("De bijeenkomst is gepland. Pas de agenda aan en verstuur de uitnodigingen."), "success")
            return redirect(url_for("meetings.edit", review_id=review_id, meeting_id=meeting.id))
    return render_template("meetings/index.html", access=access, review=access.review,
                           meetings=services.meetings_of(access.review), form=form)


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
@require(REVIEW_EDIT)
def edit(review_id: int, meeting_id: int):
    access = current_access()
    meeting = meeting_in(meeting_id)
    form = MeetingForm(obj=meeting)
    if not request.form:
        form.starts_at.data, form.ends_at.data = utc_to_local(meeting.starts_at), utc_to_local(meeting.ends_at)
    if form.validate_on_submit():
        try:
            services.update_meeting(meeting, _input_from(form), actor=current_user)
        except MeetingError as error:
            _show_error(form, error)
        else:
            flash(_("De bijeenkomst is opgeslagen."), "success")
            return redirect(url_for("meetings.edit", review_id=review_id, meeting_id=meeting.id))
    return render_template("meetings/edit.html", access=access, review=access.review, meeting=meeting, form=form)


@bp.route("/<int:meeting_id>/agenda/<int:item_id>", methods=["POST"])
@require(REVIEW_EDIT)
def update_agenda_item(review_id: int, meeting_id: int, item_id: int):
    meeting = meeting_in(meeting_id)
    item = _agenda_item(meeting, item_id)
    form = AgendaItemForm(prefix=f"item-{item.id}")
    if form.validate_on_submit():
        try:
            services.update_agenda_item(meeting, item, name=form.name.data, minutes=form.minutes.data)
        except MeetingError as error:
            flash(str(error), "error")
    else:
        flash(" ".join(str(error) for errors in form.errors.values() for error in errors), "error")
    return redirect(url_for("meetings.edit", review_id=review_id, meeting_id=meeting_id, _anchor=f"item-{item_id}"))


@bp.route("/<int:meeting_id>/agenda/<int:item_id>/move/<any(up, down):direction>", methods=["POST"])
@require(REVIEW_EDIT)
def move_agenda_item(review_id: int, meeting_id: int, item_id: int, direction: str):
    meeting = meeting_in(meeting_id)
    try:
        services.move_agenda_item(meeting, _agenda_item(meeting, item_id), direction)
    except MeetingError as error:
        flash(str(error), "error")
    return redirect(url_for("meetings.edit", review_id=review_id, meeting_id=meeting_id, _anchor=f"item-{item_id}"))


@bp.route("/<int:meeting_id>/agenda/<int:item_id>/delete", methods=["POST"])
@require(REVIEW_EDIT)
def remove_agenda_item(review_id: int, meeting_id: int, item_id: int):
    meeting = meeting_in(meeting_id)
    try:
        services.remove_agenda_item(meeting, _agenda_item(meeting, item_id))
    except MeetingError as error:
        flash(str(error), "error")
    return redirect(url_for("meetings.edit", review_id=review_id, meeting_id=meeting_id))


@bp.route("/<int:meeting_id>/invitations", methods=["POST"])
@require(REVIEW_EDIT)
def send_invitations(review_id: int, meeting_id: int):
    sent = services.send_invitations(meeting_in(meeting_id), actor=current_user)
    flash(ngettext("%(num)d uitnodiging verstuurd, met de bijeenkomst als agenda-bijlage.",
                   "%(num)d uitnodigingen verstuurd, met de bijeenkomst als agenda-bijlage.", sent), "success")
    return redirect(url_for("meetings.edit", review_id=review_id, meeting_id=meeting_id))


# --- the facilitator's actions: answered with 204 for htmx (the console polls), else back to it ---


def _done(review_id: int, meeting_id: int, message: str | None = None) -> Response:
    if is_htmx():
        response = Response(status=204)
        response.headers["HX-Trigger"] = "meeting-changed"
        return response
    if message:
        flash(message, "info")
    return redirect(url_for("reflections.console", review_id=review_id, meeting_id=meeting_id))


def _refuse(error: MeetingError) -> Response:
    if is_htmx():
        return Response(str(error), status=422, mimetype="text/plain")
    flash(str(error), "error")
    return redirect(request.referrer or "/")


@bp.route("/<int:meeting_id>/start", methods=["POST"])
@require(REVIEW_EDIT)
def start(review_id: int, meeting_id: int):
    try:
        services.start_meeting(meeting_in(meeting_id), actor=current_user)
    except MeetingError as error:
        return _refuse(error)
    return _done(review_id, meeting_id)


@bp.route("/<int:meeting_id>/phase", methods=["POST"])
@require(REVIEW_EDIT)
def change_phase(review_id: int, meeting_id: int):
    direction = request.form.get("direction", "")
    from_position = request.form.get("from_position", type=int)
    if direction not in ("next", "previous") or from_position is None:
        abort(400)
    try:
        moved = services.go_to(meeting_in(meeting_id), from_position=from_position, direction=direction)
    except MeetingError as error:
        return _refuse(error)
    return _done(review_id, meeting_id, None if moved else _("De fase was intussen al gewijzigd."))


@bp.route("/<int:meeting_id>/timer/<any(start, pause, extend):action>", methods=["POST"])
@require(REVIEW_EDIT)
def timer(review_id: int, meeting_id: int, action: str):
    meeting = meeting_in(meeting_id)
    try:
        if action == "start":
            services.start_timer(meeting)
        elif action == "pause":
            services.pause_timer(meeting)
        else:
            services.extend_timer(meeting, request.form.get("minutes", 5, type=int))
    except MeetingError as error:
        return _refuse(error)
    return _done(review_id, meeting_id)


@bp.route("/<int:meeting_id>/contributions-visible", methods=["POST"])
@require(REVIEW_EDIT)
def contributions_visible(review_id: int, meeting_id: int):
    services.set_contributions_visible(meeting_in(meeting_id), request.form.get("visible") == "yes")
    return _done(review_id, meeting_id)


@bp.route("/<int:meeting_id>/notes/<int:item_id>", methods=["POST"])
@require(REVIEW_EDIT)
def save_notes(review_id: int, meeting_id: int, item_id: int):
    meeting = meeting_in(meeting_id)
    form = NotesForm()
    if not form.validate_on_submit():
        return _refuse(MeetingError(_("Deze aantekeningen zijn te lang.")))
    services.save_notes(_agenda_item(meeting, item_id), form.notes.data or "")
    if is_htmx():
        return Response(_("Aantekeningen opgeslagen."), mimetype="text/plain")
    return _done(review_id, meeting_id, _("Aantekeningen opgeslagen."))


@bp.route("/<int:meeting_id>/attendance", methods=["POST"])
@require(REVIEW_EDIT)
def attendance(review_id: int, meeting_id: int):
    user_id = request.form.get("user_id", type=int)
    member_ids = {member.user_id for member in current_access().review.members}
    if user_id not in member_ids:
        abort(404)
    services.set_attendance(meeting_in(meeting_id), user_id, request.form.get("present") == "yes")
    return _done(review_id, meeting_id)


@bp.route("/<int:meeting_id>/close", methods=["POST"])
@require(REVIEW_EDIT)
def close(review_id: int, meeting_id: int):
    services.close_meeting(meeting_in(meeting_id), actor=current_user)
    if is_htmx():
        return _done(review_id, meeting_id)
    flash(_("De bijeenkomst is afgesloten."), "success")
    return redirect(url_for("meetings.index", review_id=review_id))

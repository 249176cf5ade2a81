"""The live meeting as people see it: facilitator console, participant view, projector; contributions and votes.

Transport: short polling with conditional requests. Each screen asks once a second for its state
fragment with ``If-None-Match``; the ETag is the meeting's ``state_version`` (plus who is asking and
in which language), so an unchanged poll costs the permission check and one small query and is
answered ``304 Not Modified`` without rendering. This works on plain sync gunicorn workers behind any
proxy, keeps web nodes stateless (no sticky connections, no Redis pub/sub to fan out), and survives a
dropped connection by simply asking again. Server-sent events would need async workers and pub/sub
for the same 1-second freshness; at a few hundred participants per meeting the polls are cheaper to
run and to operate (see `make bench` for the figures).
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from learning.db import utcnow
from learning.htmx import is_htmx
from learning.i18n import _, get_locale
from learning.meetings import services as meeting_services
from learning.meetings.forms import NotesForm
from learning.meetings.views import meeting_in
from learning.permissions import require
from learning.reflections import bp, contributions, voting
from learning.reflections.contributions import ContributionError
from learning.reflections.models import ContributionStatus
from learning.reflections.voting import VoteError
from learning.reviews.access import REVIEW_CONTRIBUTE, REVIEW_EDIT, REVIEW_READ, current_access

# Under a second, so that a change reaches every screen within one second (see `make bench`).
POLL_SECONDS = 0.75


def _etag(meeting_id: int, version: int, view: str) -> str:
    locale = get_locale()
    return f'W/"m{meeting_id}-v{version}-{view}-{locale}"'


def _not_modified_or(view: str, meeting_id: int, render) -> Response:  # noqa: ANN001
    """304 when the screen already shows this state version; else the rendered fragment.

    The version query also checks that the meeting belongs to the review the rule loaded (404 if not).
    """
    version = meeting_services.state_version(meeting_id, current_access().review.id)
    if version is None:
        abort(404)
    etag = _etag(meeting_id, version, view)
    if request.headers.get("If-None-Match") == etag:
        response = Response(status=304)
    else:
        response = Response(render(), mimetype="text/html")
    response.headers["ETag"] = etag
    # Revalidate every time; never store (the fragment holds case material).
    response.headers["Cache-Control"] = "no-store"
    return response


def _state_context(meeting, view: str) -> dict:  # noqa: ANN001
    access = current_access()
    item = meeting.current_item
    open_vote = voting.open_vote_of(meeting)
    closed_vote = voting.latest_closed_vote(meeting) if open_vote is None else None
    tallies, voters = voting.results(closed_vote) if closed_vote else ([], 0)
    return {
        "access": access, "review": access.review, "meeting": meeting, "item": item, "view": view,
        "contributions": contributions.for_group(access, meeting, item.id) if item else [],
        "remaining": meeting_services.remaining_seconds(meeting), "running": meeting_services.timer_running(meeting),
        "server_now": int(utcnow().timestamp() * 1000), "open_vote": open_vote,
        "my_ballot": voting.ballot_of(open_vote, current_user) if open_vote else None,
        "closed_vote": closed_vote, "tallies": tallies, "voters": voters, "poll_seconds": POLL_SECONDS,
        "etag": _etag(meeting.id, meeting.state_version, view),
    }


# --- participant view -------------------------------------------------------------------------


@bp.route("/meetings/<int:meeting_id>/live")
@require(REVIEW_READ)
def live(review_id: int, meeting_id: int):
    meeting = meeting_in(meeting_id)
    return render_template("live/live.html", **_state_context(meeting, "live"))


@bp.route("/meetings/<int:meeting_id>/live/state")
@require(REVIEW_READ)
def live_state(review_id: int, meeting_id: int):
    return _not_modified_or("live", meeting_id, lambda: render_template(
        "live/_state.html", **_state_context(meeting_in(meeting_id), "live")))


@bp.route("/meetings/<int:meeting_id>/contributions", methods=["POST"])
@require(REVIEW_CONTRIBUTE)
def contribute(review_id: int, meeting_id: int):
    meeting = meeting_in(meeting_id)
    text = request.form.get("text", "")
    try:
        contribution = contributions.contribute(
            current_access(), meeting, agenda_item_id=request.form.get("agenda_item_id", 0, type=int), text=text,
            anonymous=request.form.get("anonymous") == "yes")
    except ContributionError as error:
        return _contribution_form(meeting, text=text, error=str(error), status=422)
    held = contribution.status == ContributionStatus.HELD.value
    message = _("Je inbreng wacht op de facilitator voordat de groep hem ziet.") if held else _("Je inbreng is verstuurd.")
    return _contribution_form(meeting, message=message)


def _contribution_form(meeting, *, text: str = "", error: str | None = None, message: str | None = None,  # noqa: ANN001
                       status: int = 200):
    context = {"access": current_access(), "review": current_access().review, "meeting": meeting,
               "item": meeting.current_item, "text": text, "error": error, "message": message}
    if is_htmx():
        return render_template("live/_contribution_form.html", **context), status
    if error:
        flash(error, "error")
    elif message:
        flash(message, "success")
    return redirect(url_for("reflections.live", review_id=meeting.review_id, meeting_id=meeting.id))


# --- facilitator console and projector --------------------------------------------------------


def _console_context(meeting) -> dict:  # noqa: ANN001
    context = _state_context(meeting, "console")
    item = meeting.current_item
    context.update(
        everything=contributions.for_facilitator(current_access(), meeting),
        attendance=meeting_services.attendance(meeting),
        members=sorted(current_access().review.members, key=lambda member: member.user.display_name.lower()),
        notes_form=NotesForm(notes=item.notes if item else ""),
    )
    return context


@bp.route("/meetings/<int:meeting_id>/console")
@require(REVIEW_EDIT)
def console(review_id: int, meeting_id: int):
    return render_template("live/console.html", **_console_context(meeting_in(meeting_id)))


@bp.route("/meetings/<int:meeting_id>/console/state")
@require(REVIEW_EDIT)
def console_state(review_id: int, meeting_id: int):
    return _not_modified_or("console", meeting_id, lambda: render_template(
        "live/_console_state.html", **_console_context(meeting_in(meeting_id))))


@bp.route("/meetings/<int:meeting_id>/projector")
@require(REVIEW_EDIT)
def projector(review_id: int, meeting_id: int):
    return render_template("live/projector.html", **_state_context(meeting_in(meeting_id), "projector"))


@bp.route("/meetings/<int:meeting_id>/projector/state")
@require(REVIEW_EDIT)
def projector_state(review_id: int, meeting_id: int):
    return _not_modified_or("projector", meeting_id, lambda: render_template(
        "live/_state.html", **_state_context(meeting_in(meeting_id), "projector")))


def _console_done(meeting) -> Response:  # noqa: ANN001
    if is_htmx():
        response = Response(status=204)
        response.headers["HX-Trigger"] = "meeting-changed"
        return response
    return redirect(url_for("reflections.console", review_id=meeting.review_id, meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/contributions/<int:contribution_id>/<any(visible, held, hidden):status>",
          methods=["POST"])
@require(REVIEW_EDIT)
def moderate(review_id: int, meeting_id: int, contribution_id: int, status: str):
    meeting = meeting_in(meeting_id)
    contribution = contributions.contribution_in(meeting, contribution_id)
    if contribution is None:
        abort(404)
    contributions.moderate(meeting, contribution, status)
    return _console_done(meeting)


@bp.route("/meetings/<int:meeting_id>/contributions/<int:contribution_id>/cluster", methods=["POST"])
@require(REVIEW_EDIT)
def cluster(review_id: int, meeting_id: int, contribution_id: int):
    meeting = meeting_in(meeting_id)
    contribution = contributions.contribution_in(meeting, contribution_id)
    if contribution is None:
        abort(404)
    contributions.set_cluster(meeting, contribution, request.form.get("cluster", ""))
    return _console_done(meeting)


# --- dot-voting ---------------------------------------------------------------------------------


@bp.route("/meetings/<int:meeting_id>/votes", methods=["POST"])
@require(REVIEW_EDIT)
def open_vote(review_id: int, meeting_id: int):
    meeting = meeting_in(meeting_id)
    try:
        voting.open_vote(
            current_access(), meeting, title=request.form.get("title", ""),
            target=request.form.get("target", "contributions"),
            dots_per_person=request.form.get("dots_per_person", 3, type=int),
            allow_stacking=request.form.get("allow_stacking") == "yes",
            whole_meeting=request.form.get("scope") == "meeting",
        )
    except VoteError as error:
        flash(str(error), "error")
    return redirect(url_for("reflections.console", review_id=review_id, meeting_id=meeting_id))


def _vote(meeting_id: int, vote_id: int):  # noqa: ANN202
    meeting = meeting_in(meeting_id)
    vote = voting.vote_in(current_access(), vote_id)
    if vote is None or vote.meeting_id != meeting.id:
        abort(404)
    return meeting, vote


@bp.route("/meetings/<int:meeting_id>/votes/<int:vote_id>", methods=["GET", "POST"])
@require(REVIEW_READ)
def ballot(review_id: int, meeting_id: int, vote_id: int):
    meeting, vote = _vote(meeting_id, vote_id)
    access = current_access()
    error = None
    if request.method == "POST":
        if not access.can_contribute:
            abort(403)
        allocation = {option.id: request.form.get(f"option-{option.id}", 0, type=int) or 0 for option in vote.options}
        try:
            voting.cast(access, vote, allocation)
        except VoteError as problem:
            error = str(problem)
        else:
            flash(_("Je stem is uitgebracht. De uitslag zie je als de stemming sluit."), "success")
            return redirect(url_for("reflections.live", review_id=review_id, meeting_id=meeting_id))
    mine = voting.ballot_of(vote, current_user)
    tallies, voters = voting.results(vote) if vote.status == "closed" else ([], 0)
    return render_template("live/ballot.html", access=access, review=access.review, meeting=meeting, vote=vote,
                           mine=mine, error=error, tallies=tallies, voters=voters), 422 if error else 200


@bp.route("/meetings/<int:meeting_id>/votes/<int:vote_id>/close", methods=["POST"])
@require(REVIEW_EDIT)
def close_vote(review_id: int, meeting_id: int, vote_id: int):
    meeting, vote = _vote(meeting_id, vote_id)
    voting.close_vote(current_access(), meeting, vote)
    return redirect(url_for("reflections.console", review_id=review_id, meeting_id=meeting_id))


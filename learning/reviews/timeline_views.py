"""The timeline page: the integrated timeline, one's own timeline, and merging (htmx, with plain-form fallback)."""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_login import current_user

from learning.admin.models import Vocabulary
from learning.admin.services import term_choices
from learning.db import utcnow
from learning.htmx import fragment_or_redirect, is_htmx, page_or_fragment
from learning.permissions import require
from learning.reviews import bp, services, timeline
from learning.reviews.access import REVIEW_CONTRIBUTE, REVIEW_EDIT, REVIEW_READ, current_access, episode_in
from learning.reviews.forms import EpisodeForm
from learning.reviews.privacy import PersonalDataFound
from learning.reviews.services import EditConflict, ReviewError
from learning.reviews.timeline import EpisodeInput

PAGE = "reviews/timeline.html"
FRAGMENT = "reviews/_timeline_sections.html"


def _episode_form(formdata=None, obj=None, prefix: str = "", episode=None) -> EpisodeForm:  # noqa: ANN001
    """Several episode forms share a page, so each gets its own prefix for names and ids.

    ``episode`` is the item being edited: its agency kinds stay choosable even if switched off since.
    """
    form = EpisodeForm(formdata=formdata, obj=obj, prefix=prefix)
    current = episode or obj
    form.agency_kind_ids.choices = term_choices(Vocabulary.AGENCY_KIND, current.agency_kinds if current else ())
    if obj is not None and formdata is None:
        form.agency_kind_ids.data = [term.id for term in obj.agency_kinds]
        form.version.data = str(obj.version)
    return form


def _new_forms() -> dict[str, EpisodeForm]:
    return {name: _episode_form(prefix=f"new-{name}") for name in ("integrated", "own")}


def _input_from(form: EpisodeForm) -> EpisodeInput:
    return EpisodeInput(
        title=form.title.data or "", occurred_on=form.occurred_on.data, period=form.period.data or "",
        description=form.description.data or "", source=form.source.data or "",
        agency_kind_ids=form.agency_kind_ids.data or [],
    )


def _context(**state) -> dict:  # noqa: ANN003
    """Everything the timeline sections need; ``state`` carries an open form with its errors."""
    access = current_access()
    review = access.review
    context = {
        "access": access, "review": review,
        "integrated": timeline.timeline(review, None),
        "own": timeline.timeline(review, current_user.id) if access.can_contribute else [],
        "personal": timeline.personal_timelines(review) if access.can_edit else {},
        "merged_ids": timeline.merged_source_ids(review) if access.can_edit else set(),
        "new_forms": _new_forms(),
        "editing": None, "edit_form": None, "target": None,
        "found": None, "conflict": None, "error": None,
    }
    context.update(state)
    return context


def _respond_with_sections(status: int = 200, **state):  # noqa: ANN003, ANN202
    if not is_htmx():  # the whole timeline page is shown: that is a view for the access log
        services.record_view(current_access().review, actor=current_user, sections=["timeline"])
    return page_or_fragment(PAGE, FRAGMENT, status=status, **_context(**state))


def _after_change():  # noqa: ANN202
    review_id = current_access().review.id
    return fragment_or_redirect(FRAGMENT, url_for("reviews.timeline_page", review_id=review_id), **_context())


@bp.route("/<int:review_id>/timeline")
@require(REVIEW_READ)
def timeline_page(review_id: int):
    access = current_access()
    services.record_view(access.review, actor=current_user, sections=["timeline"])
    return render_template(PAGE, **_context())


@bp.route("/<int:review_id>/timeline/print")
@require(REVIEW_READ)
def timeline_print(review_id: int):
    access = current_access()
    services.record_view(access.review, actor=current_user, sections=["timeline"])
    return render_template("reviews/timeline_print.html", review=access.review,
                           integrated=timeline.timeline(access.review, None), now=utcnow())


@bp.route("/<int:review_id>/episodes", methods=["POST"])
@require(REVIEW_CONTRIBUTE)
def add_episode(review_id: int):
    access = current_access()
    target = "integrated" if request.form.get("timeline") == "integrated" else "own"
    form = _episode_form(request.form, prefix=f"new-{target}")
    state = {"new_forms": {**_new_forms(), target: form}, "target": target}
    if form.validate_on_submit():
        try:
            timeline.add_episode(access, _input_from(form), integrated=target == "integrated",
                                 confirming=request.form.getlist("confirm_pseudonym"))
        except PersonalDataFound as found:
            return _respond_with_sections(found=found, **state)
        except ReviewError as error:
            return _respond_with_sections(error=str(error), **state)
        return _after_change()
    return _respond_with_sections(**state)


def _load_episode(episode_id: int):  # noqa: ANN202
    episode = episode_in(current_access(), episode_id)
    if episode is None:
        abort(404)
    return episode


@bp.route("/<int:review_id>/episodes/<int:episode_id>", methods=["POST"])
@require(REVIEW_CONTRIBUTE)
def update_episode(review_id: int, episode_id: int):
    access = current_access()
    episode = _load_episode(episode_id)
    if not access.can_change_episode(episode):
        abort(403)
    form = _episode_form(request.form, prefix=f"episode-{episode.id}", episode=episode)
    if form.validate_on_submit():
        try:
            timeline.update_episode(access, episode, _input_from(form),
                                    expected_version=int(form.version.data or 0),
                                    confirming=request.form.getlist("confirm_pseudonym"))
        except EditConflict as clash:
            form.version.data = str(episode.version)
            return _respond_with_sections(editing=episode, edit_form=form, conflict=clash)
        except PersonalDataFound as found:
            return _respond_with_sections(editing=episode, edit_form=form, found=found)
        except ReviewError as error:
            return _respond_with_sections(editing=episode, edit_form=form, error=str(error))
        return _after_change()
    return _respond_with_sections(editing=episode, edit_form=form)


@bp.route("/<int:review_id>/episodes/<int:episode_id>/edit")
@require(REVIEW_CONTRIBUTE)
def edit_episode(review_id: int, episode_id: int):
    episode = _load_episode(episode_id)
    if not current_access().can_change_episode(episode):
        abort(403)
    return _respond_with_sections(editing=episode, edit_form=_episode_form(obj=episode, prefix=f"episode-{episode.id}"))


@bp.route("/<int:review_id>/episodes/<int:episode_id>/delete", methods=["POST"])
@require(REVIEW_CONTRIBUTE)
def delete_episode(review_id: int, episode_id: int):
    episode = _load_episode(episode_id)
    try:
        timeline.delete_episode(current_access(), episode)
    except ReviewError:
        abort(403)
    return _after_change()


@bp.route("/<int:review_id>/episodes/<int:episode_id>/move/<any(up, down):direction>", methods=["POST"])
@require(REVIEW_CONTRIBUTE)
def move_episode(review_id: int, episode_id: int, direction: str):
    episode = _load_episode(episode_id)
    try:
        timeline.move_episode(current_access(), episode, direction)
    except ReviewError:
        abort(403)
    return _after_change()


@bp.route("/<int:review_id>/episodes/<int:episode_id>/merge", methods=["POST"])
@require(REVIEW_EDIT)
def merge_episode(review_id: int, episode_id: int):
    episode = _load_episode(episode_id)
    try:
        timeline.merge_into_timeline(current_access(), episode)
    except ReviewError as error:
        return _respond_with_sections(error=str(error))
    return _after_change()

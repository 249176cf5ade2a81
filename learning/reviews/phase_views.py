"""Editing an ordered list of phases: a library method's, or a review's own copy.

The same handlers serve both; buttons move phases up and down (keyboard friendly, no
dragging). With htmx the phase list is swapped in place, without it the form posts and
the page reloads.
"""

from __future__ import annotations

from typing import Any

from flask import abort, url_for
from flask_login import current_user

from learning.htmx import fragment_or_redirect, page_or_fragment
from learning.permissions import require
from learning.reviews import bp, methods
from learning.reviews.access import REVIEW_EDIT, current_access
from learning.reviews.forms import PhaseForm
from learning.reviews.methods import MethodError, PhaseInput

FRAGMENT = "reviews/_phase_list.html"


@bp.app_template_global()
def phase_url(owner: Any, action: str, phase: Any = None, direction: str | None = None) -> str:
    """URLs of the phase editor, for a library method or for a review's own copy."""
    from learning.reviews.models import Method

    prefix, key = ("methods", "method_id") if isinstance(owner, Method) else ("reviews", "review_id")
    values: dict[str, Any] = {key: owner.id}
    if phase is not None:
        values["phase_id"] = phase.id
    if direction is not None:
        values["direction"] = direction
    return url_for(f"{prefix}.{action}", **values)


def phase_input(form: PhaseForm) -> PhaseInput:
    return PhaseInput.from_text(name=form.name.data or "", purpose=form.purpose.data or "",
                                prompts_text=form.prompts.data or "", minutes=form.minutes.data or 0,
                                contributor=form.contributor.data)


NEW_PREFIX = "new-phase"


def _prefix(phase: Any) -> str:
    """Each phase's form has its own field names and ids: several are on one page."""
    return f"phase-{phase.id}"


@bp.app_template_global()
def phase_form_for(phase: Any) -> PhaseForm:
    form = PhaseForm(formdata=None, obj=phase, prefix=_prefix(phase))
    form.prompts.data = "\n".join(phase.prompts)
    return form


def _blank_form() -> PhaseForm:
    return PhaseForm(formdata=None, prefix=NEW_PREFIX)


def render_phases(owner: Any, page: str, *, status: int = 200, **state: Any):  # noqa: ANN201
    context = {"owner": owner, "new_form": _blank_form(), "editing_id": None, "edit_form": None,
               "error": None, **state}
    return page_or_fragment(page, FRAGMENT, status=status, **context)


def handle_add(owner: Any, page: str, back: str):  # noqa: ANN201
    form = PhaseForm(prefix=NEW_PREFIX)
    if form.validate_on_submit():
        try:
            methods.add_phase(owner, phase_input(form), actor=current_user)
        except MethodError as error:
            return render_phases(owner, page, new_form=form, error=str(error))
        return fragment_or_redirect(FRAGMENT, back, owner=owner, new_form=_blank_form())
    return render_phases(owner, page, new_form=form)


def _phase(owner: Any, phase_id: int) -> Any:
    phase = methods.phase_of(owner, phase_id)
    if phase is None:
        abort(404)
    return phase


def handle_update(owner: Any, phase_id: int, page: str, back: str):  # noqa: ANN201
    phase = _phase(owner, phase_id)
    form = PhaseForm(prefix=_prefix(phase))
    if form.validate_on_submit():
        try:
            methods.update_phase(owner, phase, phase_input(form), actor=current_user)
        except MethodError as error:
            return render_phases(owner, page, editing_id=phase.id, edit_form=form, error=str(error))
        return fragment_or_redirect(FRAGMENT, back, owner=owner, new_form=_blank_form())
    return render_phases(owner, page, editing_id=phase.id, edit_form=form)


def handle_remove(owner: Any, phase_id: int, page: str, back: str):  # noqa: ANN201
    phase = _phase(owner, phase_id)
    try:
        methods.remove_phase(owner, phase, actor=current_user)
    except MethodError as error:
        return render_phases(owner, page, error=str(error))
    return fragment_or_redirect(FRAGMENT, back, owner=owner, new_form=_blank_form())


def handle_move(owner: Any, phase_id: int, direction: str, back: str):  # noqa: ANN201
    methods.move_phase(owner, _phase(owner, phase_id), direction, actor=current_user)
    return fragment_or_redirect(FRAGMENT, back, owner=owner, new_form=_blank_form())


# --- a review's own copy of its phases ------------------------------------------------------

REVIEW_PAGE = "reviews/phases.html"


def _review_back() -> str:
    return url_for("reviews.phases", review_id=current_access().review.id)


@bp.route("/<int:review_id>/phases")
@require(REVIEW_EDIT)
def phases(review_id: int):
    return render_phases(current_access().review, REVIEW_PAGE)


@bp.route("/<int:review_id>/phases", methods=["POST"])
@require(REVIEW_EDIT)
def add_phase(review_id: int):
    return handle_add(current_access().review, REVIEW_PAGE, _review_back())


@bp.route("/<int:review_id>/phases/<int:phase_id>", methods=["POST"])
@require(REVIEW_EDIT)
def update_phase(review_id: int, phase_id: int):
    return handle_update(current_access().review, phase_id, REVIEW_PAGE, _review_back())


@bp.route("/<int:review_id>/phases/<int:phase_id>/delete", methods=["POST"])
@require(REVIEW_EDIT)
def remove_phase(review_id: int, phase_id: int):
    return handle_remove(current_access().review, phase_id, REVIEW_PAGE, _review_back())


@bp.route("/<int:review_id>/phases/<int:phase_id>/move/<any(up, down):direction>", methods=["POST"])
@require(REVIEW_EDIT)
def move_phase(review_id: int, phase_id: int, direction: str):
    return handle_move(current_access().review, phase_id, direction, _review_back())


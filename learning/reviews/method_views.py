"""The method library: browse, copy a method, and adapt the copy."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from learning.db import db
from learning.i18n import _, get_locale
from learning.permissions import ObjectRule, loaded, require, role
from learning.reviews import methods, methods_bp
from learning.reviews.forms import MethodForm
from learning.reviews.methods import MethodError
from learning.reviews.phase_views import handle_add, handle_move, handle_remove, handle_update, render_phases

REVIEWER = role("reviewer")


def _language() -> str:
    locale = get_locale()
    return locale.language if locale else "nl"


def _load(user: Any, view_args: dict[str, Any]) -> Any:
    return methods.load_method(user, view_args["method_id"])


METHOD_READ = ObjectRule("method", _load)
METHOD_EDIT = ObjectRule("method", _load, allowed=lambda method, user: method.can_edit(user))
PAGE = "reviews/method.html"


def _back() -> str:
    return url_for("methods.show", method_id=loaded("method").id)


@methods_bp.route("")
@require(REVIEWER)
def index():
    library = list(db.session.scalars(methods.visible_methods(current_user, language=_language())))
    return render_template("reviews/methods.html", library=library)


@methods_bp.route("/<int:method_id>")
@require(REVIEWER, METHOD_READ)
def show(method_id: int):
    return render_phases(loaded("method"), PAGE)


@methods_bp.route("/<int:method_id>/copy", methods=["POST"])
@require(REVIEWER, METHOD_READ)
def copy(method_id: int):
    copy = methods.copy_method(loaded("method"), actor=current_user)
    flash(_("Je hebt een eigen kopie gemaakt. Pas die hier aan."), "success")
    return redirect(url_for("methods.edit", method_id=copy.id))


@methods_bp.route("/<int:method_id>/edit", methods=["GET", "POST"])
@require(REVIEWER, METHOD_EDIT)
def edit(method_id: int):
    method = loaded("method")
    form = MethodForm(obj=method)
    if form.validate_on_submit():
        try:
            methods.update_method(method, name=form.name.data, description=form.description.data or "",
                                  suitable_kinds=form.suitable_kinds.data or [], actor=current_user)
        except MethodError as error:
            form.name.errors = [*form.name.errors, str(error)]
        else:
            flash(_("De methode is opgeslagen."), "success")
            return redirect(url_for("methods.show", method_id=method.id))
    return render_template("reviews/method_form.html", method=method, form=form)


@methods_bp.route("/<int:method_id>/phases", methods=["POST"])
@require(REVIEWER, METHOD_EDIT)
def add_phase(method_id: int):
    return handle_add(loaded("method"), PAGE, _back())


@methods_bp.route("/<int:method_id>/phases/<int:phase_id>", methods=["POST"])
@require(REVIEWER, METHOD_EDIT)
def update_phase(method_id: int, phase_id: int):
    return handle_update(loaded("method"), phase_id, PAGE, _back())


@methods_bp.route("/<int:method_id>/phases/<int:phase_id>/delete", methods=["POST"])
@require(REVIEWER, METHOD_EDIT)
def remove_phase(method_id: int, phase_id: int):
    return handle_remove(loaded("method"), phase_id, PAGE, _back())


@methods_bp.route("/<int:method_id>/phases/<int:phase_id>/move/<any(up, down):direction>", methods=["POST"])
@require(REVIEWER, METHOD_EDIT)
def move_phase(method_id: int, phase_id: int, direction: str):
    return handle_move(loaded("method"), phase_id, direction, _back())

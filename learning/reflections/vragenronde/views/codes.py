"""Views: the facilitator makes and switches off event codes, and sees the links to share."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from learning.i18n import _
from learning.mail import external_url
from learning.permissions import require
from learning.reflections import bp
from learning.reflections import vragenronde as service
from learning.reflections.vragenronde import VragenrondeError
from learning.reflections.vragenronde.forms import EventCodeForm
from learning.reflections.vragenronde.views.common import VRAGENRONDE_EDIT, current_review, show_error
from learning.reviews.access import current_access


def _codes_page(form: EventCodeForm, status: int = 200):  # noqa: ANN202
    review = current_review()
    codes = service.event_codes(review)
    current = next((code for code in codes if code.usable()), None)
    return render_template(
        "vragenronde/codes.html", access=current_access(), review=review, form=form, codes=codes,
        current=current, has_questions=bool(service.questions(review)),
        enter_url=external_url("vragenronde.enter_code"),
        direct_url=external_url("vragenronde.answer", code=current.code) if current else None,
    ), status


@bp.route("/vragenronde/codes")
@require(VRAGENRONDE_EDIT)
def vragenronde_codes(review_id: int):
    return _codes_page(EventCodeForm())


@bp.route("/vragenronde/codes", methods=["POST"])
@require(VRAGENRONDE_EDIT)
def vragenronde_create_code(review_id: int):
    form = EventCodeForm()
    if form.validate_on_submit():
        try:
            event_code = service.create_event_code(current_review(), hours=form.hours.data, actor=current_user)
        except VragenrondeError as error:
            show_error(form, error)
        else:
            flash(_("Deelnamecode %(code)s gemaakt.", code=event_code.code), "success")
            return redirect(url_for("reflections.vragenronde_codes", review_id=review_id))
    return _codes_page(form)


@bp.route("/vragenronde/codes/<int:code_id>/deactivate", methods=["POST"])
@require(VRAGENRONDE_EDIT)
def vragenronde_deactivate_code(review_id: int, code_id: int):
    event_code = service.event_code_in(current_review(), code_id)
    if event_code is None:
        abort(404)
    service.deactivate_event_code(current_review(), event_code, actor=current_user)
    flash(_("Deelnamecode %(code)s werkt niet meer.", code=event_code.code), "success")
    return redirect(url_for("reflections.vragenronde_codes", review_id=review_id))

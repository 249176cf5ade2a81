"""Views: answering a vragenronde, as a member or without an account with an event code.

The event-code routes are public (``vragenronde`` blueprint, no prefix). A signed device cookie
keys the per-device rate limit; a limit that is hit answers with the form and what was typed.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from itsdangerous import BadSignature, Signer
from werkzeug.exceptions import HTTPException

from learning.db import db
from learning.extensions import limiter
from learning.i18n import _
from learning.permissions import PUBLIC, require
from learning.reflections import bp, public_bp
from learning.reflections import vragenronde as service
from learning.reflections.models import AnswerSource, EventCode
from learning.reflections.vragenronde import CodeProblem, VragenrondeError
from learning.reflections.vragenronde.forms import EnterCodeForm, answer_form, answer_texts
from learning.reflections.vragenronde.views.common import (
    VRAGENRONDE_CONTRIBUTE,
    current_review,
    public_page,
    show_error,
)
from learning.reviews.access import current_access
from learning.reviews.models import Review

# --- answering as a member ----------------------------------------------------------------------


@bp.route("/vragenronde/answer", methods=["GET", "POST"])
@require(VRAGENRONDE_CONTRIBUTE)
def vragenronde_answer(review_id: int):
    review = current_review()
    form = answer_form(service.questions(review))
    if form.validate_on_submit():
        try:
            service.submit_answers(review, answer_texts(form), source=AnswerSource.MEMBER, respondent=current_user)
        except VragenrondeError as error:
            show_error(form, error)
        else:
            flash(_("Dank je wel. Je antwoorden zijn opgeslagen; je kunt nog een keer antwoorden."), "success")
            return redirect(url_for("reflections.vragenronde_answer", review_id=review_id))
    return render_template("vragenronde/member_answer.html", access=current_access(), review=review, form=form)


# --- answering with an event code (no account) ------------------------------------------------

DEVICE_COOKIE = "lmi_device"
DEVICE_COOKIE_DAYS = 30


def _device_signer() -> Signer:
    return Signer(current_app.secret_key, salt="lmi-device")


def _device_id() -> str | None:
    value = request.cookies.get(DEVICE_COOKIE)
    if not value:
        return None
    try:
        return _device_signer().unsign(value).decode()
    except BadSignature:
        return None


def device_key() -> str:
    """Rate-limit key: this browser's device cookie, or (without one) its address."""
    device = _device_id()
    return f"device:{device}" if device else f"ip:{request.remote_addr or 'unknown'}"


def _with_device_cookie(response: Response) -> Response:
    if _device_id() is None:
        value = _device_signer().sign(secrets.token_urlsafe(16)).decode()
        response.set_cookie(DEVICE_COOKIE, value, max_age=DEVICE_COOKIE_DAYS * 86400, path="/v", httponly=True,
                            samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def _per_device_limit() -> str:
    return current_app.config.get("VRAGENRONDE_LIMIT_PER_DEVICE", "10 per hour")


def _per_address_limit() -> str:
    # Generous: everyone at a Meet-Up shares one network address.
    return current_app.config.get("VRAGENRONDE_LIMIT_PER_ADDRESS", "600 per hour")


def _accepted(response: Response) -> bool:
    return response.status_code == 303


def _stray_answers(form: Any) -> list[str]:
    """Posted answers for questions this form does not have (a code of another round): shown, not lost."""
    known = {field.name for _question, field in getattr(form, "question_fields", [])}
    return [value for name, value in request.form.items(multi=True)
            if name.startswith("answer_") and name not in known and value.strip()]


def _answer_page(event_code: EventCode | None, form: Any, *, status: int = 200, problem: CodeProblem | None = None):
    review = db.session.get(Review, event_code.review_id) if event_code is not None else None
    body = render_template("vragenronde/answer.html", review=review, event_code=event_code, form=form,
                           problem=problem, stray=_stray_answers(form))
    return _with_device_cookie(public_page(body, status))


def _code_problem_response(problem: CodeProblem, typed_code: str):  # noqa: ANN202
    status = 404 if problem.kind == "unknown" else 410
    if problem.event_code is not None:
        # The round is known: its questions stay on screen with what was typed, and a field for a new code.
        review = db.session.get(Review, problem.event_code.review_id)
        form = answer_form(service.questions(review), with_code=True, code=typed_code)
        form.validate_on_submit()  # the typed text is checked too, so nothing surprises on the next try
        form.code.errors = [*form.code.errors, str(problem)]
        return _answer_page(problem.event_code, form, status=status, problem=problem)
    if request.method == "POST":
        form = answer_form([], with_code=True, code=typed_code)
        form.code.errors = [str(problem)]
        return _answer_page(None, form, status=status, problem=problem)
    form = EnterCodeForm(formdata=None, data={"code": typed_code})
    form.code.errors = [str(problem)]
    return public_page(render_template("vragenronde/enter_code.html", form=form), status)


def _answer_with_code(url_code: str, *, limited: bool = False) -> Response:
    typed_code = request.form.get("code") or url_code
    try:
        event_code = service.usable_event_code(typed_code)
    except CodeProblem as problem:
        return _code_problem_response(problem, typed_code)
    review = db.session.get(Review, event_code.review_id)
    form = answer_form(service.questions(review))
    if limited:
        form.form_errors.append(_("Vanaf dit apparaat of netwerk zijn kort na elkaar veel antwoorden verstuurd. "
                                  "Wacht even en verstuur dan opnieuw: je tekst staat hieronder nog."))
        return _answer_page(event_code, form, status=429)
    if form.validate_on_submit():
        try:
            service.submit_answers(review, answer_texts(form), source=AnswerSource.EVENT_CODE)
        except VragenrondeError as error:
            show_error(form, error)
        else:
            return _with_device_cookie(redirect(url_for("vragenronde.thanks", code=event_code.code), 303))
    return _answer_page(event_code, form)


def _answer_limit_reached(_limit: Any) -> Response:
    return _answer_with_code(request.view_args.get("code", ""), limited=True)


def _enter_limit_reached(_limit: Any) -> Response:
    form = EnterCodeForm()
    form.form_errors.append(_("Er zijn vanaf dit netwerk kort na elkaar veel codes geprobeerd. Wacht even en "
                              "probeer het dan opnieuw."))
    return public_page(render_template("vragenronde/enter_code.html", form=form), 429)


@public_bp.errorhandler(429)
def _too_many_requests(error: HTTPException):  # noqa: ANN202
    """Rate limits here answer with the form and what was typed in it, not a bare error page."""
    if error.response is not None:
        return error.response
    return render_template("errors/429.html", error=error, title=_("Er ging iets mis")), 429


@public_bp.route("/v", methods=["GET", "POST"])
@require(PUBLIC)
@limiter.limit(_per_address_limit, methods=["POST"], on_breach=_enter_limit_reached)
def enter_code():
    form = EnterCodeForm()
    if form.validate_on_submit():
        try:
            event_code = service.usable_event_code(form.code.data)
        except CodeProblem as problem:
            form.code.errors = [*form.code.errors, str(problem)]
        else:
            return redirect(url_for("vragenronde.answer", code=event_code.code), 303)
    return public_page(render_template("vragenronde/enter_code.html", form=form))


@public_bp.route("/v/<code>", methods=["GET", "POST"])
@require(PUBLIC)
@limiter.limit(_per_device_limit, key_func=device_key, methods=["POST"], deduct_when=_accepted,
               on_breach=_answer_limit_reached)
@limiter.limit(_per_address_limit, methods=["POST"], on_breach=_answer_limit_reached)
def answer(code: str):
    return _answer_with_code(code)


@public_bp.route("/v/<code>/bedankt")
@require(PUBLIC)
def thanks(code: str):
    code = service.normalise_code(code)
    valid = bool(code) and all(ch in service.CODE_ALPHABET for ch in code)
    return public_page(render_template("vragenronde/thanks.html", code=code if valid else None))

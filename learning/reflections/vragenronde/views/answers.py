"""Views: the facilitator reads the answers per question, highlights, orders and lightly edits them."""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user

from learning.htmx import is_htmx
from learning.permissions import require
from learning.reflections import bp
from learning.reflections import vragenronde as service
from learning.reflections.vragenronde import VragenrondeError
from learning.reflections.vragenronde.forms import EditAnswerForm, HighlightForm, IntroductionForm
from learning.reflections.vragenronde.views.common import (
    VRAGENRONDE_EDIT,
    current_review,
    question_or_404,
    show_error,
)
from learning.reviews.access import current_access

ANSWERS_PAGE = "vragenronde/answers.html"
ANSWERS_FRAGMENT = "vragenronde/_question_answers.html"


def _edit_form_for(answer: Any) -> EditAnswerForm:
    return EditAnswerForm(formdata=None, prefix=f"answer-{answer.id}", data={"text": answer.shown_text})


def _intro_form_for(question: Any) -> IntroductionForm:
    return IntroductionForm(formdata=None, prefix=f"intro-{question.id}", data={"introduction": question.introduction})


def _answers_response(question: Any = None, *, status: int = 200, **state: Any):  # noqa: ANN202
    """The page, or for htmx the section of one question; ``state`` carries an open form with its errors."""
    review = current_review()
    context = {"access": current_access(), "review": review, "edit_form_for": _edit_form_for,
               "intro_form_for": _intro_form_for, "editing_id": None, "edit_form": None, "intro_form": None,
               "error": None, "error_question_id": None, **state}
    if question is not None and is_htmx():
        section = service.answers_by_question(review, only=question)[0]
        return render_template(ANSWERS_FRAGMENT, section=section, **context), status
    return render_template(ANSWERS_PAGE, sections=service.answers_by_question(review), **context), status


def _answer_changed(question: Any):  # noqa: ANN202
    if is_htmx():
        return _answers_response(question)
    return redirect(url_for("reflections.vragenronde_answers", review_id=current_review().id)
                    + f"#question-{question.id}")


def _answer(answer_id: int) -> Any:
    answer = service.answer_in(current_review(), answer_id)
    if answer is None:
        abort(404)
    return answer


@bp.route("/vragenronde/answers")
@require(VRAGENRONDE_EDIT)
def vragenronde_answers(review_id: int):
    return _answers_response()


@bp.route("/vragenronde/answers/<int:answer_id>/highlight", methods=["POST"])
@require(VRAGENRONDE_EDIT)
def vragenronde_highlight(review_id: int, answer_id: int):
    answer = _answer(answer_id)
    form = HighlightForm()
    if not form.validate_on_submit():
        abort(400)
    service.set_highlight(current_review(), answer, form.highlighted.data == "yes", actor=current_user)
    return _answer_changed(answer.question)


@bp.route("/vragenronde/answers/<int:answer_id>/move/<any(up, down):direction>", methods=["POST"])
@require(VRAGENRONDE_EDIT)
def vragenronde_move_highlight(review_id: int, answer_id: int, direction: str):
    answer = _answer(answer_id)
    try:
        service.move_highlight(current_review(), answer, direction, actor=current_user)
    except VragenrondeError as error:
        return _answers_response(answer.question, error=str(error), error_question_id=answer.question_id)
    return _answer_changed(answer.question)


@bp.route("/vragenronde/answers/<int:answer_id>/edit", methods=["POST"])
@require(VRAGENRONDE_EDIT)
def vragenronde_edit_answer(review_id: int, answer_id: int):
    answer = _answer(answer_id)
    form = EditAnswerForm(prefix=f"answer-{answer.id}")
    if form.validate_on_submit():
        text = None if request.form.get("restore") else form.text.data
        try:
            service.edit_answer(current_review(), answer, text, actor=current_user)
        except VragenrondeError as error:
            show_error(form, error)
        else:
            return _answer_changed(answer.question)
    return _answers_response(answer.question, editing_id=answer.id, edit_form=form)


@bp.route("/vragenronde/questions/<int:question_id>/introduction", methods=["POST"])
@require(VRAGENRONDE_EDIT)
def vragenronde_question_introduction(review_id: int, question_id: int):
    question = question_or_404(question_id)
    form = IntroductionForm(prefix=f"intro-{question.id}")
    if form.validate_on_submit():
        try:
            service.set_question_introduction(current_review(), question, form.introduction.data, actor=current_user)
        except VragenrondeError as error:
            show_error(form, error)
        else:
            return _answer_changed(question)
    return _answers_response(question, intro_form=form, error_question_id=question.id)

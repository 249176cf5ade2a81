"""Views: the facilitator sets the questions of a vragenronde (page and htmx fragment)."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_login import current_user

from learning.htmx import fragment_or_redirect, page_or_fragment
from learning.permissions import require
from learning.reflections import bp
from learning.reflections import vragenronde as service
from learning.reflections.vragenronde import VragenrondeError
from learning.reflections.vragenronde.forms import QuestionForm
from learning.reflections.vragenronde.views.common import (
    VRAGENRONDE_EDIT,
    current_review,
    question_or_404,
    show_error,
)
from learning.reviews.access import current_access

QUESTIONS_PAGE = "vragenronde/questions.html"
QUESTIONS_FRAGMENT = "vragenronde/_question_list.html"
NEW_QUESTION = "new-question"


def _question_form_for(question: Any) -> QuestionForm:
    return QuestionForm(formdata=None, prefix=f"question-{question.id}", data={"text": question.text})


def _questions_context(**state: Any) -> dict[str, Any]:
    review = current_review()
    context = {
        "access": current_access(), "review": review, "questions": service.questions(review),
        "method_prompts": service.method_prompts(review), "question_form_for": _question_form_for,
        "new_form": QuestionForm(formdata=None, prefix=NEW_QUESTION), "editing_id": None, "edit_form": None,
        "error": None,
    }
    context.update(state)
    return context


def _questions_url() -> str:
    return url_for("reflections.vragenronde_questions", review_id=current_review().id)


def _questions_changed():  # noqa: ANN202
    return fragment_or_redirect(QUESTIONS_FRAGMENT, _questions_url(), **_questions_context())


@bp.route("/vragenronde")
@require(VRAGENRONDE_EDIT)
def vragenronde_questions(review_id: int):
    return page_or_fragment(QUESTIONS_PAGE, QUESTIONS_FRAGMENT, **_questions_context())


@bp.route("/vragenronde/questions", methods=["POST"])
@require(VRAGENRONDE_EDIT)
def vragenronde_add_question(review_id: int):
    form = QuestionForm(prefix=NEW_QUESTION)
    if form.validate_on_submit():
        try:
            service.add_question(current_review(), form.text.data, actor=current_user)
        except VragenrondeError as error:
            show_error(form, error)
        else:
            return _questions_changed()
    return page_or_fragment(QUESTIONS_PAGE, QUESTIONS_FRAGMENT, **_questions_context(new_form=form))


@bp.route("/vragenronde/questions/<int:question_id>", methods=["POST"])
@require(VRAGENRONDE_EDIT)
def vragenronde_update_question(review_id: int, question_id: int):
    question = question_or_404(question_id)
    form = QuestionForm(prefix=f"question-{question.id}")
    if form.validate_on_submit():
        try:
            service.update_question(current_review(), question, form.text.data, actor=current_user)
        except VragenrondeError as error:
            show_error(form, error)
        else:
            return _questions_changed()
    return page_or_fragment(QUESTIONS_PAGE, QUESTIONS_FRAGMENT,
                            **_questions_context(editing_id=question.id, edit_form=form))


@bp.route("/vragenronde/questions/<int:question_id>/delete", methods=["POST"])
@require(VRAGENRONDE_EDIT)
def vragenronde_remove_question(review_id: int, question_id: int):
    question = question_or_404(question_id)
    try:
        service.remove_question(current_review(), question, actor=current_user)
    except VragenrondeError as error:
        return page_or_fragment(QUESTIONS_PAGE, QUESTIONS_FRAGMENT, **_questions_context(error=str(error)))
    return _questions_changed()


@bp.route("/vragenronde/questions/<int:question_id>/move/<any(up, down):direction>", methods=["POST"])
@require(VRAGENRONDE_EDIT)
def vragenronde_move_question(review_id: int, question_id: int, direction: str):
    service.move_question(current_review(), question_or_404(question_id), direction, actor=current_user)
    return _questions_changed()


@bp.route("/vragenronde/questions/from-method", methods=["POST"])
@require(VRAGENRONDE_EDIT)
def vragenronde_copy_questions(review_id: int):
    try:
        service.copy_questions_from_method(current_review(), actor=current_user)
    except VragenrondeError as error:
        return page_or_fragment(QUESTIONS_PAGE, QUESTIONS_FRAGMENT, **_questions_context(error=str(error)))
    return _questions_changed()

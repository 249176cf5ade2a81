"""Answers: submitting them (as a member or with an event code), and the facilitator's highlights and light edits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from learning.db import db
from learning.i18n import _
from learning.reflections.models import Answer, AnswerSource, Question
from learning.reflections.vragenronde.base import ANSWER_LIMIT, VragenrondeError, record
from learning.reflections.vragenronde.questionnaire import questions
from learning.reviews.models import Review, ReviewStatus


def submit_answers(review: Review, texts: Mapping[int, str], *, source: AnswerSource,
                   respondent: Any = None) -> list[Answer]:
    """Store the non-empty answers, one row per question. At least one answer is needed.

    No audit entry: answers are not a change to anyone's record, and respondents with an event
    code are nobody in particular. In a "volledig anoniem" review nobody is stored as respondent.
    """
    if review.status == ReviewStatus.GESLOTEN.value:
        raise VragenrondeError(_("Deze vragenronde is gesloten; er kunnen geen antwoorden meer bij."))
    by_id = {question.id: question for question in questions(review)}
    cleaned: list[tuple[Question, str]] = []
    for question_id, text in texts.items():
        question = by_id.get(question_id)
        text = (text or "").strip()
        if question is None or not text:
            continue
        if len(text) > ANSWER_LIMIT:
            raise VragenrondeError(
                _("Je antwoord op vraag %(number)d is te lang: hoogstens %(max)d tekens.",
                  number=question.position + 1, max=ANSWER_LIMIT), f"answer_{question.id}")
        cleaned.append((question, text))
    if not cleaned:
        raise VragenrondeError(_("Vul minstens één antwoord in."))
    respondent_id = None if respondent is None or review.fully_anonymous else respondent.id
    answers = [Answer(review_id=review.id, question_id=question.id, text=text, source=source.value,
                      respondent_id=respondent_id) for question, text in cleaned]
    db.session.add_all(answers)
    db.session.flush()
    return answers


def answer_in(review: Review, answer_id: int) -> Answer | None:
    return db.session.scalar(sa.select(Answer).where(Answer.id == answer_id, Answer.review_id == review.id))


@dataclass
class QuestionAnswers:
    question: Question
    number: int
    answers: list[Answer]

    @property
    def highlights(self) -> list[Answer]:
        return sorted((a for a in self.answers if a.highlighted), key=lambda a: (a.highlight_position or 0, a.id))


def answers_by_question(review: Review, only: Question | None = None) -> list[QuestionAnswers]:
    """Every question (or one) with its answers, oldest first; two queries."""
    all_questions = questions(review)
    query = sa.select(Answer).where(Answer.review_id == review.id).order_by(Answer.created_at, Answer.id)
    if only is not None:
        query = query.where(Answer.question_id == only.id)
    grouped: dict[int, list[Answer]] = {}
    for answer in db.session.scalars(query):
        grouped.setdefault(answer.question_id, []).append(answer)
    return [QuestionAnswers(question, index + 1, grouped.get(question.id, []))
            for index, question in enumerate(all_questions) if only is None or question.id == only.id]


def _highlights_of(question_id: int) -> list[Answer]:
    return list(db.session.scalars(
        sa.select(Answer).where(Answer.question_id == question_id, Answer.highlighted.is_(True))
        .order_by(Answer.highlight_position, Answer.id)
    ))


def set_highlight(review: Review, answer: Answer, highlighted: bool, *, actor: Any) -> Answer:
    """Mark an answer as "in het oog springend" (last in its question's order), or unmark it."""
    if answer.highlighted == highlighted:
        return answer
    others = [each for each in _highlights_of(answer.question_id) if each.id != answer.id]
    answer.highlighted = highlighted
    if highlighted:
        others.append(answer)
    else:
        answer.highlight_position = None
    for position, each in enumerate(others):
        each.highlight_position = position
    db.session.flush()
    record("highlight_changed", review, actor, answer_id=answer.id, highlighted=highlighted)
    return answer


def move_highlight(review: Review, answer: Answer, direction: str, *, actor: Any) -> None:
    if not answer.highlighted:
        raise VragenrondeError(_("Alleen antwoorden die in het oog springen hebben een volgorde."))
    items = _highlights_of(answer.question_id)
    index = items.index(answer)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
        for position, each in enumerate(items):
            each.highlight_position = position
        db.session.flush()
        record("highlight_changed", review, actor, answer_id=answer.id, moved=direction)


def edit_answer(review: Review, answer: Answer, text: str | None, *, actor: Any) -> Answer:
    """A light edit for readability. The original stays in ``text``; an empty edit (or the original) undoes it."""
    text = (text or "").strip()
    if len(text) > ANSWER_LIMIT:
        raise VragenrondeError(_("Een antwoord is hoogstens %(max)d tekens.", max=ANSWER_LIMIT), "text")
    new_value = None if not text or text == answer.text else text
    if new_value == answer.edited_text:
        return answer
    answer.edited_text = new_value
    db.session.flush()
    record("answer_edited", review, actor, answer_id=answer.id, restored=new_value is None)
    return answer

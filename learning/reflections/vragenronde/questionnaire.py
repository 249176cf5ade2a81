"""The questions of a vragenronde: add, change, remove, reorder, copy from the method, and their introductions."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from learning.db import db
from learning.i18n import _
from learning.reflections.models import Answer, Question
from learning.reflections.vragenronde.base import (
    INTRODUCTION_LIMIT,
    MAX_QUESTIONS,
    QUESTION_LIMIT,
    VragenrondeError,
    record,
)
from learning.reviews.methods import swap_with_neighbour
from learning.reviews.models import Review


def questions(review: Review) -> list[Question]:
    return list(db.session.scalars(
        sa.select(Question).where(Question.review_id == review.id).order_by(Question.position, Question.id)
    ))


def question_in(review: Review, question_id: int) -> Question | None:
    """A question of this review only: another review's id gives None (404)."""
    return db.session.scalar(sa.select(Question).where(Question.id == question_id, Question.review_id == review.id))


def _clean_question(text: str) -> str:
    text = " ".join((text or "").split())
    if not text:
        raise VragenrondeError(_("Schrijf de vraag op."), "text")
    if len(text) > QUESTION_LIMIT:
        raise VragenrondeError(_("Een vraag is hoogstens %(max)d tekens.", max=QUESTION_LIMIT), "text")
    return text


def add_question(review: Review, text: str, *, actor: Any) -> Question:
    existing = questions(review)
    if len(existing) >= MAX_QUESTIONS:
        raise VragenrondeError(_("Een vragenronde heeft hoogstens %(max)d vragen.", max=MAX_QUESTIONS), "text")
    question = Question(review_id=review.id, position=len(existing), text=_clean_question(text))
    db.session.add(question)
    db.session.flush()
    record("questions_changed", review, actor, change="added")
    return question


def update_question(review: Review, question: Question, text: str, *, actor: Any) -> Question:
    question.text = _clean_question(text)
    db.session.flush()
    record("questions_changed", review, actor, change="updated")
    return question


def answer_count(question: Question) -> int:
    return db.session.scalar(sa.select(sa.func.count(Answer.id)).where(Answer.question_id == question.id)) or 0


def remove_question(review: Review, question: Question, *, actor: Any) -> None:
    """Only a question without answers can go: answers are never thrown away by a click."""
    if answer_count(question):
        raise VragenrondeError(_("Deze vraag heeft al antwoorden, die bewaard blijven. Pas de vraag aan in plaats "
                                 "van haar te verwijderen."))
    db.session.delete(question)
    db.session.flush()
    for position, each in enumerate(questions(review)):
        each.position = position
    db.session.flush()
    record("questions_changed", review, actor, change="removed")


def move_question(review: Review, question: Question, direction: str, *, actor: Any) -> None:
    """One place up or down; at either end nothing happens."""
    if swap_with_neighbour(questions(review), question, direction):
        db.session.flush()
        record("questions_changed", review, actor, change="moved")


def method_prompts(review: Review) -> list[str]:
    """The prompts of the review's phases, in order, each once."""
    seen: dict[str, str] = {}
    for phase in review.phases:
        for prompt in phase.prompts:
            text = " ".join(prompt.split())[:QUESTION_LIMIT]
            if text and text.casefold() not in seen:
                seen[text.casefold()] = text
    return list(seen.values())[:MAX_QUESTIONS]


def copy_questions_from_method(review: Review, *, actor: Any) -> list[Question]:
    if questions(review):
        raise VragenrondeError(_("Deze vragenronde heeft al vragen."))
    prompts = method_prompts(review)
    if not prompts:
        raise VragenrondeError(_("De fasen van deze review hebben geen vragen om over te nemen."))
    created = [Question(review_id=review.id, position=index, text=text) for index, text in enumerate(prompts)]
    db.session.add_all(created)
    db.session.flush()
    record("questions_changed", review, actor, change="copied_from_method", count=len(created))
    return created


def set_question_introduction(review: Review, question: Question, text: str, *, actor: Any) -> Question:
    text = (text or "").strip()
    if len(text) > INTRODUCTION_LIMIT:
        raise VragenrondeError(_("Een inleiding is hoogstens %(max)d tekens.", max=INTRODUCTION_LIMIT), "introduction")
    question.introduction = text
    db.session.flush()
    record("introduction_changed", review, actor, question_id=question.id)
    return question

"""Factories for the vragenronde: a review of kind vragenronde with its questions, answers and event codes."""

from __future__ import annotations

import pytest

from learning.db import db
from learning.reflections import vragenronde
from learning.reflections.models import Answer, AnswerSource, Question
from learning.reviews.models import Review
from tests.review_fixtures import builtin_method

QUESTIONS = ("Welke eerste stappen zet jij?", "Welke ondersteuning wil je?", "Wat is het meest ingewikkeld?",
             "Wat zou jou helpen?")


@pytest.fixture
def make_vragenronde(make_review, lead):  # noqa: ANN001, ANN201
    """``make_vragenronde(questions=[...])``: a committed vragenronde led by ``lead``, with its questions."""

    def make(*, questions: tuple[str, ...] = QUESTIONS, title: str = "Meet-Up: samen sterker",
             **fields) -> Review:  # noqa: ANN003
        review = make_review(kind="vragenronde", method=builtin_method("vragenronde"), title=title, **fields)
        for text in questions:
            vragenronde.add_question(review, text, actor=lead)
        db.session.commit()
        return review

    return make


@pytest.fixture
def review(make_vragenronde) -> Review:  # noqa: ANN001
    return make_vragenronde()


@pytest.fixture
def questions(review) -> list[Question]:  # noqa: ANN001
    return vragenronde.questions(review)


@pytest.fixture
def add_answer():  # noqa: ANN201
    """``add_answer(question, "tekst")`` stores one committed answer (source: event code)."""

    def add(question: Question, text: str, *, source: AnswerSource = AnswerSource.EVENT_CODE) -> Answer:
        answer = Answer(review_id=question.review_id, question_id=question.id, text=text, source=source.value)
        db.session.add(answer)
        db.session.commit()
        return answer

    return add

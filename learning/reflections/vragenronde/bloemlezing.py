"""The bloemlezing as readers see it: sections of highlighted answers, and its PDF (a background job).

The page and the PDF show the same content: the review's title, the overall introduction, then
one section per question with its introduction and its highlighted answers in the chosen order,
using the facilitator's light edit where there is one. Nobody's name is ever part of it.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

import sqlalchemy as sa
from flask import render_template

from learning.db import db, utcnow
from learning.i18n import LOCALES, force_locale
from learning.pdf import (  # noqa: F401 - shared with the briefs' PDFs, importable from here as before
    _css_string,
    page_counter_css,
    paragraphs,
    pdf_date,
    render_pdf,
)
from learning.reflections.models import Answer, Anthology, AnthologyVisibility, PdfStatus, Question
from learning.reflections.vragenronde.questionnaire import questions
from learning.reviews.models import Review

log = logging.getLogger(__name__)
PDF_TEMPLATE = "vragenronde/bloemlezing_pdf.html"


@dataclass
class Section:
    number: int
    question: Question
    answers: list[Answer]


def sections(review: Review) -> list[Section]:
    """One section per question, in order, with its highlighted answers in highlight order (two queries)."""
    review_questions = questions(review)
    highlighted: dict[int, list[Answer]] = {}
    for answer in db.session.scalars(
        sa.select(Answer).where(Answer.review_id == review.id, Answer.highlighted.is_(True))
        .order_by(Answer.highlight_position, Answer.id)
    ):
        highlighted.setdefault(answer.question_id, []).append(answer)
    return [Section(index + 1, question, highlighted.get(question.id, []))
            for index, question in enumerate(review_questions)]


def anthology_html(review: Review, anthology: Anthology, language: str = "nl") -> str:
    moment = anthology.published_at or utcnow()
    return render_template(
        PDF_TEMPLATE, review=review, anthology=anthology, sections=sections(review), language=language,
        created=pdf_date(moment), page_counter=page_counter_css(), paragraphs=paragraphs,
    )


def render_anthology_pdf(review_id: int, language: str = "nl") -> None:
    """The job: render the published bloemlezing and store the PDF on it, or the reason it failed."""
    anthology = db.session.get(Anthology, review_id)
    if anthology is None or anthology.visibility not in (AnthologyVisibility.MEMBERS, AnthologyVisibility.PUBLIC):
        return  # unpublished meanwhile: nothing to render
    review = db.session.get(Review, review_id)
    try:
        with force_locale(LOCALES.get(language, LOCALES["nl"])):
            html = anthology_html(review, anthology, language)
        pdf = render_pdf(html, identifier=f"bloemlezing-{review_id}")
    except Exception as error:  # the editor sees a short reason and can try again
        log.exception("bloemlezing PDF for review %s failed", review_id)
        db.session.rollback()
        anthology = db.session.get(Anthology, review_id)
        if anthology is not None:
            anthology.pdf_status = PdfStatus.FAILED.value
            anthology.pdf_error = f"{type(error).__name__}: {error}"[:300]
            db.session.commit()
        return
    anthology.pdf = pdf
    anthology.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    anthology.pdf_status = PdfStatus.READY.value
    anthology.pdf_error = ""
    anthology.pdf_rendered_at = utcnow()
    db.session.commit()

"""The bloemlezing as the facilitator makes it: its introduction, publishing (members or a public link), the PDF."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from learning import jobs
from learning.db import db, utcnow
from learning.i18n import _
from learning.reflections.models import Answer, Anthology, AnthologyVisibility, PdfStatus
from learning.reflections.vragenronde import bloemlezing
from learning.reflections.vragenronde.base import INTRODUCTION_LIMIT, VragenrondeError, record
from learning.reviews.models import Review


def anthology_of(review: Review) -> Anthology | None:
    return db.session.get(Anthology, review.id)


def anthology_for(review: Review) -> Anthology:
    """The review's anthology, made on first use."""
    anthology = anthology_of(review)
    if anthology is None:
        anthology = Anthology(review_id=review.id, introduction="", visibility=AnthologyVisibility.NONE,
                              pdf_status=PdfStatus.NONE, pdf_error="")
        db.session.add(anthology)
        db.session.flush()
    return anthology


def is_published(anthology: Anthology | None) -> bool:
    return anthology is not None and anthology.visibility in (AnthologyVisibility.MEMBERS, AnthologyVisibility.PUBLIC)


def public_anthology(token: str) -> Anthology | None:
    """The anthology behind a public link, only while it is published publicly."""
    if not token or len(token) > 64:
        return None
    anthology = db.session.scalar(sa.select(Anthology).where(Anthology.public_token == token))
    if anthology is None or anthology.visibility != AnthologyVisibility.PUBLIC:
        return None
    return anthology


def set_anthology_introduction(review: Review, text: str, *, actor: Any) -> Anthology:
    text = (text or "").strip()
    if len(text) > INTRODUCTION_LIMIT:
        raise VragenrondeError(_("Een inleiding is hoogstens %(max)d tekens.", max=INTRODUCTION_LIMIT), "introduction")
    anthology = anthology_for(review)
    anthology.introduction = text
    db.session.flush()
    record("introduction_changed", review, actor)
    return anthology


def highlight_count(review: Review) -> int:
    return db.session.scalar(sa.select(sa.func.count(Answer.id)).where(
        Answer.review_id == review.id, Answer.highlighted.is_(True))) or 0


def _request_pdf(anthology: Anthology, language: str) -> None:
    anthology.pdf = None
    anthology.pdf_sha256 = None
    anthology.pdf_status = PdfStatus.PENDING
    anthology.pdf_error = ""
    anthology.pdf_rendered_at = None
    db.session.flush()
    jobs.enqueue(bloemlezing.render_anthology_pdf, anthology.review_id, language)


def publish_anthology(review: Review, visibility: str, *, actor: Any, language: str = "nl",
                      now: datetime | None = None) -> Anthology:
    """Publish for the members, or publicly by an unguessable link (kept when publishing again); render the PDF."""
    if visibility not in (AnthologyVisibility.MEMBERS, AnthologyVisibility.PUBLIC):
        raise VragenrondeError(_("Kies voor wie de bloemlezing is."), "visibility")
    if not highlight_count(review):
        raise VragenrondeError(_("Markeer eerst de antwoorden die in het oog springen: die vormen de bloemlezing."))
    anthology = anthology_for(review)
    anthology.visibility = visibility
    if visibility == AnthologyVisibility.PUBLIC and not anthology.public_token:
        anthology.public_token = secrets.token_urlsafe(32)
    anthology.published_at = now or utcnow()
    _request_pdf(anthology, language)
    record("published", review, actor, visibility=visibility)
    return anthology


def unpublish_anthology(review: Review, *, actor: Any) -> Anthology | None:
    anthology = anthology_of(review)
    if not is_published(anthology):
        return anthology
    anthology.visibility = AnthologyVisibility.NONE
    anthology.public_token = None
    anthology.published_at = None
    anthology.pdf = None
    anthology.pdf_sha256 = None
    anthology.pdf_status = PdfStatus.NONE
    anthology.pdf_error = ""
    anthology.pdf_rendered_at = None
    db.session.flush()
    record("unpublished", review, actor)
    return anthology


def rerender_pdf(review: Review, *, actor: Any, language: str = "nl") -> Anthology:
    """Make the PDF again: after a failure, or after changes since publishing."""
    anthology = anthology_of(review)
    if not is_published(anthology):
        raise VragenrondeError(_("Publiceer de bloemlezing eerst; dan wordt ook de PDF gemaakt."))
    _request_pdf(anthology, language)
    record("pdf_requested", review, actor)
    return anthology

"""Views: reading the bloemlezing and its PDF, as members and by the public link."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, render_template, url_for

from learning.db import db
from learning.permissions import PUBLIC, require
from learning.reflections import bp, public_bp
from learning.reflections import vragenronde as service
from learning.reflections.models import Anthology, PdfStatus
from learning.reflections.vragenronde import bloemlezing
from learning.reflections.vragenronde.views.common import VRAGENRONDE_READ, current_review, public_page
from learning.reviews.access import current_access
from learning.reviews.models import Review

PDF_STATUS_FRAGMENT = "vragenronde/_pdf_status.html"


@bp.app_template_global()
def vragenronde_published(review: Review) -> bool:
    """Whether members can read this review's bloemlezing (for the tabs)."""
    return service.is_published(service.anthology_of(review))


def member_pdf_links(review: Review, anthology: Anthology | None) -> dict[str, Any]:
    return {"anthology": anthology,
            "download_url": url_for("reflections.bloemlezing_pdf", review_id=review.id),
            "status_url": url_for("reflections.bloemlezing_pdf_status", review_id=review.id)}


def _public_pdf_links(anthology: Anthology) -> dict[str, Any]:
    return {"anthology": anthology,
            "download_url": url_for("vragenronde.public_pdf", token=anthology.public_token),
            "status_url": url_for("vragenronde.public_pdf_status", token=anthology.public_token)}


def _published_for_members() -> Anthology:
    anthology = service.anthology_of(current_review())
    if not service.is_published(anthology):
        abort(404)
    return anthology


def _pdf_download(anthology: Anthology) -> Response:
    if anthology.pdf_status != PdfStatus.READY or not anthology.pdf:
        abort(404)
    return Response(anthology.pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": 'attachment; filename="bloemlezing.pdf"'})


@bp.route("/bloemlezing")
@require(VRAGENRONDE_READ)
def bloemlezing_page(review_id: int):
    access = current_access()
    anthology = service.anthology_of(access.review)
    published = service.is_published(anthology)
    if not published and not access.can_edit:
        abort(404)  # editors see a preview before publishing; nobody else sees anything yet
    return render_template(
        "vragenronde/bloemlezing.html", access=access, review=access.review, anthology=anthology,
        sections=bloemlezing.sections(access.review), paragraphs=bloemlezing.paragraphs, preview=not published,
        pdf=member_pdf_links(access.review, anthology),
    )


@bp.route("/bloemlezing/pdf")
@require(VRAGENRONDE_READ)
def bloemlezing_pdf(review_id: int):
    return _pdf_download(_published_for_members())


@bp.route("/bloemlezing/pdf/status")
@require(VRAGENRONDE_READ)
def bloemlezing_pdf_status(review_id: int):
    _published_for_members()
    return render_template(PDF_STATUS_FRAGMENT,
                           pdf=member_pdf_links(current_review(), service.anthology_of(current_review())))


def _public_anthology(token: str) -> Anthology:
    anthology = service.public_anthology(token)
    if anthology is None:
        abort(404)
    return anthology


@public_bp.route("/bloemlezing/<token>")
@require(PUBLIC)
def public_bloemlezing(token: str):
    anthology = _public_anthology(token)
    review = db.session.get(Review, anthology.review_id)
    return public_page(render_template(
        "vragenronde/public_bloemlezing.html", review=review, anthology=anthology,
        sections=bloemlezing.sections(review), paragraphs=bloemlezing.paragraphs, pdf=_public_pdf_links(anthology),
    ))


@public_bp.route("/bloemlezing/<token>/pdf")
@require(PUBLIC)
def public_pdf(token: str):
    return _pdf_download(_public_anthology(token))


@public_bp.route("/bloemlezing/<token>/pdf/status")
@require(PUBLIC)
def public_pdf_status(token: str):
    return public_page(render_template(PDF_STATUS_FRAGMENT, pdf=_public_pdf_links(_public_anthology(token))))

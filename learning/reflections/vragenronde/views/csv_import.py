"""Views: importing answers from a CSV file, with a checked preview before anything is stored."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from learning.i18n import _, ngettext
from learning.permissions import require
from learning.reflections import bp
from learning.reflections import vragenronde as service
from learning.reflections.vragenronde import VragenrondeError
from learning.reflections.vragenronde.forms import CsvConfirmForm, CsvUploadForm
from learning.reflections.vragenronde.views.common import VRAGENRONDE_EDIT, current_review, show_error
from learning.reviews.access import current_access

IMPORT_PAGE = "vragenronde/import.html"
IMPORT_MAX_AGE = 3600


def _import_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="vragenronde-csv-import")


def _payload_limit() -> int:
    """The kept upload must fit in the confirming post (some Werkzeug versions also cap form fields)."""
    limits = [current_app.config.get(name) for name in ("MAX_CONTENT_LENGTH", "MAX_FORM_MEMORY_SIZE")]
    return min(int(limit) for limit in limits if limit) - 4096 if any(limits) else 10**9


def _import_page(form: CsvUploadForm, *, preview: Any = None, text: str | None = None, notice: str | None = None):
    review = current_review()
    confirm = None
    if preview is not None and text is not None and preview.valid_rows:
        confirm = CsvConfirmForm(formdata=None, data={
            "payload": _import_serializer().dumps({"review": review.id, "text": text}),
            "expected": str(len(preview.valid_rows)),
        })
        if len(confirm.payload.data) > _payload_limit():
            form.file.errors = [*form.file.errors, _(
                "Dit bestand is te groot om in één keer te importeren. Splits het in kleinere bestanden.")]
            preview, confirm = None, None
    questions = {question.id: question for question in service.questions(review)}
    return render_template(IMPORT_PAGE, access=current_access(), review=review, form=form, preview=preview,
                           confirm=confirm, questions=questions, notice=notice)


@bp.route("/vragenronde/import", methods=["GET", "POST"])
@require(VRAGENRONDE_EDIT)
def vragenronde_import(review_id: int):
    form = CsvUploadForm()
    if form.validate_on_submit():
        try:
            text = service.decode_upload(form.file.data.read())
            preview = service.parse_answers_csv(text, service.questions(current_review()))
        except VragenrondeError as error:
            show_error(form, error)
        else:
            return _import_page(form, preview=preview, text=text)
    return _import_page(form)


@bp.route("/vragenronde/import/confirm", methods=["POST"])
@require(VRAGENRONDE_EDIT)
def vragenronde_import_confirm(review_id: int):
    review = current_review()
    confirm = CsvConfirmForm()
    upload = CsvUploadForm(formdata=None)
    try:
        data = _import_serializer().loads(confirm.payload.data or "", max_age=IMPORT_MAX_AGE)
        if not confirm.validate_on_submit() or data.get("review") != review.id:
            raise BadSignature("not for this review")
    except BadSignature:
        upload.file.errors = [_("Het voorbeeld is verlopen of hoort niet bij deze vragenronde. Kies het bestand "
                                "opnieuw.")]
        return _import_page(upload)
    text = data["text"]
    try:
        preview = service.parse_answers_csv(text, service.questions(review))
    except VragenrondeError as error:
        show_error(upload, error)
        return _import_page(upload)
    if str(len(preview.valid_rows)) != (confirm.expected.data or ""):
        return _import_page(upload, preview=preview, text=text, notice=_(
            "De vragen zijn gewijzigd sinds het voorbeeld, en daarmee de uitkomst. Controleer het voorbeeld "
            "hieronder en bevestig opnieuw."))
    try:
        count = service.import_answers(review, preview, actor=current_user)
    except VragenrondeError as error:
        show_error(upload, error)
        return _import_page(upload, preview=preview, text=text)
    flash(ngettext("%(num)d antwoord geïmporteerd.", "%(num)d antwoorden geïmporteerd.", count), "success")
    return redirect(url_for("reflections.vragenronde_answers", review_id=review_id))

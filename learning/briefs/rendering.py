"""The PDFs of an issued brief version, rendered in a background job, and the e-mails that announce them.

Issuing a version (briefs-core's service) calls ``start_rendering(version)`` in its transaction: one
pending ``BriefDocument`` per addressed organisation, and the job ``render_version(version.id)`` enqueued
for after the commit. Each board gets its own PDF with only the findings addressed to it.

How the job runs
----------------
With ``REDIS_URL`` set the web request only enqueues; an RQ worker renders. Run one or more workers
with the app's environment (the same ``DATABASE_URL``, ``REDIS_URL``, ``MAIL_*`` and ``PUBLIC_URL``)::

    flask worker            # an RQ worker on this app's queue, "leren-met-impact" (learning.jobs.QUEUE_NAME)
    flask worker --burst    # stop when the queue is empty (cron, tests)

``flask worker`` is RQ's ``rq worker --url "$REDIS_URL" leren-met-impact`` run inside the app: the jobs
need the app context (database session, templates, settings), which RQ's own command does not set up,
so run ``flask worker`` (under systemd, supervisord or as a container command, restarted when it exits).
Without ``REDIS_URL`` (the embedded default) the job runs inline, in the web process, right after the
request's commit. Rendering reads the version's snapshot only, never the live findings.

Why a crash or a second run does no harm
----------------------------------------
* The job is keyed on the version (RQ job id ``brief-version-<id>``) and enqueued with retries: a job
  whose worker was killed runs again (at once when the work horse died; when RQ finds the job abandoned
  when the whole worker died).
* It renders only documents still ``pending``. Each one is claimed with a conditional UPDATE (which
  counts the attempt), and the finished PDF is written with a conditional UPDATE ``WHERE status !=
  'ready'``: a document a dead worker had claimed is rendered again, and if two workers ever render
  the same document at once, the first write wins and the second changes nothing. The PDF is
  deterministic (fixed dates from the issue time, a fixed file identifier), so either would have
  written the same bytes. A ready PDF is write-once (model events and database triggers).
* Versions are created by the issuing request only, never by the job: a retry cannot make a second.
* A failed render marks that document ``failed`` with a short reason and the job goes on with the
  others; ``retry_document`` puts it back to ``pending`` and enqueues the job again.
* Each addressee gets one e-mail per version: a ``BriefDelivery`` row (unique per version and person)
  is committed together with the e-mail, which leaves only after that commit. A second run finds the
  row and sends nothing.
"""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from babel.dates import format_date
from flask import current_app, render_template
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError
from werkzeug.routing import BuildError

from learning import audit
from learning.auth.models import User
from learning.briefs.models import BriefDelivery, BriefDocument, BriefVersion, DocumentStatus
from learning.briefs.snapshot import organisation_view
from learning.db import db, utcnow
from learning.i18n import LOCALES, _l, force_locale
from learning.jobs import enqueue
from learning.mail import external_url, send_mail
from learning.pdf import page_counter_css, paragraphs, pdf_date, render_pdf

log = logging.getLogger(__name__)

PDF_TEMPLATE = "briefs/pdf.html"
DOCUMENT_TEMPLATE = "briefs/_document.html"
# RQ runs the job again this many times when it raises or its worker dies mid-render.
JOB_RETRIES = 3
ERROR_LENGTH = 300


def job_id(version_id: int) -> str:
    return f"brief-version-{version_id}"


# --- the document -----------------------------------------------------------------------------


def _language(doc: dict[str, Any]) -> str:
    return doc.get("language") if doc.get("language") in LOCALES else "nl"


def _moment(value: str | None) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def written_date(value: date | None, language: str) -> str:
    """A date as the document's readers write it ("24 november 2026", "24 November 2026")."""
    return "" if value is None else format_date(value, "long", locale=LOCALES.get(language, LOCALES["nl"]))


def _issue_day(doc: dict[str, Any]) -> date | None:
    """The day of issue where the brief is read (the app's time zone), not in UTC."""
    moment = _moment(doc.get("issued_at"))
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def document_context(doc: dict[str, Any]) -> dict[str, Any]:
    """The variables templates/briefs/_document.html needs besides ``for_pdf`` (``doc`` = one board's view)."""
    language = _language(doc)
    return {
        "doc": doc,
        "paragraphs": paragraphs,
        "issued_on": written_date(_issue_day(doc), language),
        "deadline_on": written_date(_day(doc.get("response_deadline")), language),
        "addressee_names": ", ".join(person["name"] for person in doc["organisation"]["addressees"]),
        "anchor": f"brief-{doc['organisation']['id']}-",
        "heading_offset": 0,
    }


def document_fragment(doc: dict[str, Any], *, for_pdf: bool = False, heading_offset: int = 1) -> Markup:
    """One board's document as an HTML fragment in the document's language, for a page (the live preview).

    ``heading_offset=1`` makes the title an h2 under the page's own h1.
    """
    context = {**document_context(doc), "heading_offset": heading_offset}
    with force_locale(LOCALES[_language(doc)]):
        html = render_template(DOCUMENT_TEMPLATE, for_pdf=for_pdf, **context)
    return Markup(html)  # noqa: S704 - an autoescaped template's output


def document_html(snapshot: dict[str, Any], organisation_id: int) -> str:
    """The full HTML of one board's PDF, from the snapshot alone; dated at the issue time for reproducible bytes."""
    doc = organisation_view(snapshot, organisation_id)
    issued = _moment(snapshot.get("issued_at"))
    with force_locale(LOCALES[_language(doc)]):
        return render_template(
            PDF_TEMPLATE, for_pdf=True, created=pdf_date(issued) if issued else "",
            page_counter=page_counter_css(), **document_context(doc),
        )


def pdf_identifier(snapshot: dict[str, Any], organisation_id: int) -> str:
    return f"brief-{snapshot.get('brief_id')}-v{snapshot.get('number')}-organisation-{organisation_id}"


def render_document_pdf(snapshot: dict[str, Any], organisation_id: int) -> bytes:
    return render_pdf(document_html(snapshot, organisation_id), identifier=pdf_identifier(snapshot, organisation_id))


# --- starting and retrying ------------------------------------------------------------------------


def start_rendering(version: BriefVersion) -> list[BriefDocument]:
    """One pending PDF per addressed organisation of ``version``; the job renders them after the commit.

    Called by the issuing service in its transaction (flushes, never commits).
    """
    if version.id is None:
        db.session.flush()
    existing = {document.organisation_id: document for document in db.session.scalars(
        sa.select(BriefDocument).where(BriefDocument.version_id == version.id))}
    documents = []
    for organisation in version.snapshot["organisations"]:
        document = existing.get(organisation["id"])
        if document is None:
            # By id, not through ``version.documents``: a changed collection would count as changing the version.
            document = BriefDocument(version_id=version.id, organisation_id=organisation["id"],
                                     organisation_name=organisation["name"][:160],
                                     status=DocumentStatus.PENDING.value)
            db.session.add(document)
        documents.append(document)
    db.session.flush()
    enqueue(render_version, version.id, job_id=job_id(version.id), retries=JOB_RETRIES)
    return documents


def retry_document(document: BriefDocument, *, actor: Any) -> None:
    """Render a failed PDF again: back to pending, recorded, the job enqueued after the commit.

    A document still pending (its job lost, say with a flushed Redis) is only enqueued again; a ready one
    is left alone.
    """
    if document.status == DocumentStatus.READY.value:
        return
    version = db.session.get(BriefVersion, document.version_id)
    document.queued_at = utcnow()
    if document.status == DocumentStatus.FAILED.value:
        document.status = DocumentStatus.PENDING.value
        document.error = ""
        db.session.flush()
        audit.record("brief.pdf_retried", actor=actor, object_type="brief", object_id=version.brief_id,
                     version=version.number, organisation_id=document.organisation_id)
    # A key of its own: the version's job may be running still, past this document already.
    enqueue(render_version, document.version_id, retries=JOB_RETRIES,
            job_id=f"{job_id(document.version_id)}-document-{document.id}-attempt-{document.attempts}")


# --- the job ---------------------------------------------------------------------------------------


def render_version(version_id: int) -> None:
    """The job: render every pending PDF of the version, then announce the ready ones. Idempotent."""
    version = db.session.get(BriefVersion, version_id)
    if version is None:
        log.warning("brief version %s does not exist: nothing to render", version_id)
        return
    snapshot = version.snapshot
    pending = db.session.execute(
        sa.select(BriefDocument.id, BriefDocument.organisation_id)
        .where(BriefDocument.version_id == version_id, BriefDocument.status == DocumentStatus.PENDING.value)
        .order_by(BriefDocument.organisation_name, BriefDocument.id)
    ).all()
    db.session.commit()
    for document_id, organisation_id in pending:
        _render_document(document_id, snapshot, organisation_id)
    deliver(version_id)


def _update_document(document_id: int, *conditions: Any, **values: Any) -> int:
    """A conditional UPDATE of one document; the number of rows it changed (0: the condition no longer held)."""
    result = db.session.execute(
        sa.update(BriefDocument).where(BriefDocument.id == document_id, *conditions).values(**values)
        .execution_options(synchronize_session=False))
    return result.rowcount


def _render_document(document_id: int, snapshot: dict[str, Any], organisation_id: int) -> None:
    claimed = _update_document(document_id, BriefDocument.status == DocumentStatus.PENDING.value,
                               attempts=BriefDocument.attempts + 1)
    db.session.commit()  # the attempt counts even if this worker dies while rendering
    if not claimed:
        return  # ready or failed meanwhile (another run of the job)
    try:
        pdf = render_document_pdf(snapshot, organisation_id)
    except Exception as error:  # the reviewer sees a short reason and can try again
        log.exception("brief PDF for document %s failed", document_id)
        db.session.rollback()
        _update_document(document_id, BriefDocument.status == DocumentStatus.PENDING.value,
                         status=DocumentStatus.FAILED.value, error=f"{type(error).__name__}: {error}"[:ERROR_LENGTH])
        db.session.commit()
        return
    _update_document(document_id, BriefDocument.status != DocumentStatus.READY.value,
                     status=DocumentStatus.READY.value, error="", pdf=pdf, sha256=hashlib.sha256(pdf).hexdigest(),
                     size=len(pdf), rendered_at=utcnow())
    db.session.commit()


# --- delivery --------------------------------------------------------------------------------------


def portal_link() -> str:
    """Where a policy owner answers: the portal's start page."""
    try:
        return external_url("responses.index")
    except BuildError:  # the portal's pages not registered (yet): the site's start page, never a broken link
        log.warning("endpoint responses.index is missing; brief e-mails link to the site's start page")
        return external_url("core.index")


def attachment_name(snapshot: dict[str, Any], organisation_name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", organisation_name.casefold()).strip("-")[:60] or "organisatie"
    return f"notitie-v{snapshot.get('number')}-{slug}.pdf"


def already_told(version_id: int) -> set[int]:
    """The people a delivery of this version is recorded for."""
    return set(db.session.scalars(sa.select(BriefDelivery.user_id).where(BriefDelivery.version_id == version_id)))


def deliver(version_id: int) -> int:
    """E-mail each addressee of an organisation whose PDF is ready, once per version; the number sent now."""
    version = db.session.get(BriefVersion, version_id)
    snapshot = version.snapshot
    ready = dict(db.session.execute(
        sa.select(BriefDocument.organisation_id, BriefDocument.id)
        .where(BriefDocument.version_id == version_id, BriefDocument.status == DocumentStatus.READY.value)
    ).all())
    told = already_told(version_id)
    attach = bool(current_app.config.get("BRIEF_MAIL_ATTACH_PDF"))
    sent = 0
    for organisation in snapshot["organisations"]:
        if organisation["id"] not in ready:
            continue
        for addressee in organisation["addressees"]:
            if addressee["id"] in told:
                continue
            if _deliver_to(version, snapshot, organisation, addressee["id"], ready[organisation["id"]], attach):
                sent += 1
            told.add(addressee["id"])
    db.session.commit()
    return sent


def _deliver_to(version: BriefVersion, snapshot: dict[str, Any], organisation: dict[str, Any], user_id: int,
                document_id: int, attach: bool) -> bool:
    """Record the delivery and queue its e-mail in one transaction; False when someone was first or is gone."""
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        return False
    delivery = BriefDelivery(version_id=version.id, user_id=user.id, organisation_id=organisation["id"],
                             email=user.email, language=user.preferred_language, with_pdf=attach)
    db.session.add(delivery)
    try:
        db.session.flush()
    except IntegrityError:  # another run of the job recorded this one: it sends that e-mail
        db.session.rollback()
        return False
    attachments = None
    if attach:
        pdf = db.session.scalar(sa.select(BriefDocument.pdf).where(BriefDocument.id == document_id))
        attachments = [(attachment_name(snapshot, organisation["name"]), "application/pdf", pdf)]
    send_mail(
        to=user.email, template="brief_issued", language=user.preferred_language, attachments=attachments,
        subject=_l("Notitie voor uw reactie: %(title)s (v%(number)d)", title=snapshot["title"],
                   number=snapshot["number"]),
        user=user, title=snapshot["title"], number=snapshot["number"], organisation_name=organisation["name"],
        deadline=_day(snapshot.get("response_deadline")), findings=len(organisation["finding_ids"]),
        change_note=snapshot.get("change_note", "") if snapshot.get("number", 1) > 1 else "",
        link=portal_link(), with_pdf=attach,
    )
    audit.record("brief.delivered", actor=None, object_type="brief", object_id=version.brief_id,
                 version=version.number, recipient_id=user.id, organisation_id=organisation["id"], with_pdf=attach)
    db.session.commit()  # the e-mail leaves after this commit, with its delivery recorded
    return True

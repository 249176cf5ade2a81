"""Outgoing e-mail: rendered in the recipient's language, delivered after the commit.

Two backends: ``outbox`` (the default) writes each message as an ``.eml`` file to
``MAIL_OUTBOX_DIR``; ``smtp`` hands it to the server in the ``MAIL_*`` settings.
Messages are queued on the database session and only delivered once the
transaction that caused them has committed, so a rolled-back request never sends
an e-mail about something that did not happen.
"""

from __future__ import annotations

import logging
import os
import smtplib
import uuid
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, render_template

from learning.db import after_commit, utcnow
from learning.i18n import LOCALES, force_locale

log = logging.getLogger(__name__)


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute link for e-mails, built from PUBLIC_URL and never from a request's Host header."""
    public = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(public.netloc, script_name=public.path or "/", url_scheme=public.scheme)
    return adapter.build(endpoint, values, force_external=True)


Attachment = tuple[str, str, bytes]  # file name, MIME type, content


def build_message(
    *, to: str, subject: Any, template: str, language: str, attachments: list[Attachment] | None = None,
    **context: Any,
) -> EmailMessage:
    """Render ``templates/mail/<template>.txt`` and ``.html`` in ``language``."""
    with force_locale(LOCALES.get(language, language)):
        # A header holds one line: a title typed with a line break must not break (or inject into) the message.
        subject_text = " ".join(str(subject).split())
        text_body = render_template(f"mail/{template}.txt", language=language, **context)
        html_body = render_template(f"mail/{template}.html", language=language, subject=subject_text, **context)
    message = EmailMessage()
    message["Subject"] = subject_text
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain="leren-met-impact")
    message.set_content(text_body)
    message.add_alternative(html_body, subtype="html")
    for filename, mime_type, content in attachments or []:
        maintype, subtype = mime_type.split("/", 1)
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    # After the body: set_content() clears Content-* headers.
    message["Content-Language"] = language
    return message


def send_mail(
    *, to: str, subject: Any, template: str, language: str, attachments: list[Attachment] | None = None,
    **context: Any,
) -> EmailMessage:
    """Render now (so template errors surface in the request), deliver after the commit."""
    message = build_message(to=to, subject=subject, template=template, language=language, attachments=attachments,
                            **context)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    after_commit(lambda: _deliver(app, message))
    return message


def _deliver(app: Any, message: EmailMessage) -> None:
    try:
        if app.config["MAIL_BACKEND"] == "smtp":
            _deliver_smtp(app.config, message)
        else:
            _deliver_to_outbox(Path(app.config["MAIL_OUTBOX_DIR"]), message)
    except (OSError, smtplib.SMTPException):
        # The transaction has committed already; a lost e-mail must be visible in the logs.
        log.exception("e-mail to %s could not be delivered", message["To"])


def _deliver_to_outbox(outbox: Path, message: EmailMessage) -> Path:
    outbox.mkdir(parents=True, exist_ok=True)
    name = f"{utcnow():%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.eml"
    partial = outbox / f".{name}.part"
    partial.write_bytes(message.as_bytes())
    os.replace(partial, outbox / name)
    return outbox / name


def _deliver_smtp(config: dict[str, Any], message: EmailMessage) -> None:
    connection_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with connection_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]) as smtp:
        if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)

"""E-mail: rendered in the recipient's language, text and HTML, delivered only after the commit,
to the outbox folder or to a real SMTP server."""

import smtplib
import socket

import pytest
from aiosmtpd.controller import Controller

from learning.db import db
from learning.mail import build_message, external_url, send_mail
from tests.conftest import REAL_SMTP_CLASSES


def invitation_context(language="nl"):  # noqa: ANN001, ANN201
    class Person:
        display_name = "Nina <Nieuw>"

    return {"to": "nina@example.org", "subject": "Onderwerp", "template": "invitation", "language": language,
            "user": Person(), "inviter_name": "Ria", "link": "http://lmi.test/invitation/abc", "expires_days": 7}


def test_message_has_text_and_html_and_escapes_names_in_html(app):
    message = build_message(**invitation_context())
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Beste Nina <Nieuw>," in text
    assert "Nina &lt;Nieuw&gt;" in html and "<Nieuw>" not in html
    assert 'href="http://lmi.test/invitation/abc"' in html
    assert message["From"] == app.config["MAIL_DEFAULT_SENDER"]


def test_message_in_english(app):
    message = build_message(**invitation_context("en"))
    assert "Dear Nina" in message.get_body(preferencelist=("plain",)).get_content()


def test_outbox_receives_mail_after_commit_only(app, outbox):
    send_mail(**invitation_context())
    assert len(outbox) == 0
    db.session.commit()
    assert len(outbox) == 1 and outbox.messages()[0]["To"] == "nina@example.org"


def test_rolled_back_mail_is_never_sent(app, outbox):
    send_mail(**invitation_context())
    db.session.rollback()
    db.session.commit()
    assert len(outbox) == 0


def test_links_use_the_configured_public_url_not_the_request_host(app):
    with app.test_request_context("/", base_url="http://evil.example"):
        assert external_url("auth.reset_password", token="t") == "http://lmi.test/password/reset/t"


class Recorder:
    def __init__(self) -> None:
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        self.envelopes.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server(monkeypatch):  # noqa: ANN001, ANN201
    monkeypatch.setattr(smtplib, "SMTP", REAL_SMTP_CLASSES[0])
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, recorder
    controller.stop()


def test_smtp_backend_delivers_to_a_real_server(app, smtp_server):
    port, recorder = smtp_server
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False)
    send_mail(**invitation_context())
    assert recorder.envelopes == []
    db.session.commit()
    [envelope] = recorder.envelopes
    assert envelope.rcpt_tos == ["nina@example.org"]
    assert b"invitation/abc" in envelope.content


def test_smtp_failure_is_logged_not_raised_after_commit(app, caplog, monkeypatch):
    monkeypatch.setattr(smtplib, "SMTP", REAL_SMTP_CLASSES[0])
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_USE_TLS=False, MAIL_TIMEOUT=1)
    send_mail(**invitation_context())
    db.session.commit()
    assert "could not be delivered" in caplog.text


def test_a_subject_with_a_line_break_becomes_one_line_instead_of_failing_or_injecting(app):
    context = {**invitation_context(), "subject": "Uitnodiging: Gezin A\r\nBcc: iemand@example.org"}
    message = build_message(**context)
    assert message["Subject"] == "Uitnodiging: Gezin A Bcc: iemand@example.org"
    assert message["Bcc"] is None
    assert b"\r\nBcc:" not in message.as_bytes()


def test_title_fields_keep_one_line_whatever_is_posted(app):
    from werkzeug.datastructures import MultiDict

    from learning.briefs.forms import BriefForm
    from learning.findings.forms import FindingForm
    from learning.meetings.forms import MeetingForm
    from learning.reviews.forms import EpisodeForm, ReviewForm

    with app.test_request_context(method="POST"):
        for form_class in (BriefForm, FindingForm, MeetingForm, EpisodeForm, ReviewForm):
            form = form_class(formdata=MultiDict({"title": "  Regie\r\nBcc: x@example.org \t bij crisis "}),
                              meta={"csrf": False})
            assert form.title.data == "Regie Bcc: x@example.org bij crisis", form_class.__name__

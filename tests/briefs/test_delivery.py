"""Delivery: once a board's PDF is ready, each of its policy owners gets one e-mail, in their language, recorded."""

from __future__ import annotations

import sqlalchemy as sa
from babel.dates import format_date

from learning.audit import AuditEvent
from learning.briefs import rendering
from learning.briefs.models import BriefDelivery, BriefDocument
from learning.config import load_settings
from learning.db import db
from tests.briefs.conftest import issue_version


def deliveries() -> list[tuple]:
    db.session.rollback()
    return [(d.email, d.language, d.organisation_id, d.with_pdf) for d in db.session.scalars(
        sa.select(BriefDelivery).order_by(BriefDelivery.email))]


def pdf_for(version_id: int, organisation_id: int) -> bytes:
    return db.session.scalar(sa.select(BriefDocument.pdf).where(BriefDocument.version_id == version_id,
                                                                BriefDocument.organisation_id == organisation_id))


def attachments(message) -> list[tuple[str, str, bytes]]:  # noqa: ANN001
    return [(part.get_filename(), part.get_content_type(), part.get_content()) for part in message.iter_attachments()]


def test_each_policy_owner_gets_one_email_in_their_language_with_a_link_to_the_portal(make_brief_setting, outbox):
    setting = make_brief_setting()
    version = issue_version(setting.brief, issuer=setting.issuer, approver=setting.approver)
    assert deliveries() == [
        ("bea@example.org", "nl", setting.gemeente.id, False),
        ("ben@example.org", "en", setting.gemeente.id, False),
        ("gijs@example.org", "nl", setting.ggz.id, False),
    ]
    link = rendering.portal_link()
    assert link.startswith("http://lmi.test/")
    deadline = setting.brief.response_deadline

    [bea] = outbox.to("bea@example.org")
    text = outbox.text(bea)
    assert bea["Subject"] == "Notitie voor uw reactie: Regie bij crisis in de keten (v1)"
    assert bea["Content-Language"] == "nl"
    assert "Beste Bea Bestuurder," in text
    assert "de notitie “Regie bij crisis in de keten” voor (versie v1)" in text and "Gemeente Midden" in text
    assert "De notitie bevat 2 bevindingen met vragen aan het bestuur." in text
    assert f"vóór {format_date(deadline, 'long', locale='nl_NL')}" in text
    assert link in text and f'href="{link}"' in bea.get_body(preferencelist=("html",)).get_content()
    assert attachments(bea) == [] and "als PDF bij deze e-mail" not in text

    [ben] = outbox.to("ben@example.org")
    assert ben["Content-Language"] == "en"
    assert format_date(deadline, "long", locale="en_GB") in outbox.text(ben)  # his dates, his language

    [gijs] = outbox.to("gijs@example.org")
    assert "GGZ Midden" in outbox.text(gijs) and "De notitie bevat 2 bevindingen" in outbox.text(gijs)
    assert len(outbox) == 3

    delivered = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "brief.delivered")).all()
    assert sorted(event.details["recipient_id"] for event in delivered) == sorted(
        person.id for person in (setting.bea, setting.ben, setting.gijs))
    assert {(event.object_id, event.details["version"]) for event in delivered} == {(setting.brief.id, 1)}

    assert rendering.deliver(version.id) == 0  # a second run: nobody hears twice
    assert len(outbox) == 3 and len(deliveries()) == 3


def test_with_the_setting_on_each_email_carries_that_boards_pdf(app, make_brief_setting, outbox):
    app.config["BRIEF_MAIL_ATTACH_PDF"] = True
    setting = make_brief_setting()
    version = issue_version(setting.brief, issuer=setting.issuer, approver=setting.approver)
    assert [row[3] for row in deliveries()] == [True, True, True]
    gemeente_pdf, ggz_pdf = pdf_for(version.id, setting.gemeente.id), pdf_for(version.id, setting.ggz.id)
    for address, pdf, name in (("bea@example.org", gemeente_pdf, "notitie-v1-gemeente-midden.pdf"),
                               ("ben@example.org", gemeente_pdf, "notitie-v1-gemeente-midden.pdf"),
                               ("gijs@example.org", ggz_pdf, "notitie-v1-ggz-midden.pdf")):
        [message] = outbox.to(address)
        assert attachments(message) == [(name, "application/pdf", pdf)]
    assert "De notitie zit ook als PDF bij deze e-mail." in outbox.text(outbox.to("bea@example.org")[0])


def test_no_email_before_the_pdf_is_ready_and_none_to_a_deactivated_account(make_brief_setting, outbox, monkeypatch,
                                                                          lead):
    setting = make_brief_setting()
    setting.ben.active = False
    db.session.commit()
    real = rendering.render_pdf

    def gemeente_fails(html, *, identifier):  # noqa: ANN001, ANN202
        if "Gemeente Midden" in html:
            raise RuntimeError("schijf vol")
        return real(html, identifier=identifier)

    monkeypatch.setattr(rendering, "render_pdf", gemeente_fails)
    version = issue_version(setting.brief, issuer=setting.issuer, approver=setting.approver)
    assert [message["To"] for message in outbox.messages()] == ["gijs@example.org"]

    monkeypatch.undo()
    failed = db.session.scalar(sa.select(BriefDocument).where(BriefDocument.version_id == version.id,
                                                              BriefDocument.status == "failed"))
    rendering.retry_document(failed, actor=lead)
    db.session.commit()
    assert sorted(message["To"] for message in outbox.messages()) == ["bea@example.org", "gijs@example.org"]
    assert [row[0] for row in deliveries()] == ["bea@example.org", "gijs@example.org"]


def test_a_delivery_already_recorded_by_another_run_is_not_sent_again(make_brief_setting, outbox, monkeypatch):
    """Two runs delivering at once: the unique row per version and person lets one of them send."""
    setting = make_brief_setting()
    monkeypatch.setattr(rendering, "deliver", lambda version_id: 0)  # render only, deliver by hand below
    version = issue_version(setting.brief, issuer=setting.issuer, approver=setting.approver)
    monkeypatch.undo()
    db.session.add(BriefDelivery(version_id=version.id, user_id=setting.bea.id, organisation_id=setting.gemeente.id,
                                 email=setting.bea.email, language="nl"))
    db.session.commit()
    # The other run recorded Bea after this run read who had been told.
    monkeypatch.setattr(rendering, "already_told", lambda version_id: set())
    assert rendering.deliver(version.id) == 2
    assert sorted(message["To"] for message in outbox.messages()) == ["ben@example.org", "gijs@example.org"]
    assert len(deliveries()) == 3


def test_the_attach_setting_comes_from_the_environment(tmp_path):
    assert load_settings({}, tmp_path)["BRIEF_MAIL_ATTACH_PDF"] is False
    assert load_settings({"BRIEF_MAIL_ATTACH_PDF": "true"}, tmp_path)["BRIEF_MAIL_ATTACH_PDF"] is True

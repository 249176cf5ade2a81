"""An issued version and a finished PDF never change: every way to try it fails, in the model layer or the database."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from learning.briefs.models import BriefDocument, BriefVersion, ImmutableVersion
from learning.db import db
from tests.briefs.conftest import issue_version


@pytest.fixture
def issued(make_brief_setting):  # noqa: ANN001, ANN201
    setting = make_brief_setting()
    version = issue_version(setting.brief, issuer=setting.issuer, approver=setting.approver)
    return setting, version


def snapshot_of(version_id: int) -> tuple:
    db.session.rollback()
    row = db.session.execute(sa.text("SELECT number, change_note, snapshot FROM brief_versions WHERE id = :id"),
                             {"id": version_id}).one()
    return tuple(row)


def pdf_of(document_id: int) -> tuple:
    db.session.rollback()
    return tuple(db.session.execute(sa.text("SELECT status, sha256, pdf FROM brief_documents WHERE id = :id"),
                                    {"id": document_id}).one())


def raw(statement: str, **values) -> None:  # noqa: ANN003
    """Plain SQL on a connection of its own, past the ORM (the database triggers answer)."""
    with db.engine.begin() as connection:
        connection.execute(sa.text(statement), values)


VERSION_CHANGES = {
    "attribute": lambda version: setattr(version, "change_note", "stilletjes aangepast"),
    "snapshot": lambda version: setattr(version, "snapshot", {**version.snapshot, "title": "Andere titel"}),
    "number": lambda version: setattr(version, "number", 7),
    "delete": lambda version: db.session.delete(version),
}


@pytest.mark.parametrize("change", VERSION_CHANGES)
def test_the_orm_refuses_to_change_or_remove_a_version(issued, change):
    _setting, version = issued
    before = snapshot_of(version.id)
    version_id = version.id
    VERSION_CHANGES[change](db.session.get(BriefVersion, version_id))
    with pytest.raises(ImmutableVersion):
        db.session.flush()
    assert snapshot_of(version_id) == before


@pytest.mark.parametrize("statement", [
    sa.update(BriefVersion).values(change_note="bulk"),
    sa.update(BriefVersion).where(BriefVersion.number == 1).values(snapshot={}),
    sa.delete(BriefVersion),
    sa.delete(BriefDocument),
], ids=["bulk-update", "bulk-update-where", "bulk-delete", "bulk-delete-documents"])
def test_bulk_statements_through_the_session_are_refused(issued, statement):
    _setting, version = issued
    before = snapshot_of(version.id)
    with pytest.raises(ImmutableVersion):
        db.session.execute(statement)
    assert snapshot_of(version.id) == before


@pytest.mark.parametrize("statement", [
    "UPDATE brief_versions SET change_note = 'rauw' WHERE id = :id",
    "UPDATE brief_versions SET snapshot = '{}' WHERE id = :id",
    "DELETE FROM brief_versions WHERE id = :id",
])
def test_the_database_refuses_raw_sql_on_a_version(issued, statement):
    _setting, version = issued
    before = snapshot_of(version.id)
    with pytest.raises(sa.exc.DBAPIError, match="brief versions are immutable"):
        raw(statement, id=version.id)
    with pytest.raises(sa.exc.DBAPIError, match="brief versions are immutable"):
        db.session.connection().execute(sa.text(statement), {"id": version.id})  # the session's own connection
    assert snapshot_of(version.id) == before


def ready_document(setting, version) -> BriefDocument:  # noqa: ANN001
    db.session.rollback()
    document = db.session.scalar(sa.select(BriefDocument).where(BriefDocument.version_id == version.id,
                                                                BriefDocument.organisation_id == setting.gemeente.id))
    assert document.status == "ready"
    return document


DOCUMENT_CHANGES = {
    "pdf": lambda document: setattr(document, "pdf", b"%PDF-1.7 vervalst"),
    "sha256": lambda document: setattr(document, "sha256", "0" * 64),
    "status": lambda document: setattr(document, "status", "pending"),
    "delete": lambda document: db.session.delete(document),
}


@pytest.mark.parametrize("change", DOCUMENT_CHANGES)
def test_a_ready_pdf_cannot_be_changed_or_removed(issued, change):
    setting, version = issued
    document = ready_document(setting, version)
    document_id = document.id
    before = pdf_of(document_id)  # (its attributes expire here, as after any commit)
    DOCUMENT_CHANGES[change](document)
    with pytest.raises(ImmutableVersion):
        db.session.flush()
    assert pdf_of(document_id) == before


@pytest.mark.parametrize("statement", [
    "UPDATE brief_documents SET pdf = NULL WHERE id = :id",
    "UPDATE brief_documents SET status = 'pending', sha256 = NULL WHERE id = :id",
    "DELETE FROM brief_documents WHERE id = :id",
])
def test_the_database_refuses_raw_sql_on_a_ready_pdf(issued, statement):
    setting, version = issued
    document_id = ready_document(setting, version).id
    before = pdf_of(document_id)
    with pytest.raises(sa.exc.DBAPIError, match="a finished brief PDF is immutable"):
        raw(statement, id=document_id)
    assert pdf_of(document_id) == before


def test_a_bulk_update_of_a_ready_pdf_through_the_session_is_refused_by_the_database(issued):
    """Rendering writes documents with conditional UPDATEs, so the ORM lets those through: the trigger guards them."""
    setting, version = issued
    document_id = ready_document(setting, version).id
    before = pdf_of(document_id)
    with pytest.raises(sa.exc.DBAPIError, match="a finished brief PDF is immutable"):
        db.session.execute(sa.update(BriefDocument).where(BriefDocument.id == document_id).values(pdf=b"x"))
    assert pdf_of(document_id) == before

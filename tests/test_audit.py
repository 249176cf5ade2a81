"""The audit log is append-only: neither the ORM nor raw SQL can change or remove a row."""

import pytest
import sqlalchemy as sa

from learning import audit
from learning.audit import AuditEvent, AuditImmutableError
from learning.db import db


@pytest.fixture
def audit_row(app) -> AuditEvent:
    row = audit.record("test.event", actor=None, object_type="thing", object_id=1, note="origineel")
    db.session.commit()
    return row


def test_record_keeps_who_what_and_details(app, admin):
    with app.test_request_context(environ_base={"REMOTE_ADDR": "192.0.2.7"}):
        row = audit.record("account.updated", actor=admin, object_type="user", object_id=5, language="en")
        db.session.commit()
    assert (row.actor_id, row.action, row.object_type, row.object_id) == (admin.id, "account.updated", "user", 5)
    assert row.ip_address == "192.0.2.7" and row.details == {"language": "en"}
    assert row.occurred_at.tzinfo is not None


def test_orm_cannot_update_a_row(audit_row):
    audit_row.action = "something.else"
    with pytest.raises(AuditImmutableError):
        db.session.flush()
    db.session.rollback()


def test_orm_cannot_delete_a_row(audit_row):
    db.session.delete(audit_row)
    with pytest.raises(AuditImmutableError):
        db.session.flush()
    db.session.rollback()


def test_bulk_update_and_delete_are_refused(audit_row):
    with pytest.raises(AuditImmutableError):
        db.session.execute(sa.update(AuditEvent).values(action="x"))
    with pytest.raises(AuditImmutableError):
        db.session.execute(sa.delete(AuditEvent))
    db.session.rollback()


@pytest.mark.parametrize("statement", ["UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"])
def test_database_refuses_raw_sql_changes(audit_row, statement):
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        db.session.execute(sa.text(statement))
    db.session.rollback()
    assert db.session.scalar(sa.select(AuditEvent.action)) == "test.event"

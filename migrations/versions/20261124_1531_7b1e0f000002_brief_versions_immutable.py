"""Issued brief versions (and their recipients) are immutable in the database too; a finished PDF never changes

Revision ID: 7b1e0f000002
Revises: 7b1e0f000001
Create Date: 2026-11-24 15:31:00

The model layer already refuses these changes (learning/briefs/models.py); the triggers refuse
them for raw SQL as well, like the audit trail's. A PDF row may move pending -> ready/failed and
failed -> pending (a retry), never away from "ready", and is never deleted.
"""

from alembic import op

revision = "7b1e0f000002"
down_revision = "7b1e0f000001"
branch_labels = None
depends_on = None

VERSION_MESSAGE = "brief versions are immutable: issue a new version"
DOCUMENT_MESSAGE = "a finished brief PDF is immutable"
# A version and who it was addressed to are written once, at issue.
IMMUTABLE_TABLES = ("brief_versions", "brief_recipients")


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION brief_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{VERSION_MESSAGE}'; END; $$"
        )
        for table in IMMUTABLE_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION brief_versions_immutable()"
            )
        op.execute(
            "CREATE FUNCTION brief_documents_write_once() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN IF TG_OP = 'DELETE' OR OLD.status = 'ready' THEN "
            f"RAISE EXCEPTION '{DOCUMENT_MESSAGE}'; END IF; RETURN NEW; END; $$"
        )
        op.execute(
            "CREATE TRIGGER brief_documents_write_once BEFORE UPDATE OR DELETE ON brief_documents "
            "FOR EACH ROW EXECUTE FUNCTION brief_documents_write_once()"
        )
    else:
        for table in IMMUTABLE_TABLES:
            for event in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{VERSION_MESSAGE}'); END"
                )
        op.execute(
            "CREATE TRIGGER brief_documents_no_delete BEFORE DELETE ON brief_documents "
            f"BEGIN SELECT RAISE(ABORT, '{DOCUMENT_MESSAGE}'); END"
        )
        op.execute(
            "CREATE TRIGGER brief_documents_write_once BEFORE UPDATE ON brief_documents "
            f"WHEN OLD.status = 'ready' BEGIN SELECT RAISE(ABORT, '{DOCUMENT_MESSAGE}'); END"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER brief_documents_write_once ON brief_documents")
        op.execute("DROP FUNCTION brief_documents_write_once()")
        for table in IMMUTABLE_TABLES:
            op.execute(f"DROP TRIGGER {table}_immutable ON {table}")
        op.execute("DROP FUNCTION brief_versions_immutable()")
    else:
        op.execute("DROP TRIGGER brief_documents_write_once")
        op.execute("DROP TRIGGER brief_documents_no_delete")
        for table in IMMUTABLE_TABLES:
            for event in ("UPDATE", "DELETE"):
                op.execute(f"DROP TRIGGER {table}_no_{event.lower()}")

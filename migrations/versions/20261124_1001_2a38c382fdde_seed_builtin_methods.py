"""Seed the five built-in methods (PRODUCT.md), each in Dutch and in English.

Data only, read from ``migrations/seeds/builtin_methods.json``: that file belongs to this
revision and must not change once released; a later improvement gets its own migration.
Reviewers copy a built-in to adapt it; reviews keep their own copy of the phases.

Revision ID: 2a38c382fdde
Revises: ecf07c37db9d
Create Date: 2026-11-24 10:01:00.000000

"""
import json
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '2a38c382fdde'
down_revision = 'ecf07c37db9d'
branch_labels = None
depends_on = None

SEED = Path(__file__).resolve().parent.parent / "seeds" / "builtin_methods.json"

methods = sa.table(
    "methods",
    sa.column("id", sa.Integer),
    sa.column("builtin_key", sa.String),
    sa.column("language", sa.String),
    sa.column("name", sa.String),
    sa.column("description", sa.Text),
    sa.column("suitable_kinds", sa.JSON),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("version", sa.Integer),
)
method_phases = sa.table(
    "method_phases",
    sa.column("method_id", sa.Integer),
    sa.column("position", sa.Integer),
    sa.column("name", sa.String),
    sa.column("purpose", sa.Text),
    sa.column("prompts", sa.JSON),
    sa.column("minutes", sa.Integer),
    sa.column("contributor", sa.String),
)


def upgrade():
    connection = op.get_bind()
    now = datetime.now(UTC)
    if connection.dialect.name == "sqlite":
        now = now.replace(tzinfo=None)  # stored as naive UTC on SQLite, like the app does
    for method in json.loads(SEED.read_text(encoding="utf-8")):
        for language in ("nl", "en"):
            text = method[language]
            method_id = connection.execute(
                methods.insert().returning(methods.c.id),
                {"builtin_key": method["key"], "language": language, "name": text["name"],
                 "description": text["description"], "suitable_kinds": method["suitable_kinds"],
                 "created_at": now, "version": 1},
            ).scalar_one()
            connection.execute(method_phases.insert(), [
                {"method_id": method_id, "position": position, "name": phase["name"], "purpose": phase["purpose"],
                 "prompts": phase["prompts"], "minutes": phase["minutes"], "contributor": phase["contributor"]}
                for position, phase in enumerate(text["phases"])
            ])


def downgrade():
    builtin = sa.select(methods.c.id).where(methods.c.builtin_key.is_not(None))
    op.execute(method_phases.delete().where(method_phases.c.method_id.in_(builtin)))
    op.execute(methods.delete().where(methods.c.builtin_key.is_not(None)))

"""Migrations: from an empty database to head, exactly one head, one step down and up again,
and the models agree with what the migrations build."""

import warnings

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from learning import create_app
from learning.db import db, include_in_autogenerate
from tests.conftest import ON_POSTGRES, settings_for_tests


@pytest.fixture
def empty_app(tmp_path, migrated_database, database_url):
    """An app on an empty database (SQLite: a new file; PostgreSQL: the test database, emptied)."""
    url = database_url if ON_POSTGRES else f"sqlite:///{tmp_path / 'empty.db'}"
    app = create_app(settings_for_tests(url, tmp_path))
    with app.app_context():
        if ON_POSTGRES:
            with db.engine.begin() as connection:
                connection.execute(sa.text("DROP SCHEMA public CASCADE"))
                connection.execute(sa.text("CREATE SCHEMA public"))
        yield app
        if ON_POSTGRES:  # leave the shared test database as the rest of the suite expects it
            upgrade()
        db.session.remove()
        db.engine.dispose()


def script_directory(app) -> ScriptDirectory:  # noqa: ANN001
    return ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())


def current_revision() -> str | None:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def test_exactly_one_head(empty_app):
    assert len(script_directory(empty_app).get_heads()) == 1


def test_upgrade_from_empty_then_down_one_step_and_up_again(empty_app):
    head = script_directory(empty_app).get_current_head()
    upgrade()
    assert current_revision() == head
    downgrade(revision="-1")
    assert current_revision() == script_directory(empty_app).get_revision(head).down_revision
    upgrade()
    assert current_revision() == head


def test_models_match_the_migrations(empty_app):
    upgrade()
    with db.engine.connect() as connection, warnings.catch_warnings():
        # Remove once alembic can reflect SQLite expression indexes (lower(email)); PostgreSQL compares them.
        warnings.filterwarnings("ignore", message="autogenerate skipping metadata-specified expression-based index")
        warnings.filterwarnings("ignore", message="Skipped unsupported reflection of expression-based index")
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_in_autogenerate})
        differences = compare_metadata(context, db.metadata)
    assert differences == []

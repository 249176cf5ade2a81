"""Leren met Impact: the application factory."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from werkzeug.routing import IntegerConverter

from learning.config import ConfigError, load_settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class DatabaseIdConverter(IntegerConverter):
    """``<int:...>`` in every route: 0 up to the largest 32-bit integer both databases store."""

    def __init__(self, map, *args, **kwargs) -> None:  # noqa: A002, ANN001, ANN002, ANN003
        kwargs.setdefault("min", 0)
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


class DatabaseUnavailable(RuntimeError):
    """The configured database cannot be reached; the message is one readable line."""


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` overrides settings (the test suite uses it)."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=os.environ.get("INSTANCE_PATH") or str(PROJECT_ROOT / "instance"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(load_settings(os.environ, app.instance_path, config))
    # Before any route is added: ids beyond a database integer are a 404, not a database error.
    app.url_map.converters["int"] = DatabaseIdConverter
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("learning").setLevel(app.config["LOG_LEVEL"])

    _init_extensions(app)
    _register_blueprints(app)
    _register_template_helpers(app)
    _register_cli(app)

    if app.config["CHECK_DATABASE_ON_START"]:
        _check_database(app)
    return app


def _init_extensions(app: Flask) -> None:
    from learning import db, errors, i18n, permissions, security
    from learning.extensions import csrf, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db.db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    # The permission rules decide where anonymous visitors go; Flask-Login never redirects itself.
    login_manager.login_view = None
    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    permissions.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from learning import admin, auth, briefs, core, findings, lessons, meetings, reflections, responses, reviews
    from learning.findings import library

    app.register_blueprint(core.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(reviews.bp)
    app.register_blueprint(reviews.methods_bp)
    app.register_blueprint(meetings.bp)
    app.register_blueprint(reflections.bp)
    app.register_blueprint(reflections.public_bp)
    app.register_blueprint(lessons.bp)
    app.register_blueprint(findings.bp)
    app.register_blueprint(findings.thematic_bp)
    app.register_blueprint(library.bp)
    app.register_blueprint(briefs.bp)
    app.register_blueprint(responses.bp)
    app.register_blueprint(responses.review_bp)
    app.register_blueprint(responses.followup_bp)
    app.register_blueprint(responses.feedback_bp)


def _register_template_helpers(app: Flask) -> None:
    from learning.templating import init_app

    init_app(app)


def _register_cli(app: Flask) -> None:
    from learning.auth import cli as accounts_cli
    from learning.demo import cli as demo_cli
    from learning.jobs import worker_command
    from learning.responses.reminders import reminders_command

    app.cli.add_command(accounts_cli.accounts)
    app.cli.add_command(worker_command)
    app.cli.add_command(demo_cli.demo)
    app.cli.add_command(reminders_command)


def _check_database(app: Flask) -> None:
    from learning.db import db

    with app.app_context():
        try:
            with db.engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
        except sa.exc.OperationalError as error:
            reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
            url = db.engine.url.render_as_string(hide_password=True)
            raise DatabaseUnavailable(f"cannot reach the database at {url}: {reason}") from None


__all__ = ["create_app", "ConfigError", "DatabaseUnavailable"]

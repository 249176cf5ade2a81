"""Fixtures in the style of the Flask tutorial: app, client, runner, plus a real database per test.

The suite runs on SQLite by default and on PostgreSQL when ``DATABASE_URL`` points at one.
The schema is built once per run by the real migrations; each test then gets a fresh
database (SQLite: a copy of the migrated file; PostgreSQL: tables truncated and seed rows
restored), so requests commit for real and after-commit behaviour is what runs in production.
"""

from __future__ import annotations

import contextvars
import email
import email.policy
import os
import secrets
import shutil
import smtplib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer

from learning import create_app
from learning.auth import mfa
from learning.auth.models import User
from learning.auth.services import create_user as create_user_service
from learning.cache import clear_app_caches
from learning.config import normalise_database_url
from learning.db import db, utcnow
from learning.extensions import limiter

# The review factories serve every test folder (reviews, meetings, reflections, vragenronde).
pytest_plugins = ["tests.review_fixtures"]

DEFAULT_PASSWORD = "een lange zin als wachtwoord"
POSTGRES_URL = os.environ.get("DATABASE_URL", "").strip()
ON_POSTGRES = POSTGRES_URL.startswith(("postgres://", "postgresql"))


def settings_for_tests(database_url: str, tmp_path: Path) -> dict[str, Any]:
    return {
        "ENVIRONMENT": "testing",
        "SECRET_KEY": "test-secret-key-that-is-long-enough-for-signing",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "CHECK_DATABASE_ON_START": False,
        "REDIS_URL": None,
        "RATELIMIT_STORAGE_URI": "memory://",
        "MAIL_BACKEND": "outbox",
        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
        "PUBLIC_URL": "http://lmi.test",
        "PASSWORD_HASH_PROFILE": "cheapest",
    }


# --- the database -------------------------------------------------------------------------


@dataclass
class MigratedDatabase:
    url: str
    seed_rows: dict[str, list[dict[str, Any]]]
    template_file: Path | None = None


def _migrate(url: str, tmp_path: Path) -> Flask:
    from flask_migrate import upgrade

    app = create_app(settings_for_tests(url, tmp_path))
    with app.app_context():
        upgrade()
    return app


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MigratedDatabase]:
    work = tmp_path_factory.mktemp("database")
    if ON_POSTGRES:
        url = normalise_database_url(POSTGRES_URL)
        engine = sa.create_engine(url)
        if "test" not in (engine.url.database or ""):
            pytest.exit(f"refusing to empty {engine.url.database!r}: the test database name must contain 'test'", 2)
        with engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
        app = _migrate(url, work)
        with app.app_context():
            seed_rows = {
                table.name: [dict(row._mapping) for row in db.session.execute(sa.select(table))]
                for table in db.metadata.sorted_tables
            }
            db.session.remove()
            db.engine.dispose()
        yield MigratedDatabase(url=url, seed_rows={name: rows for name, rows in seed_rows.items() if rows})
        return
    template = work / "template.db"
    app = _migrate(f"sqlite:///{template}", work)
    with app.app_context():
        db.engine.dispose()
    yield MigratedDatabase(url="", seed_rows={}, template_file=template)


def _reset_postgres(database: MigratedDatabase) -> None:
    """Empty every table and put the migrations' seed rows back, with sequences after them."""
    engine = sa.create_engine(database.url)
    tables = [table for table in db.metadata.sorted_tables]
    with engine.begin() as connection:
        connection.execute(sa.text("TRUNCATE " + ", ".join(t.name for t in tables) + " RESTART IDENTITY CASCADE"))
        for table in tables:
            rows = database.seed_rows.get(table.name)
            if rows:
                connection.execute(table.insert(), rows)
                if "id" in table.c:
                    connection.execute(sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT MAX(id) FROM {table.name}))"
                    ))
    engine.dispose()


@pytest.fixture
def database_url(migrated_database: MigratedDatabase, tmp_path: Path) -> Iterator[str]:
    if migrated_database.template_file is not None:
        copy = tmp_path / "test.db"
        shutil.copyfile(migrated_database.template_file, copy)
        yield f"sqlite:///{copy}"
    else:
        yield migrated_database.url
        _reset_postgres(migrated_database)


# --- the app and its clients ----------------------------------------------------------------


class Client(FlaskClient):
    """A test client that behaves like separate HTTP requests against a running server.

    * Each request runs in a context of its own, so it gets its own app context, ``g``
      and database session, exactly as in production, instead of sharing the test's.
    * The test's own session commits before the request (so the request sees what the
      test set up) and after it (so the test reads what the request committed).
    * Form posts carry a valid CSRF token, as a browser with the page would send;
      pass ``csrf_token=None`` in ``data`` to send a post without one.
    """

    def csrf_token(self) -> str:
        with self.session_transaction() as session:
            raw = session.setdefault("csrf_token", secrets.token_hex(20))
        return URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token").dumps(raw)

    def open(self, *args: Any, **kwargs: Any):  # noqa: ANN201
        method = kwargs.get("method", "GET").upper()
        data = kwargs.get("data")
        if method in {"POST", "PUT", "PATCH", "DELETE"} and (data is None or isinstance(data, dict)):
            data = dict(data or {})
            if "csrf_token" not in data:
                data["csrf_token"] = self.csrf_token()
            elif data["csrf_token"] is None:
                del data["csrf_token"]
            kwargs["data"] = data
        outer_session = db.session if has_app_context() else None
        if outer_session is not None:
            outer_session.commit()
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if outer_session is not None:
            outer_session.commit()
        return response

    def session_transaction(self, *args: Any, **kwargs: Any):  # noqa: ANN201
        return _IsolatedContextManager(super().session_transaction(*args, **kwargs))


class _IsolatedContextManager:
    """Enter and leave a context manager outside the test's app context (see Client)."""

    def __init__(self, manager: Any) -> None:
        self.manager = manager
        self.context = contextvars.Context()

    def __enter__(self) -> Any:
        return self.context.run(self.manager.__enter__)

    def __exit__(self, *exc_info: Any) -> Any:
        return self.context.run(self.manager.__exit__, *exc_info)


@pytest.fixture(scope="session")
def shared_app(migrated_database: MigratedDatabase, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """One app for the whole run: building one (its URL map and templates) costs more than most tests.

    Each test still gets a fresh database and its own outbox, and whatever a test changes in the
    app's configuration, views or rate limits is put back afterwards (see ``app``).
    """
    work = tmp_path_factory.mktemp("shared-app")
    url = migrated_database.url if migrated_database.template_file is None else f"sqlite:///{work / 'test.db'}"
    app = create_app(settings_for_tests(url, work))
    app.test_client_class = Client
    return app


def _fresh_sqlite_file(app: Flask, template: Path) -> None:
    """Put a pristine copy of the migrated database where the shared app's engine looks."""
    db.engine.dispose()
    target = Path(db.engine.url.database)
    for leftover in (target.with_name(target.name + "-wal"), target.with_name(target.name + "-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(template, target)


@pytest.fixture
def app(request: pytest.FixtureRequest, migrated_database: MigratedDatabase, tmp_path: Path) -> Iterator[Flask]:
    """The app with a fresh database. Tests that add routes ask for their own: ``@pytest.mark.fresh_app``."""
    if request.node.get_closest_marker("fresh_app"):
        url = request.getfixturevalue("database_url")
        app = create_app(settings_for_tests(url, tmp_path))
        app.test_client_class = Client
        with app.app_context():
            yield app
            db.session.remove()
            db.engine.dispose()
        return

    app = request.getfixturevalue("shared_app")
    config, views = dict(app.config), dict(app.view_functions)
    app.config["MAIL_OUTBOX_DIR"] = str(tmp_path / "outbox")
    with app.app_context():
        if migrated_database.template_file is not None:
            _fresh_sqlite_file(app, migrated_database.template_file)
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()
            app.config.clear()
            app.config.update(config)
            app.view_functions.clear()
            app.view_functions.update(views)
            limiter.reset()
            clear_app_caches(app)  # the next test's fresh database starts at the same library generation
            if migrated_database.template_file is None:
                _reset_postgres(migrated_database)


@pytest.fixture
def client(app: Flask) -> Client:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):  # noqa: ANN201
    return app.test_cli_runner()


REAL_SMTP_CLASSES = (smtplib.SMTP, smtplib.SMTP_SSL)


@pytest.fixture(autouse=True)
def no_smtp(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing in the suite may reach a mail server; the outbox backend is what tests read."""

    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("a test tried to open an SMTP connection")

    monkeypatch.setattr(smtplib, "SMTP", refuse)
    monkeypatch.setattr(smtplib, "SMTP_SSL", refuse)


# --- people -------------------------------------------------------------------------------


@pytest.fixture
def create_user(app: Flask):  # noqa: ANN201
    """Factory: ``create_user(roles=("reviewer",), mfa=True)`` makes and commits an account."""
    counter = iter(range(1, 10_000))

    def make(
        email: str | None = None,
        *,
        name: str | None = None,
        roles: tuple[str, ...] = (),
        password: str | None = DEFAULT_PASSWORD,
        mfa_enabled: bool | None = None,
        language: str = "nl",
        organisation_id: int | None = None,
        active: bool = True,
    ) -> User:
        number = next(counter)
        user = create_user_service(
            email=email or f"person{number}@example.org", display_name=name or f"Persoon {number}",
            actor=None, roles=roles, password=password, language=language, organisation_id=organisation_id,
        )
        enrol = bool(roles) if mfa_enabled is None else mfa_enabled
        if enrol:
            user.totp_secret = mfa.new_secret()
            user.mfa_enabled_at = utcnow()
        user.active = active
        db.session.commit()
        return user

    return make


def sign_in(client: FlaskClient, user: User) -> FlaskClient:
    """Put a finished sign-in (password and, where enrolled, MFA) in the client's session."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return client


@pytest.fixture
def login(app: Flask):  # noqa: ANN201
    """``login(user)`` returns a new client signed in as that user."""

    def make(user: User) -> FlaskClient:
        return sign_in(app.test_client(), user)

    return make


@pytest.fixture
def admin(create_user) -> User:  # noqa: ANN001
    return create_user("admin@example.org", name="Anouk Admin", roles=("admin",))


@pytest.fixture
def admin_client(login, admin):  # noqa: ANN001, ANN201
    return login(admin)


# --- mail ---------------------------------------------------------------------------------


class Outbox:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def messages(self) -> list[email.message.EmailMessage]:
        if not self.folder.exists():
            return []
        return [
            email.message_from_bytes(path.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
            for path in sorted(self.folder.glob("*.eml"))
        ]

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [message for message in self.messages() if message["To"] == address]

    @staticmethod
    def text(message: email.message.EmailMessage) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]

    def __len__(self) -> int:
        return len(self.messages())


@pytest.fixture
def outbox(app: Flask) -> Outbox:
    return Outbox(Path(app.config["MAIL_OUTBOX_DIR"]))


# --- query counting -------------------------------------------------------------------------


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app: Flask):  # noqa: ANN201
    """``with count_queries() as counter: ...`` counts the SQL statements sent meanwhile."""
    from contextlib import contextmanager

    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()

        def on_execute(_conn, _cursor, statement, *_args) -> None:  # noqa: ANN001
            counter.statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", on_execute)
        try:
            yield counter
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", on_execute)

    return counting


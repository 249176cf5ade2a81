"""The database handle, shared column types and the one-commit-per-request rule.

Services only ``flush()``. A request commits once, in :func:`commit_or_rollback`
(status below 400) and otherwise rolls back; CLI commands commit explicitly.
Side effects that must not happen for a transaction that is rolled back (e-mail,
queued jobs) are registered with :func:`after_commit` and run only once the
commit has succeeded.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import Flask, Response
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import event
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Session as SASession

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """Timezone-aware UTC datetimes on every backend.

    PostgreSQL keeps the offset itself; SQLite has no time zones, so values are
    stored as naive UTC and given their zone back when read.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; use learning.db.utcnow()")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


_AFTER_COMMIT_KEY = "learning.after_commit"


def after_commit(callback: Callable[[], None]) -> None:
    """Run ``callback`` once the current transaction commits; drop it on rollback."""
    session = db.session()
    if not session.in_transaction():
        # Without a transaction a rollback() is a no-op that fires no event, and the
        # callback would survive it; begin one so the rollback can discard it.
        session.begin()
    session.info.setdefault(_AFTER_COMMIT_KEY, []).append(callback)


@event.listens_for(SASession, "after_commit")
def _run_after_commit(session: SASession) -> None:
    callbacks = session.info.pop(_AFTER_COMMIT_KEY, [])
    for callback in callbacks:
        callback()


@event.listens_for(SASession, "after_soft_rollback")
def _drop_after_commit(session: SASession, previous_transaction) -> None:  # noqa: ANN001
    # "soft": fires even when no SQL had run yet, where after_rollback would not.
    if previous_transaction.parent is None:
        session.info.pop(_AFTER_COMMIT_KEY, None)


def commit_or_rollback(response: Response) -> Response:
    """``after_request`` hook: one commit for a successful request, else a rollback."""
    if response.status_code < 400:
        db.session.commit()
    else:
        db.session.rollback()
    return response


def init_app(app: Flask) -> None:
    db.init_app(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            _configure_sqlite(db.engine)
    app.after_request(commit_or_rollback)


def _configure_sqlite(engine: sa.Engine) -> None:
    """Foreign keys on; WAL and a busy timeout so concurrent workers wait instead of failing."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # noqa: ANN001
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA journal_mode=WAL")
        # With WAL, NORMAL cannot corrupt the database; a power cut may lose the last commits.
        # The embedded default trades that for not syncing to disk on every request that writes.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


# Database objects a migration creates by hand and the ORM does not map (a search index, say).
# Domains register their names; autogenerate and the model/migration comparison skip them.
UNMAPPED_OBJECTS: set[str] = set()


def include_in_autogenerate(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    if reflected and compare_to is None and name is not None:
        return not any(name == known or name.startswith(known + "_") for known in UNMAPPED_OBJECTS)
    return True

"""Readiness checks for /healthz: the database, and Redis when it is configured."""

from __future__ import annotations

import redis
import sqlalchemy as sa
from flask import current_app

from learning.db import db


def check_database() -> str | None:
    """None when the database answers, else a short reason."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as error:
        db.session.rollback()
        return type(error).__name__
    return None


def check_redis() -> str | None:
    url = current_app.config["REDIS_URL"]
    if not url:
        return None
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
    except redis.RedisError as error:
        return type(error).__name__
    return None


def health_report() -> tuple[dict[str, str], bool]:
    database = check_database()
    report = {"database": "ok" if database is None else f"error: {database}"}
    healthy = database is None
    if current_app.config["REDIS_URL"]:
        problem = check_redis()
        report["redis"] = "ok" if problem is None else f"error: {problem}"
        healthy = healthy and problem is None
    else:
        report["redis"] = "not configured"
    report["status"] = "ok" if healthy else "unavailable"
    return report, healthy

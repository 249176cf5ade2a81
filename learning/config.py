"""Settings, read from environment variables with safe defaults for development.

Three environments exist: ``development`` (the default: embedded SQLite, mail to an
outbox folder, jobs inline), ``testing`` (the pytest suite) and ``production``.
Production refuses to start without an explicit ``SECRET_KEY`` and turns on the
cookie and transport protections that only make sense behind HTTPS.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

ENVIRONMENTS = ("development", "testing", "production")


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message says which and how to fix it."""


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    normalised = value.strip().lower()
    if normalised in {"1", "true", "yes", "on"}:
        return True
    if normalised in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"expected a yes/no value, got {value!r}")


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc


def normalise_database_url(url: str) -> str:
    """Accept the URLs hosting platforms hand out and pin the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _development_secret(instance_path: Path) -> str:
    """A random key kept in the instance folder, so restarts keep people signed in."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def load_settings(
    env: Mapping[str, str], instance_path: str | os.PathLike[str], overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Build the Flask configuration mapping from ``env`` (normally ``os.environ``)."""
    overrides = dict(overrides or {})
    instance = Path(instance_path)
    environment = overrides.get("ENVIRONMENT") or env.get("LMI_ENV", "development").strip().lower()
    if environment not in ENVIRONMENTS:
        raise ConfigError(f"LMI_ENV must be one of {', '.join(ENVIRONMENTS)}, got {environment!r}")
    production = environment == "production"

    secret_key = overrides.get("SECRET_KEY") or env.get("SECRET_KEY", "").strip()
    if not secret_key:
        if production:
            raise ConfigError(
                "SECRET_KEY is not set. Production needs a long random value, for example the output of "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
            )
        instance.mkdir(parents=True, exist_ok=True)
        secret_key = _development_secret(instance)
    elif production and len(secret_key) < 32:
        raise ConfigError("SECRET_KEY is too short for production: use at least 32 random characters.")

    database_url = env.get("DATABASE_URL", "").strip() or f"sqlite:///{instance / 'leren-met-impact.db'}"
    redis_url = env.get("REDIS_URL", "").strip() or None
    session_hours = _int(env, "SESSION_LIFETIME_HOURS", 12)

    settings: dict[str, Any] = {
        "ENVIRONMENT": environment,
        "SECRET_KEY": secret_key,
        "DEBUG": False,
        "TESTING": environment == "testing",
        # Database
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "CHECK_DATABASE_ON_START": _flag(env.get("CHECK_DATABASE_ON_START"), environment != "testing"),
        # Redis: rate-limit storage now, job queue later. None means embedded defaults.
        "REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": False,
        "RATELIMIT_LOGIN_PER_IP": env.get("RATELIMIT_LOGIN_PER_IP", "30 per 10 minutes"),
        "RATELIMIT_LOGIN_PER_ACCOUNT": env.get("RATELIMIT_LOGIN_PER_ACCOUNT", "5 per 15 minutes"),
        # A Meet-Up of 100+ people often shares one office or venue address: the device limit does the real work.
        "VRAGENRONDE_LIMIT_PER_DEVICE": env.get("VRAGENRONDE_LIMIT_PER_DEVICE", "10 per hour"),
        "VRAGENRONDE_LIMIT_PER_ADDRESS": env.get("VRAGENRONDE_LIMIT_PER_ADDRESS", "600 per hour"),
        # Links in e-mails are built from this, never from the request's Host header.
        "PUBLIC_URL": env.get("PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/"),
        # Mail
        "MAIL_BACKEND": env.get("MAIL_BACKEND", "outbox").strip().lower(),
        "MAIL_OUTBOX_DIR": env.get("MAIL_OUTBOX_DIR", "").strip() or str(instance / "outbox"),
        "MAIL_SERVER": env.get("MAIL_SERVER", "localhost"),
        "MAIL_PORT": _int(env, "MAIL_PORT", 587),
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _flag(env.get("MAIL_USE_TLS"), True),
        "MAIL_USE_SSL": _flag(env.get("MAIL_USE_SSL"), False),
        "MAIL_TIMEOUT": _int(env, "MAIL_TIMEOUT", 20),
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", "Leren met Impact <noreply@localhost>"),
        # Attach the board's PDF to the e-mail that announces an issued brief (the portal link is always there).
        "BRIEF_MAIL_ATTACH_PDF": _flag(env.get("BRIEF_MAIL_ATTACH_PDF"), False),
        # Reminders to boards (`flask reminders send`): this many days before a response deadline or an action's
        # due date, and once overdue every so many days (1: daily).
        "REMINDER_DAYS_BEFORE": _int(env, "REMINDER_DAYS_BEFORE", 7),
        "REMINDER_OVERDUE_EVERY_DAYS": _int(env, "REMINDER_OVERDUE_EVERY_DAYS", 7),
        # Language and time
        "BABEL_DEFAULT_LOCALE": "nl",
        "BABEL_DEFAULT_TIMEZONE": env.get("TIMEZONE", "Europe/Amsterdam"),
        "LANGUAGES": ("nl", "en"),
        # The thematic view's counts are kept this long per process (0: always counted afresh).
        "THEMATIC_CACHE_SECONDS": _int(env, "THEMATIC_CACHE_SECONDS", 0 if environment == "testing" else 60),
        # Library search results and filter choices kept per process (entries; 0: off). Always current: keyed
        # by the database's library generation, which every publication and withdrawal raises.
        "LIBRARY_CACHE_SIZE": _int(env, "LIBRARY_CACHE_SIZE", 256),
        # Requests and sessions
        "MAX_CONTENT_LENGTH": _int(env, "MAX_CONTENT_LENGTH", 2 * 1024 * 1024),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=session_hours),
        "SESSION_COOKIE_NAME": "__Host-session" if production else "lmi_session",
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "HSTS_ENABLED": production,
        "PROXY_FIX_X_FOR": _int(env, "PROXY_FIX_X_FOR", 0),
        "WTF_CSRF_TIME_LIMIT": _int(env, "CSRF_TIME_LIMIT_SECONDS", 8 * 3600),
        # Accounts
        "PASSWORD_MIN_LENGTH": 12,
        "PASSWORD_HASH_PROFILE": env.get("PASSWORD_HASH_PROFILE", "rfc9106-low-memory"),
        "PASSWORD_RESET_HOURS": _int(env, "PASSWORD_RESET_HOURS", 2),
        "INVITATION_DAYS": _int(env, "INVITATION_DAYS", 7),
        "MFA_ISSUER": env.get("MFA_ISSUER", "Leren met Impact"),
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO").upper(),
    }
    if settings["MAIL_BACKEND"] not in {"outbox", "smtp"}:
        raise ConfigError(f"MAIL_BACKEND must be 'outbox' or 'smtp', got {settings['MAIL_BACKEND']!r}")
    settings.update(overrides)
    return settings

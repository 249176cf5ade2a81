"""Translation helpers and the locale choice.

Dutch is the source language of the interface: message ids are Dutch, English is a
translation. Use ``_`` at request time and ``_l`` for strings built at import time
(form labels, enum labels).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import force_locale, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from learning.extensions import babel

__all__ = ["_", "_l", "ngettext", "force_locale", "get_locale", "select_locale", "remember_language", "init_app"]

SESSION_KEY = "language"
# The language a person chooses, and the locale used to write dates and numbers for it.
LOCALES = {"nl": "nl_NL", "en": "en_GB"}


def supported_languages() -> tuple[str, ...]:
    return current_app.config["LANGUAGES"]


def select_locale() -> str:
    """The signed-in user's choice, else this browser's choice, else Accept-Language, else Dutch."""
    languages = supported_languages()
    return LOCALES[_select_language(languages)]


def _select_language(languages: tuple[str, ...]) -> str:
    default = current_app.config["BABEL_DEFAULT_LOCALE"]
    if not has_request_context():
        return default
    user_language = getattr(current_user, "preferred_language", None) if current_user else None
    if user_language in languages:
        return user_language
    chosen = session.get(SESSION_KEY)
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or default


def remember_language(language: str) -> bool:
    """Keep an anonymous visitor's choice in their session; False for unknown languages."""
    if language not in supported_languages():
        return False
    session[SESSION_KEY] = language
    return True


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)


def local_to_utc(moment: datetime) -> datetime:
    """A wall-clock time typed in a form (naive, in the app's time zone) as an aware UTC datetime."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return moment.replace(tzinfo=zone).astimezone(UTC)


def utc_to_local(moment: datetime) -> datetime:
    """An aware datetime as naive wall-clock time in the app's time zone, to fill a form field."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return moment.astimezone(zone).replace(tzinfo=None)

"""The base class of every form: Flask-WTF (CSRF) with WTForms' own messages translated cheaply;
and the page number of a paged list, read from the query string."""

from __future__ import annotations

from typing import Any

from flask import abort, request
from flask_wtf import FlaskForm
from wtforms.i18n import get_translations

from learning.i18n import get_locale


class BaseForm(FlaskForm):
    class Meta:
        def get_translations(self, form: Any) -> Any:
            # Flask-WTF parses WTForms' catalogue again on every request; gettext keeps
            # one parsed catalogue per language for the life of the process.
            locale = get_locale()
            return get_translations([str(locale) if locale else "nl"])


# Far beyond any list a person pages through; keeps the OFFSET a page turns into within what
# both databases accept (a page number of 20 digits overflowed it: a 500 instead of a page).
MAX_PAGE = 10_000


def requested_page() -> int:
    """The ``page`` in the query string, 1 to ``MAX_PAGE``: anything else is the nearest of those."""
    page = request.args.get("page", 1, type=int) or 1
    return max(1, min(page, MAX_PAGE))


def single_line(value: str | None) -> str | None:
    """A WTForms filter for one-line text such as titles: line breaks and runs of spaces become one space.

    A text input cannot hold a line break, but a crafted request can, and a title travels into e-mail
    subjects and PDF metadata, where a line break is an error or a header injection.
    """
    return " ".join(value.split()) if isinstance(value, str) else value


def shown_version(value: Any) -> int:
    """The version a form or button says it was shown; anything else counts as an old one (a conflict,
    never an error)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def posted_version(form: BaseForm) -> int:
    """The version a button's form carries (a field ``version``); a post without a valid form was not
    made from the page: 400."""
    if not form.validate_on_submit():
        abort(400)
    return shown_version(form.version.data)

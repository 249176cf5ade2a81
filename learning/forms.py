"""The base class of every form: Flask-WTF (CSRF) with WTForms' own messages translated cheaply."""

from __future__ import annotations

from typing import Any

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

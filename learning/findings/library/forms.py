from __future__ import annotations

import wtforms
from markupsafe import Markup, escape
from wtforms import SearchField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import Select, html_params

from learning.admin.forms import MultiCheckboxField
from learning.findings.library.models import SOURCE_KIND_LABELS
from learning.findings.library.search import Sort
from learning.findings.library.services import BODY_LIMIT, REASON_LIMIT, TITLE_LIMIT
from learning.forms import BaseForm, single_line
from learning.i18n import _l


class PlainSelect(Select):
    """WTForms' select, written in one pass with one format string per option.

    The search form has about a hundred options on every request; WTForms' general option
    rendering was the largest single cost of the search page after the query itself.
    """

    def __call__(self, field, **kwargs):  # noqa: ANN001, ANN003, ANN204
        kwargs.setdefault("id", field.id)
        options = "".join(
            f'<option value="{escape(choice.value)}"{" selected" if choice.selected else ""}>{escape(choice.label)}'
            "</option>" for choice in field.iter_choices())
        return Markup(f"<select {html_params(name=field.name, **kwargs)}>{options}</select>")


def _filter(label, **options) -> SelectField:  # noqa: ANN001, ANN003
    return SelectField(label, widget=PlainSelect(), **options)


class SearchForm(wtforms.Form):
    """Read-only search in the query string (GET); no state changes, so no CSRF token.

    The query has no length validator on purpose: a long query is cut and searched, with a
    notice, rather than refused.
    """

    q = SearchField(_l("Zoekwoorden"), validators=[Optional()],
                    description=_l("Woorden in elke vorm: “gezin” vindt ook “gezinnen”."))
    theme_id = _filter(_l("Thema"), coerce=int, default=0)
    level_id = _filter(_l("Niveau"), coerce=int, default=0)
    principle_id = _filter(_l("Principe"), coerce=int, default=0)
    region_id = _filter(_l("Regio"), coerce=int, default=0)
    finding_type_id = _filter(_l("Soort bevinding"), coerce=int, default=0)
    kind = _filter(_l("Leerpunt of bevinding"), default="", choices=lambda: [
        SelectChoice("", _l("Beide")), *(SelectChoice(kind.value, label) for kind, label in SOURCE_KIND_LABELS.items())])
    sort = _filter(_l("Sorteren op"), default=Sort.RELEVANCE, choices=[
        SelectChoice(Sort.RELEVANCE, _l("Relevantie")), SelectChoice(Sort.DATE, _l("Datum (nieuwste eerst)"))])


class PublishForm(BaseForm):
    title = StringField(
        _l("Titel"),
        filters=[single_line], validators=[DataRequired(_l("Geef het een titel.")),
                    Length(max=TITLE_LIMIT, message=_l("Hoogstens %(max)d tekens."))],
    )
    body = TextAreaField(
        _l("Tekst"),
        description=_l("Schrijf zo dat niemand de casus, het gezin of de betrokkenen herkent: geen namen, "
                       "plaatsen, data of details die alleen in deze casus voorkwamen."),
        validators=[DataRequired(_l("Schrijf de tekst die in de bibliotheek komt.")),
                    Length(max=BODY_LIMIT, message=_l("Hoogstens %(max)d tekens."))],
        render_kw={"rows": 12},
    )
    theme_ids = MultiCheckboxField(_l("Thema's die meegaan"), coerce=int,
                                   description=_l("Vink een thema uit als het iets over de casus verraadt."))


class WithdrawForm(BaseForm):
    reason = TextAreaField(
        _l("Reden"),
        description=_l("Wordt vastgelegd in het auditlog; lezers van de bibliotheek zien de reden niet."),
        validators=[DataRequired(_l("Geef een reden voor het terugtrekken.")),
                    Length(max=REASON_LIMIT, message=_l("Hoogstens %(max)d tekens."))],
        render_kw={"rows": 3},
    )

from __future__ import annotations

from typing import Any

import wtforms
from wtforms import HiddenField, SelectChoice, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from learning.admin.forms import MultiCheckboxField
from learning.findings.models import FINDING_STATUS_LABELS
from learning.findings.services import QUESTION_LIMIT, TEXT_LIMIT, TITLE_LIMIT
from learning.forms import BaseForm, single_line
from learning.i18n import _l
from learning.lessons.ids import known_id

TOO_LONG = _l("Hoogstens %(max)d tekens.")


def _as_id(value: str) -> int | None:
    """``value`` as an id, or None if it cannot be one."""
    try:
        number = int(value)
    except ValueError:
        return None
    return number if known_id(number) else None


def optional_int(value: Any) -> int | None:
    """The id chosen in a select, or None: for none chosen and for what cannot be an id (not a number,
    or a number no row can have, which must not reach a query). A required field then asks for a choice."""
    return None if value is None else _as_id(str(value))


class IdChoices(SelectMultipleField):
    """Ticked ids. Which ids may be chosen is for the service to decide, with its own message;
    here only what cannot be an id is refused (not a number, or a number no row can have), and
    the other ticks are kept for the form shown again."""

    def process_formdata(self, valuelist: list[str]) -> None:
        ids = [_as_id(value) for value in valuelist]
        self.data = [value for value in ids if value is not None]
        if len(self.data) != len(ids):
            raise ValueError(_l("Kies uit de lijst."))

    def pre_validate(self, form: Any) -> None:
        return None


class IdCheckboxes(IdChoices):
    widget = MultiCheckboxField.widget
    option_widget = MultiCheckboxField.option_widget


class FindingForm(BaseForm):
    title = StringField(
        _l("Titel"),
        description=_l("Kort en herkenbaar, bijvoorbeeld: Zorgen over veiligheid worden bij een verhuizing niet "
                       "overgedragen."),
        filters=[single_line],
        validators=[DataRequired(_l("Geef de bevinding een titel.")), Length(max=TITLE_LIMIT, message=TOO_LONG)],
    )
    pattern = TextAreaField(
        _l("Het patroon in het systeem"),
        description=_l("Wat keert terug, in deze casus en daarbuiten? Beschrijf hoe het systeem werkt en waardoor "
                       "het zo loopt, niet wie een fout maakte."),
        validators=[Length(max=TEXT_LIMIT, message=TOO_LONG)], render_kw={"rows": 6},
    )
    finding_type_id = SelectField(_l("Soort bevinding"), coerce=optional_int, validate_choice=False,
                                  validators=[DataRequired(_l("Kies een soort bevinding."))])
    lesson_ids = IdCheckboxes(_l("Leerpunten waarop de bevinding rust"), coerce=int)
    why_it_matters = TextAreaField(
        _l("Waarom dit ertoe doet voor kinderen en gezinnen"),
        description=_l("Wat merken kinderen en ouders van dit patroon, en wat verandert er voor hen als het anders "
                       "gaat?"),
        validators=[Length(max=TEXT_LIMIT, message=TOO_LONG)], render_kw={"rows": 4},
    )
    organisation_ids = IdCheckboxes(_l("Gericht aan organisaties"), coerce=int)
    policy_owner_ids = IdCheckboxes(
        _l("Gericht aan beleidseigenaren"),
        description=_l("De bestuurders of beleidsmakers die over deze vragen gaan."), coerce=int,
    )
    version = HiddenField()


class QuestionForm(BaseForm):
    question = TextAreaField(
        _l("Vraag aan bestuurders"),
        description=_l("Eén vraag die een bestuurder kan beantwoorden, bijvoorbeeld: Welke afspraak maakt u over "
                       "de overdracht bij een verhuizing?"),
        validators=[DataRequired(_l("Schrijf een vraag.")), Length(max=QUESTION_LIMIT, message=TOO_LONG)],
        render_kw={"rows": 2},
    )
    version = HiddenField()


class VersionForm(BaseForm):
    """The buttons that change a finding (status, order, removing): they carry the version they were shown."""

    version = HiddenField(validators=[DataRequired()])
    status = HiddenField()


def status_filter_choices() -> list[SelectChoice]:
    return [SelectChoice("", _l("Alle statussen")),
            *(SelectChoice(status.value, label) for status, label in FINDING_STATUS_LABELS.items())]


class FindingFilterForm(wtforms.Form):
    """Read-only filters in the query string (GET); no state changes, so no CSRF token."""

    status = SelectField(_l("Status"), default="", choices=status_filter_choices)

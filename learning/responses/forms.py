"""The portal's forms and the reviewers' thread form. Which values are allowed is for the services
to decide, with their own messages; the forms keep what the person typed for the page shown again."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, StopValidation

from learning.forms import BaseForm
from learning.i18n import _l
from learning.responses.models import ACTION_STATUS_LABELS, DECISION_LABELS
from learning.responses.services import (
    DESCRIPTION_LIMIT,
    MESSAGE_LIMIT,
    NOTE_LIMIT,
    OWNER_NAME_LIMIT,
    OWNER_ORGANISATION_LIMIT,
    REASONING_LIMIT,
)

TOO_LONG = _l("Hoogstens %(max)d tekens.")
NOT_A_DATE = _l("Dit is geen geldige datum. Gebruik de vorm jjjj-mm-dd.")


class OptionalDateField(DateField):
    """A date that may be left empty (None); the service says whether it is required, in its own words.
    Anything else that is not a date is refused with a clear message, and what was typed stays."""

    def process_formdata(self, valuelist: list[str]) -> None:
        text = " ".join(valuelist).strip() if valuelist else ""
        if not text:
            self.data = None
            return
        try:
            self.data = datetime.strptime(text, "%Y-%m-%d").date()
        except ValueError:
            self.data = None
            raise ValueError(NOT_A_DATE) from None

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(self.raw_data)
        return self.data.isoformat() if isinstance(self.data, date) else ""


class DateRequired:
    """Like DataRequired, but a date that could not be read keeps its own message ("not a date")."""

    def __init__(self, message: Any) -> None:
        self.message = message

    def __call__(self, form: Any, field: Any) -> None:
        if field.data is None and not field.process_errors:
            raise StopValidation(self.message)


def decision_choices() -> list[SelectChoice]:
    return [SelectChoice(decision.value, label) for decision, label in DECISION_LABELS.items()]


class ResponseForm(BaseForm):
    decision = RadioField(_l("Besluit"), choices=decision_choices, validate_choice=False)
    reasoning = TextAreaField(
        _l("Toelichting"),
        description=_l("Verplicht bij deels en niet overgenomen: waarom, en wat doet u in plaats daarvan?"),
        validators=[Length(max=REASONING_LIMIT, message=TOO_LONG)], render_kw={"rows": 5},
    )
    version = HiddenField()
    intent = HiddenField()


class SubmitAllForm(BaseForm):
    """"Alles indienen": carries the version of each response the page showed (finding id:version)."""

    versions = HiddenField()


class ActionForm(BaseForm):
    description = TextAreaField(
        _l("Actie"), description=_l("Wat gaat er gebeuren? Beschrijf het zo dat te zien is wanneer het af is."),
        validators=[DataRequired(_l("Beschrijf de actie.")), Length(max=DESCRIPTION_LIMIT, message=TOO_LONG)],
        render_kw={"rows": 3},
    )
    owner_name = StringField(
        _l("Eigenaar (naam)"), description=_l("Wie zorgt ervoor dat de actie wordt uitgevoerd?"),
        validators=[DataRequired(_l("Vul de naam in van wie de actie uitvoert.")),
                    Length(max=OWNER_NAME_LIMIT, message=TOO_LONG)],
    )
    owner_organisation = StringField(
        _l("Organisatie van de eigenaar"),
        validators=[DataRequired(_l("Vul de organisatie in van wie de actie uitvoert.")),
                    Length(max=OWNER_ORGANISATION_LIMIT, message=TOO_LONG)],
    )
    due_date = OptionalDateField(
        _l("Klaar op"), description=_l("Vandaag of later, in de vorm jjjj-mm-dd."),
        validators=[DateRequired(_l("Kies de datum waarop de actie klaar moet zijn."))],
    )
    version = HiddenField()


def status_choices() -> list[SelectChoice]:
    return [SelectChoice(status.value, label) for status, label in ACTION_STATUS_LABELS.items()]


class ProgressForm(BaseForm):
    status = SelectField(_l("Status"), choices=status_choices, validate_choice=False)
    note = TextAreaField(
        _l("Voortgang"),
        description=_l("Wat is er gedaan of veranderd? Verplicht als de actie vervalt: schrijf dan waarom."),
        validators=[Length(max=NOTE_LIMIT, message=TOO_LONG)], render_kw={"rows": 3},
    )
    version = HiddenField()


class MessageForm(BaseForm):
    body = TextAreaField(_l("Bericht"), validators=[DataRequired(_l("Schrijf een bericht.")),
                                                    Length(max=MESSAGE_LIMIT, message=TOO_LONG)],
                         render_kw={"rows": 3})
    is_question = BooleanField(_l("Dit is een vervolgvraag aan de organisatie"))


class QuestionMarkForm(BaseForm):
    is_question = HiddenField()

from __future__ import annotations

import re

import wtforms
from wtforms import BooleanField, DateField, IntegerField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from learning.auth.forms import LANGUAGE_CHOICES, email_field
from learning.auth.models import ROLE_LABELS
from learning.forms import BaseForm
from learning.i18n import _l

NO_ORGANISATION = 0


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def role_choices() -> list[SelectChoice]:
    return [SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()]


class AccountFieldsMixin:
    display_name = StringField(
        _l("Naam"), validators=[DataRequired(_l("Vul een naam in.")), Length(max=120)]
    )
    language = SelectField(_l("Taal van e-mails en scherm"), choices=LANGUAGE_CHOICES, default="nl")
    roles = MultiCheckboxField(
        _l("Rollen"),
        description=_l("Reviewers, beleidseigenaren en beheerders moeten tweestapsverificatie gebruiken."),
        choices=role_choices,
    )
    organisation_id = SelectField(
        _l("Organisatie"), coerce=int, default=NO_ORGANISATION,
        description=_l("De organisatie waarvoor deze persoon werkt."),
    )


class InviteUserForm(AccountFieldsMixin, BaseForm):
    email = email_field(description=_l("De uitnodiging wordt naar dit adres gestuurd."))


class EditUserForm(AccountFieldsMixin, BaseForm):
    pass


class RegionForm(BaseForm):
    name = StringField(_l("Naam van de regio"), validators=[DataRequired(_l("Vul een naam in.")), Length(max=120)])


class OrganisationForm(BaseForm):
    name = StringField(
        _l("Naam van de organisatie"), validators=[DataRequired(_l("Vul een naam in.")), Length(max=160)]
    )
    agency_kind_id = SelectField(_l("Soort organisatie"), coerce=int, validators=[InputRequired()])
    region_id = SelectField(_l("Regio"), coerce=int, validators=[InputRequired()])
    active = BooleanField(_l("Actief"), default=True)


class TaxonomyTermForm(BaseForm):
    label_nl = StringField(_l("Naam (Nederlands)"), validators=[DataRequired(_l("Vul een naam in.")), Length(max=160)])
    label_en = StringField(_l("Naam (Engels)"), validators=[DataRequired(_l("Vul een naam in.")), Length(max=160)])
    position = IntegerField(
        _l("Volgorde"), default=0,
        validators=[InputRequired(_l("Vul een getal in.")), NumberRange(min=0, max=9999)],
    )
    active = BooleanField(_l("In gebruik"), default=True)


_CODE = re.compile(r"^[a-z][a-z0-9_]{1,62}$")


class NewTaxonomyTermForm(TaxonomyTermForm):
    code = StringField(
        _l("Code"),
        description=_l("Vaste korte naam voor koppelingen en exports: kleine letters, cijfers en _, bijvoorbeeld jeugd_ggz."),
        validators=[DataRequired(_l("Vul een code in."))],
    )

    def validate_code(self, field):  # noqa: ANN001, ANN201
        if not _CODE.match(field.data or ""):
            raise ValidationError(_l("Gebruik 2 tot 63 kleine letters, cijfers of _, beginnend met een letter."))


class UserFilterForm(wtforms.Form):
    """Read-only filters in the query string (GET); no state changes, so no CSRF token."""

    q = StringField(_l("Zoek op naam of e-mail"), validators=[Optional(), Length(max=120)])
    role = SelectField(_l("Rol"), default="", choices=lambda: [SelectChoice("", _l("Alle rollen")), *role_choices()])
    status = SelectField(
        _l("Status"),
        default="",
        choices=[
            SelectChoice("", _l("Alle")),
            SelectChoice("active", _l("Actief")),
            SelectChoice("invited", _l("Uitgenodigd")),
            SelectChoice("inactive", _l("Gedeactiveerd")),
        ],
    )


class AuditFilterForm(wtforms.Form):
    """Read-only filters in the query string (GET); no state changes, so no CSRF token."""

    actor = StringField(_l("Wie (naam of e-mail)"), validators=[Optional(), Length(max=120)])
    actor_id = IntegerField(validators=[Optional()], widget=wtforms.widgets.HiddenInput())
    action = SelectField(_l("Handeling"), default="")
    date_from = DateField(_l("Vanaf"), validators=[Optional()])
    date_to = DateField(_l("Tot en met"), validators=[Optional()])

    def validate_date_to(self, field):  # noqa: ANN001, ANN201
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("Deze datum ligt voor de begindatum."))

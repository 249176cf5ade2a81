from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from learning.admin.forms import MultiCheckboxField
from learning.auth.forms import NewPasswordMixin, email_field
from learning.forms import BaseForm, single_line
from learning.i18n import _l
from learning.reviews.models import CONTRIBUTOR_LABELS, KIND_LABELS, MEMBER_ROLE_LABELS
from learning.reviews.services import TEXT_LIMIT
from learning.reviews.timeline import DESCRIPTION_LIMIT


def kind_choices() -> list[SelectChoice]:
    return [SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()]


class ReviewForm(BaseForm):
    kind = SelectField(_l("Soort"), choices=kind_choices, validators=[DataRequired()])
    title = StringField(
        _l("Titel"),
        description=_l("Kort en gepseudonimiseerd, bijvoorbeeld: Gezin A, zorgen over veiligheid na verhuizing."),
        filters=[single_line], validators=[DataRequired(_l("Geef de review een titel.")), Length(max=200)],
    )
    learning_question = TextAreaField(
        _l("Leervraag"),
        description=_l("Wat wil de groep van deze casus leren?"),
        validators=[DataRequired(_l("Formuleer een leervraag.")), Length(max=1000)],
        render_kw={"rows": 3},
    )
    region_id = SelectField(_l("Regio"), coerce=int, validators=[InputRequired(_l("Kies een regio."))])
    organisation_ids = MultiCheckboxField(_l("Betrokken organisaties"), coerce=int)
    agency_kind_ids = MultiCheckboxField(_l("Betrokken soorten organisaties"), coerce=int)
    method_id = SelectField(
        _l("Methode"), coerce=int,
        description=_l("De fasen van de methode worden gekopieerd naar deze review; die kun je daarna aanpassen."),
        validators=[InputRequired(_l("Kies een methode."))],
    )
    planned_start = DateField(_l("Geplande begindatum"), validators=[Optional()])
    planned_end = DateField(_l("Geplande einddatum"), validators=[Optional()])
    case_summary = TextAreaField(
        _l("Casusbeschrijving (gepseudonimiseerd)"),
        description=_l("Markdown mag. Geen namen, BSN, adressen of geboortedata: gebruik rollen (moeder, kind A)."),
        validators=[Length(max=TEXT_LIMIT, message=_l("Hoogstens %(max)d tekens."))],
        render_kw={"rows": 10},
    )
    family_perspective = TextAreaField(
        _l("Perspectief van het gezin"),
        description=_l("Hoe keek het gezin naar wat er gebeurde? Ook gepseudonimiseerd."),
        validators=[Length(max=TEXT_LIMIT, message=_l("Hoogstens %(max)d tekens."))],
        render_kw={"rows": 6},
    )
    version = HiddenField()


class EditReviewForm(ReviewForm):
    """The same fields; the method is chosen once, at creation."""

    method_id = None  # type: ignore[assignment]


class StatusForm(BaseForm):
    status = HiddenField(validators=[DataRequired()])


class SupportAccessForm(BaseForm):
    granted = HiddenField()


class EpisodeForm(BaseForm):
    title = StringField(_l("Titel"), filters=[single_line],
                        validators=[DataRequired(_l("Geef het sleutelmoment een titel.")),
                                    Length(max=200)])
    occurred_on = DateField(_l("Datum"), validators=[Optional()],
                            description=_l("Weet je de precieze datum niet? Laat dit leeg en vul een periode in."))
    period = StringField(_l("Of: periode bij benadering"), validators=[Length(max=80)],
                         description=_l("Bijvoorbeeld: voorjaar 2025, rond de zomervakantie."))
    description = TextAreaField(
        _l("Wat gebeurde er"),
        validators=[Length(max=DESCRIPTION_LIMIT, message=_l("Hoogstens %(max)d tekens."))],
        render_kw={"rows": 4},
    )
    source = StringField(_l("Bron"), validators=[Length(max=200)],
                         description=_l("Bijvoorbeeld: dossier, gesprek met de casushouder, eigen herinnering."))
    agency_kind_ids = MultiCheckboxField(_l("Betrokken organisaties"), coerce=int)
    version = HiddenField()


class PhaseForm(BaseForm):
    name = StringField(_l("Naam van de fase"), validators=[DataRequired(_l("Geef de fase een naam.")),
                                                         Length(max=160)])
    purpose = TextAreaField(_l("Doel"), validators=[Length(max=2000)], render_kw={"rows": 2})
    prompts = TextAreaField(_l("Vragen"), description=_l("Eén vraag per regel."),
                            validators=[Length(max=5000)], render_kw={"rows": 4})
    minutes = IntegerField(_l("Minuten"), default=15, validators=[
        InputRequired(_l("Vul een aantal minuten in.")),
        NumberRange(min=1, max=600, message=_l("Tussen 1 en 600 minuten."))])
    contributor = SelectField(_l("Wie draagt bij"), choices=lambda: [
        SelectChoice(value.value, label) for value, label in CONTRIBUTOR_LABELS.items()])


class MethodForm(BaseForm):
    name = StringField(_l("Naam"), validators=[DataRequired(_l("Geef de methode een naam.")), Length(max=160)])
    description = TextAreaField(_l("Beschrijving"), validators=[Length(max=5000)], render_kw={"rows": 4})
    suitable_kinds = MultiCheckboxField(_l("Geschikt voor"), choices=kind_choices)


def role_choices(include_reviewers: bool) -> list[SelectChoice]:
    return [SelectChoice(role.value, label) for role, label in MEMBER_ROLE_LABELS.items()
            if include_reviewers or role.value not in ("lead_reviewer", "co_reviewer")]


class InviteMemberForm(BaseForm):
    email = email_field(description=_l("Iemand zonder account krijgt er met deze uitnodiging een."))
    role = SelectField(_l("Rol in deze review"))
    is_case_holder = BooleanField(_l("Casushouder (brengt de casus in)"))


class InvitationResponseForm(NewPasswordMixin, BaseForm):
    """Accept or decline; someone without an account yet also chooses a password here."""


class InvitationAnswerForm(BaseForm):
    """Accept or decline, for someone who is signed in already."""

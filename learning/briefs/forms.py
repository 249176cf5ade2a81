from __future__ import annotations

from wtforms import DateField, HiddenField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from learning.briefs.services import COMMENT_LIMIT, NOTE_LIMIT, TEXT_LIMIT, TITLE_LIMIT
from learning.findings.forms import IdCheckboxes
from learning.forms import BaseForm, single_line
from learning.i18n import _l

TOO_LONG = _l("Hoogstens %(max)d tekens.")
LANGUAGE_CHOICES = [SelectChoice("nl", _l("Nederlands")), SelectChoice("en", _l("Engels"))]


class BriefForm(BaseForm):
    title = StringField(
        _l("Titel"),
        description=_l("Waar gaat de notitie over, in een paar woorden? Bijvoorbeeld: Overdracht van zorgen bij "
                       "verhuizing."),
        filters=[single_line],
        validators=[DataRequired(_l("Geef de notitie een titel.")), Length(max=TITLE_LIMIT, message=TOO_LONG)],
    )
    introduction = TextAreaField(
        _l("Inleiding"),
        description=_l("Waarom krijgt de bestuurder deze notitie, en wat vragen we van hem of haar?"),
        validators=[Length(max=TEXT_LIMIT, message=TOO_LONG)], render_kw={"rows": 5},
    )
    context = TextAreaField(
        _l("Context"),
        description=_l("Hoe de bevindingen tot stand kwamen: welke reviews, wanneer, met wie. Schrijf "
                       "gepseudonimiseerd."),
        validators=[Length(max=TEXT_LIMIT, message=TOO_LONG)], render_kw={"rows": 5},
    )
    response_deadline = DateField(
        _l("Reageren vóór"),
        description=_l("De datum waarop de beleidseigenaren uiterlijk per bevinding reageren. Vandaag of later."),
        validators=[Optional()],
    )
    language = RadioField(_l("Taal van de PDF"), choices=LANGUAGE_CHOICES, default="nl",
                          validators=[DataRequired(_l("Kies de taal van de PDF."))])
    finding_ids = IdCheckboxes(_l("Bevindingen in deze notitie"), coerce=int)
    addressee_ids = IdCheckboxes(_l("Gericht aan beleidseigenaren"), coerce=int)
    version = HiddenField()


class CommentForm(BaseForm):
    """One per section on the draft page (prefixed with the section); the section itself is posted as ``section``."""

    body = TextAreaField(
        _l("Je commentaar"),
        validators=[DataRequired(_l("Schrijf je commentaar.")), Length(max=COMMENT_LIMIT, message=TOO_LONG)],
        render_kw={"rows": 3},
    )


class ResolveForm(BaseForm):
    note = TextAreaField(_l("Toelichting (niet verplicht)"),
                         description=_l("Wat er met het commentaar gedaan is, bijvoorbeeld: tekst aangepast."),
                         validators=[Length(max=NOTE_LIMIT, message=TOO_LONG)], render_kw={"rows": 2})


class VersionForm(BaseForm):
    """The buttons that change a brief (order, approval): they carry the content version they were shown."""

    version = HiddenField(validators=[DataRequired()])


class IssueForm(BaseForm):
    version = HiddenField(validators=[DataRequired()])
    change_note = TextAreaField(
        _l("Wat is er veranderd?"),
        description=_l("Verplicht vanaf versie 2: de beleidseigenaren lezen dit bij de nieuwe versie."),
        validators=[Length(max=NOTE_LIMIT, message=TOO_LONG)], render_kw={"rows": 3},
    )



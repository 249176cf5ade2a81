from __future__ import annotations

from wtforms import DateTimeLocalField, HiddenField, IntegerField, StringField, TextAreaField, URLField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from learning.forms import BaseForm, single_line
from learning.i18n import _l


class MeetingForm(BaseForm):
    title = StringField(_l("Titel"), filters=[single_line],
                        validators=[DataRequired(_l("Geef de bijeenkomst een titel.")),
                                    Length(max=200)])
    starts_at = DateTimeLocalField(_l("Begint op"), format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired(_l("Vul datum en tijd in."))])
    ends_at = DateTimeLocalField(_l("Eindigt op"), format="%Y-%m-%dT%H:%M",
                                 validators=[DataRequired(_l("Vul datum en tijd in."))])
    place = StringField(_l("Plaats"), validators=[Optional(), Length(max=200)],
                        description=_l("Bijvoorbeeld: stadskantoor, zaal 3."))
    online_link = URLField(_l("Link voor online deelnemen"), validators=[Optional(), Length(max=500)])


class AgendaItemForm(BaseForm):
    name = StringField(_l("Agendapunt"), validators=[DataRequired(_l("Geef dit agendapunt een naam.")),
                                                     Length(max=160)])
    minutes = IntegerField(_l("Minuten"), validators=[InputRequired(_l("Vul een aantal minuten in.")),
                                                      NumberRange(min=1, max=600,
                                                                  message=_l("Tussen 1 en 600 minuten."))])


class NotesForm(BaseForm):
    notes = TextAreaField(_l("Aantekeningen bij deze fase"), validators=[Length(max=20_000)],
                          render_kw={"rows": 6})


class PhaseMoveForm(BaseForm):
    direction = HiddenField(validators=[DataRequired()])
    from_position = HiddenField(validators=[DataRequired()])

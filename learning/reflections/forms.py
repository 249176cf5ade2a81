from __future__ import annotations

from wtforms import DateTimeLocalField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from learning.admin.forms import MultiCheckboxField
from learning.forms import BaseForm
from learning.i18n import _l
from learning.reflections.models import MOMENT_LABELS, VISIBILITY_LABELS


def visibility_choices() -> list[SelectChoice]:
    return [SelectChoice(value.value, label) for value, label in VISIBILITY_LABELS.items()]


class RoundForm(BaseForm):
    title = StringField(_l("Titel van de ronde"), validators=[Optional(), Length(max=200)],
                        description=_l("Bijvoorbeeld: reflectie vooraf op de sleutelmomenten."))
    moment = SelectField(_l("Wanneer"), choices=lambda: [SelectChoice(m.value, label)
                                                          for m, label in MOMENT_LABELS.items()])
    deadline = DateTimeLocalField(_l("Deadline"), format="%Y-%m-%dT%H:%M",
                                  validators=[DataRequired(_l("Vul een deadline in."))])
    phase_ids = MultiCheckboxField(_l("Vragen uit deze fasen"), coerce=int,
                                   description=_l("Niets aangevinkt: de vragen van alle fasen."))

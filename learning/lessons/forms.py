"""Forms for lessons, their evidence and a vote on them. Choices are checked by the services, so a
crafted value gets the same clear message as any other mistake."""

from __future__ import annotations

from typing import Any

from wtforms import (
    BooleanField,
    FieldList,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange

from learning.admin.forms import MultiCheckboxField
from learning.forms import BaseForm
from learning.i18n import _l
from learning.lessons.models import POLARITY_LABELS, Polarity
from learning.lessons.services import TEXT_LIMIT
from learning.lessons.themes import THEMES_PER_LESSON


def optional_int(value: Any) -> int | None:
    if value in (None, "", "None"):
        return None
    return int(value)


class LessonForm(BaseForm):
    text = TextAreaField(
        _l("Leerpunt"), validators=[Length(max=TEXT_LIMIT)],
        description=_l("Wat heeft deze review geleerd? Beschrijf het patroon, niet wie er iets fout deed."))
    polarity = RadioField(_l("Soort leerpunt"), default=Polarity.IMPROVE.value,
                          choices=lambda: [SelectChoice(value.value, label) for value, label in POLARITY_LABELS.items()],
                          validate_choice=False)
    level_id = SelectField(
        _l("Niveau"), coerce=optional_int, validate_choice=False,
        description=_l("Op welk niveau moet er iets veranderen? Een concept mag nog zonder niveau; "
                       "vaststellen kan pas met een niveau."))
    # One input per theme, each with the suggestions; lengths and counts are checked by the service.
    themes = FieldList(StringField(_l("Thema")), label=_l("Thema's"), max_entries=THEMES_PER_LESSON)
    principle_ids = MultiCheckboxField(_l("Principes die het raakt"), coerce=int, validate_choice=False)
    version = HiddenField()


class EvidenceForm(BaseForm):
    reflection_ids = MultiCheckboxField(_l("Reflecties"), coerce=int, validate_choice=False)
    episode_ids = MultiCheckboxField(_l("Sleutelmomenten"), coerce=int, validate_choice=False)
    contribution_ids = MultiCheckboxField(_l("Inbreng"), coerce=int, validate_choice=False)
    version = HiddenField()


class LessonVoteForm(BaseForm):
    meeting_id = SelectField(_l("In de bijeenkomst"), coerce=optional_int, validate_choice=False)
    title = StringField(_l("Vraag"), validators=[Length(max=200)],
                        default=_l("Welke leerpunten zijn voor ons het belangrijkst?"))
    dots_per_person = IntegerField(
        _l("Stippen per persoon"), default=3,
        validators=[InputRequired(_l("Vul een getal in.")),
                    NumberRange(min=1, max=20, message=_l("Geef iedereen 1 tot 20 stippen."))])
    allow_stacking = BooleanField(_l("Meer stippen op één leerpunt toegestaan"), default=True)
    lesson_ids = MultiCheckboxField(_l("Leerpunten in de stemming"), coerce=int, validate_choice=False)

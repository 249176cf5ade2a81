"""The thematic view's filters: a GET form (read-only, so no CSRF token) whose bad values get clear messages."""

from __future__ import annotations

from wtforms import DateField, SelectChoice, SelectField, ValidationError

from learning.admin.models import Vocabulary
from learning.findings.thematic import EARLIEST, LATEST, Dimension, FilterChoices, ThematicFilters
from learning.forms import BaseForm
from learning.i18n import _, _l

UNKNOWN_CHOICE = _l("Deze keuze bestaat niet (meer). Kies een waarde uit de lijst.")
NOT_A_DATE = _l("Dit is geen geldige datum. Gebruik de vorm jjjj-mm-dd.")

# Filter field name → the vocabulary its values come from (themes and regions have their own lists).
TERM_FIELDS = {
    "finding_type_id": Vocabulary.FINDING_TYPE,
    "level_id": Vocabulary.LEVEL,
    "principle_id": Vocabulary.PRINCIPLE,
    "agency_kind_id": Vocabulary.AGENCY_KIND,
}
FILTER_FIELDS = ("theme_id", "finding_type_id", "level_id", "principle_id", "region_id", "agency_kind_id")


def _choice(label, **kwargs) -> SelectField:  # noqa: ANN001
    return SelectField(label, default="", invalid_choice_message=UNKNOWN_CHOICE, **kwargs)


class ThematicFilterForm(BaseForm):
    class Meta(BaseForm.Meta):
        csrf = False

    PARAMETERS = ("dimension", "date_from", "date_to", *FILTER_FIELDS)

    dimension = SelectField(_l("Indelen naar"), default=Dimension.THEME.value,
                            choices=lambda: [SelectChoice(item.value, item.label) for item in Dimension],
                            invalid_choice_message=UNKNOWN_CHOICE)
    date_from = DateField(_l("Vanaf"), invalid_value_message=NOT_A_DATE)
    date_to = DateField(_l("Tot en met"), invalid_value_message=NOT_A_DATE)
    theme_id = _choice(_l("Thema"))
    finding_type_id = _choice(_l("Soort bevinding"))
    level_id = _choice(_l("Niveau"))
    principle_id = _choice(_l("Principe"))
    region_id = _choice(_l("Regio"))
    agency_kind_id = _choice(_l("Soort organisatie"))

    def offer(self, choices: FilterChoices) -> ThematicFilterForm:
        """Fill the selects with what exists; "all" is the empty value."""
        everything = SelectChoice("", _("Alle"))
        self.theme_id.choices = [everything, *(SelectChoice(str(theme.id), theme.label) for theme in choices.themes)]
        self.region_id.choices = [everything, *(SelectChoice(str(region.id), region.label)
                                                for region in choices.regions)]
        for name, vocabulary in TERM_FIELDS.items():
            self[name].choices = [everything, *(SelectChoice(str(term.id), term.label)
                                                for term in choices.terms[vocabulary])]
        return self

    def fill_period(self, default: ThematicFilters) -> None:
        """An empty date means the default period; show it, so people see what they are looking at."""
        if not self.date_from.raw_data or self.date_from.raw_data == [""]:
            self.date_from.data = default.date_from
        if not self.date_to.raw_data or self.date_to.raw_data == [""]:
            self.date_to.data = default.date_to

    def validate_date_from(self, field) -> None:  # noqa: ANN001
        _within_years(field)

    def validate_date_to(self, field) -> None:  # noqa: ANN001
        _within_years(field)
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_("Deze datum ligt voor de begindatum."))

    def filters(self) -> ThematicFilters:
        """The chosen filters; call after a successful ``validate()``."""
        chosen = {name: int(self[name].data) if self[name].data else None for name in FILTER_FIELDS}
        return ThematicFilters(date_from=self.date_from.data, date_to=self.date_to.data, **chosen)

    def query_arguments(self) -> dict[str, str]:
        """The filters as they are in the URL (valid or not), for links that keep them."""
        arguments = {name: self[name].data for name in FILTER_FIELDS if self[name].data}
        for name in ("date_from", "date_to"):
            raw = self[name].raw_data
            if raw and raw[0]:
                arguments[name] = raw[0]
        return arguments


def _within_years(field) -> None:  # noqa: ANN001
    if field.data is not None and not EARLIEST <= field.data <= LATEST:
        raise ValidationError(_("Kies een datum tussen %(first)s en %(last)s.", first=EARLIEST.year,
                                last=LATEST.year))

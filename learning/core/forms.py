from __future__ import annotations

import wtforms
from wtforms import SelectChoice, SelectField

from learning.i18n import _l
from learning.reviews.models import KIND_LABELS, STATUS_LABELS


class DashboardFilterForm(wtforms.Form):
    """Read-only filters in the query string (GET); no state changes, so no CSRF token."""

    kind = SelectField(_l("Soort"), default="", choices=lambda: [
        SelectChoice("", _l("Alle soorten")), *(SelectChoice(k.value, label) for k, label in KIND_LABELS.items())])
    status = SelectField(_l("Status"), default="", choices=lambda: [
        SelectChoice("", _l("Alle statussen")), *(SelectChoice(s.value, label) for s, label in STATUS_LABELS.items())])
    region_id = SelectField(_l("Regio"), coerce=int, default=0)

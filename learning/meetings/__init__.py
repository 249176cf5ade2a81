"""Meetings: agenda and time boxes, the facilitator's console, the live view and the projector."""

from flask import Blueprint

from learning.audit import ACTION_LABELS
from learning.i18n import _l

bp = Blueprint("meetings", __name__, url_prefix="/reviews/<int:review_id>/meetings")

ACTION_LABELS.update(
    {
        "meeting.created": _l("Bijeenkomst gepland"),
        "meeting.updated": _l("Bijeenkomst gewijzigd"),
        "meeting.invitations_sent": _l("Uitnodigingen voor bijeenkomst verstuurd"),
        "meeting.started": _l("Bijeenkomst gestart"),
        "meeting.closed": _l("Bijeenkomst afgesloten"),
    }
)

from learning.meetings import models, views  # noqa: E402,F401

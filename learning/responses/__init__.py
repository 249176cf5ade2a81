"""The board's answers and the follow-up: the policy-owner portal, reminders, escalation, terugkoppeling."""

from flask import Blueprint

from learning.audit import ACTION_LABELS
from learning.i18n import _l

# The policy owner's portal.
bp = Blueprint("responses", __name__, url_prefix="/portal")
# Reviewers' side of a brief's responses: the answers, the actions and the threads per finding.
review_bp = Blueprint("brief_responses", __name__, url_prefix="/briefs")
# Follow-up across briefs: open and overdue responses and actions, escalation, responsiveness.
followup_bp = Blueprint("followup", __name__, url_prefix="/follow-up")
# Terugkoppeling to review members and their notifications.
feedback_bp = Blueprint("feedback", __name__)

ACTION_LABELS.update(
    {
        "response.saved": _l("Reactie als concept opgeslagen"),
        "response.submitted": _l("Reacties ingediend"),
        "action.created": _l("Actie toegevoegd"),
        "action.updated": _l("Actie bijgewerkt"),
        "response.escalated": _l("Gemarkeerd voor escalatie"),
        "reminder.sent_now": _l("Herinnering direct verstuurd"),
        "action.escalated": _l("Actie gemarkeerd voor escalatie"),
        "thread.posted": _l("Bericht geplaatst bij een bevinding"),
        "thread.question_marked": _l("Bericht gemarkeerd als vervolgvraag"),
    }
)

from learning.responses import feedback_views, followup_views, models, review_views, views  # noqa: E402,F401

"""Findings (bevindingen) and the thematic view: from lessons to patterns in the system."""

from flask import Blueprint

from learning.audit import ACTION_LABELS
from learning.i18n import _l

bp = Blueprint("findings", __name__, url_prefix="/findings")
thematic_bp = Blueprint("thematic", __name__, url_prefix="/themes")

ACTION_LABELS.update(
    {
        "finding.created": _l("Bevinding vastgelegd"),
        "finding.updated": _l("Bevinding gewijzigd"),
        "finding.status_changed": _l("Status van bevinding gewijzigd"),
    }
)

from learning.findings import models, thematic_views, views  # noqa: E402,F401

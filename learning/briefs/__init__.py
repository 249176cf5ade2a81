"""Briefs (notities): findings bundled for policy owners, shared for comments, approved, issued as PDFs."""

from flask import Blueprint

from learning.audit import ACTION_LABELS
from learning.i18n import _l

bp = Blueprint("briefs", __name__, url_prefix="/briefs")

ACTION_LABELS.update(
    {
        "brief.created": _l("Notitie aangemaakt"),
        "brief.updated": _l("Notitie gewijzigd"),
        "brief.shared": _l("Concept-notitie gedeeld voor commentaar"),
        "brief.approved": _l("Notitie goedgekeurd (vier ogen)"),
        "brief.issued": _l("Notitieversie uitgegeven"),
        "brief.delivered": _l("Notitie verstuurd aan beleidseigenaar"),
        "brief.pdf_retried": _l("PDF van notitie opnieuw gemaakt"),
        "brief.downloaded": _l("PDF van notitie gedownload"),
        "brief.commented": _l("Commentaar op concept-notitie gegeven"),
        "brief.comment_resolved": _l("Commentaar op concept-notitie afgehandeld"),
    }
)

from learning.briefs import models, views  # noqa: E402,F401

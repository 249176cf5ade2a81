"""Reflections, contributions, dot-votes and the vragenronde."""

from flask import Blueprint

from learning.audit import ACTION_LABELS
from learning.i18n import _l

bp = Blueprint("reflections", __name__, url_prefix="/reviews/<int:review_id>")
public_bp = Blueprint("vragenronde", __name__)

ACTION_LABELS.update(
    {
        "reflection.round_opened": _l("Reflectieronde geopend"),
        "reflection.round_closed": _l("Reflectieronde gesloten"),
        "reflection.submitted": _l("Reflectie ingediend"),
        "vote.opened": _l("Stemming geopend"),
        "vote.closed": _l("Stemming gesloten"),
        "vragenronde.code_created": _l("Deelnamecode gemaakt"),
        "vragenronde.imported": _l("Antwoorden geïmporteerd"),
        "vragenronde.published": _l("Bloemlezing gepubliceerd"),
        "vragenronde.unpublished": _l("Publicatie van bloemlezing ingetrokken"),
        "vragenronde.pdf_requested": _l("PDF van bloemlezing opnieuw gemaakt"),
        "vragenronde.code_deactivated": _l("Deelnamecode uitgezet"),
        "vragenronde.questions_changed": _l("Vragen van vragenronde gewijzigd"),
        "vragenronde.highlight_changed": _l("Uitgelichte antwoorden gewijzigd"),
        "vragenronde.answer_edited": _l("Antwoord licht aangepast"),
        "vragenronde.introduction_changed": _l("Inleiding van bloemlezing gewijzigd"),
    }
)

from learning.reflections import live_views, models, views  # noqa: E402,F401
from learning.reflections.vragenronde import views as vragenronde_views  # noqa: E402,F401

"""Lessons (leerpunten): capture what a review learned, with its evidence."""

from flask import Blueprint

from learning.audit import ACTION_LABELS
from learning.i18n import _l

bp = Blueprint("lessons", __name__, url_prefix="/reviews/<int:review_id>/lessons")

ACTION_LABELS.update(
    {
        "lesson.created": _l("Leerpunt vastgelegd"),
        "lesson.updated": _l("Leerpunt gewijzigd"),
        "lesson.agreed": _l("Leerpunt vastgesteld"),
        "lesson.deleted": _l("Leerpunt verwijderd"),
    }
)

from learning.lessons import models, views  # noqa: E402,F401

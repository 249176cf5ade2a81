"""The shared library (deelbare opbrengsten): anonymised lessons and findings other regions can search."""

from flask import Blueprint

from learning.audit import ACTION_LABELS
from learning.i18n import _l

bp = Blueprint("library", __name__, url_prefix="/library")

ACTION_LABELS.update(
    {
        "library.published": _l("Gepubliceerd in de bibliotheek"),
        "library.withdrawn": _l("Teruggetrokken uit de bibliotheek"),
    }
)

from learning.findings.library import models, views  # noqa: E402,F401

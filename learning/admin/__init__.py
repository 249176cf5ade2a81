"""Administration: accounts, organisations, regions, taxonomy and the audit log."""

from flask import Blueprint

from learning.audit import ACTION_LABELS
from learning.i18n import _l

bp = Blueprint("admin", __name__, url_prefix="/admin")

ACTION_LABELS.update(
    {
        "region.created": _l("Regio aangemaakt"),
        "region.updated": _l("Regio gewijzigd"),
        "organisation.created": _l("Organisatie aangemaakt"),
        "organisation.updated": _l("Organisatie gewijzigd"),
        "taxonomy.created": _l("Term toegevoegd"),
        "taxonomy.updated": _l("Term gewijzigd"),
    }
)

from learning.admin import views  # noqa: E402,F401  (registers the routes)

"""Preparing a review: the review itself, its method and phases, timeline, members and invitations."""

from flask import Blueprint

from learning.audit import ACTION_LABELS
from learning.i18n import _l

bp = Blueprint("reviews", __name__, url_prefix="/reviews")
methods_bp = Blueprint("methods", __name__, url_prefix="/methods")

ACTION_LABELS.update(
    {
        "review.created": _l("Review aangemaakt"),
        "review.updated": _l("Review gewijzigd"),
        "review.viewed": _l("Review bekeken"),
        "review.status_changed": _l("Status van review gewijzigd"),
        "review.support_access": _l("Toegang voor beheerders gewijzigd"),
        "review.phases_changed": _l("Fasen van review gewijzigd"),
        "review.member_invited": _l("Uitgenodigd voor review"),
        "review.invitation_resent": _l("Uitnodiging voor review opnieuw verstuurd"),
        "review.invitation_revoked": _l("Uitnodiging voor review ingetrokken"),
        "review.invitation_accepted": _l("Uitnodiging voor review geaccepteerd"),
        "review.invitation_declined": _l("Uitnodiging voor review afgeslagen"),
        "review.member_removed": _l("Lid uit review gehaald"),
        "episode.created": _l("Sleutelmoment toegevoegd"),
        "episode.updated": _l("Sleutelmoment gewijzigd"),
        "episode.deleted": _l("Sleutelmoment verwijderd"),
        "episode.moved": _l("Sleutelmoment verplaatst"),
        "episode.merged": _l("Sleutelmoment opgenomen in gezamenlijke tijdlijn"),
        "method.copied": _l("Methode gekopieerd"),
        "method.updated": _l("Methode gewijzigd"),
        "method.phases_changed": _l("Fasen van methode gewijzigd"),
        "privacy.pseudonym_confirmed": _l("Bevestigd als gepseudonimiseerd"),
    }
)

from learning.reviews.access import current_access  # noqa: E402
from learning.reviews.markdown import render_markdown  # noqa: E402

bp.add_app_template_filter(render_markdown, "markdown")
bp.add_app_template_global(current_access, "current_review_access")

from learning.reviews import member_views, method_views, phase_views, timeline_views, views  # noqa: E402,F401

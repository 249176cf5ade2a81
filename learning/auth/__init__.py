"""Accounts: sign-in with password and TOTP, invitations, password reset, own account."""

from flask import Blueprint

from learning.audit import ACTION_LABELS
from learning.i18n import _l

bp = Blueprint("auth", __name__)

ACTION_LABELS.update(
    {
        "auth.login": _l("Ingelogd"),
        "auth.login_failed": _l("Inloggen mislukt"),
        "auth.logout": _l("Uitgelogd"),
        "auth.password_changed": _l("Wachtwoord gewijzigd"),
        "auth.password_reset_requested": _l("Nieuw wachtwoord aangevraagd"),
        "auth.password_reset": _l("Wachtwoord hersteld"),
        "account.created": _l("Account aangemaakt"),
        "account.invited": _l("Uitnodiging verstuurd"),
        "account.invitation_accepted": _l("Uitnodiging geaccepteerd"),
        "account.updated": _l("Account gewijzigd"),
        "account.profile_updated": _l("Eigen gegevens gewijzigd"),
        "account.roles_changed": _l("Rollen gewijzigd"),
        "account.deactivated": _l("Account gedeactiveerd"),
        "account.reactivated": _l("Account weer geactiveerd"),
        "mfa.enrolled": _l("Tweestapsverificatie ingesteld"),
        "mfa.enrolment_failed": _l("Instellen tweestapsverificatie mislukt"),
        "mfa.failed": _l("Tweestapsverificatie mislukt"),
        "mfa.recovery_code_used": _l("Herstelcode gebruikt"),
        "mfa.recovery_codes_regenerated": _l("Nieuwe herstelcodes gemaakt"),
        "mfa.disabled": _l("Tweestapsverificatie uitgezet"),
        "mfa.reset_by_admin": _l("Tweestapsverificatie gereset door beheerder"),
    }
)

from learning.auth import views  # noqa: E402,F401  (registers the routes)

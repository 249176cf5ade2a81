"""Sign-in, MFA, password reset, invitations and the person's own account page."""

from __future__ import annotations

import time

import sqlalchemy as sa
from flask import Response, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from learning.auth import bp, mfa, services
from learning.auth.forms import (
    ChangePasswordForm,
    ConfirmWithPasswordForm,
    EmptyForm,
    EnrolForm,
    LoginForm,
    PasswordResetRequestForm,
    ProfileForm,
    SecondFactorForm,
    SetPasswordForm,
)
from learning.auth.models import TokenPurpose, User
from learning.db import db
from learning.extensions import limiter, login_manager
from learning.i18n import SESSION_KEY as LANGUAGE_KEY
from learning.i18n import _
from learning.permissions import (
    MFA_CHALLENGE,
    PENDING_MFA_KEY,
    PUBLIC,
    SIGNED_IN,
    SIGNED_IN_ENROLLING,
    require,
    safe_next_url,
)

PENDING_MFA_SECONDS = 300
DASHBOARD = "core.dashboard"
# Loader options later domains add to the one query below, so what every page shows about the person
# costs no query of its own (the unread-notification count: learning/responses/feedback_views.py).
LOAD_USER_OPTIONS: list = []


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The cookie holds ``id:session_token``; a rotated token means a stale cookie."""
    id_part, _sep, token = user_id.partition(":")
    if not id_part.isdigit() or not token:
        return None
    # One query for the person and their roles: this runs on every request.
    user = db.session.scalar(
        sa.select(User).where(User.id == int(id_part)).options(sa.orm.joinedload(User.role_rows), *LOAD_USER_OPTIONS))
    if user is None or not user.active or not user.session_token_matches(token):
        return None
    return user


# --- rate limits: only failed attempts count, so people who type correctly are never slowed --


def _attempt_failed(_response: Response) -> bool:
    return bool(g.get("sign_in_failed"))


def _account_key() -> str:
    return "account:" + services.normalise_email(request.form.get("email", ""))[:254]


def _pending_key() -> str:
    pending = session.get(PENDING_MFA_KEY) or {}
    return "mfa:" + str(pending.get("user", "")).partition(":")[0]


def _limit(name: str):  # noqa: ANN202
    return lambda: current_app.config[name]


def _fresh_session() -> None:
    """Drop everything from before the sign-in (against session fixation), keep the language."""
    language = session.get(LANGUAGE_KEY)
    session.clear()
    if language:
        session[LANGUAGE_KEY] = language


def _finish_sign_in(user: User, method: str, next_url: str | None) -> Response:
    services.complete_login(user, method=method)
    session.pop(PENDING_MFA_KEY, None)
    session.permanent = True
    login_user(user)
    return redirect(safe_next_url(next_url) or url_for(DASHBOARD))


@bp.route("/login", methods=["GET", "POST"])
@require(PUBLIC)
@limiter.limit(_limit("RATELIMIT_LOGIN_PER_IP"), methods=["POST"], deduct_when=_attempt_failed)
@limiter.limit(
    _limit("RATELIMIT_LOGIN_PER_ACCOUNT"), key_func=_account_key, methods=["POST"], deduct_when=_attempt_failed
)
def login():
    if current_user.is_authenticated:
        return redirect(url_for(DASHBOARD))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            g.sign_in_failed = True
            form.form_errors.append(
                _("Dit e-mailadres en wachtwoord horen niet bij elkaar, of het account is niet actief.")
            )
        else:
            next_url = safe_next_url(form.next.data)
            services.upgrade_password_hash(user, form.password.data)
            _fresh_session()
            if user.mfa_enabled:
                session[PENDING_MFA_KEY] = {"user": user.get_id(), "since": int(time.time()), "next": next_url}
                return redirect(url_for("auth.mfa_challenge"))
            return _finish_sign_in(user, "password", next_url)
    elif form.is_submitted():
        g.sign_in_failed = True
    return render_template("auth/login.html", form=form)


def _pending_user() -> User | None:
    pending = session.get(PENDING_MFA_KEY) or {}
    if time.time() - pending.get("since", 0) > PENDING_MFA_SECONDS:
        return None
    return load_user(str(pending.get("user", "")))


@bp.route("/login/code", methods=["GET", "POST"])
@require(MFA_CHALLENGE)
@limiter.limit(
    _limit("RATELIMIT_LOGIN_PER_ACCOUNT"), key_func=_pending_key, methods=["POST"], deduct_when=_attempt_failed
)
def mfa_challenge():
    user = _pending_user()
    if user is None:
        session.pop(PENDING_MFA_KEY, None)
        flash(_("Het inloggen duurde te lang. Log opnieuw in."), "warning")
        return redirect(url_for("auth.login"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        method = services.verify_second_factor(user, form.code.data)
        if method is not None:
            next_url = session[PENDING_MFA_KEY].get("next")
            response = _finish_sign_in(user, method, next_url)
            if method == "recovery_code":
                flash(
                    _("Je hebt een herstelcode gebruikt. Er zijn er nog %(count)d over.",
                      count=services.remaining_recovery_codes(user)),
                    "warning",
                )
            return response
        g.sign_in_failed = True
        form.code.errors.append(_("Deze code klopt niet of is al gebruikt. Wacht op de volgende code uit je app."))
    return render_template("auth/mfa_challenge.html", form=form)


@bp.route("/logout", methods=["POST"])
@require(SIGNED_IN_ENROLLING)
def logout():
    services.logout(current_user._get_current_object())
    logout_user()
    _fresh_session()
    flash(_("Je bent uitgelogd."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@require(PUBLIC)
@limiter.limit("10 per hour", methods=["POST"])
def forgot_password():
    form = PasswordResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        flash(
            _("Als er een actief account bij dit e-mailadres hoort, staat er nu een e-mail met een link "
              "voor een nieuw wachtwoord klaar. Kijk ook in je map met ongewenste e-mail."),
            "info",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@require(PUBLIC)
@limiter.limit("20 per hour", methods=["POST"])
def reset_password(token: str):
    return _set_password_with_token(
        token, TokenPurpose.PASSWORD_RESET, services.reset_password, "auth/reset_password.html"
    )


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@require(PUBLIC)
@limiter.limit("20 per hour", methods=["POST"])
def accept_invitation(token: str):
    return _set_password_with_token(
        token, TokenPurpose.INVITATION, services.accept_invitation, "auth/accept_invitation.html"
    )


def _set_password_with_token(token: str, purpose, use_token, template: str):  # noqa: ANN001, ANN202
    try:
        account_token = services.check_token(token, purpose)
    except services.TokenError as error:
        return render_template("auth/token_invalid.html", message=str(error)), 410
    form = SetPasswordForm()
    form.email_for_policy = account_token.user.email
    if form.validate_on_submit():
        try:
            user = use_token(token, form.password.data)
        except services.AccountError as error:
            form.password.errors.append(str(error))
        else:
            if purpose is TokenPurpose.INVITATION and not user.mfa_enabled:
                _fresh_session()
                flash(_("Welkom bij Leren met Impact, %(name)s.", name=user.display_name), "success")
                return _finish_sign_in(user, "invitation", None)
            flash(_("Je wachtwoord is gewijzigd. Log in met je nieuwe wachtwoord."), "success")
            return redirect(url_for("auth.login"))
    return render_template(template, form=form, invited=account_token.user)


# --- the person's own account ----------------------------------------------------------------


@bp.route("/account", methods=["GET", "POST"])
@require(SIGNED_IN)
def account():
    user = current_user._get_current_object()
    form = ProfileForm(obj=user, language=user.preferred_language)
    if form.validate_on_submit():
        services.update_own_profile(user, display_name=form.display_name.data, language=form.language.data)
        flash(_("Je gegevens zijn opgeslagen."), "success")
        return redirect(url_for("auth.account"))
    return render_template(
        "auth/account.html", form=form, remaining_codes=services.remaining_recovery_codes(user),
        action_form=EmptyForm(), password_form=ConfirmWithPasswordForm(),
    )


@bp.route("/account/password", methods=["GET", "POST"])
@require(SIGNED_IN)
def change_password():
    user = current_user._get_current_object()
    form = ChangePasswordForm()
    form.email_for_policy = user.email
    if form.validate_on_submit():
        try:
            services.change_password(
                user, current_password=form.current_password.data, new_password=form.password.data
            )
        except services.AccountError as error:
            form.current_password.errors.append(str(error))
        else:
            # The session token rotated: sign this browser in again with the new token, others stay out.
            login_user(user)
            flash(_("Je wachtwoord is gewijzigd. Op andere apparaten ben je uitgelogd."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/account/mfa/enrol", methods=["GET", "POST"])
@require(SIGNED_IN_ENROLLING)
def mfa_enrol():
    user = current_user._get_current_object()
    if user.mfa_enabled:
        return redirect(url_for("auth.account"))
    enrolment = services.begin_mfa_enrolment(user)
    form = EnrolForm()
    if form.validate_on_submit():
        try:
            codes = services.confirm_mfa_enrolment(user, form.code.data)
        except services.AccountError as error:
            form.code.errors.append(str(error))
        else:
            flash(_("Tweestapsverificatie staat aan."), "success")
            return render_template("auth/recovery_codes.html", codes=codes, first_time=True)
    return render_template("auth/mfa_enrol.html", form=form, secret=enrolment.secret)


@bp.route("/account/mfa/qr.svg")
@require(SIGNED_IN_ENROLLING)
def mfa_qr():
    user = current_user._get_current_object()
    if user.mfa_enabled or not user.totp_secret:
        return Response(status=404)
    enrolment = services.begin_mfa_enrolment(user)
    svg = mfa.qr_svg(enrolment.uri, title=_("QR-code voor je authenticator-app"))
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})


@bp.route("/account/mfa/recovery-codes", methods=["POST"])
@require(SIGNED_IN)
def regenerate_recovery_codes():
    user = current_user._get_current_object()
    form = ConfirmWithPasswordForm()
    if form.validate_on_submit():
        if not services.password_is_correct(user, form.password.data):
            flash(_("Je wachtwoord klopt niet; er zijn geen nieuwe herstelcodes gemaakt."), "error")
            return redirect(url_for("auth.account"))
        codes = services.regenerate_recovery_codes(user)
        return render_template("auth/recovery_codes.html", codes=codes, first_time=False)
    flash(_("Vul je wachtwoord in om nieuwe herstelcodes te maken."), "error")
    return redirect(url_for("auth.account"))


@bp.route("/account/mfa/disable", methods=["POST"])
@require(SIGNED_IN)
def disable_mfa():
    user = current_user._get_current_object()
    form = ConfirmWithPasswordForm()
    if form.validate_on_submit():
        try:
            services.disable_mfa(user, password=form.password.data)
        except services.AccountError as error:
            flash(str(error), "error")
        else:
            flash(_("Tweestapsverificatie staat uit."), "success")
    else:
        flash(_("Vul je wachtwoord in om tweestapsverificatie uit te zetten."), "error")
    return redirect(url_for("auth.account"))

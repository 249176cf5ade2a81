from __future__ import annotations

from flask import jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from learning.admin.services import admin_counts
from learning.auth.services import remaining_recovery_codes, set_language
from learning.core import bp
from learning.core.health import health_report
from learning.i18n import remember_language
from learning.permissions import PUBLIC, SIGNED_IN, require, safe_next_url


@bp.route("/")
@require(PUBLIC)
def index():
    if current_user.is_authenticated:
        return redirect(url_for("core.dashboard"))
    return redirect(url_for("auth.login"))


@bp.route("/dashboard")
@require(SIGNED_IN)
def dashboard():
    counts = admin_counts() if current_user.has_role("admin") else None
    return render_template(
        "core/dashboard.html", counts=counts, remaining_codes=remaining_recovery_codes(current_user),
    )


@bp.route("/language", methods=["POST"])
@require(PUBLIC)
def switch_language():
    language = request.form.get("language", "")
    if remember_language(language) and current_user.is_authenticated:
        set_language(current_user, language)
    return redirect(safe_next_url(request.form.get("next")) or url_for("core.index"))


@bp.route("/healthz")
@require(PUBLIC)
def healthz():
    report, healthy = health_report()
    response = jsonify(report)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response

from __future__ import annotations

from flask import Response, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from wtforms import SelectChoice

from learning.admin.services import admin_counts, region_choices
from learning.auth.services import remaining_recovery_codes, set_language
from learning.core import bp
from learning.core.forms import DashboardFilterForm
from learning.core.health import health_report
from learning.forms import requested_page
from learning.i18n import _, remember_language
from learning.permissions import PUBLIC, SIGNED_IN, require, safe_next_url
from learning.reflections.services import rounds_waiting_for
from learning.reviews.dashboard import DashboardFilters, my_reviews, reviews_awaiting_own_timeline
from learning.reviews.membership import pending_for


@bp.route("/")
@require(PUBLIC)
def index():
    if current_user.is_authenticated:
        return redirect(url_for("core.dashboard"))
    return redirect(url_for("auth.login"))


@bp.route("/dashboard")
@require(SIGNED_IN)
def dashboard():
    """'Mijn reviews' and what is waiting for this person; reviewers also filter and page."""
    filters = DashboardFilterForm(request.args)
    filters.region_id.choices = [SelectChoice(0, _("Alle regio's")), *region_choices()]
    valid = filters.validate()
    chosen = DashboardFilters(
        kind=filters.kind.data or None, status=filters.status.data or None, region_id=filters.region_id.data or None,
    ) if valid and current_user.has_role("reviewer") else DashboardFilters()
    page, rows = my_reviews(current_user, chosen, requested_page())
    return render_template(
        "core/dashboard.html",
        counts=admin_counts() if current_user.has_role("admin") else None,
        remaining_codes=remaining_recovery_codes(current_user),
        page=page, rows=rows, filters=filters,
        invitations=pending_for(current_user), timelines_to_write=reviews_awaiting_own_timeline(current_user),
        rounds_to_answer=rounds_waiting_for(current_user),
    )


@bp.route("/language", methods=["POST"])
@require(PUBLIC)
def switch_language():
    language = request.form.get("language", "")
    if remember_language(language) and current_user.is_authenticated:
        set_language(current_user, language)
    return redirect(safe_next_url(request.form.get("next")) or url_for("core.index"))


@bp.route("/csrf-token")
@require(PUBLIC)
def csrf_token():
    """A fresh CSRF token for a page that has been open longer than the token lives (autosave)."""
    return Response(generate_csrf(), mimetype="text/plain", headers={"Cache-Control": "no-store"})


@bp.route("/healthz")
@require(PUBLIC)
def healthz():
    report, healthy = health_report()
    response = jsonify(report)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response

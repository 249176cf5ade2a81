"""Terugkoppeling pages: "Wat is er met onze inbreng gedaan?" per review, and the person's notifications.

* ``/reviews/<id>/terugkoppeling``: for the members of that review, in any role. Anyone else gets a
  404, administrators with support access included: the page is the group's, not a support view.
* ``/notifications``: the signed-in person's own notifications, newest first, each written in the
  reader's language from its stored values; mark one or all as read. A notification can only be
  loaded through its owner (another person's id is a 404).

The unread count in the header costs no query of its own: it is loaded with the signed-in person,
in the one query that runs on every request (``learning.auth.views.LOAD_USER_OPTIONS``).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from learning.auth.models import User
from learning.auth.views import LOAD_USER_OPTIONS
from learning.briefs.access import shared_drafts_resting_on
from learning.db import db, utcnow
from learning.forms import requested_page
from learning.i18n import _
from learning.lessons.ids import known_id
from learning.permissions import SIGNED_IN, ObjectRule, loaded, require
from learning.responses import feedback_bp
from learning.responses.feedback import review_feedback
from learning.responses.models import Notification
from learning.responses.notifications import describe
from learning.responses.reminders import today_utc
from learning.reviews.access import ReviewAccess, review_access

PER_PAGE = 25

# --- the unread count, loaded with the person ---------------------------------------------------

# ``User.unread_notification_count`` is filled only by the query that loads the signed-in person.
LOAD_USER_OPTIONS.append(sa.orm.with_expression(
    User.unread_notification_count,
    sa.select(sa.func.count(Notification.id))
    .where(Notification.user_id == User.id, Notification.read_at.is_(None))
    .correlate(User).scalar_subquery(),
))


# --- access --------------------------------------------------------------------------------------


def _member_access(user: Any, view_args: dict[str, Any]) -> ReviewAccess | None:
    """The review for one of its members (any role); None (404) for everyone else."""
    access = review_access(user, view_args["review_id"])
    return access if access is not None and access.membership is not None else None


REVIEW_MEMBER = ObjectRule("review", _member_access)


def _own_notification(user: Any, view_args: dict[str, Any]) -> Notification | None:
    notification_id = view_args["notification_id"]
    if not known_id(notification_id):
        return None
    return db.session.scalar(sa.select(Notification).where(Notification.id == notification_id,
                                                           Notification.user_id == user.id))


OWN_NOTIFICATION = ObjectRule("notification", _own_notification)


# --- pages ---------------------------------------------------------------------------------------


@feedback_bp.route("/reviews/<int:review_id>/terugkoppeling")
@require(REVIEW_MEMBER)
def show(review_id: int):
    access: ReviewAccess = loaded("review")
    findings = review_feedback(access.review.id, today=today_utc())
    return render_template("feedback/show.html", access=access, review=access.review, findings=findings,
                           shared_drafts=shared_drafts_resting_on(access.review.id))


@feedback_bp.route("/notifications")
@require(SIGNED_IN)
def notifications():
    query = (sa.select(Notification).where(Notification.user_id == current_user.id)
             .order_by(Notification.created_at.desc(), Notification.id.desc()))
    page = db.paginate(query, page=requested_page(), per_page=PER_PAGE, error_out=False)
    items = [(notification, describe(notification.kind, notification.params or {})) for notification in page.items]
    return render_template("feedback/notifications.html", page=page, items=items,
                           unread=current_user.unread_notification_count or 0)


@feedback_bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@require(OWN_NOTIFICATION)
def mark_read(notification_id: int):
    notification: Notification = loaded("notification")
    if notification.read_at is None:
        notification.read_at = utcnow()
    target = request.form.get("next")
    if target == "review" and notification.review_id is not None:
        return redirect(url_for("feedback.show", review_id=notification.review_id))
    return redirect(url_for("feedback.notifications", page=request.form.get("page", type=int) or None))


@feedback_bp.route("/notifications/read", methods=["POST"])
@require(SIGNED_IN)
def mark_all_read():
    changed = db.session.execute(
        sa.update(Notification).where(Notification.user_id == current_user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())).rowcount
    flash(_("Alle meldingen zijn gelezen.") if changed else _("Er waren geen ongelezen meldingen."), "success")
    return redirect(url_for("feedback.notifications"))

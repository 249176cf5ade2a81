"""Creating, reading and editing a review; its status, support access, calendar and access log."""

from __future__ import annotations

from datetime import date

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from learning.admin.models import Vocabulary
from learning.admin.services import organisation_choices, region_choices, term_choices
from learning.db import db
from learning.i18n import _, get_locale
from learning.mail import external_url
from learning.permissions import require, role
from learning.reviews import bp, membership, methods, services
from learning.reviews.access import REVIEW_EDIT, REVIEW_LEAD, REVIEW_READ, current_access
from learning.reviews.calendar import review_calendar
from learning.reviews.forms import EditReviewForm, ReviewForm, StatusForm, SupportAccessForm
from learning.reviews.privacy import PersonalDataFound
from learning.reviews.services import EditConflict, ReviewError, ReviewInput

REVIEWER = role("reviewer")


def _today() -> date:
    return date.today()


def _language() -> str:
    locale = get_locale()
    return locale.language if locale else "nl"


def _fill_choices(form: ReviewForm, review=None) -> None:  # noqa: ANN001
    form.region_id.choices = region_choices()
    form.organisation_ids.choices = organisation_choices(*(o.id for o in review.organisations) if review else ())
    form.agency_kind_ids.choices = term_choices(Vocabulary.AGENCY_KIND, review.agency_kinds if review else ())
    if form.method_id is not None:
        form.method_id.choices = [
            SelectChoice(method.id, f"{method.name} ({', '.join(method.kind_labels)})")
            for method in db.session.scalars(methods.visible_methods(current_user, language=_language()))
        ]


def _input_from(form: ReviewForm) -> ReviewInput:
    return ReviewInput(
        kind=form.kind.data, title=form.title.data or "", learning_question=form.learning_question.data or "",
        region_id=form.region_id.data, organisation_ids=form.organisation_ids.data or [],
        agency_kind_ids=form.agency_kind_ids.data or [], planned_start=form.planned_start.data,
        planned_end=form.planned_end.data, case_summary=form.case_summary.data or "",
        family_perspective=form.family_perspective.data or "",
    )


def _show_error(form: ReviewForm, error: ReviewError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error)]
    else:
        form.form_errors.append(str(error))


@bp.route("/new", methods=["GET", "POST"])
@require(REVIEWER)
def new():
    form = ReviewForm()
    if not request.form:
        form.kind.data = request.args.get("kind", "casusreview")
    _fill_choices(form)
    found = None
    if form.validate_on_submit():
        method = methods.load_method(current_user, form.method_id.data)
        try:
            review = services.create_review(
                _input_from(form), method=method, actor=current_user, today=_today(),
                confirming=request.form.getlist("confirm_pseudonym"),
            )
        except PersonalDataFound as warning:
            found = warning
        except ReviewError as error:
            _show_error(form, error)
        else:
            flash(_("De review is aangemaakt. Nodig nu de deelnemers uit."), "success")
            return redirect(url_for("reviews.show", review_id=review.id))
    return render_template("reviews/form.html", form=form, review=None, found=found)


@bp.route("/<int:review_id>")
@require(REVIEW_READ)
def show(review_id: int):
    access = current_access()
    services.record_view(access.review, actor=current_user, sections=["case_summary", "family_perspective"])
    return render_template(
        "reviews/show.html", access=access, review=access.review,
        next_statuses=services.next_statuses(access.review), status_form=StatusForm(),
        support_form=SupportAccessForm(), member_count=membership.member_count(access.review),
    )


@bp.route("/<int:review_id>/edit", methods=["GET", "POST"])
@require(REVIEW_EDIT)
def edit(review_id: int):
    access = current_access()
    review = access.review
    form = EditReviewForm(obj=review)
    if not request.form:
        form.organisation_ids.data = [organisation.id for organisation in review.organisations]
        form.agency_kind_ids.data = [term.id for term in review.agency_kinds]
        form.version.data = str(review.version)
        services.record_view(review, actor=current_user, sections=["case_summary", "family_perspective"])
    _fill_choices(form, review)
    found = conflict = None
    if form.validate_on_submit():
        try:
            services.update_review(
                review, _input_from(form), expected_version=int(form.version.data or 0), actor=current_user,
                today=_today(), confirming=request.form.getlist("confirm_pseudonym"),
            )
        except EditConflict as clash:
            conflict = clash
            form.version.data = str(review.version)  # saving again now knowingly replaces the newer version
        except PersonalDataFound as warning:
            found = warning
        except ReviewError as error:
            _show_error(form, error)
        else:
            flash(_("De review is opgeslagen."), "success")
            return redirect(url_for("reviews.show", review_id=review.id))
    return render_template("reviews/form.html", form=form, review=review, found=found, conflict=conflict)


@bp.route("/<int:review_id>/status", methods=["POST"])
@require(REVIEW_LEAD)
def change_status(review_id: int):
    access = current_access()
    form = StatusForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.change_status(access.review, form.status.data, actor=current_user)
    except ReviewError as error:
        flash(str(error), "error")
    else:
        flash(_("De status is nu: %(status)s.", status=access.review.status_label), "success")
    return redirect(url_for("reviews.show", review_id=review_id))


@bp.route("/<int:review_id>/support-access", methods=["POST"])
@require(REVIEW_LEAD)
def support_access(review_id: int):
    form = SupportAccessForm()
    if not form.validate_on_submit():
        abort(400)
    granted = form.granted.data == "yes"
    services.set_support_access(current_access().review, granted, actor=current_user)
    flash(_("Beheerders kunnen deze review nu inzien voor ondersteuning.") if granted
          else _("Beheerders kunnen deze review niet meer inzien."), "success")
    return redirect(url_for("reviews.show", review_id=review_id))


@bp.route("/<int:review_id>/calendar.ics")
@require(REVIEW_READ)
def calendar(review_id: int):
    review = current_access().review
    ics = review_calendar(review, external_url("reviews.show", review_id=review.id))
    if ics is None:
        abort(404)
    return Response(ics, mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="review-{review.id}.ics"'})


@bp.route("/<int:review_id>/viewers")
@require(REVIEW_LEAD)
def viewers(review_id: int):
    access = current_access()
    return render_template("reviews/viewers.html", access=access, review=access.review,
                           viewers=services.viewers(access.review))

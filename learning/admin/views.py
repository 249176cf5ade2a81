"""Administrators: people, organisations, regions, the taxonomy and the audit log."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from learning.admin import bp, services
from learning.admin.forms import (
    NO_ORGANISATION,
    AuditFilterForm,
    EditUserForm,
    InviteUserForm,
    NewTaxonomyTermForm,
    OrganisationForm,
    RegionForm,
    TaxonomyTermForm,
    UserFilterForm,
)
from learning.admin.models import Organisation, Region, TaxonomyTerm, Vocabulary
from learning.audit import ACTION_LABELS
from learning.auth import services as accounts
from learning.auth.forms import EmptyForm
from learning.auth.models import User
from learning.db import db
from learning.forms import requested_page
from learning.i18n import _
from learning.permissions import require, role

ADMIN = role("admin")
PER_PAGE = 25


@bp.route("/")
@require(ADMIN)
def index():
    return render_template("admin/index.html", counts=services.admin_counts())


# --- people -------------------------------------------------------------------------------


@bp.route("/users")
@require(ADMIN)
def users():
    filters = UserFilterForm(request.args)
    filters.validate()
    query = services.users_query(
        q=filters.q.data if not filters.q.errors else None,
        role=filters.role.data or None,
        status=filters.status.data or None,
    )
    page = db.paginate(query, page=requested_page(), per_page=PER_PAGE, error_out=False)
    return render_template("admin/users.html", page=page, filters=filters)


def _organisation_choices(current_id: int | None = None) -> list[SelectChoice]:
    return [SelectChoice(NO_ORGANISATION, _("Geen organisatie"))] + services.organisation_choices(current_id)


@bp.route("/users/invite", methods=["GET", "POST"])
@require(ADMIN)
def invite_user():
    form = InviteUserForm()
    form.organisation_id.choices = _organisation_choices()
    if form.validate_on_submit():
        try:
            user = accounts.invite_user(
                email=form.email.data, display_name=form.display_name.data, actor=current_user,
                language=form.language.data, roles=form.roles.data,
                organisation_id=form.organisation_id.data or None,
            )
        except accounts.AccountError as error:
            form.email.errors.append(str(error))
        else:
            flash(_("Uitnodiging verstuurd naar %(email)s.", email=user.email), "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    return render_template("admin/invite_user.html", form=form)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@require(ADMIN)
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = EditUserForm(
        obj=user, language=user.preferred_language, organisation_id=user.organisation_id or NO_ORGANISATION,
        roles=sorted(user.roles),
    )
    form.organisation_id.choices = _organisation_choices(user.organisation_id)
    if form.validate_on_submit():
        try:
            accounts.update_account(
                user, actor=current_user, display_name=form.display_name.data, language=form.language.data,
                roles=form.roles.data, organisation_id=form.organisation_id.data or None,
            )
        except accounts.AccountError as error:
            form.roles.errors.append(str(error))
        else:
            flash(_("De gegevens van %(name)s zijn opgeslagen.", name=user.display_name), "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    return render_template("admin/edit_user.html", user=user, form=form, action_form=EmptyForm())


_ACCOUNT_ACTIONS = {
    "deactivate": accounts.deactivate_user,
    "reactivate": accounts.reactivate_user,
    "resend-invitation": accounts.resend_invitation,
    "reset-mfa": accounts.reset_mfa,
}


@bp.route("/users/<int:user_id>/<any(deactivate, reactivate, 'resend-invitation', 'reset-mfa'):action>",
          methods=["POST"])
@require(ADMIN)
def account_action(user_id: int, action: str):
    user = db.get_or_404(User, user_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        _ACCOUNT_ACTIONS[action](user, actor=current_user)
    except accounts.AccountError as error:
        flash(str(error), "error")
    else:
        flash(_account_action_message(action), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


def _account_action_message(action: str) -> str:
    # Spelled out so the message extractor sees each string.
    messages = {
        "deactivate": _("Het account is gedeactiveerd; de persoon is overal uitgelogd."),
        "reactivate": _("Het account is weer actief."),
        "resend-invitation": _("De uitnodiging is opnieuw verstuurd."),
        "reset-mfa": _("Tweestapsverificatie is gereset; de persoon stelt die opnieuw in bij de volgende keer inloggen."),
    }
    return messages[action]


# --- organisations and regions ------------------------------------------------------------


def _organisation_form(organisation: Organisation | None = None) -> OrganisationForm:
    form = OrganisationForm(obj=organisation)
    form.agency_kind_id.choices = services.term_choices(
        Vocabulary.AGENCY_KIND, [organisation.agency_kind] if organisation else ())
    form.region_id.choices = services.region_choices()
    return form


@bp.route("/organisations")
@require(ADMIN)
def organisations():
    return render_template("admin/organisations.html", organisations=services.list_organisations())


@bp.route("/organisations/new", methods=["GET", "POST"])
@require(ADMIN)
def new_organisation():
    form = _organisation_form()
    if not form.region_id.choices:
        flash(_("Maak eerst een regio aan; elke organisatie hoort bij een regio."), "warning")
        return redirect(url_for("admin.regions"))
    if form.validate_on_submit():
        try:
            services.create_organisation(
                name=form.name.data, agency_kind_id=form.agency_kind_id.data, region_id=form.region_id.data,
                actor=current_user,
            )
        except services.ReferenceDataError as error:
            form.name.errors.append(str(error))
        else:
            flash(_("Organisatie %(name)s is aangemaakt.", name=form.name.data), "success")
            return redirect(url_for("admin.organisations"))
    return render_template("admin/organisation_form.html", form=form, organisation=None)


@bp.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
@require(ADMIN)
def edit_organisation(organisation_id: int):
    organisation = db.get_or_404(Organisation, organisation_id)
    form = _organisation_form(organisation)
    if form.validate_on_submit():
        try:
            services.update_organisation(
                organisation, name=form.name.data, agency_kind_id=form.agency_kind_id.data,
                region_id=form.region_id.data, active=form.active.data, actor=current_user,
            )
        except services.ReferenceDataError as error:
            form.name.errors.append(str(error))
        else:
            flash(_("Organisatie %(name)s is opgeslagen.", name=organisation.name), "success")
            return redirect(url_for("admin.organisations"))
    return render_template("admin/organisation_form.html", form=form, organisation=organisation)


@bp.route("/regions", methods=["GET", "POST"])
@require(ADMIN)
def regions():
    form = RegionForm()
    if form.validate_on_submit():
        try:
            region = services.create_region(name=form.name.data, actor=current_user)
        except services.ReferenceDataError as error:
            form.name.errors.append(str(error))
        else:
            flash(_("Regio %(name)s is aangemaakt.", name=region.name), "success")
            return redirect(url_for("admin.regions"))
    return render_template("admin/regions.html", form=form, regions=services.list_regions())


@bp.route("/regions/<int:region_id>", methods=["GET", "POST"])
@require(ADMIN)
def edit_region(region_id: int):
    region = db.get_or_404(Region, region_id)
    form = RegionForm(obj=region)
    if form.validate_on_submit():
        try:
            services.rename_region(region, name=form.name.data, actor=current_user)
        except services.ReferenceDataError as error:
            form.name.errors.append(str(error))
        else:
            flash(_("Regio %(name)s is opgeslagen.", name=region.name), "success")
            return redirect(url_for("admin.regions"))
    return render_template("admin/region_form.html", form=form, region=region)


# --- taxonomy -----------------------------------------------------------------------------


@bp.route("/taxonomy")
@require(ADMIN)
def taxonomy():
    return render_template("admin/taxonomy.html", groups=services.all_terms())


@bp.route("/taxonomy/<any(level, principle, finding_type, agency_kind):vocabulary>/new", methods=["GET", "POST"])
@require(ADMIN)
def new_term(vocabulary: str):
    vocabulary_enum = Vocabulary(vocabulary)
    form = NewTaxonomyTermForm()
    if form.validate_on_submit():
        try:
            services.create_term(
                vocabulary=vocabulary_enum, code=form.code.data, label_nl=form.label_nl.data,
                label_en=form.label_en.data, position=form.position.data, active=form.active.data,
                actor=current_user,
            )
        except services.ReferenceDataError as error:
            form.code.errors.append(str(error))
        else:
            flash(_("%(label)s is toegevoegd.", label=form.label_nl.data), "success")
            return redirect(url_for("admin.taxonomy", _anchor=vocabulary))
    return render_template("admin/term_form.html", form=form, vocabulary=vocabulary_enum, term=None)


@bp.route("/taxonomy/<int:term_id>", methods=["GET", "POST"])
@require(ADMIN)
def edit_term(term_id: int):
    term = db.get_or_404(TaxonomyTerm, term_id)
    form = TaxonomyTermForm(obj=term)
    if form.validate_on_submit():
        services.update_term(
            term, label_nl=form.label_nl.data, label_en=form.label_en.data, position=form.position.data,
            active=form.active.data, actor=current_user,
        )
        flash(_("%(label)s is opgeslagen.", label=term.label), "success")
        return redirect(url_for("admin.taxonomy", _anchor=term.vocabulary))
    return render_template("admin/term_form.html", form=form, vocabulary=Vocabulary(term.vocabulary), term=term)


# --- audit log ----------------------------------------------------------------------------


@bp.route("/audit")
@require(ADMIN)
def audit_log():
    form = AuditFilterForm(request.args)
    form.action.choices = [SelectChoice("", _("Alle handelingen"))] + [
        SelectChoice(action, str(ACTION_LABELS.get(action, action))) for action in services.known_actions()
    ]
    valid = form.validate() if request.args else True
    filters = services.AuditFilter()
    if valid:
        filters = services.AuditFilter(
            actor=form.actor.data or None, actor_id=form.actor_id.data, action=form.action.data or None,
            date_from=form.date_from.data, date_to=form.date_to.data,
        )
    page = db.paginate(services.audit_query(filters), page=requested_page(), per_page=50, error_out=False)
    filtered_user = db.session.get(User, filters.actor_id) if filters.actor_id else None
    return render_template("admin/audit.html", page=page, form=form, filtered_user=filtered_user)

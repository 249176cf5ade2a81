"""Members of a review, invitations, and answering an invitation link."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user

from learning.auth.services import AccountError, complete_login
from learning.extensions import limiter
from learning.i18n import SESSION_KEY as LANGUAGE_KEY
from learning.i18n import _
from learning.permissions import PUBLIC, require
from learning.reviews import bp, membership
from learning.reviews.access import REVIEW_EDIT, REVIEW_LEAD, REVIEW_READ, current_access, invitation_in, member_in
from learning.reviews.forms import InvitationAnswerForm, InvitationResponseForm, InviteMemberForm, role_choices
from learning.reviews.membership import MembershipError


def _invite_form(formdata=None) -> InviteMemberForm:  # noqa: ANN001
    form = InviteMemberForm(formdata=formdata)
    form.role.choices = role_choices(include_reviewers=current_access().is_lead)
    if formdata is None:
        form.role.data = "participant"
    return form


def _members_page(form: InviteMemberForm, status: int = 200):  # noqa: ANN202
    access = current_access()
    return render_template(
        "reviews/members.html", access=access, review=access.review, form=form,
        members=membership.members(access.review),
        invitations=membership.open_invitations(access.review) if access.can_edit else [],
    ), status


@bp.route("/<int:review_id>/members")
@require(REVIEW_READ)
def members(review_id: int):
    return _members_page(_invite_form())


@bp.route("/<int:review_id>/invitations", methods=["POST"])
@require(REVIEW_EDIT)
def invite(review_id: int):
    form = _invite_form(request.form)
    if form.validate_on_submit():
        try:
            invitation = membership.invite(current_access(), email=form.email.data, role=form.role.data,
                                           is_case_holder=form.is_case_holder.data)
        except MembershipError as error:
            form.email.errors = [*form.email.errors, str(error)]
        else:
            flash(_("Uitnodiging verstuurd naar %(email)s.", email=invitation.email), "success")
            return redirect(url_for("reviews.members", review_id=review_id))
    return _members_page(form)


def _invitation(invitation_id: int):  # noqa: ANN202
    invitation = invitation_in(current_access(), invitation_id)
    if invitation is None:
        abort(404)
    return invitation


@bp.route("/<int:review_id>/invitations/<int:invitation_id>/resend", methods=["POST"])
@require(REVIEW_EDIT)
def resend_invitation(review_id: int, invitation_id: int):
    try:
        membership.resend(current_access(), _invitation(invitation_id))
    except MembershipError as error:
        flash(str(error), "error")
    else:
        flash(_("De uitnodiging is opnieuw verstuurd; de vorige link werkt niet meer."), "success")
    return redirect(url_for("reviews.members", review_id=review_id))


@bp.route("/<int:review_id>/invitations/<int:invitation_id>/revoke", methods=["POST"])
@require(REVIEW_EDIT)
def revoke_invitation(review_id: int, invitation_id: int):
    try:
        membership.revoke(current_access(), _invitation(invitation_id))
    except MembershipError as error:
        flash(str(error), "error")
    else:
        flash(_("De uitnodiging is ingetrokken."), "success")
    return redirect(url_for("reviews.members", review_id=review_id))


@bp.route("/<int:review_id>/members/<int:member_id>/remove", methods=["POST"])
@require(REVIEW_LEAD)
def remove_member(review_id: int, member_id: int):
    member = member_in(current_access(), member_id)
    if member is None:
        abort(404)
    try:
        membership.remove_member(current_access(), member)
    except MembershipError as error:
        flash(str(error), "error")
    else:
        flash(_("%(name)s is geen lid meer van deze review.", name=member.user.display_name), "success")
    return redirect(url_for("reviews.members", review_id=review_id))


# --- answering an invitation: the token is the key, so the route itself is public -------------


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@require(PUBLIC)
@limiter.limit("30 per hour", methods=["POST"])
def respond_to_invitation(token: str):
    try:
        invitation = membership.find_invitation(token)
    except MembershipError as error:
        return render_template("reviews/invitation_invalid.html", message=str(error)), 410
    invitee = invitation.user
    answer = request.form.get("answer")
    if invitee.invitation_pending:
        # A new account: the link proves the address, so it can be answered without signing in.
        form = InvitationResponseForm()
        form.email_for_policy = invitee.email
        if request.method == "POST" and answer == "decline":  # CSRFProtect has checked the token
            membership.decline(invitation, invitee)
            return render_template("reviews/invitation_declined.html", invitation=invitation)
        if answer == "accept" and form.validate_on_submit():
            try:
                membership.accept(invitation, invitee, password=form.password.data)
            except (MembershipError, AccountError) as error:
                form.password.errors = [*form.password.errors, str(error)]
            else:
                language = session.get(LANGUAGE_KEY)
                session.clear()
                if language:
                    session[LANGUAGE_KEY] = language
                session.permanent = True
                complete_login(invitee, method="review_invitation")
                login_user(invitee)
                flash(_("Welkom in de review %(title)s.", title=invitation.review.title), "success")
                return redirect(url_for("reviews.show", review_id=invitation.review_id))
        return render_template("reviews/invitation.html", invitation=invitation, form=form, new_account=True)

    if not current_user.is_authenticated:
        flash(_("Log in om de uitnodiging te beantwoorden."), "info")
        return redirect(url_for("auth.login", next=url_for("reviews.respond_to_invitation", token=token)))
    if current_user.id != invitee.id:
        return render_template("reviews/invitation_invalid.html", message=_(
            "Deze uitnodiging is voor een ander account. Log uit en log in met het uitgenodigde e-mailadres.")), 403
    form = InvitationAnswerForm()
    if form.validate_on_submit():
        if answer == "decline":
            membership.decline(invitation, current_user)
            return render_template("reviews/invitation_declined.html", invitation=invitation)
        membership.accept(invitation, current_user)
        flash(_("Welkom in de review %(title)s.", title=invitation.review.title), "success")
        return redirect(url_for("reviews.show", review_id=invitation.review_id))
    return render_template("reviews/invitation.html", invitation=invitation, form=form, new_account=False)

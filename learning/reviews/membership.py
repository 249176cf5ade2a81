"""Members of a review and the invitations that bring them in."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app

from learning import audit
from learning.auth import services as accounts
from learning.auth.models import User
from learning.db import db, utcnow
from learning.i18n import LOCALES, _, _l, force_locale
from learning.mail import external_url, send_mail
from learning.reviews.access import ReviewAccess
from learning.reviews.calendar import review_calendar
from learning.reviews.models import (
    EDITOR_ROLES,
    InvitationStatus,
    MemberRole,
    Review,
    ReviewInvitation,
    ReviewMember,
)


class MembershipError(ValueError):
    """A membership change that breaks a rule; ``str()`` is a translated message."""


def _digest(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode()).hexdigest()


def invite(access: ReviewAccess, *, email: str, role: str, is_case_holder: bool = False) -> ReviewInvitation:
    """Invite an existing account or a new address (which gets an account without a password)."""
    if not access.can_edit:
        raise MembershipError(_("Alleen reviewers van deze review nodigen mensen uit."))
    try:
        member_role = MemberRole(role)
    except ValueError:
        raise MembershipError(_("Kies een rol uit de lijst.")) from None
    if member_role in EDITOR_ROLES and not access.is_lead:
        raise MembershipError(_("Alleen een hoofdreviewer nodigt andere reviewers uit."))
    review = access.review
    user = accounts.find_user_by_email(email)
    if user is not None:
        if not user.active:
            raise MembershipError(_("Het account van dit e-mailadres is gedeactiveerd."))
        if _membership(review, user.id) is not None:
            raise MembershipError(_("%(email)s is al lid van deze review.", email=user.email))
    if _pending_invitation(review, email) is not None:
        raise MembershipError(
            _("%(email)s is al uitgenodigd. Stuur de uitnodiging opnieuw als die niet is aangekomen.", email=email)
        )
    if member_role in EDITOR_ROLES and (user is None or not user.has_role("reviewer")):
        raise MembershipError(_("Alleen mensen met de rol reviewer kunnen reviewer zijn in een review."))
    if user is None:
        user = accounts.create_user(email=email, display_name=email.split("@")[0], actor=access.user)
    invitation = ReviewInvitation(
        review_id=review.id, email=user.email, user_id=user.id, role=member_role.value,
        is_case_holder=is_case_holder, invited_by_id=access.user.id, token_hash="", expires_at=utcnow(),
    )
    db.session.add(invitation)
    _send(invitation, access.user)
    audit.record("review.member_invited", actor=access.user, object_type="review", object_id=review.id,
                 user_id=user.id, role=member_role.value)
    return invitation


def _membership(review: Review, user_id: int) -> ReviewMember | None:
    return db.session.scalar(sa.select(ReviewMember).where(
        ReviewMember.review_id == review.id, ReviewMember.user_id == user_id))


def _pending_invitation(review: Review, email: str) -> ReviewInvitation | None:
    """The open invitation for this address; one that ran out is marked expired on the way."""
    invitation = db.session.scalar(sa.select(ReviewInvitation).where(
        ReviewInvitation.review_id == review.id,
        sa.func.lower(ReviewInvitation.email) == accounts.normalise_email(email),
        ReviewInvitation.status == InvitationStatus.PENDING.value,
    ))
    if invitation is not None and invitation.expired:
        invitation.status = InvitationStatus.EXPIRED.value
        db.session.flush()
        return None
    return invitation


def _send(invitation: ReviewInvitation, inviter: Any) -> None:
    """A fresh token (the previous link stops working), a new expiry, and the e-mail with dates."""
    raw_token = secrets.token_urlsafe(32)
    invitation.token_hash = _digest(raw_token)
    invitation.expires_at = utcnow() + timedelta(days=current_app.config["INVITATION_DAYS"])
    db.session.flush()
    review = db.session.get(Review, invitation.review_id)
    user = invitation.user
    language = user.preferred_language
    link = external_url("reviews.respond_to_invitation", token=raw_token)
    with force_locale(LOCALES.get(language, language)):
        ics = review_calendar(review, external_url("reviews.show", review_id=review.id))
    send_mail(
        to=invitation.email,
        subject=_l("Uitnodiging voor een review op Leren met Impact"),
        template="review_invitation",
        language=language,
        attachments=[("review.ics", "text/calendar", ics)] if ics else [],
        review=review, invitation=invitation, inviter_name=inviter.display_name, link=link,
        new_account=user.invitation_pending, expires_days=current_app.config["INVITATION_DAYS"],
    )


def resend(access: ReviewAccess, invitation: ReviewInvitation) -> None:
    if not access.can_edit:
        raise MembershipError(_("Alleen reviewers van deze review nodigen mensen uit."))
    if MemberRole(invitation.role) in EDITOR_ROLES and not access.is_lead:
        raise MembershipError(_("Alleen een hoofdreviewer nodigt andere reviewers uit."))
    if invitation.status != InvitationStatus.PENDING.value:
        raise MembershipError(_("Deze uitnodiging is al beantwoord of ingetrokken."))
    if invitation.expired:
        raise MembershipError(_("Deze uitnodiging is verlopen. Nodig opnieuw uit, dan worden de gegevens opnieuw "
                                "gecontroleerd."))
    _send(invitation, access.user)
    audit.record("review.invitation_resent", actor=access.user, object_type="review", object_id=access.review.id,
                 invitation_id=invitation.id)


def revoke(access: ReviewAccess, invitation: ReviewInvitation) -> None:
    if not access.can_edit:
        raise MembershipError(_("Alleen reviewers van deze review trekken uitnodigingen in."))
    if invitation.status != InvitationStatus.PENDING.value:
        raise MembershipError(_("Deze uitnodiging is al beantwoord of ingetrokken."))
    invitation.status = InvitationStatus.REVOKED.value
    invitation.responded_at = utcnow()
    db.session.flush()
    audit.record("review.invitation_revoked", actor=access.user, object_type="review", object_id=access.review.id,
                 invitation_id=invitation.id)


def remove_member(access: ReviewAccess, member: ReviewMember) -> None:
    if not access.is_lead:
        raise MembershipError(_("Alleen een hoofdreviewer haalt mensen uit een review."))
    if member.role == MemberRole.LEAD_REVIEWER.value:
        leads = db.session.scalar(sa.select(sa.func.count(ReviewMember.id)).where(
            ReviewMember.review_id == access.review.id, ReviewMember.role == MemberRole.LEAD_REVIEWER.value))
        if leads <= 1:
            raise MembershipError(_("Een review heeft minstens één hoofdreviewer. Wijs eerst een ander aan."))
    db.session.delete(member)
    db.session.flush()
    audit.record("review.member_removed", actor=access.user, object_type="review", object_id=access.review.id,
                 user_id=member.user_id, role=member.role)


def members(review: Review) -> list[ReviewMember]:
    order = {role.value: index for index, role in enumerate(MemberRole)}
    rows = db.session.scalars(sa.select(ReviewMember).where(ReviewMember.review_id == review.id).options(
        sa.orm.joinedload(ReviewMember.user).joinedload(User.organisation)))
    return sorted(rows, key=lambda member: (order[member.role], member.user.display_name.lower()))


def member_count(review: Review) -> int:
    return db.session.scalar(sa.select(sa.func.count(ReviewMember.id)).where(ReviewMember.review_id == review.id))


def open_invitations(review: Review) -> list[ReviewInvitation]:
    return list(db.session.scalars(sa.select(ReviewInvitation).where(
        ReviewInvitation.review_id == review.id, ReviewInvitation.status == InvitationStatus.PENDING.value,
    ).order_by(ReviewInvitation.created_at)))


# --- answering an invitation ------------------------------------------------------------------


def find_invitation(raw_token: str) -> ReviewInvitation:
    """The pending invitation behind a link, or a MembershipError that says why the link fails."""
    invitation = db.session.scalar(sa.select(ReviewInvitation).where(ReviewInvitation.token_hash == _digest(raw_token)))
    if invitation is None:
        raise MembershipError(_("Deze uitnodigingslink is niet geldig. Gebruik de nieuwste e-mail, of vraag de "
                                "reviewer om een nieuwe uitnodiging."))
    if invitation.status == InvitationStatus.ACCEPTED.value:
        raise MembershipError(_("Deze uitnodiging is al geaccepteerd. Log in om de review te openen."))
    if invitation.status == InvitationStatus.DECLINED.value:
        raise MembershipError(_("Deze uitnodiging is afgeslagen."))
    if invitation.status == InvitationStatus.REVOKED.value:
        raise MembershipError(_("Deze uitnodiging is ingetrokken door de reviewer."))
    if invitation.expired:
        raise MembershipError(_("Deze uitnodiging is verlopen. Vraag de reviewer om een nieuwe."))
    if not invitation.user.active:
        raise MembershipError(_("Deze uitnodigingslink is niet geldig. Gebruik de nieuwste e-mail, of vraag de "
                                "reviewer om een nieuwe uitnodiging."))
    return invitation


def accept(invitation: ReviewInvitation, user: Any, *, password: str | None = None) -> ReviewMember:
    if invitation.user_id != user.id:
        raise MembershipError(_("Deze uitnodiging is voor een ander account."))
    if not user.active:
        raise MembershipError(_("Dit account is gedeactiveerd."))
    if MemberRole(invitation.role) in EDITOR_ROLES and not user.has_role("reviewer"):
        raise MembershipError(_("Deze uitnodiging is voor een reviewer, en je hebt die rol niet (meer). "
                                "Vraag de hoofdreviewer om een nieuwe uitnodiging."))
    if user.invitation_pending:
        accounts.set_first_password(user, password or "")
    _claim(invitation, InvitationStatus.ACCEPTED)
    member = _membership(invitation.review, user.id)
    if member is None:
        member = ReviewMember(review_id=invitation.review_id, user_id=user.id, role=invitation.role,
                              is_case_holder=invitation.is_case_holder)
        db.session.add(member)
    db.session.flush()
    audit.record("review.invitation_accepted", actor=user, object_type="review", object_id=invitation.review_id,
                 role=invitation.role)
    return member


def decline(invitation: ReviewInvitation, user: Any) -> None:
    if invitation.user_id != user.id:
        raise MembershipError(_("Deze uitnodiging is voor een ander account."))
    _claim(invitation, InvitationStatus.DECLINED)
    audit.record("review.invitation_declined", actor=user, object_type="review", object_id=invitation.review_id)


def _claim(invitation: ReviewInvitation, answer: InvitationStatus) -> None:
    """Answer a pending invitation with one conditional UPDATE: two simultaneous answers win once."""
    claimed = db.session.execute(
        sa.update(ReviewInvitation)
        .where(ReviewInvitation.id == invitation.id, ReviewInvitation.status == InvitationStatus.PENDING.value)
        .values(status=answer.value, responded_at=utcnow()).execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise MembershipError(_("Deze uitnodiging is al beantwoord of ingetrokken."))
    db.session.refresh(invitation, ["status", "responded_at"])


def pending_for(user: Any) -> list[ReviewInvitation]:
    """Invitations waiting for this person, newest first, with their reviews in one query."""
    return list(db.session.scalars(
        sa.select(ReviewInvitation).where(
            ReviewInvitation.user_id == user.id, ReviewInvitation.status == InvitationStatus.PENDING.value,
            ReviewInvitation.expires_at > utcnow(),
        ).options(sa.orm.joinedload(ReviewInvitation.review)).order_by(ReviewInvitation.created_at.desc())
    ))

"""Members of a review and their invitations, called as services (no HTTP)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from learning.audit import AuditEvent
from learning.auth import services as accounts
from learning.auth.services import AccountError
from learning.db import db, utcnow
from learning.reviews import membership
from learning.reviews.access import review_access
from learning.reviews.membership import MembershipError
from learning.reviews.models import InvitationStatus, MemberRole, ReviewInvitation, ReviewMember

from .conftest import access_for

NEW_PASSWORD = "zeven blauwe fietsen op de dijk"
LINK = re.compile(r"https?://\S*/reviews/invitations/([A-Za-z0-9_-]+)")


def raw_token(message) -> str:  # noqa: ANN001
    found = LINK.search(outbox_text(message))
    assert found, "no invitation link in the mail"
    return found[1]


def outbox_text(message) -> str:  # noqa: ANN001
    return message.get_body(preferencelist=("plain",)).get_content()


def attachments(message) -> list:  # noqa: ANN001
    return list(message.iter_attachments())


def audit_actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def member_count(review) -> int:  # noqa: ANN001
    return db.session.scalar(sa.select(sa.func.count(ReviewMember.id)).where(ReviewMember.review_id == review.id))


@pytest.fixture
def review(make_review):  # noqa: ANN001, ANN201
    return make_review()


@pytest.fixture
def colleague(create_user):  # noqa: ANN001, ANN201
    return create_user("pim@example.org", name="Pim Deelnemer")


@pytest.fixture
def reviewer(create_user):  # noqa: ANN001, ANN201
    return create_user("cor@example.org", name="Cor Reviewer", roles=("reviewer",))


def invite(access, email: str, role: str = MemberRole.PARTICIPANT.value, **kwargs) -> ReviewInvitation:  # noqa: ANN001, ANN003
    invitation = membership.invite(access, email=email, role=role, **kwargs)
    db.session.commit()
    return invitation


# --- inviting -------------------------------------------------------------------------------------


def test_inviting_an_existing_account_mails_after_commit_with_calendar(review, lead, colleague, outbox):  # noqa: ANN001
    invitation = membership.invite(access_for(lead, review), email=colleague.email,
                                   role=MemberRole.PARTICIPANT.value)
    assert len(outbox) == 0

    db.session.commit()
    [message] = outbox.to(colleague.email)
    assert "Uitnodiging" in message["Subject"]
    assert "/reviews/invitations/" in outbox_text(message)
    [ics] = attachments(message)
    assert ics.get_content_type() == "text/calendar"
    assert ics.get_filename().endswith(".ics")
    assert invitation.user_id == colleague.id
    assert invitation.status == InvitationStatus.PENDING.value
    assert "nog geen account" not in outbox_text(message)


def test_invitation_for_a_review_without_date_has_no_calendar(make_review, lead, colleague, outbox):  # noqa: ANN001
    review = make_review(planned_start=None)
    invite(access_for(lead, review), colleague.email)

    [message] = outbox.to(colleague.email)
    assert attachments(message) == []


def test_invitation_mail_is_discarded_on_rollback(review, lead, colleague, outbox):  # noqa: ANN001
    membership.invite(access_for(lead, review), email=colleague.email, role=MemberRole.PARTICIPANT.value)
    db.session.rollback()
    db.session.commit()
    assert len(outbox) == 0


def test_inviting_a_new_address_creates_an_account_without_password(review, lead, outbox):  # noqa: ANN001
    invitation = invite(access_for(lead, review), "nieuw@example.org")

    user = accounts.find_user_by_email("nieuw@example.org")
    assert user is not None and user.invitation_pending
    assert invitation.user_id == user.id
    [message] = outbox.to("nieuw@example.org")
    assert "nog geen account" in outbox_text(message)


def test_inviting_a_member_is_refused(review, lead, colleague, add_member):  # noqa: ANN001
    add_member(review, colleague, MemberRole.PARTICIPANT.value)
    with pytest.raises(MembershipError):
        membership.invite(access_for(lead, review), email=colleague.email, role=MemberRole.OBSERVER.value)


def test_inviting_the_same_address_twice_is_refused_whatever_its_capitals(review, lead, outbox):  # noqa: ANN001
    access = access_for(lead, review)
    invite(access, "Nieuw.Collega@Example.org")

    for email in ("Nieuw.Collega@Example.org", "nieuw.collega@example.ORG", " NIEUW.COLLEGA@example.org "):
        with pytest.raises(MembershipError):
            membership.invite(access, email=email, role=MemberRole.PARTICIPANT.value)
    db.session.commit()
    assert len(outbox) == 1
    assert db.session.scalar(sa.select(sa.func.count(ReviewInvitation.id))) == 1


def test_inviting_an_existing_account_twice_is_refused(review, lead, colleague):  # noqa: ANN001
    access = access_for(lead, review)
    invite(access, colleague.email)
    with pytest.raises(MembershipError):
        membership.invite(access, email=colleague.email.upper(), role=MemberRole.OBSERVER.value)


def test_an_expired_invitation_does_not_block_a_new_one(app, review, lead, colleague):  # noqa: ANN001
    invite(access_for(lead, review), colleague.email)
    with time_machine.travel(utcnow() + timedelta(days=app.config["INVITATION_DAYS"], hours=1)):
        invitation = invite(access_for(lead, review), colleague.email)
        assert membership.pending_for(colleague) == [invitation]


def test_inviting_a_deactivated_account_is_refused(review, lead, create_user):  # noqa: ANN001
    gone = create_user("weg@example.org", active=False)
    with pytest.raises(MembershipError):
        membership.invite(access_for(lead, review), email=gone.email, role=MemberRole.PARTICIPANT.value)


def test_unknown_role_is_refused(review, lead, colleague):  # noqa: ANN001
    with pytest.raises(MembershipError):
        membership.invite(access_for(lead, review), email=colleague.email, role="boss")


def test_lead_invites_a_reviewer_as_co_reviewer(review, lead, reviewer):  # noqa: ANN001
    invitation = invite(access_for(lead, review), reviewer.email, MemberRole.CO_REVIEWER.value)
    assert invitation.role == MemberRole.CO_REVIEWER.value


@pytest.mark.parametrize("role", [MemberRole.CO_REVIEWER.value, MemberRole.LEAD_REVIEWER.value])
def test_co_reviewer_cannot_invite_reviewers(review, reviewer, create_user, add_member, role):  # noqa: ANN001
    add_member(review, reviewer, MemberRole.CO_REVIEWER.value)
    other = create_user("rob@example.org", roles=("reviewer",))
    with pytest.raises(MembershipError):
        membership.invite(access_for(reviewer, review), email=other.email, role=role)


def test_co_reviewer_invites_participants(review, reviewer, colleague, add_member):  # noqa: ANN001
    add_member(review, reviewer, MemberRole.CO_REVIEWER.value)
    invitation = invite(access_for(reviewer, review), colleague.email)
    assert invitation.invited_by_id == reviewer.id


@pytest.mark.parametrize("role", [MemberRole.CO_REVIEWER.value, MemberRole.LEAD_REVIEWER.value])
def test_only_people_with_the_reviewer_role_can_be_reviewers(review, lead, colleague, role):  # noqa: ANN001
    with pytest.raises(MembershipError):
        membership.invite(access_for(lead, review), email=colleague.email, role=role)


def test_a_new_address_cannot_be_invited_as_reviewer(review, lead):  # noqa: ANN001
    with pytest.raises(MembershipError):
        membership.invite(access_for(lead, review), email="nieuw@example.org", role=MemberRole.CO_REVIEWER.value)
    assert accounts.find_user_by_email("nieuw@example.org") is None


@pytest.mark.parametrize("role", [MemberRole.PARTICIPANT.value, MemberRole.OBSERVER.value,
                                  MemberRole.EXPERT_BY_EXPERIENCE.value])
def test_non_editors_cannot_invite(review, colleague, add_member, outbox, role):  # noqa: ANN001
    add_member(review, colleague, role)
    with pytest.raises(MembershipError):
        membership.invite(access_for(colleague, review), email="nieuw@example.org",
                          role=MemberRole.PARTICIPANT.value)
    db.session.commit()
    assert accounts.find_user_by_email("nieuw@example.org") is None
    assert len(outbox) == 0


# --- resending and revoking -----------------------------------------------------------------------


def test_resend_replaces_the_link_and_moves_the_expiry(review, lead, colleague, outbox):  # noqa: ANN001
    access = access_for(lead, review)
    invitation = invite(access, colleague.email)
    old_token = raw_token(outbox.to(colleague.email)[0])
    old_expiry = invitation.expires_at

    with time_machine.travel(utcnow() + timedelta(days=2)):
        membership.resend(access, invitation)
        db.session.commit()

    messages = outbox.to(colleague.email)
    assert len(messages) == 2
    new_token = next(raw_token(m) for m in messages if raw_token(m) != old_token)
    with pytest.raises(MembershipError):
        membership.find_invitation(old_token)
    assert membership.find_invitation(new_token).id == invitation.id
    assert invitation.expires_at > old_expiry + timedelta(days=1)
    assert "review.invitation_resent" in audit_actions()


def test_expired_invitation_is_not_resent_but_can_be_renewed(app, review, lead, colleague, outbox):  # noqa: ANN001
    invitation = invite(access_for(lead, review), colleague.email)
    with time_machine.travel(utcnow() + timedelta(days=app.config["INVITATION_DAYS"], hours=1)):
        with pytest.raises(MembershipError, match="verlopen"):
            membership.resend(access_for(lead, review), invitation)
        renewed = invite(access_for(lead, review), colleague.email)  # the checks of a new invitation run again
        db.session.commit()
        token = raw_token(outbox.to(colleague.email)[-1])
        assert membership.find_invitation(token).id == renewed.id != invitation.id
        assert invitation.status == "expired"


def test_co_reviewer_cannot_resend_an_invitation_for_a_reviewer_role(review, lead, create_user, add_member):  # noqa: ANN001
    co = create_user("co@example.org", roles=("reviewer",))
    add_member(review, co, "co_reviewer")
    other = create_user("nog.een.reviewer@example.org", roles=("reviewer",))
    invitation = membership.invite(access_for(lead, review), email=other.email, role="co_reviewer")
    db.session.commit()
    with pytest.raises(MembershipError, match="hoofdreviewer"):
        membership.resend(access_for(co, review), invitation)


def test_reviewer_invitation_needs_the_role_when_accepted(review, lead, create_user, admin):  # noqa: ANN001
    from learning.auth import services as accounts

    other = create_user("wordt.lead@example.org", roles=("reviewer",))
    invitation = membership.invite(access_for(lead, review), email=other.email, role="lead_reviewer")
    accounts.update_account(other, actor=admin, display_name=other.display_name, language="nl", roles=[],
                            organisation_id=None)
    db.session.commit()
    with pytest.raises(MembershipError, match="reviewer"):
        membership.accept(invitation, other)


def test_deactivated_invitee_cannot_use_the_link(review, lead, outbox, admin):  # noqa: ANN001
    from learning.auth import services as accounts

    invitation = invite(access_for(lead, review), "fresh@example.org")
    db.session.commit()
    token = raw_token(outbox.to("fresh@example.org")[0])
    accounts.deactivate_user(invitation.user, actor=admin)
    db.session.commit()
    with pytest.raises(MembershipError, match="niet geldig"):
        membership.find_invitation(token)


def test_revoked_link_says_it_was_revoked(review, lead, colleague, outbox):  # noqa: ANN001
    access = access_for(lead, review)
    invitation = invite(access, colleague.email)
    token = raw_token(outbox.to(colleague.email)[0])

    membership.revoke(access, invitation)
    db.session.commit()

    with pytest.raises(MembershipError, match="ingetrokken"):
        membership.find_invitation(token)
    assert membership.pending_for(colleague) == []
    assert membership.open_invitations(review) == []


def test_revoked_invitation_cannot_be_resent_or_revoked_again(review, lead, colleague, outbox):  # noqa: ANN001
    access = access_for(lead, review)
    invitation = invite(access, colleague.email)
    membership.revoke(access, invitation)
    db.session.commit()

    with pytest.raises(MembershipError):
        membership.resend(access, invitation)
    with pytest.raises(MembershipError):
        membership.revoke(access, invitation)
    db.session.commit()
    assert len(outbox) == 1


def test_participant_cannot_resend_or_revoke(review, lead, colleague, add_member):  # noqa: ANN001
    invitation = invite(access_for(lead, review), "nieuw@example.org")
    add_member(review, colleague, MemberRole.PARTICIPANT.value)
    access = access_for(colleague, review)
    with pytest.raises(MembershipError):
        membership.resend(access, invitation)
    with pytest.raises(MembershipError):
        membership.revoke(access, invitation)
    assert invitation.status == InvitationStatus.PENDING.value


def test_revoked_address_can_be_invited_again(review, lead, colleague):  # noqa: ANN001
    access = access_for(lead, review)
    membership.revoke(access, invite(access, colleague.email))
    db.session.commit()
    assert invite(access, colleague.email).status == InvitationStatus.PENDING.value


# --- finding an invitation by its link ------------------------------------------------------------


def test_unknown_token_is_refused(app):  # noqa: ANN001
    with pytest.raises(MembershipError, match="niet geldig"):
        membership.find_invitation("no-such-token")


def test_accepted_link_says_it_was_accepted(review, lead, colleague, outbox):  # noqa: ANN001
    invitation = invite(access_for(lead, review), colleague.email)
    token = raw_token(outbox.to(colleague.email)[0])
    membership.accept(membership.find_invitation(token), colleague)
    db.session.commit()

    with pytest.raises(MembershipError, match="geaccepteerd"):
        membership.find_invitation(token)
    assert invitation.status == InvitationStatus.ACCEPTED.value


def test_declined_link_says_it_was_declined(review, lead, colleague, outbox):  # noqa: ANN001
    invite(access_for(lead, review), colleague.email)
    token = raw_token(outbox.to(colleague.email)[0])
    membership.decline(membership.find_invitation(token), colleague)
    db.session.commit()

    with pytest.raises(MembershipError, match="afgeslagen"):
        membership.find_invitation(token)


def test_expired_link_says_it_expired(app, review, lead, colleague, outbox):  # noqa: ANN001
    invite(access_for(lead, review), colleague.email)
    token = raw_token(outbox.to(colleague.email)[0])
    assert membership.find_invitation(token)

    with time_machine.travel(utcnow() + timedelta(days=app.config["INVITATION_DAYS"], minutes=1)):
        with pytest.raises(MembershipError, match="verlopen"):
            membership.find_invitation(token)


# --- accepting and declining ----------------------------------------------------------------------


def test_new_account_accepts_with_a_password(review, lead, outbox):  # noqa: ANN001
    invite(access_for(lead, review), "nieuw@example.org", MemberRole.EXPERT_BY_EXPERIENCE.value,
           is_case_holder=True)
    invitation = membership.find_invitation(raw_token(outbox.to("nieuw@example.org")[0]))
    user = invitation.user

    member = membership.accept(invitation, user, password=NEW_PASSWORD)
    db.session.commit()

    assert accounts.authenticate("nieuw@example.org", NEW_PASSWORD) == user
    members = list(db.session.scalars(sa.select(ReviewMember).where(
        ReviewMember.review_id == review.id, ReviewMember.user_id == user.id)))
    assert members == [member]
    assert member.role == MemberRole.EXPERT_BY_EXPERIENCE.value
    assert member.is_case_holder is True
    assert invitation.status == InvitationStatus.ACCEPTED.value
    assert review_access(user, review.id) is not None


def test_weak_password_creates_no_membership(review, lead, outbox):  # noqa: ANN001
    invite(access_for(lead, review), "nieuw@example.org")
    invitation = membership.find_invitation(raw_token(outbox.to("nieuw@example.org")[0]))
    user = invitation.user
    before = member_count(review)

    with pytest.raises(AccountError):
        membership.accept(invitation, user, password="wachtwoord123")
    with pytest.raises(AccountError):
        membership.accept(invitation, user)
    db.session.rollback()

    assert member_count(review) == before
    assert user.invitation_pending
    assert invitation.status == InvitationStatus.PENDING.value


def test_existing_account_accepts_without_password(review, lead, colleague):  # noqa: ANN001
    invitation = invite(access_for(lead, review), colleague.email, MemberRole.OBSERVER.value)

    member = membership.accept(invitation, colleague)
    db.session.commit()

    assert (member.user_id, member.role, member.is_case_holder) == (colleague.id, MemberRole.OBSERVER.value, False)
    assert review_access(colleague, review.id).role == MemberRole.OBSERVER


def test_accepting_with_another_account_is_refused(review, lead, colleague, create_user):  # noqa: ANN001
    invitation = invite(access_for(lead, review), colleague.email)
    stranger = create_user("vreemd@example.org")
    before = member_count(review)

    with pytest.raises(MembershipError):
        membership.accept(invitation, stranger)
    with pytest.raises(MembershipError):
        membership.decline(invitation, stranger)
    assert member_count(review) == before
    assert invitation.status == InvitationStatus.PENDING.value
    assert review_access(stranger, review.id) is None


def test_decline_marks_it_declined_without_membership(review, lead, colleague):  # noqa: ANN001
    invitation = invite(access_for(lead, review), colleague.email)
    before = member_count(review)

    membership.decline(invitation, colleague)
    db.session.commit()

    assert invitation.status == InvitationStatus.DECLINED.value
    assert invitation.responded_at is not None
    assert member_count(review) == before
    assert review_access(colleague, review.id) is None


# --- removing members -----------------------------------------------------------------------------


def test_lead_removes_a_member_who_then_loses_access(review, lead, colleague, add_member):  # noqa: ANN001
    member = add_member(review, colleague, MemberRole.PARTICIPANT.value)
    assert review_access(colleague, review.id) is not None

    membership.remove_member(access_for(lead, review), member)
    db.session.commit()

    assert review_access(colleague, review.id) is None


def test_co_reviewer_cannot_remove_members(review, reviewer, colleague, add_member):  # noqa: ANN001
    add_member(review, reviewer, MemberRole.CO_REVIEWER.value)
    member = add_member(review, colleague, MemberRole.PARTICIPANT.value)
    with pytest.raises(MembershipError):
        membership.remove_member(access_for(reviewer, review), member)
    assert review_access(colleague, review.id) is not None


def test_the_last_lead_cannot_be_removed(review, lead):  # noqa: ANN001
    access = access_for(lead, review)
    with pytest.raises(MembershipError):
        membership.remove_member(access, access.membership)
    db.session.rollback()
    assert review_access(lead, review.id).is_lead


def test_a_lead_can_be_removed_when_another_lead_remains(review, lead, reviewer, add_member):  # noqa: ANN001
    add_member(review, reviewer, MemberRole.LEAD_REVIEWER.value)
    access = access_for(lead, review)

    membership.remove_member(access, access.membership)
    db.session.commit()

    assert review_access(lead, review.id) is None
    assert review_access(reviewer, review.id).is_lead


def test_removed_member_can_be_invited_again(review, lead, colleague, add_member):  # noqa: ANN001
    member = add_member(review, colleague, MemberRole.PARTICIPANT.value)
    access = access_for(lead, review)
    membership.remove_member(access, member)
    db.session.commit()

    invitation = invite(access, colleague.email, MemberRole.OBSERVER.value)
    membership.accept(invitation, colleague)
    db.session.commit()
    assert review_access(colleague, review.id).role == MemberRole.OBSERVER


# --- listing ------------------------------------------------------------------------------------


def test_pending_for_lists_only_open_unexpired_invitations_of_that_user(app, make_review, lead, colleague,  # noqa: ANN001
                                                                        create_user):
    reviews = [make_review(title=f"Review {number}") for number in range(5)]
    access = [access_for(lead, review) for review in reviews]
    open_one = invite(access[0], colleague.email)
    membership.revoke(access[1], invite(access[1], colleague.email))
    membership.decline(invite(access[2], colleague.email), colleague)
    membership.accept(invite(access[3], colleague.email), colleague)
    invite(access[4], create_user("ander@example.org").email)
    db.session.commit()

    assert membership.pending_for(colleague) == [open_one]
    with time_machine.travel(utcnow() + timedelta(days=app.config["INVITATION_DAYS"], hours=1)):
        assert membership.pending_for(colleague) == []


def test_members_are_listed_by_role(review, lead, colleague, reviewer, add_member):  # noqa: ANN001
    add_member(review, colleague, MemberRole.OBSERVER.value)
    add_member(review, reviewer, MemberRole.CO_REVIEWER.value)
    assert [m.user_id for m in membership.members(review)] == [lead.id, reviewer.id, colleague.id]


# --- the audit trail ------------------------------------------------------------------------------


def test_invite_accept_decline_revoke_and_remove_are_audited(review, lead, colleague, create_user):  # noqa: ANN001
    access = access_for(lead, review)
    other, third = create_user("ander@example.org"), create_user("derde@example.org")

    member = membership.accept(invite(access, colleague.email), colleague)
    membership.decline(invite(access, other.email), other)
    membership.revoke(access, invite(access, third.email))
    membership.remove_member(access, member)
    db.session.commit()

    rows = list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.object_type == "review",
                                                               AuditEvent.object_id == review.id)))
    by_action: dict[str, list[AuditEvent]] = {}
    for row in rows:
        by_action.setdefault(row.action, []).append(row)
    assert len(by_action["review.member_invited"]) == 3
    assert {row.actor_id for row in by_action["review.member_invited"]} == {lead.id}
    assert [row.actor_id for row in by_action["review.invitation_accepted"]] == [colleague.id]
    assert [row.actor_id for row in by_action["review.invitation_declined"]] == [other.id]
    assert [row.actor_id for row in by_action["review.invitation_revoked"]] == [lead.id]
    [removed] = by_action["review.member_removed"]
    assert (removed.actor_id, removed.details["user_id"]) == (lead.id, colleague.id)

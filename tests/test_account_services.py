"""Account operations without HTTP: tokens, invitations, sessions, roles and their audit trail."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from learning.audit import AuditEvent
from learning.auth import services
from learning.auth.models import TokenPurpose, User
from learning.db import db, utcnow


def actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def test_email_is_unique_whatever_its_capitals(app, create_user):
    create_user("Ria.Reviewer@Example.org")
    with pytest.raises(services.AccountError):
        services.create_user(email="ria.reviewer@example.ORG", display_name="Ria", actor=None)
    assert services.find_user_by_email("  RIA.reviewer@example.org ").email == "Ria.Reviewer@Example.org"


def test_database_refuses_a_second_account_with_other_capitals(app, create_user):
    create_user("ria@example.org")
    db.session.add(User(email="RIA@example.org", display_name="Ria"))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_invitation_mail_goes_out_only_after_commit(app, admin, outbox):
    user = services.invite_user(email="nieuw@example.org", display_name="Nieuwe Collega", actor=admin,
                                roles=["reviewer"])
    assert len(outbox) == 0
    db.session.commit()
    [message] = outbox.to("nieuw@example.org")
    assert "uitgenodigd" in message["Subject"]
    assert "http://lmi.test/invitation/" in outbox.text(message)
    assert user.invitation_pending and user.has_role("reviewer")
    assert actions()[-2:] == ["account.created", "account.invited"]


def test_invitation_mail_is_dropped_when_the_transaction_rolls_back(app, admin, outbox):
    services.invite_user(email="nieuw@example.org", display_name="Nieuwe Collega", actor=admin)
    db.session.rollback()
    db.session.commit()
    assert len(outbox) == 0
    assert services.find_user_by_email("nieuw@example.org") is None


def test_invitation_is_written_in_the_invitees_language(app, admin, outbox):
    services.invite_user(email="new@example.org", display_name="New Colleague", actor=admin, language="en")
    db.session.commit()
    [message] = outbox.to("new@example.org")
    assert message["Content-Language"] == "en"
    assert "invited" in message["Subject"].lower()


def test_token_works_once(app, create_user):
    user = create_user(password=None)
    raw = services.issue_token(user, TokenPurpose.INVITATION, timedelta(days=7))
    services.accept_invitation(raw, "een lange zin als wachtwoord")
    with pytest.raises(services.TokenError, match="al gebruikt"):
        services.check_token(raw, TokenPurpose.INVITATION)


def test_token_expires(app, create_user):
    user = create_user()
    raw = services.issue_token(user, TokenPurpose.PASSWORD_RESET, timedelta(hours=2))
    with time_machine.travel(utcnow() + timedelta(hours=2, seconds=1)):
        with pytest.raises(services.TokenError, match="verlopen"):
            services.check_token(raw, TokenPurpose.PASSWORD_RESET)


def test_new_token_replaces_the_previous_one(app, create_user):
    user = create_user()
    first = services.issue_token(user, TokenPurpose.PASSWORD_RESET, timedelta(hours=2))
    second = services.issue_token(user, TokenPurpose.PASSWORD_RESET, timedelta(hours=2))
    with pytest.raises(services.TokenError):
        services.check_token(first, TokenPurpose.PASSWORD_RESET)
    assert services.check_token(second, TokenPurpose.PASSWORD_RESET).user == user


def test_token_for_another_purpose_or_unknown_is_refused(app, create_user):
    user = create_user()
    raw = services.issue_token(user, TokenPurpose.PASSWORD_RESET, timedelta(hours=2))
    with pytest.raises(services.TokenError, match="niet geldig"):
        services.check_token(raw, TokenPurpose.INVITATION)
    with pytest.raises(services.TokenError, match="niet geldig"):
        services.check_token("verzonnen", TokenPurpose.PASSWORD_RESET)


def test_only_a_hash_of_the_token_is_stored(app, create_user):
    from learning.auth.models import AccountToken

    user = create_user()
    raw = services.issue_token(user, TokenPurpose.PASSWORD_RESET, timedelta(hours=2))
    stored = db.session.scalar(sa.select(AccountToken.token_hash))
    assert raw not in stored and len(stored) == 64


def test_reset_with_weak_password_is_refused_and_keeps_the_token(app, create_user):
    user = create_user()
    raw = services.issue_token(user, TokenPurpose.PASSWORD_RESET, timedelta(hours=2))
    with pytest.raises(services.AccountError, match="veel voor"):
        services.reset_password(raw, "qwertyuiop123")
    assert services.check_token(raw, TokenPurpose.PASSWORD_RESET)


def test_password_reset_request_for_unknown_address_sends_nothing(app, outbox):
    services.request_password_reset("niemand@example.org")
    db.session.commit()
    assert len(outbox) == 0
    assert actions() == ["auth.password_reset_requested"]


def test_password_reset_request_for_known_address_sends_a_link(app, create_user, outbox):
    create_user("ria@example.org")
    services.request_password_reset("RIA@example.org")
    db.session.commit()
    [message] = outbox.to("ria@example.org")
    assert "http://lmi.test/password/reset/" in outbox.text(message)


def test_failed_logins_are_audited_without_revealing_why_to_the_caller(app, create_user):
    user = create_user("ria@example.org")
    assert services.authenticate("ria@example.org", "fout wachtwoord hier") is None
    assert services.authenticate("niemand@example.org", "fout wachtwoord hier") is None
    assert services.authenticate("ria@example.org", "een lange zin als wachtwoord") == user
    events = list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "auth.login_failed")))
    assert [event.details["reason"] for event in events] == ["password", "unknown"]


def test_deactivated_account_cannot_sign_in(app, create_user, admin):
    user = create_user("ria@example.org")
    services.deactivate_user(user, actor=admin)
    assert services.authenticate("ria@example.org", "een lange zin als wachtwoord") is None


def test_logout_and_password_change_rotate_the_session_token(app, create_user):
    user = create_user()
    first = user.session_token
    services.logout(user)
    second = user.session_token
    services.change_password(user, current_password="een lange zin als wachtwoord",
                             new_password="een andere lange zin")
    assert len({first, second, user.session_token}) == 3


def test_change_password_needs_the_current_one(app, create_user):
    user = create_user()
    with pytest.raises(services.AccountError, match="huidige"):
        services.change_password(user, current_password="niet mijn wachtwoord", new_password="een andere lange zin")


def test_rehash_on_login_when_parameters_changed(app, create_user):
    user = create_user()
    old_hash = user.password_hash
    app.config["PASSWORD_HASH_PROFILE"] = "rfc9106-low-memory"
    services.upgrade_password_hash(user, "een lange zin als wachtwoord")
    assert user.password_hash != old_hash and "m=65536" in user.password_hash


def test_admin_cannot_remove_own_admin_role_or_deactivate_self(app, admin):
    with pytest.raises(services.AccountError):
        services.update_account(admin, actor=admin, display_name="A", language="nl", roles=["reviewer"],
                                organisation_id=None)
    with pytest.raises(services.AccountError):
        services.deactivate_user(admin, actor=admin)


def test_role_change_is_audited_with_what_changed(app, admin, create_user):
    user = create_user(roles=("reviewer",))
    services.update_account(user, actor=admin, display_name=user.display_name, language="nl",
                            roles=["policy_owner"], organisation_id=None)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "account.roles_changed"))
    assert event.details == {"added": ["policy_owner"], "removed": ["reviewer"]}
    assert event.actor_id == admin.id and event.object_id == user.id
    assert user.roles == {"policy_owner"}


def test_reset_mfa_makes_the_person_enrol_again(app, admin, create_user):
    user = create_user(roles=("reviewer",))
    services.reset_mfa(user, actor=admin)
    assert user.must_enrol_mfa

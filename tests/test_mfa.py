"""TOTP enrolment, replay protection and recovery codes, without HTTP."""

from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from learning.audit import AuditEvent
from learning.auth import mfa, services
from learning.db import db

NOW = datetime(2026, 11, 24, 10, 0, 0, tzinfo=UTC)


def code_at(secret: str, when: datetime) -> str:
    return pyotp.TOTP(secret).at(when)


def test_code_is_accepted_once_and_never_again_in_its_window():
    secret = mfa.new_secret()
    code = code_at(secret, NOW)
    step = mfa.accept_totp(secret, code, None, NOW)
    assert step is not None
    assert mfa.accept_totp(secret, code, step, NOW) is None
    assert mfa.accept_totp(secret, code, step, NOW + timedelta(seconds=20)) is None


def test_code_from_previous_step_is_tolerated_but_not_older_ones():
    secret = mfa.new_secret()
    assert mfa.accept_totp(secret, code_at(secret, NOW - timedelta(seconds=30)), None, NOW) is not None
    assert mfa.accept_totp(secret, code_at(secret, NOW - timedelta(seconds=90)), None, NOW) is None


def test_older_code_cannot_follow_a_newer_one():
    secret = mfa.new_secret()
    newer = mfa.accept_totp(secret, code_at(secret, NOW), None, NOW)
    assert mfa.accept_totp(secret, code_at(secret, NOW - timedelta(seconds=30)), newer, NOW) is None


@pytest.mark.parametrize("bad", ["", "12345", "1234567", "abcdef", "12 34 5x"])
def test_malformed_codes_are_refused(bad):
    assert mfa.matching_timestep(mfa.new_secret(), bad, NOW) is None


def test_code_typed_with_spaces_is_accepted():
    secret = mfa.new_secret()
    code = code_at(secret, NOW)
    assert mfa.matching_timestep(secret, f"{code[:3]} {code[3:]}", NOW) is not None


def test_qr_code_is_svg_with_the_secret_in_the_uri():
    uri = mfa.provisioning_uri("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "ria@example.org", "Leren met Impact")
    assert "secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP" in uri and "issuer=Leren%20met%20Impact" in uri
    svg = mfa.qr_svg(uri, "QR")
    assert svg.startswith(b"<svg") and b"<title>QR</title>" in svg


def test_ten_distinct_recovery_codes():
    codes = mfa.new_recovery_codes()
    assert len(codes) == 10 == len(set(codes))
    assert all(len(code) == 11 and code[5] == "-" for code in codes)


def test_enrolment_turns_mfa_on_only_after_a_correct_code(app, create_user):
    user = create_user(roles=("reviewer",), mfa_enabled=False)
    assert user.must_enrol_mfa
    enrolment = services.begin_mfa_enrolment(user)
    assert not user.mfa_enabled
    with pytest.raises(services.AccountError):
        services.confirm_mfa_enrolment(user, "000000", NOW)
    codes = services.confirm_mfa_enrolment(user, code_at(enrolment.secret, NOW), NOW)
    assert user.mfa_enabled and not user.must_enrol_mfa
    assert len(codes) == 10
    assert services.remaining_recovery_codes(user) == 10
    actions = [event.action for event in db.session.scalars(db.select(AuditEvent))]
    assert "mfa.enrolment_failed" in actions and "mfa.enrolled" in actions


def test_recovery_codes_are_stored_hashed_and_work_once(app, create_user):
    user = create_user(roles=("reviewer",), mfa_enabled=False)
    secret = services.begin_mfa_enrolment(user).secret
    codes = services.confirm_mfa_enrolment(user, code_at(secret, NOW), NOW)
    from learning.auth.models import RecoveryCode

    stored = [row.code_hash for row in db.session.scalars(db.select(RecoveryCode))]
    assert not set(codes) & set(stored)
    assert services.verify_second_factor(user, codes[0].upper(), NOW) == "recovery_code"
    assert services.verify_second_factor(user, codes[0], NOW) is None
    assert services.remaining_recovery_codes(user) == 9


def test_second_factor_accepts_totp_once(app, create_user):
    user = create_user(roles=("reviewer",))
    code = code_at(user.totp_secret, NOW)
    assert services.verify_second_factor(user, code, NOW) == "totp"
    assert services.verify_second_factor(user, code, NOW) is None
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "mfa.failed")) is not None


def test_mfa_cannot_be_switched_off_by_a_role_that_requires_it(app, create_user):
    reviewer = create_user(roles=("reviewer",))
    with pytest.raises(services.AccountError, match="verplicht"):
        services.disable_mfa(reviewer, password="een lange zin als wachtwoord")


def test_participant_can_switch_optional_mfa_off_with_password(app, create_user):
    participant = create_user(mfa_enabled=True)
    with pytest.raises(services.AccountError):
        services.disable_mfa(participant, password="verkeerd wachtwoord hier")
    services.disable_mfa(participant, password="een lange zin als wachtwoord")
    assert not participant.mfa_enabled and participant.totp_secret is None

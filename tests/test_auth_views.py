"""Sign-in, MFA, logout, password reset and invitations through HTTP, as a person would use them."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from learning.audit import AuditEvent
from learning.auth import services
from learning.db import db, utcnow
from tests.conftest import DEFAULT_PASSWORD
from tests.helpers import link_in, text_of, totp_now

GENERIC_FAILURE = "Dit e-mailadres en wachtwoord horen niet bij elkaar"


def post_login(client, email, password=DEFAULT_PASSWORD, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


def test_participant_signs_in_with_password_only(client, create_user):
    create_user("wendy@example.org")
    response = post_login(client, "Wendy@Example.org")
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"
    assert "Welkom, Persoon" in text_of(client.get("/dashboard"))


def test_wrong_password_and_unknown_address_get_the_same_message_and_keep_the_email(client, create_user):
    create_user("wendy@example.org")
    wrong = post_login(client, "wendy@example.org", "niet het goede wachtwoord")
    unknown = post_login(client, "niemand@example.org", "niet het goede wachtwoord")
    for response, typed in ((wrong, "wendy@example.org"), (unknown, "niemand@example.org")):
        assert response.status_code == 200
        assert GENERIC_FAILURE in text_of(response)
        assert f'value="{typed}"' in response.get_data(as_text=True)
        assert "niet het goede wachtwoord" not in response.get_data(as_text=True)


def test_empty_form_gets_field_errors(client):
    response = client.post("/login", data={"email": "geen-adres", "password": ""})
    page = text_of(response)
    assert "Dit is geen geldig e-mailadres" in page and "Vul je wachtwoord in" in page
    assert 'aria-invalid="true"' in response.get_data(as_text=True)


def test_deactivated_account_gets_the_generic_message(client, create_user):
    create_user("wendy@example.org", active=False)
    assert GENERIC_FAILURE in text_of(post_login(client, "wendy@example.org"))


def test_reviewer_needs_the_code_from_the_app(client, create_user):
    reviewer = create_user("ria@example.org", roles=("reviewer",))
    response = post_login(client, "ria@example.org")
    assert response.headers["Location"] == "/login/code"
    assert client.get("/dashboard").status_code == 302  # not signed in yet
    wrong = client.post("/login/code", data={"code": "000000"})
    assert "Deze code klopt niet" in text_of(wrong)
    right = client.post("/login/code", data={"code": totp_now(reviewer)})
    assert right.headers["Location"] == "/dashboard"
    assert client.get("/dashboard").status_code == 200
    assert db.session.scalar(sa.select(AuditEvent.details).where(AuditEvent.action == "auth.login")) == {
        "method": "totp"
    }


def test_same_code_cannot_be_used_for_a_second_sign_in(app, create_user):
    reviewer = create_user("ria@example.org", roles=("reviewer",))
    code = totp_now(reviewer)
    first, second = app.test_client(), app.test_client()
    post_login(first, "ria@example.org")
    assert first.post("/login/code", data={"code": code}).status_code == 302
    post_login(second, "ria@example.org")
    assert "Deze code klopt niet" in text_of(second.post("/login/code", data={"code": code}))


def test_recovery_code_signs_in_and_warns_how_many_are_left(client, create_user):
    user = create_user("ria@example.org", roles=("reviewer",), mfa_enabled=False)
    secret = services.begin_mfa_enrolment(user).secret
    import pyotp

    codes = services.confirm_mfa_enrolment(user, pyotp.TOTP(secret).now())
    db.session.commit()
    post_login(client, "ria@example.org")
    response = client.post("/login/code", data={"code": codes[3]}, follow_redirects=True)
    assert "Er zijn er nog 9 over" in text_of(response)


def test_code_step_expires_after_five_minutes(client, create_user):
    reviewer = create_user("ria@example.org", roles=("reviewer",))
    post_login(client, "ria@example.org")
    with time_machine.travel(utcnow() + timedelta(minutes=6)):
        response = client.post("/login/code", data={"code": totp_now(reviewer)}, follow_redirects=True)
    assert "duurde te lang" in text_of(response)
    assert client.get("/dashboard").status_code == 302


def test_code_step_without_password_step_goes_back_to_login(client):
    assert client.get("/login/code").headers["Location"] == "/login"


def test_next_parameter_is_followed_only_within_the_site(client, create_user):
    create_user("wendy@example.org")
    assert client.get("/account").headers["Location"] == "/login?next=/account"
    ok = post_login(client, "wendy@example.org", next="/account")
    assert ok.headers["Location"] == "/account"
    client.post("/logout")
    evil = post_login(client, "wendy@example.org", next="//evil.example/steal")
    assert evil.headers["Location"] == "/dashboard"


def test_logout_makes_the_old_cookie_useless(app, create_user):
    create_user("wendy@example.org")
    browser = app.test_client()
    post_login(browser, "wendy@example.org")
    stolen = browser.get_cookie("lmi_session").value
    assert browser.post("/logout").headers["Location"] == "/login"
    attacker = app.test_client()
    attacker.set_cookie("lmi_session", stolen)
    assert attacker.get("/dashboard").status_code == 302


def test_password_change_signs_out_other_devices_but_not_this_one(app, create_user):
    create_user("wendy@example.org")
    laptop, phone = app.test_client(), app.test_client()
    post_login(laptop, "wendy@example.org")
    post_login(phone, "wendy@example.org")
    response = laptop.post("/account/password", data={
        "current_password": DEFAULT_PASSWORD, "password": "een nieuwe lange zin", "confirm": "een nieuwe lange zin",
    })
    assert response.headers["Location"] == "/account"
    assert laptop.get("/dashboard").status_code == 200
    assert phone.get("/dashboard").status_code == 302


def test_password_change_errors_are_shown_on_the_form(login, create_user):
    client = login(create_user("wendy@example.org"))
    response = client.post("/account/password", data={
        "current_password": "fout", "password": "kort", "confirm": "anders",
    })
    page = text_of(response)
    assert "Gebruik minstens 12 tekens" in page and "De twee wachtwoorden zijn niet gelijk" in page


def test_too_many_failed_logins_for_one_account_are_refused_even_with_the_right_password(app, create_user):
    create_user("wendy@example.org")
    for number in range(5):
        client = app.test_client()  # a fresh client each time: the limit is per account, not per browser
        assert post_login(client, "wendy@example.org", f"fout wachtwoord {number}").status_code == 200
    blocked = post_login(app.test_client(), "WENDY@example.org")
    assert blocked.status_code == 429
    assert "te veel pogingen" in text_of(blocked).lower()
    # Another account from the same address is not affected by this account's limit.
    create_user("vincent@example.org")
    assert post_login(app.test_client(), "vincent@example.org").status_code == 302


def test_limit_per_account_looks_the_same_for_unknown_addresses(app):
    for number in range(5):
        post_login(app.test_client(), "niemand@example.org", f"fout wachtwoord {number}")
    assert post_login(app.test_client(), "niemand@example.org").status_code == 429


def test_successful_logins_do_not_count_towards_the_limit(app, create_user):
    create_user("wendy@example.org")
    for _ in range(7):
        client = app.test_client()
        assert post_login(client, "wendy@example.org").status_code == 302


def test_too_many_attempts_from_one_address_are_refused(app):
    app.config["RATELIMIT_LOGIN_PER_IP"] = "3 per 10 minutes"
    for number in range(3):
        post_login(app.test_client(), f"iemand{number}@example.org", "fout wachtwoord hier")
    assert post_login(app.test_client(), "nog-iemand@example.org").status_code == 429


def test_wrong_codes_are_rate_limited_per_account(app, create_user):
    create_user("ria@example.org", roles=("reviewer",))
    client = app.test_client()
    post_login(client, "ria@example.org")
    for _ in range(5):
        client.post("/login/code", data={"code": "000000"})
    assert client.post("/login/code", data={"code": "000000"}).status_code == 429


def test_forgot_password_says_the_same_for_known_and_unknown_addresses(app, create_user, outbox):
    create_user("wendy@example.org")
    known = app.test_client().post("/password/forgot", data={"email": "wendy@example.org"}, follow_redirects=True)
    unknown = app.test_client().post("/password/forgot", data={"email": "nie@example.org"}, follow_redirects=True)
    assert text_of(known) == text_of(unknown)
    assert [message["To"] for message in outbox.messages()] == ["wendy@example.org"]


def test_reset_link_sets_a_new_password_once(client, create_user, outbox):
    create_user("wendy@example.org")
    client.post("/password/forgot", data={"email": "wendy@example.org"})
    link = link_in(outbox.text(outbox.to("wendy@example.org")[0]), "http://lmi.test/password/reset/")
    path = link.removeprefix("http://lmi.test")
    assert client.get(path).status_code == 200
    weak = client.post(path, data={"password": "wachtwoord123", "confirm": "wachtwoord123"})
    assert "veel voor" in text_of(weak)
    done = client.post(path, data={"password": "een nieuwe lange zin", "confirm": "een nieuwe lange zin"})
    assert done.headers["Location"] == "/login"
    assert post_login(client, "wendy@example.org", "een nieuwe lange zin").status_code == 302
    again = client.get(path)
    assert again.status_code == 410 and "al gebruikt" in text_of(again)


def test_invitation_link_activates_the_account_and_sends_reviewers_to_enrolment(client, admin, outbox):
    services.invite_user(email="nieuw@example.org", display_name="Nina Nieuw", actor=admin, roles=["reviewer"])
    db.session.commit()
    path = link_in(outbox.text(outbox.to("nieuw@example.org")[0]), "http://lmi.test/invitation/").removeprefix(
        "http://lmi.test")
    page = text_of(client.get(path))
    assert "Welkom, Nina Nieuw" in page and "nieuw@example.org" in page
    response = client.post(path, data={"password": "mijn eigen lange zin", "confirm": "mijn eigen lange zin"})
    assert response.headers["Location"] == "/dashboard"
    assert client.get("/dashboard").headers["Location"] == "/account/mfa/enrol"
    assert client.get(path).status_code == 410


def test_expired_invitation_says_so(client, admin, outbox):
    services.invite_user(email="nieuw@example.org", display_name="Nina Nieuw", actor=admin)
    db.session.commit()
    path = link_in(outbox.text(outbox.messages()[0]), "http://lmi.test/invitation/").removeprefix("http://lmi.test")
    with time_machine.travel(utcnow() + timedelta(days=8)):
        response = client.get(path)
    assert response.status_code == 410 and "verlopen" in text_of(response)


def test_enrolment_with_qr_code_then_recovery_codes(login, create_user):
    user = create_user("ria@example.org", roles=("reviewer",), mfa_enabled=False)
    client = login(user)
    assert client.get("/admin/").status_code in (302, 403)
    assert client.get("/dashboard").headers["Location"] == "/account/mfa/enrol"
    page = client.get("/account/mfa/enrol")
    assert user.totp_secret in page.get_data(as_text=True)
    qr = client.get("/account/mfa/qr.svg")
    assert qr.mimetype == "image/svg+xml" and qr.headers["Cache-Control"] == "no-store"
    wrong = client.post("/account/mfa/enrol", data={"code": "123456"})
    assert "Deze code klopt niet" in text_of(wrong)
    done = client.post("/account/mfa/enrol", data={"code": totp_now(user)})
    codes_page = text_of(done)
    assert "Je herstelcodes" in codes_page and codes_page.count("-") >= 10
    assert client.get("/dashboard").status_code == 200
    assert client.get("/account/mfa/qr.svg").status_code == 404


def test_account_page_saves_name_and_language(login, create_user):
    user = create_user("wendy@example.org")
    client = login(user)
    response = client.post("/account", data={"display_name": "Wendy W.", "language": "en"}, follow_redirects=True)
    assert response.status_code == 200
    assert user.display_name == "Wendy W." and user.preferred_language == "en"
    assert '<html lang="en"' in response.get_data(as_text=True)


def test_account_page_keeps_typed_values_when_invalid(login, create_user):
    client = login(create_user("wendy@example.org"))
    response = client.post("/account", data={"display_name": "", "language": "xx"})
    page = text_of(response)
    assert "Vul je naam in" in page


@pytest.mark.parametrize("path", ["/account/mfa/recovery-codes", "/account/mfa/disable"])
def test_mfa_changes_need_the_password(login, create_user, path):
    user = create_user("wendy@example.org", mfa_enabled=True)
    client = login(user)
    response = client.post(path, data={"password": "niet het wachtwoord"}, follow_redirects=True)
    assert "klopt niet" in text_of(response)
    assert user.mfa_enabled


def test_participant_can_turn_mfa_off_and_regenerate_codes(login, create_user):
    user = create_user("wendy@example.org", mfa_enabled=True)
    client = login(user)
    regenerated = client.post("/account/mfa/recovery-codes", data={"password": DEFAULT_PASSWORD})
    assert "Je herstelcodes" in text_of(regenerated)
    client.post("/account/mfa/disable", data={"password": DEFAULT_PASSWORD})
    assert not user.mfa_enabled


def test_old_invitation_link_dies_once_a_password_is_set_another_way(app, admin, outbox):
    services.invite_user(email="nieuw@example.org", display_name="Nina", actor=admin, roles=["reviewer"])
    db.session.commit()
    invitation_path = link_in(outbox.text(outbox.to("nieuw@example.org")[0]),
                              "http://lmi.test/invitation/").removeprefix("http://lmi.test")
    client = app.test_client()
    client.post("/password/forgot", data={"email": "nieuw@example.org"})
    reset_path = link_in(outbox.text(outbox.to("nieuw@example.org")[-1]),
                         "http://lmi.test/password/reset/").removeprefix("http://lmi.test")
    client.post(reset_path, data={"password": "mijn eigen lange zin", "confirm": "mijn eigen lange zin"})
    attacker = app.test_client()
    response = attacker.post(invitation_path, data={"password": "de zin van de aanvaller", "confirm": "x"})
    assert response.status_code == 410
    assert attacker.get("/dashboard").status_code == 302


def test_a_token_is_claimed_once_even_when_checked_twice(app, create_user):
    from learning.auth.models import TokenPurpose

    user = create_user(password=None)
    raw = services.issue_token(user, TokenPurpose.INVITATION, timedelta(days=1))
    db.session.commit()
    token = services.check_token(raw, TokenPurpose.INVITATION)  # a second request checked it meanwhile too
    services.accept_invitation(raw, "een lange zin als wachtwoord")
    with pytest.raises(services.TokenError):
        services._use_token_to_set_password(token, "een andere lange zin", "account.invitation_accepted")

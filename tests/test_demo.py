"""`flask demo load`, `flask demo code` and `flask demo logins`."""

import pyotp
import sqlalchemy as sa

from learning.admin.models import Organisation, Region
from learning.auth.models import User
from learning.db import db
from learning.demo.data import DEMO_PASSWORD, PEOPLE


def count(model) -> int:  # noqa: ANN001
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_load_creates_every_role_in_two_regions_and_is_idempotent(runner):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert (count(User), count(Organisation), count(Region)) == (len(PEOPLE), 9, 2)
    users = list(db.session.scalars(sa.select(User)))
    roles = [role for user in users for role in user.roles]
    assert roles.count("reviewer") == 3 and roles.count("policy_owner") == 3 and roles.count("admin") == 1
    participants = [user for user in users if not user.roles and user.organisation]
    assert len(participants) == 6
    assert len({user.organisation.region.name for user in participants}) == 2
    assert all(user.mfa_enabled for user in users if user.mfa_required)
    again = runner.invoke(args=["demo", "load"])
    assert again.exit_code == 0 and "0 people" in again.output and "0 briefs" in again.output
    assert count(User) == len(PEOPLE)


def test_load_routes_the_demo_finding_to_two_boards_and_one_answers(runner, outbox):
    from learning.briefs.models import Brief, BriefDocument, BriefVersion
    from learning.findings.models import Finding
    from learning.responses.models import Action, Response

    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "1 briefs" in result.output
    brief = db.session.scalar(sa.select(Brief))
    assert brief.latest_version_number == 1 and count(BriefVersion) == 1
    documents = list(db.session.scalars(sa.select(BriefDocument).order_by(BriefDocument.organisation_name)))
    assert [(d.organisation_name, d.status) for d in documents] == [
        ("Gemeente Midden", "ready"), ("Veilig Thuis Midden", "ready")]
    assert all(d.pdf.startswith(b"%PDF") for d in documents)
    response = db.session.scalar(sa.select(Response))
    assert (response.organisation.name, response.decision, response.status) == ("Gemeente Midden", "partly",
                                                                                 "submitted")
    assert db.session.scalar(sa.select(Action.status)) == "in_progress"
    assert db.session.scalar(sa.select(Finding.status)) == "in_brief"  # Veilig Thuis Midden has not answered
    delivered = {message["To"] for message in outbox.messages()}
    assert {"bestuurder@example.org", "directeur.vt@example.org", "wijkteam@example.org"} <= delivered


def test_demo_password_signs_in(runner, client):
    runner.invoke(args=["demo", "load"])
    response = client.post("/login", data={"email": "wijkteam@example.org", "password": DEMO_PASSWORD})
    assert response.headers["Location"] == "/dashboard"


def test_code_prints_a_working_totp_code(runner):
    runner.invoke(args=["demo", "load"])
    result = runner.invoke(args=["demo", "code", "reviewer@example.org"])
    assert result.exit_code == 0
    user = db.session.scalar(sa.select(User).where(User.email == "reviewer@example.org"))
    assert pyotp.TOTP(user.totp_secret).verify(result.stdout.strip(), valid_window=1)


def test_code_for_account_without_mfa_fails_clearly(runner):
    runner.invoke(args=["demo", "load"])
    result = runner.invoke(args=["demo", "code", "wijkteam@example.org"])
    assert result.exit_code != 0 and "two-step" in result.output


def test_demo_refuses_production(app, runner):
    app.config["ENVIRONMENT"] = "production"
    for args in (["demo", "load"], ["demo", "code", "reviewer@example.org"]):
        result = runner.invoke(args=args)
        assert result.exit_code != 0 and "development only" in result.output
    assert count(User) == 0


def test_logins_lists_every_demo_account(runner):
    result = runner.invoke(args=["demo", "logins"])
    assert DEMO_PASSWORD in result.output
    assert all(person.email in result.output for person in PEOPLE)


def test_create_admin_prints_a_working_invitation_link(runner, client, outbox):
    result = runner.invoke(args=["accounts", "create-admin", "Beheer@Example.org", "--name", "Eerste Beheerder"])
    assert result.exit_code == 0, result.output
    link = result.output.strip().splitlines()[-1]
    assert link.startswith("http://lmi.test/invitation/")
    assert len(outbox.to("Beheer@Example.org")) == 1
    user = db.session.scalar(sa.select(User).where(User.email == "Beheer@Example.org"))
    assert user.has_role("admin") and user.invitation_pending
    path = link.removeprefix("http://lmi.test")
    response = client.post(path, data={"password": "een sterke lange zin", "confirm": "een sterke lange zin"})
    assert response.headers["Location"] == "/dashboard"


def test_create_admin_refuses_bad_or_taken_addresses(runner, create_user):
    create_user("bestaat@example.org")
    assert "not a valid" in runner.invoke(args=["accounts", "create-admin", "geen-adres", "--name", "X"]).output
    taken = runner.invoke(args=["accounts", "create-admin", "BESTAAT@example.org", "--name", "X"])
    assert taken.exit_code != 0 and "bestaat al" in taken.output

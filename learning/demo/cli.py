"""``flask demo load`` and ``flask demo code EMAIL`` (development only)."""

from __future__ import annotations

import click
import pyotp
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from learning.admin.models import Organisation, Region, TaxonomyTerm, Vocabulary
from learning.auth import mfa
from learning.auth.models import User
from learning.auth.services import create_user, find_user_by_email, regenerate_recovery_codes
from learning.db import db, utcnow
from learning.demo.brief_loop import load_demo_brief_loop
from learning.demo.data import DEMO_PASSWORD, ORGANISATIONS, PEOPLE, REGIONS
from learning.demo.learning_loop import load_demo_learning_loop
from learning.demo.reviews import load_demo_review
from learning.demo.vragenronde import load_demo_vragenronde


def _refuse_in_production() -> None:
    if current_app.config["ENVIRONMENT"] == "production":
        raise click.ClickException("demo data is for development only; LMI_ENV is 'production'")


@click.group(help="Demo data for development.")
def demo() -> None:
    pass


def load_demo_data() -> dict[str, int]:
    """Create what is missing; running it again changes nothing. Returns counts of what was added."""
    added = {"regions": 0, "organisations": 0, "people": 0, "reviews": 0}
    regions = {region.name: region for region in db.session.scalars(sa.select(Region))}
    for name in REGIONS:
        if name not in regions:
            regions[name] = Region(name=name)
            db.session.add(regions[name])
            added["regions"] += 1
    db.session.flush()

    kinds = {
        term.code: term
        for term in db.session.scalars(
            sa.select(TaxonomyTerm).where(TaxonomyTerm.vocabulary == Vocabulary.AGENCY_KIND.value)
        )
    }
    organisations = {org.name: org for org in db.session.scalars(sa.select(Organisation))}
    for name, kind_code, region_name in ORGANISATIONS:
        if name not in organisations:
            organisations[name] = Organisation(name=name, agency_kind=kinds[kind_code], region=regions[region_name])
            db.session.add(organisations[name])
            added["organisations"] += 1
    db.session.flush()

    for person in PEOPLE:
        if find_user_by_email(person.email) is not None:
            continue
        organisation = organisations[person.organisation] if person.organisation else None
        user = create_user(
            email=person.email, display_name=person.name, actor=None, language=person.language,
            roles=person.roles, organisation_id=organisation.id if organisation else None, password=DEMO_PASSWORD,
        )
        if user.mfa_required:
            # Enrolled with a stored secret, so `flask demo code` can stand in for a phone.
            user.totp_secret = mfa.new_secret()
            user.mfa_enabled_at = utcnow()
            regenerate_recovery_codes(user)  # nobody knows them; `flask demo code` stands in
        added["people"] += 1
    db.session.flush()
    added["reviews"] = load_demo_review() + load_demo_vragenronde() + load_demo_learning_loop()
    db.session.flush()
    added["briefs"] = load_demo_brief_loop()
    db.session.flush()
    return added


@demo.command("load")
@with_appcontext
def load_command() -> None:
    """Load demo accounts, organisations and regions (idempotent)."""
    _refuse_in_production()
    added = load_demo_data()
    db.session.commit()
    click.echo(
        f"Demo data: {added['people']} people, {added['organisations']} organisations, "
        f"{added['regions']} regions, {added['reviews']} reviews and {added['briefs']} briefs added "
        "(existing ones left as they were)."
    )


@demo.command("code")
@click.argument("email")
@with_appcontext
def code_command(email: str) -> None:
    """Print the current TOTP code of a demo account that uses MFA."""
    _refuse_in_production()
    user: User | None = find_user_by_email(email)
    if user is None or not user.mfa_enabled or not user.totp_secret:
        raise click.ClickException(f"{email} has no account with two-step verification")
    totp = pyotp.TOTP(user.totp_secret)
    seconds_left = totp.interval - int(utcnow().timestamp()) % totp.interval
    click.echo(totp.now())
    click.echo(f"(valid for {seconds_left} more seconds; each code works once)", err=True)


def demo_logins() -> list[tuple[str, str]]:
    return [(person.email, person.what) for person in PEOPLE]


@demo.command("logins")
def logins_command() -> None:
    """Print the demo accounts and their password."""
    click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for email, what in demo_logins():
        click.echo(f"  {email:<34} {what}")
    click.echo("Accounts with MFA: run `flask demo code EMAIL` for the current code.")

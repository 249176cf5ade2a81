"""``flask accounts create-admin``: the first administrator of a new installation."""

from __future__ import annotations

from datetime import timedelta

import click
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask.cli import with_appcontext

from learning.auth import services
from learning.auth.models import GlobalRole, TokenPurpose
from learning.db import db
from learning.mail import external_url


@click.group(help="Accounts.")
def accounts() -> None:
    pass


@accounts.command("create-admin")
@click.argument("email")
@click.option("--name", required=True, help="Display name of the administrator.")
@click.option("--language", type=click.Choice(["nl", "en"]), default="nl", show_default=True)
@with_appcontext
def create_admin(email: str, name: str, language: str) -> None:
    """Create an administrator and print (and e-mail) the link to choose a password."""
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise click.ClickException(f"{email} is not a valid e-mail address: {error}") from None
    try:
        user = services.create_user(
            email=email, display_name=name, actor=None, language=language, roles=[GlobalRole.ADMIN]
        )
    except services.AccountError as error:
        raise click.ClickException(str(error)) from None
    days = current_app.config["INVITATION_DAYS"]
    token = services.issue_token(user, TokenPurpose.INVITATION, timedelta(days=days))
    link = external_url("auth.accept_invitation", token=token)
    services.send_invitation_mail(user, inviter_name="Leren met Impact", link=link, days=days)
    db.session.commit()
    click.echo(f"Administrator {email} created. Link to choose a password (valid {days} days, once):")
    click.echo(link)

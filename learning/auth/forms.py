from __future__ import annotations

from wtforms import EmailField, HiddenField, PasswordField, RadioField, SelectChoice, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from learning.auth import passwords
from learning.forms import BaseForm
from learning.i18n import _l

# Language names are written in their own language, so nobody has to read a foreign one to switch.
LANGUAGE_CHOICES = [SelectChoice("nl", "Nederlands"), SelectChoice("en", "English")]


def email_field(description=None):  # noqa: ANN001, ANN201
    return EmailField(
        _l("E-mailadres"),
        description=description,
        validators=[
            DataRequired(_l("Vul je e-mailadres in.")),
            Email(_l("Dit is geen geldig e-mailadres, bijvoorbeeld naam@organisatie.nl."), check_deliverability=False),
            Length(max=254),
        ],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )


class NewPasswordMixin:
    """A new password plus its confirmation, checked against the password policy."""

    password = PasswordField(
        _l("Nieuw wachtwoord"),
        description=_l("Minstens 12 tekens. Een zin van een paar woorden is sterk en goed te onthouden."),
        validators=[DataRequired(_l("Kies een wachtwoord."))],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Herhaal het nieuwe wachtwoord"),
        validators=[
            DataRequired(_l("Herhaal het wachtwoord.")),
            EqualTo("password", _l("De twee wachtwoorden zijn niet gelijk.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    # Set by the view so the policy can refuse a password containing the e-mail address.
    email_for_policy: str | None = None

    def validate_password(self, field):  # noqa: ANN001, ANN201
        problems = passwords.password_problems(field.data or "", self.email_for_policy)
        if problems:
            raise ValidationError(" ".join(problems))


class LoginForm(BaseForm):
    email = email_field()
    password = PasswordField(
        _l("Wachtwoord"),
        validators=[DataRequired(_l("Vul je wachtwoord in."))],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class SecondFactorForm(BaseForm):
    code = StringField(
        _l("Code"),
        description=_l("De zescijferige code uit je authenticator-app, of een van je herstelcodes."),
        validators=[DataRequired(_l("Vul de code in.")), Length(max=32)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false"},
    )


class EnrolForm(BaseForm):
    code = StringField(
        _l("Code uit de app"),
        description=_l("Zes cijfers, zoals de app ze nu laat zien."),
        validators=[DataRequired(_l("Vul de code uit de app in.")), Length(max=12)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"},
    )


class PasswordResetRequestForm(BaseForm):
    email = email_field()


class SetPasswordForm(NewPasswordMixin, BaseForm):
    pass


class ChangePasswordForm(NewPasswordMixin, BaseForm):
    current_password = PasswordField(
        _l("Huidig wachtwoord"),
        validators=[DataRequired(_l("Vul je huidige wachtwoord in."))],
        render_kw={"autocomplete": "current-password"},
    )


class ProfileForm(BaseForm):
    display_name = StringField(
        _l("Naam"),
        description=_l("Zoals anderen je zien in reviews en bijeenkomsten."),
        validators=[DataRequired(_l("Vul je naam in.")), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )
    language = RadioField(_l("Taal"), choices=LANGUAGE_CHOICES, validators=[DataRequired()])


class ConfirmWithPasswordForm(BaseForm):
    password = PasswordField(
        _l("Wachtwoord"),
        description=_l("Ter bevestiging."),
        validators=[DataRequired(_l("Vul je wachtwoord in."))],
        render_kw={"autocomplete": "current-password"},
    )


class EmptyForm(BaseForm):
    """For buttons that change something: carries the CSRF token and nothing else."""

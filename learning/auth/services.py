"""Account operations. Each takes explicit arguments (including ``actor``), flushes,
writes its audit entry and never commits: the request or CLI command does that."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from learning import audit
from learning.auth import mfa, passwords
from learning.auth.models import (
    AccountToken,
    GlobalRole,
    RecoveryCode,
    TokenPurpose,
    User,
    UserRole,
    new_session_token,
)
from learning.db import db, utcnow
from learning.i18n import _, _l
from learning.mail import external_url, send_mail


class AccountError(ValueError):
    """A request about an account that cannot be honoured; ``str()`` is a translated message."""


class TokenError(AccountError):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == normalise_email(email)))


def email_taken(email: str, *, except_user: User | None = None) -> bool:
    query = sa.select(User.id).where(sa.func.lower(User.email) == normalise_email(email))
    if except_user is not None:
        query = query.where(User.id != except_user.id)
    return db.session.scalar(query) is not None


# --- creating and changing accounts -------------------------------------------------------


def create_user(
    *,
    email: str,
    display_name: str,
    actor: User | None,
    language: str = "nl",
    roles: Iterable[str] = (),
    organisation_id: int | None = None,
    password: str | None = None,
) -> User:
    if email_taken(email):
        raise AccountError(_("Er bestaat al een account met dit e-mailadres."))
    user = User(
        email=email.strip(),
        display_name=display_name.strip(),
        preferred_language=language,
        organisation_id=organisation_id,
        password_hash=passwords.hash_password(password) if password else None,
        password_changed_at=utcnow() if password else None,
    )
    user.role_rows = [UserRole(role=GlobalRole(role).value) for role in sorted(set(roles))]
    db.session.add(user)
    db.session.flush()
    audit.record(
        "account.created", actor=actor, object_type="user", object_id=user.id,
        roles=sorted(set(roles)), organisation_id=organisation_id,
    )
    return user


def invite_user(
    *,
    email: str,
    display_name: str,
    actor: User,
    language: str = "nl",
    roles: Iterable[str] = (),
    organisation_id: int | None = None,
) -> User:
    """Create an account without a password and e-mail a link to choose one."""
    user = create_user(
        email=email, display_name=display_name, actor=actor, language=language,
        roles=roles, organisation_id=organisation_id,
    )
    _send_invitation(user, actor)
    return user


def resend_invitation(user: User, *, actor: User) -> None:
    if not user.invitation_pending:
        raise AccountError(_("Deze persoon heeft de uitnodiging al geaccepteerd."))
    if not user.active:
        raise AccountError(_("Dit account is gedeactiveerd; activeer het eerst opnieuw."))
    _send_invitation(user, actor)


def _send_invitation(user: User, actor: User) -> None:
    days = current_app.config["INVITATION_DAYS"]
    raw_token = issue_token(user, TokenPurpose.INVITATION, timedelta(days=days))
    audit.record("account.invited", actor=actor, object_type="user", object_id=user.id)
    send_invitation_mail(
        user, inviter_name=actor.display_name, link=external_url("auth.accept_invitation", token=raw_token),
        days=days,
    )


def send_invitation_mail(user: User, *, inviter_name: str, link: str, days: int) -> None:
    send_mail(
        to=user.email,
        subject=_l("Je bent uitgenodigd voor Leren met Impact"),
        template="invitation",
        language=user.preferred_language,
        user=user,
        inviter_name=inviter_name,
        link=link,
        expires_days=days,
    )


def update_account(
    user: User,
    *,
    actor: User,
    display_name: str,
    language: str,
    roles: Iterable[str],
    organisation_id: int | None,
) -> None:
    """An administrator's change to someone's name, language, roles and organisation."""
    new_roles = {GlobalRole(role).value for role in roles}
    old_roles = {row.role for row in user.role_rows}
    if user.id == actor.id and GlobalRole.ADMIN.value in old_roles - new_roles:
        raise AccountError(_("Je kunt je eigen beheerdersrol niet intrekken; vraag een andere beheerder."))
    changes: dict[str, object] = {}
    if user.display_name != display_name.strip():
        changes["display_name"] = True
        user.display_name = display_name.strip()
    if user.preferred_language != language:
        changes["language"] = language
        user.preferred_language = language
    if user.organisation_id != organisation_id:
        changes["organisation_id"] = [user.organisation_id, organisation_id]
        user.organisation_id = organisation_id
    if new_roles != old_roles:
        user.role_rows = [row for row in user.role_rows if row.role in new_roles] + [
            UserRole(role=role) for role in sorted(new_roles - old_roles)
        ]
        audit.record(
            "account.roles_changed", actor=actor, object_type="user", object_id=user.id,
            added=sorted(new_roles - old_roles), removed=sorted(old_roles - new_roles),
        )
    if changes:
        audit.record("account.updated", actor=actor, object_type="user", object_id=user.id, **changes)
    db.session.flush()


def update_own_profile(user: User, *, display_name: str, language: str) -> None:
    user.display_name = display_name.strip()
    user.preferred_language = language
    audit.record("account.profile_updated", actor=user, object_type="user", object_id=user.id)
    db.session.flush()


def set_language(user: User, language: str) -> None:
    user.preferred_language = language
    db.session.flush()


def deactivate_user(user: User, *, actor: User) -> None:
    if user.id == actor.id:
        raise AccountError(_("Je kunt je eigen account niet deactiveren."))
    if not user.active:
        raise AccountError(_("Dit account is al gedeactiveerd."))
    user.active = False
    user.session_token = new_session_token()
    _invalidate_tokens(user)
    audit.record("account.deactivated", actor=actor, object_type="user", object_id=user.id)
    db.session.flush()


def reactivate_user(user: User, *, actor: User) -> None:
    if user.active:
        raise AccountError(_("Dit account is al actief."))
    user.active = True
    audit.record("account.reactivated", actor=actor, object_type="user", object_id=user.id)
    db.session.flush()


def reset_mfa(user: User, *, actor: User) -> None:
    """For a lost phone: the person enrols again at their next sign-in."""
    if user.id == actor.id:
        raise AccountError(_("Je kunt je eigen tweestapsverificatie hier niet resetten."))
    if not user.mfa_enabled:
        raise AccountError(_("Deze persoon heeft geen tweestapsverificatie ingesteld."))
    _clear_mfa(user)
    user.session_token = new_session_token()
    audit.record("mfa.reset_by_admin", actor=actor, object_type="user", object_id=user.id)
    db.session.flush()


# --- passwords and sign-in ----------------------------------------------------------------


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, else None. Failures are audited."""
    user = find_user_by_email(email)
    password_ok = passwords.verify_password(user.password_hash if user else None, password)
    if user is None or not password_ok or not user.active:
        audit.record(
            "auth.login_failed", actor=user, object_type="user" if user else None,
            object_id=user.id if user else None, email=normalise_email(email)[:254],
            reason="unknown" if user is None else ("inactive" if password_ok else "password"),
        )
        db.session.flush()
        return None
    return user


def upgrade_password_hash(user: User, password: str) -> None:
    """After a correct password: re-hash it when the hashing parameters have changed since."""
    if user.password_hash and passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
        db.session.flush()


def password_is_correct(user: User, password: str) -> bool:
    return passwords.verify_password(user.password_hash, password)


def complete_login(user: User, *, method: str = "password") -> None:
    """Record a finished sign-in (after the second factor, where there is one)."""
    user.last_login_at = utcnow()
    audit.record("auth.login", actor=user, object_type="user", object_id=user.id, method=method)
    db.session.flush()


def logout(user: User) -> None:
    """Rotating the session token makes every existing session cookie of this user useless."""
    user.session_token = new_session_token()
    audit.record("auth.logout", actor=user, object_type="user", object_id=user.id)
    db.session.flush()


def change_password(user: User, *, current_password: str, new_password: str) -> None:
    if not passwords.verify_password(user.password_hash, current_password):
        raise AccountError(_("Je huidige wachtwoord klopt niet."))
    problems = passwords.password_problems(new_password, user.email)
    if problems:
        raise AccountError(" ".join(problems))
    _set_password(user, new_password)
    audit.record("auth.password_changed", actor=user, object_type="user", object_id=user.id)
    db.session.flush()


def _set_password(user: User, new_password: str) -> None:
    """A new password ends every session and every open link (reset or invitation) of this account."""
    user.password_hash = passwords.hash_password(new_password)
    user.password_changed_at = utcnow()
    user.session_token = new_session_token()
    _invalidate_tokens(user)


def request_password_reset(email: str) -> None:
    """Send a reset link if an active account exists. The caller shows the same message either way."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        audit.record("auth.password_reset_requested", actor=None, email=normalise_email(email)[:254], sent=False)
        db.session.flush()
        return
    lifetime = timedelta(hours=current_app.config["PASSWORD_RESET_HOURS"])
    raw_token = issue_token(user, TokenPurpose.PASSWORD_RESET, lifetime)
    audit.record("auth.password_reset_requested", actor=user, object_type="user", object_id=user.id, sent=True)
    template = "invitation_reminder" if user.invitation_pending else "password_reset"
    send_mail(
        to=user.email,
        subject=_l("Een nieuw wachtwoord voor Leren met Impact"),
        template=template,
        language=user.preferred_language,
        user=user,
        link=external_url("auth.reset_password", token=raw_token),
        expires_hours=int(lifetime.total_seconds() // 3600),
    )


def reset_password(raw_token: str, new_password: str) -> User:
    token = check_token(raw_token, TokenPurpose.PASSWORD_RESET)
    return _use_token_to_set_password(token, new_password, "auth.password_reset")


def accept_invitation(raw_token: str, new_password: str) -> User:
    token = check_token(raw_token, TokenPurpose.INVITATION)
    if not token.user.invitation_pending:
        raise TokenError(_("Dit account is al geactiveerd. Log in, of vraag een nieuw wachtwoord aan."))
    return _use_token_to_set_password(token, new_password, "account.invitation_accepted")


def set_first_password(user: User, new_password: str) -> None:
    """Activate an invited account whose owner proved their address another way (a review invitation)."""
    if not user.invitation_pending:
        raise AccountError(_("Dit account heeft al een wachtwoord."))
    problems = passwords.password_problems(new_password, user.email)
    if problems:
        raise AccountError(" ".join(problems))
    _set_password(user, new_password)
    audit.record("account.invitation_accepted", actor=user, object_type="user", object_id=user.id)
    db.session.flush()


def _use_token_to_set_password(token: AccountToken, new_password: str, action: str) -> User:
    user = token.user
    problems = passwords.password_problems(new_password, user.email)
    if problems:
        raise AccountError(" ".join(problems))
    # Claim the token with one conditional UPDATE, so two simultaneous submissions cannot both use it.
    claimed = db.session.execute(
        sa.update(AccountToken).where(AccountToken.id == token.id, AccountToken.used_at.is_(None))
        .values(used_at=utcnow())
    ).rowcount
    if claimed != 1:
        raise TokenError(_("Deze link is al gebruikt of vervangen door een nieuwere. Vraag een nieuwe aan."))
    _set_password(user, new_password)
    audit.record(action, actor=user, object_type="user", object_id=user.id)
    db.session.flush()
    return user


# --- one-time tokens ----------------------------------------------------------------------


def _token_digest(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode()).hexdigest()


def issue_token(user: User, purpose: TokenPurpose, lifetime: timedelta) -> str:
    """A new single-use token; earlier unused tokens of the same purpose stop working."""
    _invalidate_tokens(user, purpose)
    raw_token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(
        AccountToken(
            user=user, purpose=purpose.value, token_hash=_token_digest(raw_token),
            created_at=now, expires_at=now + lifetime,
        )
    )
    db.session.flush()
    return raw_token


def _invalidate_tokens(user: User, purpose: TokenPurpose | None = None) -> None:
    query = sa.update(AccountToken).where(AccountToken.user_id == user.id, AccountToken.used_at.is_(None))
    if purpose is not None:
        query = query.where(AccountToken.purpose == purpose.value)
    db.session.execute(query.values(used_at=utcnow()))


def check_token(raw_token: str, purpose: TokenPurpose) -> AccountToken:
    """The valid token for ``raw_token``, or a TokenError that says why not."""
    token = db.session.scalar(sa.select(AccountToken).where(AccountToken.token_hash == _token_digest(raw_token)))
    if token is None or token.purpose != purpose.value:
        raise TokenError(_("Deze link is niet geldig. Controleer of je de hele link uit de e-mail hebt gebruikt."))
    if token.used_at is not None:
        raise TokenError(_("Deze link is al gebruikt of vervangen door een nieuwere. Vraag een nieuwe aan."))
    if token.expires_at <= utcnow():
        raise TokenError(_("Deze link is verlopen. Vraag een nieuwe aan."))
    if not token.user.active:
        raise TokenError(_("Deze link is niet geldig. Controleer of je de hele link uit de e-mail hebt gebruikt."))
    return token


# --- multi-factor authentication ----------------------------------------------------------


@dataclass
class Enrolment:
    secret: str
    uri: str


def begin_mfa_enrolment(user: User) -> Enrolment:
    """Keep (or create) the secret being enrolled; it only counts once a code confirms it."""
    if user.mfa_enabled:
        raise AccountError(_("Tweestapsverificatie staat al aan."))
    if not user.totp_secret:
        user.totp_secret = mfa.new_secret()
        db.session.flush()
    uri = mfa.provisioning_uri(user.totp_secret, user.email, current_app.config["MFA_ISSUER"])
    return Enrolment(secret=user.totp_secret, uri=uri)


def confirm_mfa_enrolment(user: User, code: str, at: datetime | None = None) -> list[str]:
    """Turn MFA on when ``code`` matches the pending secret; returns the new recovery codes."""
    if user.mfa_enabled or not user.totp_secret:
        raise AccountError(_("Begin opnieuw met het instellen van tweestapsverificatie."))
    timestep = mfa.accept_totp(user.totp_secret, code, user.totp_last_timestep, at)
    if timestep is None:
        audit.record("mfa.enrolment_failed", actor=user, object_type="user", object_id=user.id)
        db.session.flush()
        raise AccountError(_("Deze code klopt niet. Controleer de tijd op je telefoon en probeer de nieuwste code."))
    user.totp_last_timestep = timestep
    user.mfa_enabled_at = utcnow()
    codes = _replace_recovery_codes(user)
    audit.record("mfa.enrolled", actor=user, object_type="user", object_id=user.id)
    db.session.flush()
    return codes


def verify_second_factor(user: User, code: str, at: datetime | None = None) -> str | None:
    """'totp' or 'recovery_code' when ``code`` is accepted (and then used up), else None."""
    if not user.mfa_enabled or not user.totp_secret:
        return None
    timestep = mfa.accept_totp(user.totp_secret, code, user.totp_last_timestep, at)
    if timestep is not None and _claim_timestep(user, timestep):
        return "totp"
    digest = mfa.hash_recovery_code(code)
    for recovery_code in _unused_recovery_codes(user):
        if hmac.compare_digest(recovery_code.code_hash, digest):
            recovery_code.used_at = utcnow()
            audit.record("mfa.recovery_code_used", actor=user, object_type="user", object_id=user.id,
                         remaining=len(_unused_recovery_codes(user)))
            db.session.flush()
            return "recovery_code"
    audit.record("mfa.failed", actor=user, object_type="user", object_id=user.id)
    db.session.flush()
    return None


def _claim_timestep(user: User, timestep: int) -> bool:
    """Record the accepted time step with one conditional UPDATE: a code used twice at once wins once."""
    claimed = db.session.execute(
        sa.update(User).where(User.id == user.id, sa.or_(User.totp_last_timestep.is_(None),
                                                           User.totp_last_timestep < timestep))
        .values(totp_last_timestep=timestep).execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(user, ["totp_last_timestep"])
    return claimed == 1


def regenerate_recovery_codes(user: User) -> list[str]:
    if not user.mfa_enabled:
        raise AccountError(_("Zet eerst tweestapsverificatie aan."))
    codes = _replace_recovery_codes(user)
    audit.record("mfa.recovery_codes_regenerated", actor=user, object_type="user", object_id=user.id)
    db.session.flush()
    return codes


def disable_mfa(user: User, *, password: str) -> None:
    if user.mfa_required:
        raise AccountError(_("Met jouw rol is tweestapsverificatie verplicht; je kunt die niet uitzetten."))
    if not user.mfa_enabled:
        raise AccountError(_("Tweestapsverificatie staat niet aan."))
    if not passwords.verify_password(user.password_hash, password):
        raise AccountError(_("Je wachtwoord klopt niet."))
    _clear_mfa(user)
    audit.record("mfa.disabled", actor=user, object_type="user", object_id=user.id)
    db.session.flush()


def remaining_recovery_codes(user: User) -> int:
    return len(_unused_recovery_codes(user))


def _unused_recovery_codes(user: User) -> list[RecoveryCode]:
    return list(
        db.session.scalars(
            sa.select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        )
    )


def _replace_recovery_codes(user: User) -> list[str]:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = mfa.new_recovery_codes()
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=mfa.hash_recovery_code(code)) for code in codes)
    return codes


def _clear_mfa(user: User) -> None:
    user.totp_secret = None
    user.mfa_enabled_at = None
    user.totp_last_timestep = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))

"""Accounts, global roles, one-time tokens and MFA recovery codes."""

from __future__ import annotations

import enum
import hmac
import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning.db import UTCDateTime, db, utcnow
from learning.i18n import _l


class GlobalRole(enum.StrEnum):
    ADMIN = "admin"
    REVIEWER = "reviewer"
    POLICY_OWNER = "policy_owner"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    GlobalRole.ADMIN: _l("Beheerder"),
    GlobalRole.REVIEWER: _l("Reviewer"),
    GlobalRole.POLICY_OWNER: _l("Beleidseigenaar"),
}

# Roles that handle sensitive material across reviews or organisations must use MFA.
MFA_REQUIRED_ROLES = frozenset(GlobalRole)


class TokenPurpose(enum.StrEnum):
    PASSWORD_RESET = "password_reset"
    INVITATION = "invitation"


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    display_name: Mapped[str] = mapped_column(sa.String(120))
    preferred_language: Mapped[str] = mapped_column(sa.String(5), default="nl")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Rotated on logout, password change and deactivation: every older session cookie stops working.
    session_token: Mapped[str] = mapped_column(sa.String(64), default=new_session_token)
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    # Set at the start of enrolment; MFA counts as on only once mfa_enabled_at is set.
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    mfa_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last accepted TOTP time step: a code is accepted once, never twice in its window.
    totp_last_timestep: Mapped[int | None] = mapped_column(sa.BigInteger)

    # Loaded when used (lists that show it eager-load it explicitly), not on every request.
    organisation = relationship("Organisation")
    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )
    # Not a column: filled only by the query that loads the signed-in person, with the expression a later
    # domain adds to ``learning.auth.views.LOAD_USER_OPTIONS`` (the notifications); None on any other load.
    unread_notification_count: Mapped[int | None] = sa.orm.query_expression()

    __table_args__ = (sa.Index("uq_users_email_lower", sa.func.lower(email), unique=True),)

    # Flask-Login protocol. The id carries the session token, so rotating it signs out everywhere.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def session_token_matches(self, token: str) -> bool:
        return hmac.compare_digest(self.session_token.encode(), token.encode())

    @property
    def roles(self) -> set[GlobalRole]:
        return {GlobalRole(row.role) for row in self.role_rows}

    def has_role(self, role: str) -> bool:
        return any(row.role == role for row in self.role_rows)

    @property
    def has_password(self) -> bool:
        return self.password_hash is not None

    @property
    def invitation_pending(self) -> bool:
        return self.password_hash is None

    @property
    def mfa_enabled(self) -> bool:
        return self.mfa_enabled_at is not None

    @property
    def mfa_required(self) -> bool:
        return any(row.role in MFA_REQUIRED_ROLES for row in self.role_rows)

    @property
    def must_enrol_mfa(self) -> bool:
        return self.mfa_required and not self.mfa_enabled

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(sa.String(32), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows")

    __table_args__ = (
        sa.CheckConstraint(
            "role IN ('admin', 'reviewer', 'policy_owner')", name="known_role"
        ),
        sa.Index("ix_user_roles_role", "role"),
    )


class AccountToken(db.Model):
    """A single-use, expiring token sent by e-mail. Only its SHA-256 is stored."""

    __tablename__ = "account_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(32))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class RecoveryCode(db.Model):
    """One of ten MFA recovery codes; stored as a hash, usable once."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

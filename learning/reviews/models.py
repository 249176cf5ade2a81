"""Reviews, their method phases, timeline episodes, members and invitations; the method library."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning.db import UTCDateTime, db, utcnow
from learning.i18n import _l


class ReviewKind(enum.StrEnum):
    CASUSREVIEW = "casusreview"
    INTERVISIE = "intervisie"
    VRAGENRONDE = "vragenronde"

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self])


KIND_LABELS = {
    ReviewKind.CASUSREVIEW: _l("Casusreview"),
    ReviewKind.INTERVISIE: _l("Intervisie"),
    ReviewKind.VRAGENRONDE: _l("Vragenronde"),
}


class ReviewStatus(enum.StrEnum):
    CONCEPT = "concept"
    VOORBEREIDING = "voorbereiding"
    BIJEENKOMST = "bijeenkomst"
    AFRONDING = "afronding"
    GESLOTEN = "gesloten"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    ReviewStatus.CONCEPT: _l("Concept"),
    ReviewStatus.VOORBEREIDING: _l("Voorbereiding"),
    ReviewStatus.BIJEENKOMST: _l("Bijeenkomst"),
    ReviewStatus.AFRONDING: _l("Afronding"),
    ReviewStatus.GESLOTEN: _l("Gesloten"),
}


class MemberRole(enum.StrEnum):
    LEAD_REVIEWER = "lead_reviewer"
    CO_REVIEWER = "co_reviewer"
    PARTICIPANT = "participant"
    EXPERT_BY_EXPERIENCE = "expert_by_experience"
    OBSERVER = "observer"

    @property
    def label(self) -> str:
        return str(MEMBER_ROLE_LABELS[self])


MEMBER_ROLE_LABELS = {
    MemberRole.LEAD_REVIEWER: _l("Hoofdreviewer"),
    MemberRole.CO_REVIEWER: _l("Co-reviewer"),
    MemberRole.PARTICIPANT: _l("Deelnemer"),
    MemberRole.EXPERT_BY_EXPERIENCE: _l("Ervaringsdeskundige"),
    MemberRole.OBSERVER: _l("Waarnemer"),
}

EDITOR_ROLES = frozenset({MemberRole.LEAD_REVIEWER, MemberRole.CO_REVIEWER})
CONTRIBUTOR_ROLES = EDITOR_ROLES | {MemberRole.PARTICIPANT, MemberRole.EXPERT_BY_EXPERIENCE}


class Contributor(enum.StrEnum):
    EVERYONE = "everyone"
    CASE_HOLDER = "case_holder"
    REVIEWER = "reviewer"

    @property
    def label(self) -> str:
        return str(CONTRIBUTOR_LABELS[self])


CONTRIBUTOR_LABELS = {
    Contributor.EVERYONE: _l("Iedereen"),
    Contributor.CASE_HOLDER: _l("Casushouder"),
    Contributor.REVIEWER: _l("Reviewer"),
}


class InvitationStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    REVOKED = "revoked"
    EXPIRED = "expired"


class PhaseFields:
    """The fields every phase has, in the library and in a review's own copy."""

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(sa.String(160))
    purpose: Mapped[str] = mapped_column(sa.Text, default="")
    prompts: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    minutes: Mapped[int] = mapped_column(default=15)
    contributor: Mapped[str] = mapped_column(sa.String(20), default=Contributor.EVERYONE.value)

    @property
    def contributor_label(self) -> str:
        return Contributor(self.contributor).label

    def phase_data(self) -> dict[str, Any]:
        return {"name": self.name, "purpose": self.purpose, "prompts": list(self.prompts),
                "minutes": self.minutes, "contributor": self.contributor}


class Method(db.Model):
    """A method in the library: built in (one row per language) or a reviewer's copy."""

    __tablename__ = "methods"

    id: Mapped[int] = mapped_column(primary_key=True)
    builtin_key: Mapped[str | None] = mapped_column(sa.String(64))
    language: Mapped[str] = mapped_column(sa.String(5), default="nl")
    name: Mapped[str] = mapped_column(sa.String(160))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    suitable_kinds: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    copied_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("methods.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    phases: Mapped[list[MethodPhase]] = relationship(
        back_populates="method", order_by="MethodPhase.position", cascade="all, delete-orphan"
    )
    organisation = relationship("Organisation")
    created_by = relationship("User")

    __table_args__ = (
        sa.UniqueConstraint("builtin_key", "language", name="uq_methods_builtin_key_language"),
    )
    __mapper_args__ = {"version_id_col": version}

    @property
    def built_in(self) -> bool:
        return self.builtin_key is not None

    @property
    def kind_labels(self) -> list[str]:
        return [ReviewKind(kind).label for kind in self.suitable_kinds]

    @property
    def total_minutes(self) -> int:
        return sum(phase.minutes for phase in self.phases)

    def can_edit(self, user: Any) -> bool:
        """Built-ins are read-only; a copy belongs to its author and their organisation's reviewers."""
        if self.built_in or not user.has_role("reviewer"):
            return False
        return self.created_by_id == user.id or (
            self.organisation_id is not None and self.organisation_id == user.organisation_id
        )


class MethodPhase(PhaseFields, db.Model):
    __tablename__ = "method_phases"

    method_id: Mapped[int] = mapped_column(sa.ForeignKey("methods.id", ondelete="CASCADE"), index=True)
    method: Mapped[Method] = relationship(back_populates="phases")


review_organisations = sa.Table(
    "review_organisations",
    db.metadata,
    sa.Column("review_id", sa.ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("organisation_id", sa.ForeignKey("organisations.id"), primary_key=True),
)

review_agency_kinds = sa.Table(
    "review_agency_kinds",
    db.metadata,
    sa.Column("review_id", sa.ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("term_id", sa.ForeignKey("taxonomy_terms.id"), primary_key=True),
)

episode_agency_kinds = sa.Table(
    "episode_agency_kinds",
    db.metadata,
    sa.Column("episode_id", sa.ForeignKey("episodes.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("term_id", sa.ForeignKey("taxonomy_terms.id"), primary_key=True),
)


class Review(db.Model):
    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    title: Mapped[str] = mapped_column(sa.String(200))
    learning_question: Mapped[str] = mapped_column(sa.Text, default="")
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    method_id: Mapped[int | None] = mapped_column(sa.ForeignKey("methods.id"))
    method_name: Mapped[str] = mapped_column(sa.String(160), default="")
    status: Mapped[str] = mapped_column(sa.String(20), default=ReviewStatus.CONCEPT.value, index=True)
    planned_start: Mapped[date | None] = mapped_column(sa.Date)
    planned_end: Mapped[date | None] = mapped_column(sa.Date)
    # Deferred: loaded together when a page shows them, not on every permission check (live polls).
    case_summary: Mapped[str] = mapped_column(sa.Text, default="", deferred=True, deferred_group="case_text")
    family_perspective: Mapped[str] = mapped_column(sa.Text, default="", deferred=True, deferred_group="case_text")
    # Administrators see nothing of a review unless its lead reviewers grant support access.
    admin_support_access: Mapped[bool] = mapped_column(default=False)
    # "Volledig anoniem": even reviewers cannot see who wrote reflections and contributions.
    fully_anonymous: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    region = relationship("Region", lazy="joined")
    organisations = relationship("Organisation", secondary=review_organisations, order_by="Organisation.name")
    agency_kinds = relationship("TaxonomyTerm", secondary=review_agency_kinds, order_by="TaxonomyTerm.position")
    phases: Mapped[list[ReviewPhase]] = relationship(
        back_populates="review", order_by="ReviewPhase.position", cascade="all, delete-orphan"
    )
    members: Mapped[list[ReviewMember]] = relationship(back_populates="review", cascade="all, delete-orphan")

    __table_args__ = (
        sa.CheckConstraint("kind IN ('casusreview', 'intervisie', 'vragenronde')", name="known_kind"),
        sa.CheckConstraint(
            "status IN ('concept', 'voorbereiding', 'bijeenkomst', 'afronding', 'gesloten')", name="known_status"
        ),
        sa.CheckConstraint("planned_end IS NULL OR planned_start IS NULL OR planned_end >= planned_start",
                           name="end_after_start"),
    )
    __mapper_args__ = {"version_id_col": version}

    @property
    def kind_label(self) -> str:
        return ReviewKind(self.kind).label

    @property
    def status_label(self) -> str:
        return ReviewStatus(self.status).label

    @classmethod
    def query_visible_to(cls, user: Any) -> sa.Select:
        """The one scope for reviews: the user's memberships, plus support access for administrators.

        Every review-owned object is loaded through a review from this scope, so a
        non-member gets a 404 for the review and everything under it.
        """
        is_member = sa.exists().where(ReviewMember.review_id == cls.id, ReviewMember.user_id == user.id)
        condition = sa.or_(is_member, cls.admin_support_access.is_(True)) if user.has_role("admin") else is_member
        return sa.select(cls).where(condition)

    def __repr__(self) -> str:
        return f"<Review {self.id}>"


class PseudonymConfirmation(db.Model):
    """An author's word that a flagged match in this review's texts is not real personal data.

    Kept apart from the review row, so confirming text in a timeline never looks like an
    edit of the review itself. Only a keyed fingerprint is stored, never the text.
    """

    __tablename__ = "pseudonym_confirmations"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(sa.ForeignKey("reviews.id", ondelete="CASCADE"))
    fingerprint: Mapped[str] = mapped_column(sa.String(64))
    kind: Mapped[str] = mapped_column(sa.String(32))
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("review_id", "fingerprint", name="uq_pseudonym_confirmations_review"),)


class ReviewPhase(PhaseFields, db.Model):
    """The review's own copy of its method's phases: library edits never reach a running review."""

    __tablename__ = "review_phases"

    review_id: Mapped[int] = mapped_column(sa.ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    review: Mapped[Review] = relationship(back_populates="phases")


class ReviewMember(db.Model):
    __tablename__ = "review_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(sa.ForeignKey("reviews.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(sa.String(32))
    is_case_holder: Mapped[bool] = mapped_column(default=False)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    review: Mapped[Review] = relationship(back_populates="members")
    user = relationship("User")

    __table_args__ = (
        sa.UniqueConstraint("review_id", "user_id", name="uq_review_members_review_user"),
        sa.CheckConstraint(
            "role IN ('lead_reviewer', 'co_reviewer', 'participant', 'expert_by_experience', 'observer')",
            name="known_role",
        ),
    )

    @property
    def role_label(self) -> str:
        return MemberRole(self.role).label


class ReviewInvitation(db.Model):
    """An e-mailed, single-use, expiring invitation to join a review in a role."""

    __tablename__ = "review_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(sa.ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(sa.String(254))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(sa.String(32))
    is_case_holder: Mapped[bool] = mapped_column(default=False)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    status: Mapped[str] = mapped_column(sa.String(16), default=InvitationStatus.PENDING.value)
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    review: Mapped[Review] = relationship()
    user = relationship("User", foreign_keys=[user_id], lazy="joined")
    invited_by = relationship("User", foreign_keys=[invited_by_id])

    __table_args__ = (
        # One open invitation per address and review, even when two invites race.
        sa.Index("uq_review_invitations_pending", "review_id", sa.func.lower(email), unique=True,
                 sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'")),
    )

    @property
    def role_label(self) -> str:
        return MemberRole(self.role).label

    @property
    def expired(self) -> bool:
        return self.expires_at <= utcnow()


class Episode(db.Model):
    """A key practice episode (sleutelmoment).

    ``timeline_owner_id`` is the member whose own timeline this is, or None for the review's
    integrated timeline; ``merged_from_id`` keeps where an integrated item came from.
    """

    __tablename__ = "episodes"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(sa.ForeignKey("reviews.id", ondelete="CASCADE"))
    timeline_owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    position: Mapped[int] = mapped_column(default=0)
    occurred_on: Mapped[date | None] = mapped_column(sa.Date)
    period: Mapped[str] = mapped_column(sa.String(80), default="")
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    source: Mapped[str] = mapped_column(sa.String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    merged_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("episodes.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    agency_kinds = relationship("TaxonomyTerm", secondary=episode_agency_kinds, order_by="TaxonomyTerm.position")
    timeline_owner = relationship("User", foreign_keys=[timeline_owner_id])
    created_by = relationship("User", foreign_keys=[created_by_id])
    merged_from = relationship("Episode", remote_side=[id])

    __table_args__ = (
        sa.Index("ix_episodes_review_timeline", "review_id", "timeline_owner_id", "position"),
        # An item of someone's own timeline is taken into the shared timeline once, even on a double click.
        sa.Index("uq_episodes_merged_from_id", "merged_from_id", unique=True),
    )
    __mapper_args__ = {"version_id_col": version}

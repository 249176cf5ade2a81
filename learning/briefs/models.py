"""Briefs (notities) to policy owners and their issued versions.

A ``Brief`` is the editable draft: title, introduction, context, response deadline, the findings it
carries (ordered) and the policy owners it is addressed to (each with their organisation). Each
organisation sees only the findings addressed to it, so one brief fans out to several boards.

Issuing freezes everything into a ``BriefVersion`` (v1, v2, …): a snapshot of the content that was
rendered, who issued and who approved it, and when. A version is never changed or removed: the
model layer refuses it (below) and the migration adds database triggers for raw SQL. The PDF of a
version, one per addressed organisation, is a ``BriefDocument``: rendered once in a background job
from the snapshot alone, so the same snapshot always renders to the same bytes; once ready, its
bytes and SHA-256 never change.

PDFs are stored in the database, not on a disk: web nodes and workers stay stateless and need no
shared volume, a PDF commits in the same transaction as its state, and one backup holds all of it.
A brief's PDF is some 50-200 kB; a board gets a handful a year.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, ORMExecuteState, mapped_column, relationship
from sqlalchemy.orm import Session as SASession

from learning.db import UTCDateTime, db, utcnow
from learning.i18n import _l


class ImmutableVersion(RuntimeError):
    """Code tried to change or remove an issued brief version (or a finished PDF)."""


class DocumentStatus(enum.StrEnum):
    PENDING = "pending"
    READY = "ready"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return str(DOCUMENT_STATUS_LABELS[self])


DOCUMENT_STATUS_LABELS = {
    DocumentStatus.PENDING: _l("PDF wordt gemaakt…"),
    DocumentStatus.READY: _l("PDF klaar"),
    DocumentStatus.FAILED: _l("PDF maken mislukt"),
}


class BriefFinding(db.Model):
    """A finding a brief carries, in the order the reviewer chose."""

    __tablename__ = "brief_findings"

    brief_id: Mapped[int] = mapped_column(sa.ForeignKey("briefs.id", ondelete="CASCADE"), primary_key=True)
    # RESTRICT: a finding a brief carries cannot disappear from under it.
    finding_id: Mapped[int] = mapped_column(sa.ForeignKey("findings.id", ondelete="RESTRICT"), primary_key=True,
                                            index=True)
    position: Mapped[int] = mapped_column(default=0)

    finding = relationship("Finding", lazy="joined")


class BriefAddressee(db.Model):
    """A policy owner the brief is addressed to, with the organisation they answer for."""

    __tablename__ = "brief_addressees"

    brief_id: Mapped[int] = mapped_column(sa.ForeignKey("briefs.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True, index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)

    user = relationship("User", lazy="joined")
    organisation = relationship("Organisation", lazy="joined")


class Brief(db.Model):
    __tablename__ = "briefs"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    introduction: Mapped[str] = mapped_column(sa.Text, default="")
    context: Mapped[str] = mapped_column(sa.Text, default="")
    response_deadline: Mapped[date | None] = mapped_column(sa.Date)
    language: Mapped[str] = mapped_column(sa.String(5), default="nl")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # The draft is open for comments by the members of its source reviews from this moment.
    shared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Four eyes: a second reviewer approves exactly the content they saw (``approved_content``).
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_content: Mapped[int | None] = mapped_column()
    # Counts changes to what would be rendered; an approval holds for one value of it only.
    content_version: Mapped[int] = mapped_column(default=1)
    latest_version_number: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)

    finding_links: Mapped[list[BriefFinding]] = relationship(
        order_by=BriefFinding.position, cascade="all, delete-orphan")
    addressees: Mapped[list[BriefAddressee]] = relationship(cascade="all, delete-orphan")
    created_by = relationship("User", foreign_keys=[created_by_id])
    approved_by = relationship("User", foreign_keys=[approved_by_id])

    __table_args__ = (sa.CheckConstraint("language IN ('nl', 'en')", name="known_language"),)
    __mapper_args__ = {"version_id_col": version}

    @property
    def findings(self) -> list[Any]:
        return [link.finding for link in self.finding_links]

    @property
    def is_issued(self) -> bool:
        return self.latest_version_number > 0

    @property
    def approval_is_current(self) -> bool:
        return self.approved_by_id is not None and self.approved_content == self.content_version

    def __repr__(self) -> str:
        return f"<Brief {self.id}>"


class BriefComment(db.Model):
    """A review member's comment on one section of a shared draft (Learning Together's second meeting)."""

    __tablename__ = "brief_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    brief_id: Mapped[int] = mapped_column(sa.ForeignKey("briefs.id", ondelete="CASCADE"), index=True)
    # "introduction", "context" or "finding-<id>"
    section: Mapped[str] = mapped_column(sa.String(40))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    resolution: Mapped[str] = mapped_column(sa.Text, default="")
    # Written by a member of a "volledig anoniem" source review: pages show nobody's name (the author still
    # finds their own comments) and the audit trail records no actor.
    anonymous: Mapped[bool] = mapped_column(default=False)

    author = relationship("User", foreign_keys=[author_id], lazy="joined")

    @property
    def author_label(self) -> str:
        if self.anonymous:
            return str(_l("een lid van een anonieme review"))
        return self.author.display_name if self.author else str(_l("onbekend"))
    resolved_by = relationship("User", foreign_keys=[resolved_by_id])


class BriefVersion(db.Model):
    """An issued version: inserted once, never updated or deleted."""

    __tablename__ = "brief_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # RESTRICT: a brief that was issued cannot be deleted with its versions.
    brief_id: Mapped[int] = mapped_column(sa.ForeignKey("briefs.id", ondelete="RESTRICT"), index=True)
    number: Mapped[int] = mapped_column()
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    change_note: Mapped[str] = mapped_column(sa.Text, default="")
    response_deadline: Mapped[date | None] = mapped_column(sa.Date)
    # Everything the PDFs are rendered from: names, texts, evidence counts, per organisation.
    snapshot: Mapped[dict[str, Any]] = mapped_column(sa.JSON)

    brief = relationship("Brief", lazy="joined")
    issued_by = relationship("User", foreign_keys=[issued_by_id])
    approved_by = relationship("User", foreign_keys=[approved_by_id])
    documents: Mapped[list[BriefDocument]] = relationship(
        back_populates="version", order_by="BriefDocument.organisation_name")

    __table_args__ = (sa.UniqueConstraint("brief_id", "number", name="uq_brief_versions_number"),)

    @property
    def label(self) -> str:
        return f"v{self.number}"


class BriefRecipient(db.Model):
    """A policy owner an issued version was addressed to, with their organisation; frozen with the version.

    The portal, the reminders and the delivery read these rows, never the draft's addressees: editing the
    draft of the next version changes nobody's access to what was issued. Made from the snapshot when the
    version is first flushed (below), so they cannot differ from it.
    """

    __tablename__ = "brief_recipients"

    version_id: Mapped[int] = mapped_column(sa.ForeignKey("brief_versions.id", ondelete="RESTRICT"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True, index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)

    version: Mapped[BriefVersion] = relationship()


class BriefDocument(db.Model):
    """The PDF of one version for one addressed organisation: rendered once from the snapshot."""

    __tablename__ = "brief_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("brief_versions.id", ondelete="RESTRICT"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    organisation_name: Mapped[str] = mapped_column(sa.String(160))
    # active_history: the write-once check (below) needs the old status even when it had expired, after a commit.
    status: Mapped[str] = mapped_column(sa.String(16), default=DocumentStatus.PENDING.value, active_history=True)
    error: Mapped[str] = mapped_column(sa.String(300), default="")
    attempts: Mapped[int] = mapped_column(default=0)
    # When the render was last asked for (issue or retry): a PDF pending for long has lost its job.
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    sha256: Mapped[str | None] = mapped_column(sa.String(64))
    size: Mapped[int | None] = mapped_column()
    rendered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    version: Mapped[BriefVersion] = relationship(back_populates="documents")
    organisation = relationship("Organisation")

    __table_args__ = (
        sa.UniqueConstraint("version_id", "organisation_id", name="uq_brief_documents_organisation"),
        sa.CheckConstraint("status IN ('pending', 'ready', 'failed')", name="known_status"),
    )

    @property
    def status_label(self) -> str:
        return DocumentStatus(self.status).label

    def is_stuck(self, now: datetime | None = None) -> bool:
        """Pending for longer than any render takes: its job was lost (Redis flushed, a worker gone for good)."""
        return self.status == DocumentStatus.PENDING.value and (now or utcnow()) - self.queued_at > STUCK_AFTER


# A brief renders in seconds; RQ's own retries of a killed job come within its timeout (3 minutes by default).
STUCK_AFTER = timedelta(minutes=10)


class BriefDelivery(db.Model):
    """The e-mail that told one policy owner about one version: sent once, recorded."""

    __tablename__ = "brief_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("brief_versions.id", ondelete="RESTRICT"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    email: Mapped[str] = mapped_column(sa.String(254))
    language: Mapped[str] = mapped_column(sa.String(5))
    with_pdf: Mapped[bool] = mapped_column(default=False)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", lazy="joined")

    __table_args__ = (sa.UniqueConstraint("version_id", "user_id", name="uq_brief_deliveries_recipient"),)


# --- immutability -------------------------------------------------------------------------


def _document_change_allowed(session: SASession, document: BriefDocument) -> bool:
    """A PDF moves pending → ready or failed, failed → pending (a retry); a ready PDF never changes."""
    history = sa.inspect(document).attrs.status.history
    previous = history.deleted[0] if history.deleted else document.status
    return previous != DocumentStatus.READY.value


@event.listens_for(SASession, "before_flush")
def _freeze_recipients(session: SASession, _flush_context, _instances) -> None:  # noqa: ANN001
    for obj in list(session.new):
        if isinstance(obj, BriefVersion):
            for organisation in (obj.snapshot or {}).get("organisations", []):
                for person in organisation.get("addressees", []):
                    session.add(BriefRecipient(version=obj, user_id=person["id"], organisation_id=organisation["id"]))


@event.listens_for(SASession, "before_flush")
def _refuse_changes_to_issued_versions(session: SASession, _flush_context, _instances) -> None:  # noqa: ANN001
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, BriefVersion | BriefRecipient) and (obj in session.deleted or session.is_modified(obj)):
            raise ImmutableVersion("an issued brief version cannot be changed or removed; issue a new version")
        if isinstance(obj, BriefDocument) and (
            obj in session.deleted or (session.is_modified(obj) and not _document_change_allowed(session, obj))
        ):
            raise ImmutableVersion("a finished brief PDF cannot be changed or removed")


@event.listens_for(SASession, "do_orm_execute")
def _refuse_bulk_changes(state: ORMExecuteState) -> None:
    if state.is_delete and any(mapper.class_ in (BriefVersion, BriefRecipient, BriefDocument)
                               for mapper in state.all_mappers):
        raise ImmutableVersion("issued brief versions and their PDFs cannot be removed")
    if state.is_update and any(mapper.class_ in (BriefVersion, BriefRecipient) for mapper in state.all_mappers):
        raise ImmutableVersion("an issued brief version cannot be changed; issue a new version")

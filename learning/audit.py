"""The append-only audit trail: who did what to which record, when and from where.

Rows are only ever inserted. The ORM refuses to update or delete them (below) and
the migration adds database triggers that refuse the same for raw SQL.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Mapped, ORMExecuteState, mapped_column, relationship
from sqlalchemy.orm import Session as SASession

from learning.db import UTCDateTime, db, utcnow

# Human-readable names per action, filled in by each domain with lazy strings.
ACTION_LABELS: dict[str, Any] = {}


class AuditImmutableError(RuntimeError):
    """Raised when code tries to change or remove an audit row."""


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    object_type: Mapped[str | None] = mapped_column(sa.String(64))
    object_id: Mapped[int | None] = mapped_column()
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    actor = relationship("User", lazy="joined")

    __table_args__ = (sa.Index("ix_audit_events_object", "object_type", "object_id"),)

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS.get(self.action, self.action))


def record(
    action: str,
    *,
    actor: Any | None,
    object_type: str | None = None,
    object_id: int | None = None,
    **details: Any,
) -> AuditEvent:
    """Add an audit row to the current transaction. ``actor`` is a user or None."""
    audit_event = AuditEvent(
        action=action,
        actor_id=getattr(actor, "id", None),
        object_type=object_type,
        object_id=object_id,
        ip_address=request.remote_addr if has_request_context() else None,
        details=details,
    )
    db.session.add(audit_event)
    return audit_event


@event.listens_for(SASession, "before_flush")
def _refuse_changes_to_audit_rows(session: SASession, _flush_context, _instances) -> None:  # noqa: ANN001
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditImmutableError("audit events are append-only")


@event.listens_for(SASession, "do_orm_execute")
def _refuse_bulk_changes(state: ORMExecuteState) -> None:
    if (state.is_update or state.is_delete) and any(
        mapper.class_ is AuditEvent for mapper in state.all_mappers
    ):
        raise AuditImmutableError("audit events are append-only")

"""Event codes: the short codes with which people without an account answer, for a number of hours."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from learning.db import db, utcnow
from learning.i18n import _
from learning.reflections.models import EventCode
from learning.reflections.vragenronde.base import CodeProblem, VragenrondeError, is_vragenronde, record
from learning.reflections.vragenronde.questionnaire import questions
from learning.reviews.models import Review, ReviewStatus

# Unambiguous on a projector and by phone: no 0/O, 1/I/L.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
CODE_HOURS_DEFAULT = 8
CODE_HOURS_MAX = 72


def generate_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str | None) -> str:
    """What people type: lower case, spaces and dashes are forgiven."""
    return "".join(ch for ch in (raw or "").upper() if ch not in " -\t")[:32]


def event_codes(review: Review) -> list[EventCode]:
    return list(db.session.scalars(
        sa.select(EventCode).where(EventCode.review_id == review.id).order_by(EventCode.created_at.desc(),
                                                                               EventCode.id.desc())
    ))


def event_code_in(review: Review, code_id: int) -> EventCode | None:
    return db.session.scalar(sa.select(EventCode).where(EventCode.id == code_id, EventCode.review_id == review.id))


def create_event_code(review: Review, *, hours: int, actor: Any, now: datetime | None = None) -> EventCode:
    if not isinstance(hours, int) or not 1 <= hours <= CODE_HOURS_MAX:
        raise VragenrondeError(_("Kies een geldigheid van 1 tot %(max)d uur.", max=CODE_HOURS_MAX), "hours")
    if not questions(review):
        raise VragenrondeError(_("Zet eerst de vragen klaar; daarna kun je een deelnamecode maken."))
    now = now or utcnow()
    for _attempt in range(20):
        code = generate_code()
        if db.session.scalar(sa.select(EventCode.id).where(EventCode.code == code)) is None:
            break
    else:  # pragma: no cover - 31^8 codes; twenty clashes in a row do not happen
        raise RuntimeError("could not find a free event code")
    event_code = EventCode(review_id=review.id, code=code, created_by_id=getattr(actor, "id", None),
                           created_at=now, expires_at=now + timedelta(hours=hours), active=True)
    db.session.add(event_code)
    db.session.flush()
    record("code_created", review, actor, code_id=event_code.id, hours=hours)
    return event_code


def deactivate_event_code(review: Review, event_code: EventCode, *, actor: Any) -> None:
    if not event_code.active:
        return
    event_code.active = False
    db.session.flush()
    record("code_deactivated", review, actor, code_id=event_code.id)


def usable_event_code(raw: str | None, *, now: datetime | None = None) -> EventCode:
    """The event code people typed, if answers can be given with it now; else :class:`CodeProblem`."""
    code = normalise_code(raw)
    event_code = db.session.scalar(sa.select(EventCode).where(EventCode.code == code)) if code else None
    if event_code is None:
        if not code:
            raise CodeProblem(_("Vul de deelnamecode in die de facilitator laat zien."), "unknown")
        raise CodeProblem(_("Deze deelnamecode kennen we niet. Controleer de code: 8 tekens, letters en cijfers "
                            "(zonder 0, O, 1 en I)."), "unknown")
    review = db.session.get(Review, event_code.review_id)
    if not event_code.active:
        raise CodeProblem(_("Deze deelnamecode is niet meer actief. Vraag de facilitator om een nieuwe code."),
                          "inactive", event_code)
    if not event_code.usable(now):
        raise CodeProblem(_("Deze deelnamecode is verlopen. Vraag de facilitator om een nieuwe code."),
                          "expired", event_code)
    if review is None or not is_vragenronde(review) or review.status == ReviewStatus.GESLOTEN.value:
        raise CodeProblem(_("Deze vragenronde is gesloten; er kunnen geen antwoorden meer bij."), "closed",
                          event_code)
    return event_code

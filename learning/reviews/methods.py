"""The method library and phase editing, shared by library methods and a review's own copy."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from learning import audit
from learning.db import db
from learning.i18n import _
from learning.reviews.models import Contributor, Method, MethodPhase, PhaseFields, Review, ReviewKind, ReviewPhase


class MethodError(ValueError):
    """A change to a method or phase list that breaks a rule; ``str()`` is a translated message."""


@dataclass
class PhaseInput:
    name: str
    purpose: str = ""
    prompts: list[str] = field(default_factory=list)
    minutes: int = 15
    contributor: str = Contributor.EVERYONE.value

    @classmethod
    def from_text(cls, *, name: str, purpose: str, prompts_text: str, minutes: int, contributor: str) -> PhaseInput:
        """Prompts are typed one per line; empty lines are dropped."""
        prompts = [line.strip() for line in (prompts_text or "").splitlines() if line.strip()]
        return cls(name=name.strip(), purpose=(purpose or "").strip(), prompts=prompts, minutes=minutes,
                   contributor=contributor)


def visible_methods(user: Any, *, language: str) -> sa.Select:
    """Built-ins in the reader's language, plus copies by this reviewer or their organisation."""
    own = Method.created_by_id == user.id
    if user.organisation_id is not None:
        own = sa.or_(own, Method.organisation_id == user.organisation_id)
    condition = sa.or_(sa.and_(Method.builtin_key.is_not(None), Method.language == language),
                       sa.and_(Method.builtin_key.is_(None), own))
    return sa.select(Method).where(condition).order_by(Method.builtin_key.is_(None), Method.name)


def load_method(user: Any, method_id: int) -> Method | None:
    """A method this user may see (any language of the built-ins), else None."""
    method = db.session.get(Method, method_id)
    if method is None:
        return None
    if method.built_in or method.can_edit(user):
        return method
    return None


def copy_method(method: Method, *, actor: Any, name: str | None = None) -> Method:
    copy = Method(
        language=method.language, name=(name or _("%(name)s (kopie)", name=method.name))[:160],
        description=method.description, suitable_kinds=list(method.suitable_kinds),
        organisation_id=actor.organisation_id, created_by_id=actor.id, copied_from_id=method.id,
    )
    copy.phases = [MethodPhase(position=index, **phase.phase_data()) for index, phase in enumerate(method.phases)]
    db.session.add(copy)
    db.session.flush()
    audit.record("method.copied", actor=actor, object_type="method", object_id=copy.id, source=method.id)
    return copy


def update_method(method: Method, *, name: str, description: str, suitable_kinds: list[str], actor: Any) -> None:
    if method.built_in:
        raise MethodError(_("Een ingebouwde methode kun je niet wijzigen; maak een kopie."))
    kinds = [kind for kind in suitable_kinds if kind in {k.value for k in ReviewKind}]
    method.name, method.description, method.suitable_kinds = name.strip(), description.strip(), kinds
    audit.record("method.updated", actor=actor, object_type="method", object_id=method.id)
    db.session.flush()


# --- phases: the same rules for a library method and a review's own copy ----------------------


def _phase_class(owner: Method | Review) -> type[PhaseFields]:
    return MethodPhase if isinstance(owner, Method) else ReviewPhase


def _renumber(owner: Method | Review) -> None:
    for index, phase in enumerate(owner.phases):
        phase.position = index


def _check_phase(data: PhaseInput) -> None:
    if not data.name:
        raise MethodError(_("Geef de fase een naam."))
    if not 1 <= data.minutes <= 600:
        raise MethodError(_("Geef een tijd tussen 1 en 600 minuten."))
    if data.contributor not in {c.value for c in Contributor}:
        raise MethodError(_("Kies wie er bijdraagt."))


def _audit_phase_change(owner: Method | Review, actor: Any, change: str) -> None:
    object_type = "method" if isinstance(owner, Method) else "review"
    audit.record(f"{object_type}.phases_changed", actor=actor, object_type=object_type, object_id=owner.id,
                 change=change)


def add_phase(owner: Method | Review, data: PhaseInput, *, actor: Any) -> PhaseFields:
    _check_phase(data)
    phase = _phase_class(owner)(position=len(owner.phases), **vars(data))
    owner.phases.append(phase)
    db.session.flush()
    _audit_phase_change(owner, actor, "added")
    return phase


def update_phase(owner: Method | Review, phase: PhaseFields, data: PhaseInput, *, actor: Any) -> None:
    _check_phase(data)
    for name, value in vars(data).items():
        setattr(phase, name, value)
    db.session.flush()
    _audit_phase_change(owner, actor, "updated")


def remove_phase(owner: Method | Review, phase: PhaseFields, *, actor: Any) -> None:
    if len(owner.phases) <= 1:
        raise MethodError(_("Een methode heeft minstens één fase nodig."))
    owner.phases.remove(phase)
    _renumber(owner)
    db.session.flush()
    _audit_phase_change(owner, actor, "removed")


def swap_with_neighbour(items: list[Any], item: Any, direction: str) -> bool:
    """Move ``item`` one place up or down and renumber ``position``; False at either end."""
    index = items.index(item)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(items):
        return False
    items[index], items[target] = items[target], items[index]
    for position, each in enumerate(items):
        each.position = position
    return True


def move_phase(owner: Method | Review, phase: PhaseFields, direction: str, *, actor: Any) -> None:
    """Move one place up or down; at either end nothing happens."""
    if swap_with_neighbour(list(owner.phases), phase, direction):
        owner.phases.sort(key=lambda item: item.position)
        db.session.flush()
        _audit_phase_change(owner, actor, "moved")


def phase_of(owner: Method | Review, phase_id: int) -> PhaseFields | None:
    """A phase of this owner only: ids of other methods' or reviews' phases give None (404)."""
    return next((phase for phase in owner.phases if phase.id == phase_id), None)

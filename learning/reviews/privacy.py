"""The personal-data guard as authors meet it: check fields on save, show the matches in their
text, and remember which matches the author confirmed as pseudonymised (by fingerprint only)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import current_app

from learning import audit
from learning.db import db
from learning.reviews.models import PseudonymConfirmation
from learning.reviews.personal_data import KIND_LABELS, PersonalDataMatch, find_personal_data, fingerprint


def _fingerprint(match: PersonalDataMatch) -> str:
    """Keyed, because a BSN or a first name is guessable from a plain hash in the audit log."""
    key = hashlib.sha256(b"personal-data-confirmation:" + current_app.secret_key.encode()).digest()
    return fingerprint(match, key=key)


@dataclass(frozen=True)
class Segment:
    """A piece of text to show; ``match`` is set for the pieces to highlight."""

    text: str
    match: PersonalDataMatch | None = None

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.match.kind]) if self.match else ""

    @property
    def fingerprint(self) -> str:
        return _fingerprint(self.match) if self.match else ""


@dataclass
class FieldFindings:
    name: str
    label: str
    text: str
    matches: list[PersonalDataMatch]

    @property
    def segments(self) -> list[Segment]:
        pieces: list[Segment] = []
        position = 0
        for match in self.matches:
            if match.start > position:
                pieces.append(Segment(self.text[position:match.start]))
            pieces.append(Segment(match.text, match))
            position = match.end
        if position < len(self.text):
            pieces.append(Segment(self.text[position:]))
        return pieces


@dataclass
class PersonalDataFound(Exception):
    """Raised by a save when text holds personal data the author has not confirmed as pseudonymised."""

    fields: list[FieldFindings] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(findings.matches) for findings in self.fields)


def check_fields(
    texts: Mapping[str, tuple[str, str]], already_confirmed: Iterable[str], confirming: Iterable[str]
) -> dict[str, str]:
    """Raise PersonalDataFound unless every match is confirmed; return the newly confirmed ones.

    ``texts`` maps a field name to (label, text). ``already_confirmed`` are fingerprints kept on
    the object from earlier saves; ``confirming`` are the ones ticked on this submission. The
    result maps each newly confirmed fingerprint to the kind of data it looked like.
    """
    known = set(already_confirmed)
    ticked = set(confirming)
    newly_confirmed: dict[str, str] = {}
    unconfirmed: list[FieldFindings] = []
    for name, (label, text) in texts.items():
        matches = find_personal_data(text or "")
        still_open = False
        for match in matches:
            mark = _fingerprint(match)
            if mark in known:
                continue
            if mark in ticked:
                newly_confirmed[mark] = match.kind
            else:
                still_open = True
        if still_open:
            unconfirmed.append(FieldFindings(name=name, label=label, text=text, matches=matches))
    if unconfirmed:
        raise PersonalDataFound(unconfirmed)
    return newly_confirmed


def record_confirmations(confirmed: Mapping[str, str], *, actor: Any, review_id: int) -> None:
    """Remember each confirmation for the review, with an audit row: who said it is not real data."""
    for mark, kind in sorted(confirmed.items()):
        db.session.add(PseudonymConfirmation(review_id=review_id, fingerprint=mark, kind=kind,
                                             confirmed_by_id=actor.id))
        audit.record("privacy.pseudonym_confirmed", actor=actor, object_type="review", object_id=review_id,
                     kind=kind, fingerprint=mark)

"""The personal-data guard as authors meet it: check fields on save, show the matches in their
text, and remember which matches the author confirmed as pseudonymised (by fingerprint only)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import current_app

from learning import audit
from learning.db import db
from learning.reviews.models import PseudonymConfirmation
from learning.reviews.personal_data import KIND_LABELS, PersonalDataMatch, find_personal_data, fingerprint


def _key(*scope: object) -> bytes:
    secret = current_app.secret_key.encode()
    return hmac.new(secret, ":".join(["personal-data", *map(str, scope)]).encode(), hashlib.sha256).digest()


def stored_fingerprint(match: PersonalDataMatch, review_id: int) -> str:
    """What a review keeps of a confirmed match: keyed per review, never shown, never audited.

    A BSN or a first name is guessable from a plain hash; a per-review key also means the
    same value in two reviews cannot be linked.
    """
    return fingerprint(match, key=_key("review", review_id))


def confirm_token(match: PersonalDataMatch, author_id: int) -> str:
    """What the author's checkbox carries: keyed per author, so it tells nobody else anything."""
    return fingerprint(match, key=_key("author", author_id))


@dataclass(frozen=True)
class Segment:
    """A piece of text to show; ``match`` and its checkbox ``token`` are set for the pieces to highlight."""

    text: str
    match: PersonalDataMatch | None = None
    token: str = ""

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.match.kind]) if self.match else ""


@dataclass
class FieldFindings:
    name: str
    label: str
    text: str
    matches: list[PersonalDataMatch]
    tokens: list[str]

    @property
    def segments(self) -> list[Segment]:
        pieces: list[Segment] = []
        position = 0
        for match, token in zip(self.matches, self.tokens, strict=True):
            if match.start > position:
                pieces.append(Segment(self.text[position:match.start]))
            pieces.append(Segment(match.text, match, token))
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
    texts: Mapping[str, tuple[str, str]], *, review_id: int | None, author_id: int, confirming: Iterable[str]
) -> list[PersonalDataMatch]:
    """Raise PersonalDataFound unless every match is confirmed; return the newly confirmed matches.

    ``texts`` maps a field name to (label, text). Matches confirmed earlier in this review
    pass silently; ``confirming`` are the checkbox tokens the author ticked on this submission.
    """
    known = confirmed_fingerprints(review_id) if review_id else set()
    ticked = set(confirming)
    newly_confirmed: list[PersonalDataMatch] = []
    unconfirmed: list[FieldFindings] = []
    for name, (label, text) in texts.items():
        matches = find_personal_data(text or "")
        tokens = [confirm_token(match, author_id) for match in matches]
        still_open = False
        for match, token in zip(matches, tokens, strict=True):
            if review_id and stored_fingerprint(match, review_id) in known:
                continue
            if token in ticked:
                newly_confirmed.append(match)
            else:
                still_open = True
        if still_open:
            unconfirmed.append(FieldFindings(name=name, label=label, text=text, matches=matches, tokens=tokens))
    if unconfirmed:
        raise PersonalDataFound(unconfirmed)
    return newly_confirmed


def confirmed_fingerprints(review_id: int) -> set[str]:
    return set(db.session.scalars(
        sa.select(PseudonymConfirmation.fingerprint).where(PseudonymConfirmation.review_id == review_id)))


def record_confirmations(matches: Iterable[PersonalDataMatch], *, actor: Any, review_id: int) -> None:
    """Remember each confirmation for the review, and audit who confirmed what kind of data (not the text)."""
    seen: set[str] = set()
    for match in matches:
        mark = stored_fingerprint(match, review_id)
        if mark in seen:
            continue
        seen.add(mark)
        db.session.add(PseudonymConfirmation(review_id=review_id, fingerprint=mark, kind=match.kind,
                                             confirmed_by_id=getattr(actor, "id", None)))
        audit.record("privacy.pseudonym_confirmed", actor=actor, object_type="review", object_id=review_id,
                     kind=match.kind)

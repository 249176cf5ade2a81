"""Reference data managed by administrators: regions, organisations and the taxonomy."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning.db import UTCDateTime, db, utcnow
from learning.i18n import _l, get_locale


class Vocabulary(enum.StrEnum):
    LEVEL = "level"
    PRINCIPLE = "principle"
    FINDING_TYPE = "finding_type"
    AGENCY_KIND = "agency_kind"

    @property
    def label(self) -> str:
        return str(VOCABULARY_LABELS[self])


VOCABULARY_LABELS = {
    Vocabulary.LEVEL: _l("Niveaus"),
    Vocabulary.PRINCIPLE: _l("Principes"),
    Vocabulary.FINDING_TYPE: _l("Soorten bevindingen"),
    Vocabulary.AGENCY_KIND: _l("Soorten organisaties"),
}


class TaxonomyTerm(db.Model):
    """A term of one vocabulary. ``code`` is stable (code may rely on it); labels are editable."""

    __tablename__ = "taxonomy_terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    vocabulary: Mapped[str] = mapped_column(sa.String(32))
    code: Mapped[str] = mapped_column(sa.String(64))
    label_nl: Mapped[str] = mapped_column(sa.String(160))
    label_en: Mapped[str] = mapped_column(sa.String(160))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)
    built_in: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (
        sa.UniqueConstraint("vocabulary", "code", name="uq_taxonomy_terms_vocabulary_code"),
        sa.CheckConstraint(
            "vocabulary IN ('level', 'principle', 'finding_type', 'agency_kind')", name="known_vocabulary"
        ),
    )

    @property
    def label(self) -> str:
        locale = get_locale()
        return self.label_en if locale is not None and locale.language == "en" else self.label_nl

    def __repr__(self) -> str:
        return f"<TaxonomyTerm {self.vocabulary}:{self.code}>"


class Region(db.Model):
    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Region {self.id}>"


class Organisation(db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(160), unique=True)
    agency_kind_id: Mapped[int] = mapped_column(sa.ForeignKey("taxonomy_terms.id"), index=True)
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agency_kind: Mapped[TaxonomyTerm] = relationship(lazy="joined")
    region: Mapped[Region] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<Organisation {self.id}>"

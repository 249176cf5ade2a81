"""The shared library (deelbare opbrengsten): anonymised copies of agreed lessons and findings.

A library item is a projection, not a view of the source: it holds only the text the lead
reviewer approved in the preview and the descriptors listed below. Source reflections,
authors, participant names, the review's title and its case text never travel with it.

Search runs on Snowball-stemmed copies of the title and body (``search_title``,
``search_body``): the same stemmer prepares the text and the query on both databases. The
index itself lives outside the ORM (see the migration): a ``search_vector`` tsvector column
with a GIN index on PostgreSQL, an FTS5 table ``library_search`` on SQLite.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learning.db import UNMAPPED_OBJECTS, UTCDateTime, db, utcnow
from learning.i18n import _l
from learning.lessons.models import Polarity
from learning.reviews.models import ReviewKind

EXCERPT_CHARS = 280


class SourceKind(enum.StrEnum):
    LESSON = "lesson"
    FINDING = "finding"

    @property
    def label(self) -> str:
        return str(SOURCE_KIND_LABELS[self])


SOURCE_KIND_LABELS = {
    SourceKind.LESSON: _l("Leerpunt"),
    SourceKind.FINDING: _l("Bevinding"),
}


library_item_themes = sa.Table(
    "library_item_themes",
    db.metadata,
    sa.Column("item_id", sa.ForeignKey("library_items.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("theme_id", sa.ForeignKey("themes.id"), primary_key=True, index=True),
)

library_item_principles = sa.Table(
    "library_item_principles",
    db.metadata,
    sa.Column("item_id", sa.ForeignKey("library_items.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("term_id", sa.ForeignKey("taxonomy_terms.id"), primary_key=True, index=True),
)


class LibraryItem(db.Model):
    __tablename__ = "library_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_kind: Mapped[str] = mapped_column(sa.String(16))
    # Kept so a lead can withdraw what they published and the source shows it is in the library;
    # never shown to library readers.
    lesson_id: Mapped[int | None] = mapped_column(sa.ForeignKey("lessons.id", ondelete="SET NULL"), index=True)
    finding_id: Mapped[int | None] = mapped_column(sa.ForeignKey("findings.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    review_kind: Mapped[str | None] = mapped_column(sa.String(20))
    region_id: Mapped[int | None] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    year: Mapped[int] = mapped_column()
    level_id: Mapped[int | None] = mapped_column(sa.ForeignKey("taxonomy_terms.id"), index=True)
    finding_type_id: Mapped[int | None] = mapped_column(sa.ForeignKey("taxonomy_terms.id"), index=True)
    polarity: Mapped[str | None] = mapped_column(sa.String(16))
    search_title: Mapped[str] = mapped_column(sa.Text, default="")
    search_body: Mapped[str] = mapped_column(sa.Text, default="")
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    withdrawal_reason: Mapped[str] = mapped_column(sa.Text, default="")

    region = relationship("Region", lazy="joined")
    level = relationship("TaxonomyTerm", foreign_keys=[level_id], lazy="joined")
    finding_type = relationship("TaxonomyTerm", foreign_keys=[finding_type_id], lazy="joined")
    themes = relationship("Theme", secondary=library_item_themes, order_by="Theme.key")
    principles = relationship("TaxonomyTerm", secondary=library_item_principles, order_by="TaxonomyTerm.position")

    __table_args__ = (
        sa.CheckConstraint("source_kind IN ('lesson', 'finding')", name="known_source_kind"),
        sa.CheckConstraint("(lesson_id IS NULL) OR (finding_id IS NULL)", name="one_source"),
        # One live copy per source: a double click or two leads at once cannot publish twice.
        sa.Index("uq_library_items_live_lesson", "lesson_id", unique=True,
                 sqlite_where=sa.text("withdrawn_at IS NULL"), postgresql_where=sa.text("withdrawn_at IS NULL")),
        sa.Index("uq_library_items_live_finding", "finding_id", unique=True,
                 sqlite_where=sa.text("withdrawn_at IS NULL"), postgresql_where=sa.text("withdrawn_at IS NULL")),
    )

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def source_kind_label(self) -> str:
        return SourceKind(self.source_kind).label

    @property
    def review_kind_label(self) -> str:
        return ReviewKind(self.review_kind).label if self.review_kind else ""

    @property
    def polarity_label(self) -> str:
        return Polarity(self.polarity).label if self.polarity else ""

    @property
    def excerpt(self) -> str:
        """The start of the body on one line, cut at a word."""
        text = " ".join(self.body.split())
        if len(text) <= EXCERPT_CHARS:
            return text
        return text[:EXCERPT_CHARS].rsplit(" ", 1)[0] + " …"

    def __repr__(self) -> str:
        return f"<LibraryItem {self.id}>"


class LibraryGeneration(db.Model):
    """One row whose ``value`` goes up whenever what a search of the library may show changes.

    Each web process keeps rendered search results and the filters' choices keyed by this number
    (``search_cache``), so a withdrawn item is gone from every process and node as soon as the
    withdrawal commits. The database raises it, not the application: triggers (see the migration)
    run ``value = value + 1`` in the writing transaction on every insert, update and delete of
    ``library_items``, ``library_item_themes``, ``library_item_principles`` (publishing,
    withdrawing, bulk loads, cascades alike), ``regions`` and ``taxonomy_terms`` (listed as
    filters, named in results), and on updates of ``themes`` (named). Concurrent writers wait for
    each other's row lock, so no increment is lost (PostgreSQL raises it once per transaction,
    SQLite once per changed row).
    """

    __tablename__ = "library_generation"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    value: Mapped[int] = mapped_column(sa.BigInteger, default=0)

    __table_args__ = (sa.CheckConstraint("id = 1", name="one_row"),)


# Database objects of the search index that the ORM does not map (see the migration); the
# migration environment and the model/migration comparison leave them alone.
UNMAPPED_OBJECTS.update({"library_search", "search_vector", "ix_library_items_search_vector"})

"""The thematic view's numbers: agreed lessons and findings by theme, finding type, level, principle, region
and agency kind, over a period.

Everything is counted in SQL (GROUP BY), in three statements whatever the amount of data: the
filter choices, the totals, and the chosen dimension. Only counts and ids leave this module: the
view crosses reviews and regions, so no lesson text or review title may travel with it.

What is counted: lessons with status ``agreed`` and findings whose status is not ``concept``,
created within the period. A finding has no theme, level, principle, region or agency kind of
its own: it has those of the lessons it rests on (``finding_lessons``), whatever their status.
Lesson filters apply to one and the same lesson of a finding, so "region A and theme X" counts a
finding resting on a lesson from region A about X. A lesson's finding type is that of the
non-concept findings resting on it (whenever those were made: the period is the lesson's).

Counting 50,000 lessons takes tens of milliseconds of database time whatever the indexes, so results
are kept per process for ``THEMATIC_CACHE_SECONDS`` (the page says when they were computed).
"""

from __future__ import annotations

import csv
import enum
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

import sqlalchemy as sa

from learning.admin.models import Region, TaxonomyTerm, Vocabulary
from learning.cache import LRUCache, app_cache
from learning.db import db, utcnow
from learning.findings.models import Finding, FindingLesson, FindingStatus
from learning.i18n import _, _l, get_locale, local_to_utc
from learning.lessons.models import Lesson, LessonStatus, Theme, lesson_principles, lesson_themes
from learning.reviews.models import Review, review_agency_kinds

# Dates outside these years are typing mistakes; they would also overflow the time-zone arithmetic.
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
CACHE_ENTRIES = 128  # pages of a few dozen kB and small count lists: a few MB per process at most

T = TypeVar("T")


class Dimension(enum.StrEnum):
    THEME = "theme"
    FINDING_TYPE = "finding_type"
    LEVEL = "level"
    PRINCIPLE = "principle"
    REGION = "region"
    AGENCY_KIND = "agency_kind"

    @property
    def label(self) -> str:
        return str(DIMENSION_LABELS[self])

    @property
    def vocabulary(self) -> Vocabulary | None:
        return TAXONOMY_DIMENSIONS.get(self)


DIMENSION_LABELS = {
    Dimension.THEME: _l("Thema"),
    Dimension.FINDING_TYPE: _l("Soort bevinding"),
    Dimension.LEVEL: _l("Niveau"),
    Dimension.PRINCIPLE: _l("Principe"),
    Dimension.REGION: _l("Regio"),
    Dimension.AGENCY_KIND: _l("Soort organisatie"),
}

TAXONOMY_DIMENSIONS = {
    Dimension.FINDING_TYPE: Vocabulary.FINDING_TYPE,
    Dimension.LEVEL: Vocabulary.LEVEL,
    Dimension.PRINCIPLE: Vocabulary.PRINCIPLE,
    Dimension.AGENCY_KIND: Vocabulary.AGENCY_KIND,
}


@dataclass(frozen=True)
class ThematicFilters:
    """The period (local dates, both inclusive) and at most one chosen value per dimension."""

    date_from: date
    date_to: date
    theme_id: int | None = None
    finding_type_id: int | None = None
    level_id: int | None = None
    principle_id: int | None = None
    region_id: int | None = None
    agency_kind_id: int | None = None

    @classmethod
    def default(cls, today: date) -> ThematicFilters:
        """The last twelve months, today included."""
        year_ago = date(today.year - 1, today.month, min(today.day, 28 if today.month == 2 else today.day))
        return cls(date_from=year_ago + timedelta(days=1), date_to=today)


@dataclass(frozen=True)
class Counts:
    """One value of a dimension. ``reviews`` and ``regions`` only for themes: where the theme recurs."""

    key: int
    lessons: int
    findings: int
    reviews: int | None = None
    regions: int | None = None


@dataclass(frozen=True)
class CountRow(Counts):
    label: str = ""


@dataclass(frozen=True)
class Totals:
    lessons: int
    reviews: int
    regions: int
    findings: int


@dataclass(frozen=True)
class Overview:
    dimension: Dimension
    filters: ThematicFilters
    totals: Totals
    rows: list[CountRow]
    computed_at: datetime


def thematic_overview(dimension: Dimension, filters: ThematicFilters, labels: Mapping[int, str], *,
                      cache_seconds: int = 0) -> Overview:
    """The totals and the rows of ``dimension``, labelled from ``labels`` (id → label in the current language)."""
    totals_, counts, computed_at = cached(
        (dimension, filters), cache_seconds,
        lambda: (totals(filters), dimension_counts(dimension, filters), utcnow()))
    rows = [CountRow(**{field.name: getattr(count, field.name) for field in fields(Counts)},
                     label=labels.get(count.key, "—")) for count in counts]
    return Overview(dimension=dimension, filters=filters, totals=totals_, rows=rows, computed_at=computed_at)


# --- which lessons and findings count ------------------------------------------------------------


def _period(filters: ThematicFilters) -> tuple[datetime, datetime]:
    start = local_to_utc(datetime.combine(filters.date_from, time.min))
    end = local_to_utc(datetime.combine(filters.date_to + timedelta(days=1), time.min))
    return start, end


def _lesson_filters(filters: ThematicFilters) -> list[sa.ColumnElement[bool]]:
    """Conditions on ``Lesson`` from the lesson dimensions.

    The subqueries never correlate (and use aliases): the outer query may join the same tables.
    """
    conditions: list[sa.ColumnElement[bool]] = []
    if filters.level_id is not None:
        conditions.append(Lesson.level_id == filters.level_id)
    if filters.theme_id is not None:
        tagged = lesson_themes.alias("filter_themes")
        conditions.append(Lesson.id.in_(
            sa.select(tagged.c.lesson_id).where(tagged.c.theme_id == filters.theme_id).correlate(None)))
    if filters.principle_id is not None:
        touched = lesson_principles.alias("filter_principles")
        conditions.append(Lesson.id.in_(
            sa.select(touched.c.lesson_id).where(touched.c.term_id == filters.principle_id).correlate(None)))
    if filters.region_id is not None:
        reviews = Review.__table__.alias("filter_reviews")
        conditions.append(Lesson.review_id.in_(
            sa.select(reviews.c.id).where(reviews.c.region_id == filters.region_id).correlate(None)))
    if filters.agency_kind_id is not None:
        agencies = review_agency_kinds.alias("filter_agency_kinds")
        conditions.append(Lesson.review_id.in_(
            sa.select(agencies.c.review_id).where(agencies.c.term_id == filters.agency_kind_id).correlate(None)))
    return conditions


def _counted_finding(finding: Any = Finding) -> sa.ColumnElement[bool]:
    return finding.status != FindingStatus.CONCEPT.value


def _counted_lessons(filters: ThematicFilters) -> list[sa.ColumnElement[bool]]:
    start, end = _period(filters)
    conditions = [Lesson.status == LessonStatus.AGREED.value, Lesson.created_at >= start, Lesson.created_at < end,
                  *_lesson_filters(filters)]
    if filters.finding_type_id is not None:
        links = FindingLesson.__table__.alias("filter_links")
        typed = Finding.__table__.alias("filter_findings")
        conditions.append(Lesson.id.in_(
            sa.select(links.c.lesson_id).join(typed, typed.c.id == links.c.finding_id)
            .where(typed.c.finding_type_id == filters.finding_type_id, _counted_finding(typed.c)).correlate(None)))
    return conditions


def _counted_findings(filters: ThematicFilters) -> list[sa.ColumnElement[bool]]:
    """Conditions on ``Finding`` alone; the dimension queries join lessons and apply the lesson filters to them."""
    start, end = _period(filters)
    conditions = [_counted_finding(), Finding.created_at >= start, Finding.created_at < end]
    if filters.finding_type_id is not None:
        conditions.append(Finding.finding_type_id == filters.finding_type_id)
    return conditions


def _resting_on_filtered_lessons(filters: ThematicFilters) -> list[sa.ColumnElement[bool]]:
    lesson_filters = _lesson_filters(filters)
    if not lesson_filters:
        return []
    return [Finding.id.in_(sa.select(FindingLesson.finding_id).join(Lesson, Lesson.id == FindingLesson.lesson_id)
                           .where(*lesson_filters).correlate(None))]


def _lessons_per_review(filters: ThematicFilters) -> sa.Subquery:
    """Counted lessons per review: regions and agency kinds are the review's, so they join 2,000 rows, not 100,000."""
    return (sa.select(Lesson.review_id, sa.func.count().label("lessons")).where(*_counted_lessons(filters))
            .group_by(Lesson.review_id).subquery("per_review"))


# --- the statements ---------------------------------------------------------------------------------


def totals(filters: ThematicFilters) -> Totals:
    """Counted lessons, the distinct reviews and regions they come from, and counted findings: one statement."""
    per_review = _lessons_per_review(filters)
    findings = (sa.select(sa.func.count()).select_from(Finding)
                .where(*_counted_findings(filters), *_resting_on_filtered_lessons(filters))
                .correlate(None).scalar_subquery())
    row = db.session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(per_review.c.lessons), 0), sa.func.count(),
                  sa.func.count(sa.distinct(Review.region_id)), findings)
        .select_from(per_review).join(Review, Review.id == per_review.c.review_id)
    ).one()
    return Totals(lessons=row[0], reviews=row[1], regions=row[2], findings=row[3])


def _lesson_counts(dimension: Dimension, filters: ThematicFilters) -> sa.Subquery:
    """Per value of ``dimension``: counted lessons (plus, for themes, distinct reviews and regions).

    A plain COUNT(*) is a count of distinct lessons wherever the join cannot repeat a lesson for one
    value: (lesson, theme), (lesson, term) and (review, term) are primary keys, a lesson has one level
    and one review. COUNT(DISTINCT) is kept for what can repeat; it is what makes large sets slow.
    """
    counted = _counted_lessons(filters)
    count = sa.func.count()
    if dimension is Dimension.THEME:
        # Group by (theme, review) first, so the reviews are a plain count and only regions need DISTINCT.
        pairs = (sa.select(lesson_themes.c.theme_id, Lesson.review_id, count.label("lessons"))
                 .select_from(Lesson).join(lesson_themes, lesson_themes.c.lesson_id == Lesson.id).where(*counted)
                 .group_by(lesson_themes.c.theme_id, Lesson.review_id).subquery("theme_reviews"))
        query = (sa.select(pairs.c.theme_id.label("key"), sa.func.sum(pairs.c.lessons).label("lessons"),
                           count.label("reviews"), sa.func.count(sa.distinct(Review.region_id)).label("regions"))
                 .join(Review, Review.id == pairs.c.review_id).group_by(pairs.c.theme_id))
    elif dimension is Dimension.PRINCIPLE:
        query = (sa.select(lesson_principles.c.term_id.label("key"), count.label("lessons")).select_from(Lesson)
                 .join(lesson_principles, lesson_principles.c.lesson_id == Lesson.id).where(*counted)
                 .group_by(lesson_principles.c.term_id))
    elif dimension is Dimension.LEVEL:
        query = (sa.select(Lesson.level_id.label("key"), count.label("lessons"))
                 .where(*counted, Lesson.level_id.is_not(None)).group_by(Lesson.level_id))
    elif dimension is Dimension.REGION:
        per_review = _lessons_per_review(filters)
        query = (sa.select(Review.region_id.label("key"), sa.func.sum(per_review.c.lessons).label("lessons"))
                 .select_from(per_review).join(Review, Review.id == per_review.c.review_id)
                 .group_by(Review.region_id))
    elif dimension is Dimension.AGENCY_KIND:
        per_review = _lessons_per_review(filters)
        query = (sa.select(review_agency_kinds.c.term_id.label("key"),
                           sa.func.sum(per_review.c.lessons).label("lessons"))
                 .select_from(per_review)
                 .join(review_agency_kinds, review_agency_kinds.c.review_id == per_review.c.review_id)
                 .group_by(review_agency_kinds.c.term_id))
    else:  # a lesson can rest under two findings of one type: count it once
        query = (sa.select(Finding.finding_type_id.label("key"),
                           sa.func.count(sa.distinct(FindingLesson.lesson_id)).label("lessons"))
                 .select_from(FindingLesson).join(Finding, Finding.id == FindingLesson.finding_id)
                 .join(Lesson, Lesson.id == FindingLesson.lesson_id)
                 .where(_counted_finding(), *counted).group_by(Finding.finding_type_id))
    return query.subquery("lesson_counts")


def _finding_counts(dimension: Dimension, filters: ThematicFilters) -> sa.Subquery:
    """Per value of ``dimension``: distinct counted findings resting on a lesson with that value."""
    findings = sa.func.count(sa.distinct(Finding.id)).label("findings")
    if dimension is Dimension.FINDING_TYPE:
        query = (sa.select(Finding.finding_type_id.label("key"), findings)
                 .where(*_counted_findings(filters), *_resting_on_filtered_lessons(filters))
                 .group_by(Finding.finding_type_id))
        return query.subquery("finding_counts")
    query = (sa.select(Finding.id).select_from(Finding).join(FindingLesson, FindingLesson.finding_id == Finding.id)
             .join(Lesson, Lesson.id == FindingLesson.lesson_id))
    if dimension is Dimension.THEME:
        query, key = query.join(lesson_themes, lesson_themes.c.lesson_id == Lesson.id), lesson_themes.c.theme_id
    elif dimension is Dimension.PRINCIPLE:
        query = query.join(lesson_principles, lesson_principles.c.lesson_id == Lesson.id)
        key = lesson_principles.c.term_id
    elif dimension is Dimension.LEVEL:
        key = Lesson.level_id
    elif dimension is Dimension.REGION:
        query, key = query.join(Review, Review.id == Lesson.review_id), Review.region_id
    else:
        query = query.join(review_agency_kinds, review_agency_kinds.c.review_id == Lesson.review_id)
        key = review_agency_kinds.c.term_id
    return (query.with_only_columns(key.label("key"), findings)
            .where(*_counted_findings(filters), *_lesson_filters(filters), key.is_not(None))
            .group_by(key).subquery("finding_counts"))


def dimension_counts(dimension: Dimension, filters: ThematicFilters) -> list[Counts]:
    """Lessons and findings per value of ``dimension``, in one statement, in the order the page shows them.

    Taxonomy dimensions list every active term, also at zero (an empty level says something);
    themes and regions list only values that occur. Themes come in order of recurrence: those in
    the most regions first, then the most reviews; levels as a scale (persoon to stelsel).
    """
    lessons = _lesson_counts(dimension, filters)
    findings = _finding_counts(dimension, filters)
    subject: Any = {Dimension.THEME: Theme, Dimension.REGION: Region}.get(dimension, TaxonomyTerm)
    lesson_count = sa.func.coalesce(lessons.c.lessons, 0)
    finding_count = sa.func.coalesce(findings.c.findings, 0)
    occurs = sa.or_(lessons.c.lessons.is_not(None), findings.c.findings.is_not(None))
    columns = [subject.id, lesson_count, finding_count]
    if dimension is Dimension.THEME:
        columns += [sa.func.coalesce(lessons.c.reviews, 0), sa.func.coalesce(lessons.c.regions, 0)]
    query = (sa.select(*columns).select_from(subject)
             .outerjoin(lessons, lessons.c.key == subject.id).outerjoin(findings, findings.c.key == subject.id))
    if subject is TaxonomyTerm:
        query = query.where(TaxonomyTerm.vocabulary == dimension.vocabulary.value,
                            sa.or_(TaxonomyTerm.active.is_(True), occurs))
    else:
        query = query.where(occurs)
    if dimension is Dimension.THEME:
        query = query.order_by(sa.func.coalesce(lessons.c.regions, 0).desc(),
                               sa.func.coalesce(lessons.c.reviews, 0).desc(), lesson_count.desc(),
                               finding_count.desc(), Theme.key)
    elif dimension is Dimension.LEVEL:
        query = query.order_by(TaxonomyTerm.position, TaxonomyTerm.id)
    else:
        query = query.order_by((lesson_count + finding_count).desc(), lesson_count.desc(), subject.id)
    return [Counts(*row) for row in db.session.execute(query)]


# --- the table as CSV ---------------------------------------------------------------------------------

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection): theme names are typed by people.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def table_headers(dimension: Dimension) -> list[str]:
    headers = [dimension.label, _("Leerpunten"), _("Bevindingen")]
    if dimension is Dimension.THEME:
        headers += [_("Reviews"), _("Regio's")]
    return headers


def csv_cell(value: Any) -> Any:
    """Text that a spreadsheet would read as a formula, prefixed with a quote so it stays text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def table_csv(overview: Overview) -> str:
    """The page's table as CSV (UTF-8 with a byte-order mark, so spreadsheets read the accents)."""
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\r\n")
    writer.writerow([csv_cell(header) for header in table_headers(overview.dimension)])
    for row in overview.rows:
        cells = [row.label, row.lessons, row.findings]
        if overview.dimension is Dimension.THEME:
            cells += [row.reviews, row.regions]
        writer.writerow([csv_cell(cell) for cell in cells])
    return "\ufeff" + output.getvalue()


# --- what the filters offer ----------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    id: int
    label: str


@dataclass(frozen=True)
class FilterChoices:
    """What each filter offers, labelled in the current language."""

    terms: dict[Vocabulary, list[Option]]
    regions: list[Option]
    themes: list[Option]

    def labels(self, dimension: Dimension) -> dict[int, str]:
        """Id → label, for the rows of ``dimension``."""
        options = {Dimension.THEME: self.themes, Dimension.REGION: self.regions}.get(dimension)
        if options is None:
            options = self.terms[dimension.vocabulary]
        return {option.id: option.label for option in options}


def filter_choices(*, cache_seconds: int = 0) -> FilterChoices:
    """All taxonomy terms (switched-off ones may still be on old lessons), regions, and the themes of agreed
    lessons: one statement."""
    rows = cached("choices", cache_seconds, _choice_rows)
    locale = get_locale()
    english = locale is not None and locale.language == "en"  # as TaxonomyTerm.label chooses
    terms: dict[Vocabulary, list[Option]] = {vocabulary: [] for vocabulary in Vocabulary}
    regions: list[Option] = []
    themes: list[Option] = []
    for kind, id_, vocabulary, label_nl, label_en in rows:
        option = Option(id_, label_en if english else label_nl)
        if kind == "term":
            terms[Vocabulary(vocabulary)].append(option)
        else:
            (regions if kind == "region" else themes).append(option)
    return FilterChoices(terms=terms, regions=regions, themes=themes)


def _choice_rows() -> list[tuple]:
    """Plain rows, not ORM objects: they outlive the request in the cache."""
    kind, vocabulary, label_nl, label_en, first, then = "kind", "vocabulary", "label_nl", "label_en", "first", "then"
    terms = sa.select(sa.literal("term").label(kind), TaxonomyTerm.id, TaxonomyTerm.vocabulary.label(vocabulary),
                      TaxonomyTerm.label_nl.label(label_nl), TaxonomyTerm.label_en.label(label_en),
                      TaxonomyTerm.position.label(first), TaxonomyTerm.label_nl.label(then))
    regions = sa.select(sa.literal("region"), Region.id, sa.null(), Region.name, Region.name, sa.literal(0),
                        Region.name)
    # Only themes the view counts: a theme name is free text, and one on concept lessons only (or on none
    # any more) belongs to its review alone.
    counted = sa.exists().where(lesson_themes.c.theme_id == Theme.id, Lesson.id == lesson_themes.c.lesson_id,
                                Lesson.status == LessonStatus.AGREED.value)
    themes = (sa.select(sa.literal("theme"), Theme.id, sa.null(), Theme.name, Theme.name, sa.literal(0), Theme.key)
              .where(counted))
    union = sa.union_all(terms, regions, themes).subquery("choices")
    query = sa.select(union.c.kind, union.c.id, union.c.vocabulary, union.c.label_nl, union.c.label_en).order_by(
        union.c.kind, union.c.first, union.c.then, union.c.id)
    return [tuple(row) for row in db.session.execute(query)]


# --- the per-process cache -------------------------------------------------------------------------


def result_cache() -> LRUCache:
    return app_cache("thematic_results", CACHE_ENTRIES)


def cached(key: Any, seconds: int, compute: Callable[[], T]) -> T:
    """``compute()``, or what it returned for ``key`` less than ``seconds`` ago in this process (0: always compute)."""
    if seconds <= 0:
        return compute()
    cache = result_cache()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.put(key, value, seconds)
    return value

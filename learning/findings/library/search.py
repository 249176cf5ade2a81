"""Full-text search of the library: one behaviour on SQLite and PostgreSQL.

Why Snowball in Python rather than PostgreSQL's ``dutch`` configuration
---------------------------------------------------------------------
PostgreSQL's built-in ``dutch`` configuration is the old Porter-style Dutch stemmer. It stems
"gezinnen" to "gezinn" but "gezin" to "gezin", and leaves "samengewerkt" alone while
"samenwerking" becomes "samenwerk": a reader searching "gezin" or "samenwerking" misses those
texts. SQLite has no Dutch stemmer at all. The Snowball Dutch stemmer of the ``snowballstemmer``
package (version 3: the Kraaij-Pohlmann based algorithm, which also strips the participle
prefix "ge-") maps all of them together. So both the text (when publishing) and the query (when
searching) go through :func:`index_terms` here, and the databases only match the stems: the
``simple`` configuration on PostgreSQL, FTS5's ``unicode61`` tokenizer on SQLite. Same words
in, same stems, same matches on both. ``tests/library/test_search.py`` measures it on a small
Dutch corpus: for "samenwerking" and "gezin" the ``dutch`` configuration finds 3 of the 5
expected texts (not "samengewerkt", not "gezinnen"); this module finds all 5, on both databases.

Stripping "ge-" everywhere has a price: "geweld" would become "wel", "gezin" "zin",
"begeleiding" "beleid". For a few words that matter in this domain the stem keeps its root
(:data:`PROTECTED_ROOTS`), so "geweld" does not find every "wel". Common function words
(:data:`STOPWORDS`, Snowball's Dutch list) are left out of the index and the query: with AND
semantics, "samenwerking met het gezin" should not demand the "met" and the "het".

Safety: the person's query never reaches the database as syntax. It is cut to
:data:`MAX_QUERY_CHARS` characters and :data:`MAX_QUERY_TERMS` words, reduced to stems of
letters and digits, and each stem is passed as a quoted FTS5 string (AND-ed) or through
``plainto_tsquery('simple', …)``. Quotes, operators, ``*``, ``NEAR(`` or SQL are just words, or
nothing at all. Withdrawn items are excluded in the WHERE clause, so they vanish at once.

Ranking: a match in the title weighs more than one in the body (FTS5 ``bm25`` with column
weights 10 and 1; PostgreSQL ``ts_rank`` with the title as weight A, the body as B). Only the
newest :data:`WINDOW` matches are ranked and counted: ranking all 50,000 matches of a common word
took 50-110 ms at 100,000 items (measured, both databases); finding and ranking the newest 200
takes 1-10 ms. With more matches than that the page says so and suggests narrowing the search.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from dataclasses import dataclass, field

import snowballstemmer
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from learning.db import db
from learning.findings.library.models import LibraryItem, library_item_principles, library_item_themes
from learning.i18n import _

MAX_QUERY_CHARS = 200
MAX_QUERY_TERMS = 8
# Longer "words" are noise (a pasted hash, a URL without punctuation); PostgreSQL refuses lexemes
# over 2 KB anyway. The same cap applies to text and query, so they stay comparable.
MAX_TERM_CHARS = 60
PER_PAGE = 10
# Work per search is bounded: only the newest WINDOW matches are counted and ranked (ids follow
# publication, so "newest" is an index scan that stops early). Ranking every match of a common
# word costs 50-100 ms at 100,000 items on either database; the window keeps it to a few.
WINDOW = 200
# PostgreSQL looks for matches among the newest SLICE items first (see _postgres_matches).
SLICE = 25_000

# Snowball's Dutch stop word list (snowballstem.org/algorithms/dutch/stop.txt).
STOPWORDS = frozenset("""
de en van ik te dat die in een hij het niet zijn is was op aan met als voor had er maar om hem dan zou of
wat mijn men dit zo door over ze zich bij ook tot je mij uit der daar haar naar heb hoe heeft hebben deze u
want nog zal me zij nu ge geen omdat iets worden toch al waren veel meer doen toen moet ben zonder kan hun
dus alles onder ja eens hier wie werd altijd doch wordt wezen kunnen ons zelf tegen na reeds wil kon niets
uw iemand geweest andere
""".split())

# Where one of these occurs in a word, its stem keeps the root instead of the "ge"-less stem, which
# would meet an unrelated everyday word: geweld/wel, gezin/zin, gezag/zag, gemeente/menen,
# gezond/zon, begeleiden/beleid, gewoon/wonen, gelijk/lijken.
PROTECTED_ROOTS = ("gezin", "geweld", "gezag", "gemeente", "gezond", "begeleid", "gewoon", "gelijk")

_WORD = re.compile(r"[^\W_]+")


@functools.cache
def _stemmer():  # noqa: ANN202
    return snowballstemmer.stemmer("dutch")


@functools.cache
def _protected_stems() -> tuple[tuple[str, str], ...]:
    return tuple((root, _stemmer().stemWord(root)) for root in PROTECTED_ROOTS)


def normalise(text: str) -> str:
    """Unicode NFKD, diacritics removed, case-folded: "Coördinatie" and "coordinatie" are one word."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def words(text: str) -> list[str]:
    """The words of the text (runs of letters and digits), normalised, without stop words."""
    return [word for word in _WORD.findall(normalise(text)) if word not in STOPWORDS and len(word) <= MAX_TERM_CHARS]


@functools.lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    stemmed = _stemmer().stemWord(word)
    for root, root_stem in _protected_stems():
        if root in word and root_stem in stemmed and root_stem != root:
            return stemmed.replace(root_stem, root, 1)
    return stemmed


def index_terms(text: str) -> str:
    """What the index stores for a text (``search_title``/``search_body``): its stems, space-separated."""
    return " ".join(stem(word) for word in words(text))


# --- the query ---------------------------------------------------------------------------------


@dataclass
class ParsedQuery:
    text: str  # what the person typed, as searched (after cutting)
    terms: list[str]  # distinct stems, in order
    notices: list[str] = field(default_factory=list)

    @property
    def is_browse(self) -> bool:
        """Nothing typed: list by date."""
        return not self.text.strip()

    @property
    def is_unsearchable(self) -> bool:
        """Something typed, but not one word to search on (only punctuation or stop words)."""
        return not self.is_browse and not self.terms


def parse_query(raw: str | None) -> ParsedQuery:
    text = " ".join((raw or "").split())
    notices = []
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        notices.append(_("Je zoekvraag was erg lang; gezocht is op het begin ervan."))
    terms = list(dict.fromkeys(stem(word) for word in words(text)))
    if len(terms) > MAX_QUERY_TERMS:
        terms = terms[:MAX_QUERY_TERMS]
        notices.append(_("Gezocht is op de eerste %(count)d woorden van je zoekvraag.", count=MAX_QUERY_TERMS))
    if text and not terms:
        notices.append(_("Je zoekvraag bevat geen woorden om op te zoeken. Probeer een of meer inhoudelijke woorden."))
    return ParsedQuery(text=text, terms=terms, notices=notices)


def fts5_match(terms: list[str]) -> str:
    """An FTS5 MATCH expression: each stem a quoted string, all of them required."""
    return " ".join('"' + term.replace('"', '""') + '"' for term in terms)


# --- filters and results -----------------------------------------------------------------------


@dataclass(frozen=True)
class LibraryFilters:
    theme_id: int | None = None
    level_id: int | None = None
    principle_id: int | None = None
    region_id: int | None = None
    finding_type_id: int | None = None
    source_kind: str | None = None


class Sort:
    RELEVANCE = "relevance"
    DATE = "date"


@dataclass(frozen=True)
class Pager:
    """What the ``pagination`` macro needs."""

    page: int
    pages: int

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


@dataclass
class ResultPage:
    """One page of results."""

    items: list[LibraryItem]
    page: int
    per_page: int
    total: int  # at most WINDOW + 1
    query: ParsedQuery

    @property
    def window(self) -> int:
        return WINDOW

    @property
    def total_is_lower_bound(self) -> bool:
        return self.total > WINDOW

    @property
    def pages(self) -> int:
        return max(1, math.ceil(min(self.total, WINDOW) / self.per_page))

    @property
    def pager(self) -> Pager:
        return Pager(page=self.page, pages=self.pages)


def _is_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _filtered(query: sa.Select, filters: LibraryFilters) -> sa.Select:
    query = query.where(LibraryItem.withdrawn_at.is_(None))
    for column, value in ((LibraryItem.level_id, filters.level_id), (LibraryItem.region_id, filters.region_id),
                          (LibraryItem.finding_type_id, filters.finding_type_id),
                          (LibraryItem.source_kind, filters.source_kind)):
        if value is not None:
            query = query.where(column == value)
    if filters.theme_id is not None:
        query = query.where(sa.exists().where(library_item_themes.c.item_id == LibraryItem.id,
                                              library_item_themes.c.theme_id == filters.theme_id))
    if filters.principle_id is not None:
        query = query.where(sa.exists().where(library_item_principles.c.item_id == LibraryItem.id,
                                              library_item_principles.c.term_id == filters.principle_id))
    return query


def _postgres_matches(terms: list[str], filters: LibraryFilters) -> sa.Select:
    """The newest WINDOW + 1 matches with their ts_rank, in one statement with a bounded amount of work.

    A GIN index yields all matches unordered; finding the newest then means visiting every
    matching row (20 ms for a phrase in 13% of 100,000 items), and the planner cannot tell that
    cost in advance for words that occur together. So the newest SLICE items are searched first
    and the older ones only when those hold too few matches (a one-time filter: not run at all
    otherwise). Measured on the benchmark's mix, this took the SQL from 56 to 25 ms in total.
    """
    vector = sa.literal_column("library_items.search_vector")
    tsquery = sa.func.plainto_tsquery(sa.literal_column("'simple'"), " ".join(terms))
    floor = sa.select(sa.func.max(LibraryItem.id)).scalar_subquery() - SLICE

    def part(where: sa.ColumnElement) -> sa.Select:
        # Default weights {D 0.1, C 0.2, B 0.4, A 1.0}: a title (A) match outranks a body (B) match.
        query = sa.select(LibraryItem.id.label("id"), sa.func.ts_rank(vector, tsquery).label("score"))
        return (_filtered(query, filters).where(vector.op("@@")(tsquery), where)
                .order_by(LibraryItem.id.desc()).limit(WINDOW + 1))

    newest = part(LibraryItem.id > floor).cte("newest")
    older = part(LibraryItem.id <= floor).subquery("older")
    enough = sa.select(sa.func.count()).select_from(newest).scalar_subquery() > WINDOW
    return sa.union_all(sa.select(newest.c.id, newest.c.score),
                        sa.select(older.c.id, older.c.score).where(sa.not_(enough)))


def _candidates(terms: list[str], filters: LibraryFilters) -> list[tuple[int, float]]:
    """(id, relevance) of the newest WINDOW + 1 matching items, newest first; higher relevance is better.

    Ids are handed out as items are published, so the id order is the publication order.
    """
    if not terms:
        query = _filtered(sa.select(LibraryItem.id, sa.literal(0.0)), filters).order_by(LibraryItem.id.desc())
        query = query.limit(WINDOW + 1)
    elif _is_postgres():
        # Which plan is best depends on how common the words are. After five runs of the same
        # statement PostgreSQL may switch to a generic plan that cannot know that (psycopg prepares
        # repeated statements): a common word then took 90 ms instead of 10. Plan each search anew.
        db.session.execute(sa.text("SET LOCAL plan_cache_mode = force_custom_plan"))
        query = _postgres_matches(terms, filters)
    else:
        # FTS5 hands out matching rowids newest first (ORDER BY rowid DESC) and stops at the LIMIT;
        # bm25 is lower for better matches, so it is negated.
        index = sa.table("library_search", sa.column("rowid"))
        match = sa.literal_column("library_search").op("MATCH")(fts5_match(terms))
        bm25 = sa.func.bm25(sa.literal_column("library_search"), sa.literal_column("10.0"), sa.literal_column("1.0"))
        query = sa.select(index.c.rowid, -bm25).select_from(index).join(LibraryItem, LibraryItem.id == index.c.rowid)
        query = _filtered(query, filters).where(match).order_by(index.c.rowid.desc()).limit(WINDOW + 1)
    rows = sorted(((row[0], row[1]) for row in db.session.execute(query)), reverse=True)
    return rows[:WINDOW + 1]


def search(parsed: ParsedQuery, filters: LibraryFilters, *, sort: str = Sort.RELEVANCE, page: int = 1,
           per_page: int = PER_PAGE) -> ResultPage:
    """A page of published items for this query and these filters: two queries plus eager loads, whatever the size."""
    if parsed.is_unsearchable:
        return ResultPage(items=[], page=1, per_page=per_page, total=0, query=parsed)
    candidates = _candidates(parsed.terms, filters)
    total = len(candidates)
    ranked = candidates[:WINDOW]  # newest first: the order for sorting by date
    if parsed.terms and sort != Sort.DATE:
        ranked.sort(key=lambda row: -row[1])  # stable: equal relevance stays newest first
    pages = max(1, math.ceil(len(ranked) / per_page))
    page = max(1, min(page, pages))  # past the end: the last page
    wanted = [row[0] for row in ranked[(page - 1) * per_page:page * per_page]]
    items: list[LibraryItem] = []
    if wanted:
        loaded = {item.id: item for item in db.session.scalars(
            sa.select(LibraryItem).where(LibraryItem.id.in_(wanted))
            .options(selectinload(LibraryItem.themes), selectinload(LibraryItem.principles)))}
        items = [loaded[item_id] for item_id in wanted]
    return ResultPage(items=items, page=page, per_page=per_page, total=total, query=parsed)

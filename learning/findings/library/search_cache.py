"""What the search page shows the same to every reader, kept per web process and keyed by the library generation.

A search page is the same for every reader who may search the library, apart from the layout
around it, and finding, loading and rendering the results is most of a search request's work.
So each process keeps two things under :class:`LibraryGeneration`'s value and the language:

* the rendered results, also keyed by the normalised search (query text and its notices,
  filters, sort, page);
* the filters' choices (themes in the library, levels, principles, finding types, regions).

A request reads the generation once, first (one primary-key query). The database raises it in
the same transaction as any change to what the page may show, so once a withdrawal commits, no
process on any node serves a page made before it, and a new item appears at once.

Kept out of the results: the pagination links, built from the request's own query string (a
made-up parameter of one reader must not end up in another's links); they are rendered per
request from the cached :class:`~learning.findings.library.search.Pager`. Pages of validation
errors are never kept (the view only asks for results when the form is valid).

Only GET requests that change nothing use this: a request that changed the library and then
searched, in one transaction, would keep results of a state that may yet be rolled back.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TypeVar

import sqlalchemy as sa
from flask import current_app, g
from markupsafe import Markup

from learning.cache import LRUCache, app_cache
from learning.db import db
from learning.findings.library.models import LibraryGeneration
from learning.findings.library.search import PER_PAGE, WINDOW, LibraryFilters, Pager, ParsedQuery

# A rendered page of ten results is 5-15 kB; the bound is for pages of long titles in non-Latin script.
MAX_BYTES = 8 * 1024 * 1024
LAST_PAGE = math.ceil(WINDOW / PER_PAGE)
# Bytes of an entry besides its text (its key, the tuples): a rough allowance.
ENTRY_OVERHEAD = 500

T = TypeVar("T")


@dataclass(frozen=True)
class RenderedResults:
    html: Markup
    pager: Pager


def current_generation() -> int:
    """The library generation as committed now (a fresh query, never the session's identity map)."""
    return db.session.scalar(sa.select(LibraryGeneration.value).where(LibraryGeneration.id == 1))


def _request_generation() -> int:
    """Read once per request, before anything is computed: what is computed then is this generation or newer."""
    if "library_generation" not in g:
        g.library_generation = current_generation()
    return g.library_generation


def result_cache() -> LRUCache:
    """This process's cache, ``LIBRARY_CACHE_SIZE`` entries (0: off)."""
    return app_cache("library_results", current_app.config["LIBRARY_CACHE_SIZE"], MAX_BYTES)


def cached(key: tuple[Hashable, ...], compute: Callable[[], T], *, text_of: Callable[[T], str] = str) -> T:
    """``compute()``, or what it returned in this process for ``key`` in the current library generation.

    ``key`` must hold everything the value depends on besides the library (the language, the
    search). ``text_of(value)``: its text, to count its bytes. With the cache off, computes every
    time and does not read the generation.
    """
    cache = result_cache()
    if cache.size <= 0:
        return compute()
    full_key = (_request_generation(), *key)
    value = cache.get(full_key)
    if value is None:
        value = compute()
        cache.put(full_key, value, size=sys.getsizeof(text_of(value)) + sys.getsizeof(str(key)) + ENTRY_OVERHEAD)
    return value


def clamp_page(page: int) -> int:
    """Pages past the last one possible show the last page; so they share its entry."""
    return max(1, min(page, LAST_PAGE))


def results(parsed: ParsedQuery, filters: LibraryFilters, sort: str, page: int, language: str,
            render: Callable[[], RenderedResults]) -> RenderedResults:
    """The rendered results of this search (``page`` clamped already, see :func:`clamp_page`)."""
    key = ("results", language, parsed.text, tuple(parsed.notices), filters, sort, page)
    return cached(key, render, text_of=lambda rendered: str(rendered.html))

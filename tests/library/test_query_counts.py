"""The library's pages send as many queries with 10,000 items as with 100."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from learning.db import db, utcnow
from learning.findings.library.models import LibraryItem, library_item_principles, library_item_themes
from learning.findings.library.search import index_terms
from tests.library.conftest import term, theme

TITLES = ("Samenwerking bij crisis", "Eén plan per gezin", "Regie in de keten", "Gezinnen horen en zien")
BODIES = ("Het wijkteam en Veilig Thuis hebben goed samengewerkt.", "Gezinnen willen één aanspreekpunt.",
          "Niemand nam de regie toen het spannend werd.", "De school zag signalen maar deelde ze niet.")


def bulk_items(count: int, region_id: int | None) -> None:
    """Items straight into the tables with core inserts; the database fills the search index."""
    now = utcnow()
    levels = [term("level", code).id for code in ("team", "keten", "stelsel")]
    principle = term("principle", "gezinsgericht").id
    themes = [theme(name).id for name in ("Crisis", "Regie", "Onderwijs")]
    rows = [{"source_kind": "lesson", "title": TITLES[n % 4], "body": BODIES[(n // 4) % 4], "review_kind": "casusreview",
             "region_id": region_id, "year": 2026, "level_id": levels[n % 3], "polarity": "improve",
             "search_title": index_terms(TITLES[n % 4]), "search_body": index_terms(BODIES[(n // 4) % 4]),
             "published_at": now, "withdrawal_reason": ""} for n in range(count)]
    ids = list(db.session.scalars(sa.insert(LibraryItem).returning(LibraryItem.id), rows))
    db.session.execute(sa.insert(library_item_themes), [
        {"item_id": item_id, "theme_id": themes[index % 3]} for index, item_id in enumerate(ids)])
    db.session.execute(sa.insert(library_item_principles), [{"item_id": item_id, "term_id": principle}
                                                            for item_id in ids[::2]])
    db.session.commit()


def page_queries(client, count_queries, path: str) -> int:  # noqa: ANN001
    with count_queries() as counter:
        response = client.get(path)
    assert response.status_code == 200, path
    return counter.count


@pytest.mark.parametrize("path", [
    "/library", "/library?q=samenwerking", "/library?q=gezin&sort=date&page=3",
    "/library?q=regie&level_id={level}&theme_id={theme}&principle_id={principle}", "/library?q=%22NEAR(",
    "/library/{item}",
])
def test_library_query_counts_do_not_grow(login, create_user, region, count_queries, path):
    """The first search after a change (the cache's miss: the generation, then the search) and the same search again.

    A search page sends 9 queries on a miss: the user, the library generation, 3 for the filter
    choices, the search, the page's items with their themes and principles (PostgreSQL: one more,
    the search's planner setting). Again in the same generation it sends 2, the user and the
    generation: the choices and the rendered results come from the cache.
    """
    client = login(create_user("lezer@example.org", roles=("policy_owner",)))
    misses, hits = [], []
    for total in (100, 10_000):
        bulk_items(total - db.session.scalar(sa.select(sa.func.count()).select_from(LibraryItem)), region.id)
        filled = path.format(level=term("level", "keten").id, theme=theme("Regie").id,
                             principle=term("principle", "gezinsgericht").id,
                             item=db.session.scalar(sa.select(sa.func.max(LibraryItem.id))))
        misses.append(page_queries(client, count_queries, filled))
        hits.append(page_queries(client, count_queries, filled))
    assert misses[0] == misses[1] and hits[0] == hits[1], f"{path}: {misses}, {hits}"
    assert misses[0] <= 10 and hits[0] <= misses[0], f"{path}: {misses}, {hits}"
    if not path.startswith("/library/"):
        assert hits[0] == 2, f"{path}: {hits}"

"""Search results kept per process: never stale, switched off by a setting, nothing of one reader shown to another.

Every web process keeps rendered results keyed by the library generation in the database; the
test client is one such process. Changes are made as another process or node would make them:
through the services or straight in the tables, committed, with nothing telling this process.
"""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from learning.admin.models import Region
from learning.db import db
from learning.findings.library import services
from learning.findings.library.access import publish_source
from learning.findings.library.models import LibraryGeneration, LibraryItem
from learning.findings.library.search_cache import current_generation, result_cache
from learning.findings.library.services import Draft
from tests.conftest import ON_POSTGRES
from tests.library.conftest import term


def kept(kind: str = "results") -> int:
    """How many entries of this kind ("results" or "choices") the process keeps, over all generations."""
    return sum(key[1] == kind for key in result_cache().entries)


def results_of(client, path: str) -> str:  # noqa: ANN001
    response = client.get(path)
    assert response.status_code == 200, path
    page = response.get_data(as_text=True)
    return page.split('<section aria-labelledby="results-heading">', 1)[1].split("</section>", 1)[0]


def searched_the_index(statements: list[str]) -> bool:
    return any("library_search" in statement or "search_vector" in statement for statement in statements)


@pytest.fixture
def reader(login, create_user):  # noqa: ANN001, ANN201
    return login(create_user("lezer@example.org", roles=("reviewer",)))


def test_a_repeated_search_is_served_from_the_cache_after_one_generation_query(app, make_item, reader,
                                                                               count_queries):
    make_item("Samenwerking in de wijk", "Korte lijnen.")
    with count_queries() as first:
        page = results_of(reader, "/library?q=samenwerking")
    with count_queries() as again:
        assert results_of(reader, "/library?q=samenwerking") == page
    assert searched_the_index(first.statements) and not searched_the_index(again.statements)
    assert again.count <= first.count - 7  # no filter choices, no search, no items with their themes and principles
    assert sum("library_generation" in statement for statement in again.statements) == 1


def test_an_item_withdrawn_after_the_search_was_cached_is_gone_at_once(app, make_item, reader, create_user):
    kept = make_item("Samenwerking in de wijk", "Korte lijnen.")
    withdrawn = make_item("Samenwerking op school", "De school en het wijkteam.")
    assert "Samenwerking op school" in results_of(reader, "/library?q=samenwerking")
    assert "Samenwerking op school" in results_of(reader, "/library?q=samenwerking")  # now from the cache
    services.withdraw(withdrawn, actor=create_user(roles=("admin",)), reason="Herkenbaar voor de regio.")
    db.session.commit()
    shown = results_of(reader, "/library?q=samenwerking")
    assert "Samenwerking op school" not in shown and f"/library/{kept.id}" in shown
    assert "Samenwerking op school" not in results_of(reader, "/library")


def test_a_newly_published_item_appears_at_once(app, make_item, make_review, make_lesson, lead, reader):
    make_item("Regie in de wijk", "Korte lijnen.")
    assert "1 resultaat" in results_of(reader, "/library?q=regie")
    assert "1 resultaat" in results_of(reader, "/library?q=regie")
    lesson = make_lesson(make_review(), "Leg de regie bij een crisis vooraf vast.", themes=("Crisis",))
    item = services.publish(publish_source(lead, "lesson", lesson.id), Draft("Regie bij crisis", lesson.text),
                            actor=lead)
    db.session.commit()
    shown = results_of(reader, "/library?q=regie")
    assert "2 resultaten" in shown and f"/library/{item.id}" in shown


def test_items_loaded_straight_into_the_tables_appear_at_once(app, make_item, reader):
    assert "0 resultaten" in results_of(reader, "/library?q=regie")
    assert "0 resultaten" in results_of(reader, "/library?q=regie")
    make_item("Regie in de wijk", "Korte lijnen.")  # no service: an import, a repair by hand
    assert "1 resultaat" in results_of(reader, "/library?q=regie")


def test_a_renamed_region_shows_its_new_name_at_once(app, make_item, region, reader):
    make_item("Regie in de wijk", "Korte lijnen.", region=region)
    assert "Regio Midden" in results_of(reader, "/library?q=regie")
    region.name = "Regio Centraal"
    db.session.commit()
    assert "Regio Centraal" in results_of(reader, "/library?q=regie")


def test_a_new_region_and_a_renamed_term_are_in_the_filters_at_once(app, make_item, reader):
    make_item("Regie in de wijk", "Korte lijnen.", level="keten")
    reader.get("/library")
    assert "Regio Oost" not in reader.get("/library").get_data(as_text=True)  # now from the cache
    db.session.add(Region(name="Regio Oost"))
    term("level", "keten").label_nl = "Ketenniveau"
    db.session.commit()
    page = reader.get("/library").get_data(as_text=True)
    assert '<option value="' in page and ">Regio Oost</option>" in page
    assert ">Ketenniveau</option>" in page and "Ketenniveau" in results_of(reader, "/library")


def test_each_language_has_its_own_entry(app, make_item, login, create_user, reader):
    make_item("Regie in de wijk", "Korte lijnen.")
    english = login(create_user("reader@example.org", roles=("reviewer",), language="en"))
    assert "1 resultaat" in results_of(reader, "/library?q=regie")
    shown = results_of(english, "/library?q=regie")
    assert "1 result" in shown and "resultaat" not in shown
    assert "1 resultaat" in results_of(reader, "/library?q=regie")
    assert kept() == 2 and kept("choices") == 2


def test_one_readers_made_up_parameters_never_reach_another_readers_links(app, make_item, reader, login,
                                                                          create_user):
    for number in range(12):
        make_item(f"Regie {number}", "Korte lijnen.")
    first = reader.get("/library?q=regie&note=alleen-voor-mij").get_data(as_text=True)
    assert "alleen-voor-mij" in first  # their own next-page link keeps what they sent
    other = login(create_user(roles=("policy_owner",))).get("/library?q=regie").get_data(as_text=True)
    assert "alleen-voor-mij" not in other and "/library?q=regie&amp;page=2" in other


def test_pages_past_the_end_share_the_last_pages_entry(app, make_item, reader):
    make_item("Regie in de wijk", "Korte lijnen.")
    reader.get("/library?q=regie&page=1")
    for page in (-3, 0, 21, 10**9):
        reader.get(f"/library?q=regie&page={page}")
    assert kept() == 2  # page 1 (and below), and the last page there could be (and beyond)


def test_a_page_of_validation_errors_is_not_kept(app, reader):
    page = reader.get("/library?q=regie&region_id=abc").get_data(as_text=True)
    assert "Er is niet gezocht" in page
    assert kept() == 0


def test_the_cache_can_be_switched_off(app, make_item, reader, count_queries):
    app.config["LIBRARY_CACHE_SIZE"] = 0
    make_item("Regie in de wijk", "Korte lijnen.")
    results_of(reader, "/library?q=regie")
    with count_queries() as again:
        assert "1 resultaat" in results_of(reader, "/library?q=regie")
    assert searched_the_index(again.statements)
    assert not any("library_generation" in statement for statement in again.statements)
    assert len(result_cache()) == 0


def test_the_cache_keeps_at_most_its_size(app, make_item, reader):
    app.config["LIBRARY_CACHE_SIZE"] = 3
    make_item("Regie in de wijk", "Korte lijnen.")
    for word in ("regie", "wijk", "lijnen", "kort", "gezin"):
        reader.get(f"/library?q={word}")
    assert len(result_cache()) == 3


# --- the generation --------------------------------------------------------------------------


def test_publishing_and_withdrawing_raise_the_generation(app, make_review, make_lesson, lead):
    lesson = make_lesson(make_review(), "Leg de regie bij een crisis vooraf vast.", themes=("Crisis",),
                         principles=("gezinsgericht",))
    before = current_generation()
    item = services.publish(publish_source(lead, "lesson", lesson.id), Draft("Regie", lesson.text,
                                                                             [lesson.themes[0].id]), actor=lead)
    assert current_generation() > before  # in the publishing transaction itself
    db.session.commit()
    published = current_generation()
    services.withdraw(item, actor=lead, reason="Te herkenbaar.")
    db.session.commit()
    assert current_generation() > published


def test_reading_and_unrelated_writes_leave_the_generation_alone(app, make_item, make_review, make_lesson,
                                                                 reader):
    make_item("Regie in de wijk", "Korte lijnen.")
    before = current_generation()
    make_lesson(make_review(), "Een leerpunt dat niet gepubliceerd is.", themes=("Nieuw thema",))
    reader.get("/library?q=regie")
    assert current_generation() == before


def test_concurrent_writers_each_raise_the_generation(app, make_item):
    """Two transactions that change the library at the same time: neither increment is lost."""
    make_item("Regie in de wijk", "Korte lijnen.")
    before = current_generation()
    db.session.commit()
    engine, first_in = db.engine, threading.Event()

    def change(title: str, wait: threading.Event | None) -> None:
        with engine.connect() as connection:
            connection.execute(sa.update(LibraryItem).values(title=title))  # raises the generation, holds the lock
            first_in.set()
            if wait is not None:
                wait.wait(timeout=0.3)  # let the other writer queue up behind this transaction
            connection.commit()

    holding = threading.Thread(target=change, args=("Eerste", threading.Event()))
    holding.start()
    first_in.wait(timeout=5)
    change("Tweede", None)  # waits for the first to commit (PostgreSQL: the row lock; SQLite: the write lock)
    holding.join()
    assert db.session.scalar(sa.select(LibraryGeneration.value)) == before + 2


def test_a_rolled_back_change_does_not_stop_the_next_one_from_raising_the_generation(app, make_item):
    item = make_item("Regie in de wijk", "Korte lijnen.")
    before = current_generation()
    db.session.commit()
    savepoint = db.session.begin_nested()
    db.session.execute(sa.update(LibraryItem).where(LibraryItem.id == item.id).values(title="Teruggedraaid"))
    savepoint.rollback()
    db.session.execute(sa.update(LibraryItem).where(LibraryItem.id == item.id).values(title="Regie in de buurt"))
    db.session.commit()
    assert current_generation() == before + 1


def test_postgres_raises_the_generation_once_per_transaction(app, make_item):
    """Not once per statement: each update of the one row in a transaction is slower than the last
    (100,000 one-row inserts took minutes). SQLite updates in place, once per changed row."""
    item = make_item("Regie in de wijk", "Korte lijnen.")
    before = current_generation()
    db.session.commit()
    for year in range(2000, 2050):
        db.session.execute(sa.update(LibraryItem).where(LibraryItem.id == item.id).values(year=year))
    db.session.commit()
    assert current_generation() == before + (1 if ON_POSTGRES else 50)

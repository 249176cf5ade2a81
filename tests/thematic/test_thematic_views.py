"""The page and the CSV as a reviewer or policy owner sees them: chart and table agree, bad input is explained."""

from __future__ import annotations

import csv
import io
import re

import pytest

from learning.db import db
from tests.helpers import table_text, text_of
from tests.thematic.conftest import term


@pytest.fixture
def owner_client(create_user, login):  # noqa: ANN001, ANN201
    return login(create_user("owner@example.org", roles=("policy_owner",)))


def chart_numbers(html: str) -> list[tuple[str, list[int]]]:
    """(label, [lessons, findings]) per bar group of the SVG, from each bar's <title>."""
    svg = re.search(r"<svg\b.*?</svg>", html, flags=re.S).group(0)
    groups = re.findall(r'<g class="lmi-chart__group">(.*?)</g>', svg, flags=re.S)
    result = []
    for group in groups:
        titles = re.findall(r"<rect[^>]*><title>(.*?): (\d+) \(", group)
        result.append((titles[0][0], [int(value) for _label, value in titles]))
    return result


def table_rows(html: str) -> list[tuple[str, list[int]]]:
    table = re.search(r'<table\b[^>]*id="counts-table".*?</table>', html, flags=re.S).group(0)
    rows = re.findall(r'<th class="utrecht-table__header-cell" scope="row">(.*?)</th>(.*?)</tr>', table, flags=re.S)
    return [(label, [int(cell.replace(".", "")) for cell in re.findall(r"<td[^>]*>([\d.]+)</td>", cells)])
            for label, cells in rows]


def totals(page) -> dict[str, str]:  # noqa: ANN001
    """The "In deze periode" figures, as the reader sees them: label → number."""
    section = page.get_data(as_text=True).split('id="totals-heading"', 1)[1].split("</section>", 1)[0]
    return dict(re.findall(r"<dt[^>]*>([^<]+)</dt><dd[^>]*>([^<]+)</dd>", section))


@pytest.mark.parametrize("dimension", ["theme", "finding_type", "level", "principle", "region", "agency_kind"])
def test_the_chart_shows_the_numbers_of_the_table(owner_client, dataset, dimension):
    page = owner_client.get(f"/themes/?dimension={dimension}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert re.search(r'<svg[^>]*role="img"[^>]*aria-labelledby="chart-title chart-desc"', html)
    assert '<title id="chart-title">' in html and '<desc id="chart-desc">' in html
    assert "<caption" in html and 'scope="col"' in html and 'scope="row"' in html
    table = table_rows(html)
    assert [(label, numbers[:2]) for label, numbers in table] == chart_numbers(html)
    assert table, "the dataset has something in every dimension"


def test_the_theme_table_shows_recurrence_first(owner_client, dataset):
    page = owner_client.get("/themes/")
    assert table_rows(page.get_data(as_text=True)) == [
        ("Crisis", [4, 2, 3, 2]), ("Overdracht", [2, 1, 2, 1]), ("Wachtlijst", [3, 1, 1, 1])]
    assert totals(page) == {"Vastgestelde leerpunten": "7", "Reviews": "3", "Regio's": "2", "Bevindingen": "2"}


def test_no_lesson_text_or_review_title_reaches_the_page_or_the_csv(owner_client, dataset):
    for dimension in ("theme", "region", "finding_type"):
        for url in (f"/themes/?dimension={dimension}", f"/themes/export.csv?dimension={dimension}"):
            body = owner_client.get(url).get_data(as_text=True)
            assert "Geheime" not in body and "Gezin A" not in body, url


def test_filters_narrow_the_counts_and_stay_in_the_form(owner_client, dataset):
    zuid = dataset.zuid.id
    page = owner_client.get(f"/themes/?dimension=level&region_id={zuid}")
    html = page.get_data(as_text=True)
    assert dict(table_rows(html))["persoon"] == [2, 0]
    assert re.search(rf'<option selected value="{zuid}">Regio Zuid</option>|<option value="{zuid}" selected>', html)
    assert f'name="region_id" value="{zuid}"' in html  # the dimension switcher keeps the filter
    assert f"region_id={zuid}" in re.search(r'href="(/themes/export.csv[^"]*)"', html).group(1)


def test_csv_export_with_the_same_filters(owner_client, dataset):
    response = owner_client.get(f"/themes/export.csv?dimension=region&level_id={term('level', 'keten').id}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="themas-region-')
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows == [["Regio", "Leerpunten", "Bevindingen"], ["Regio Noord", "2", "1"]]


@pytest.mark.parametrize("query, message", [
    ("date_from=2025-13-45", "Dit is geen geldige datum"),
    ("date_from=gisteren", "Dit is geen geldige datum"),
    ("date_from=2026-05-01&date_to=2026-01-01", "Deze datum ligt voor de begindatum."),
    ("date_from=0001-01-01", "Kies een datum tussen 2000 en 2100."),
    ("date_to=9999-12-31", "Kies een datum tussen 2000 en 2100."),
    ("region_id=999999", "Deze keuze bestaat niet (meer)."),
    ("theme_id=abc", "Deze keuze bestaat niet (meer)."),
    ("level_id=-1", "Deze keuze bestaat niet (meer)."),
    ("dimension=title", "Deze keuze bestaat niet (meer)."),
])
def test_bad_filters_get_a_message_on_the_same_form(owner_client, dataset, query, message):
    page = owner_client.get(f"/themes/?{query}")
    assert page.status_code == 200
    text = text_of(page)
    assert message in text
    assert "Pas de filters aan om de cijfers te zien." in text
    assert table_text(page) == ""
    for typed in ("2025-13-45", "gisteren", "2026-05-01", "2026-01-01"):
        if typed in query:
            assert f'value="{typed}"' in page.get_data(as_text=True)  # what was typed is kept
    export = owner_client.get(f"/themes/export.csv?{query}")
    assert export.status_code == 400 and message in text_of(export)


def test_labels_in_english_for_an_english_reader(create_user, login, dataset):
    reader = login(create_user("reader@example.org", roles=("reviewer",), language="en"))
    html = reader.get("/themes/?dimension=level").get_data(as_text=True)
    assert [label for label, _numbers in table_rows(html)][:2] == ["person", "team"]


def test_an_empty_period_says_so(owner_client, dataset):
    page = owner_client.get("/themes/?date_from=2001-01-01&date_to=2001-12-31")
    assert page.status_code == 200
    assert "Geen vastgestelde leerpunten of bevindingen met deze filters in deze periode." in text_of(page)
    assert "<svg" not in page.get_data(as_text=True).split("<main", 1)[1]


@pytest.fixture
def cache_for_a_minute(app):  # noqa: ANN001, ANN201
    from learning.findings.thematic import result_cache

    app.config["THEMATIC_CACHE_SECONDS"] = 60
    result_cache().clear()
    yield result_cache()
    result_cache().clear()


def test_the_page_is_kept_for_a_while_and_says_when_it_was_counted(owner_client, dataset, cache_for_a_minute,
                                                                   count_queries):
    first = owner_client.get("/themes/?dimension=region")
    assert "Cijfers berekend om" in text_of(first)
    dataset.lessons["L5"].status = "agreed"
    db.session.commit()
    with count_queries() as counter:
        again = owner_client.get("/themes/?dimension=region&utm_source=mail")  # made-up parameters do not matter
    assert counter.count <= 1, counter.statements  # the signed-in user; the numbers and page are kept
    assert table_text(again) == table_text(first)
    cache_for_a_minute.clear()
    recounted = owner_client.get("/themes/?dimension=region").get_data(as_text=True)
    assert dict(table_rows(recounted))["Regio Zuid"] == [4, 1]


def test_a_page_of_error_messages_is_not_kept(owner_client, dataset, cache_for_a_minute):
    assert owner_client.get("/themes/?region_id=999999").status_code == 200
    assert len(cache_for_a_minute.entries) == 1  # the filter choices only


@pytest.mark.parametrize("dimension", ["theme", "finding_type", "level", "principle", "region", "agency_kind"])
def test_without_any_lessons_every_dimension_still_answers(owner_client, dimension):
    page = owner_client.get(f"/themes/?dimension={dimension}")
    assert page.status_code == 200
    assert totals(page) == {"Vastgestelde leerpunten": "0", "Reviews": "0", "Regio's": "0", "Bevindingen": "0"}
    assert owner_client.get(f"/themes/export.csv?dimension={dimension}").status_code == 200

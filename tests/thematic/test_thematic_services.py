"""The counts without HTTP, on the dataset in conftest.py (see its table)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from learning.findings import thematic
from learning.findings.thematic import Dimension, ThematicFilters, Totals
from tests.thematic.conftest import term

TODAY = date.today()
LAST_YEAR = ThematicFilters.default(TODAY)


def by_label(dimension: Dimension, filters: ThematicFilters = LAST_YEAR) -> dict[str, tuple]:
    """{label: (lessons, findings)} (themes: plus reviews and regions), from the labelled overview."""
    labels = thematic.filter_choices().labels(dimension)
    overview = thematic.thematic_overview(dimension, filters, labels)
    return {row.label: (row.lessons, row.findings) + ((row.reviews, row.regions) if row.reviews is not None else ())
            for row in overview.rows}


def with_filters(**chosen) -> ThematicFilters:  # noqa: ANN003
    return ThematicFilters(date_from=LAST_YEAR.date_from, date_to=LAST_YEAR.date_to, **chosen)


def test_default_period_is_the_last_twelve_months():
    assert ThematicFilters.default(date(2026, 11, 24)) == ThematicFilters(date(2025, 11, 25), date(2026, 11, 24))
    assert ThematicFilters.default(date(2028, 2, 29)).date_from == date(2027, 3, 1)


def test_totals_count_agreed_lessons_and_findings_beyond_concept(dataset):
    # L5 (concept) and L6 (too old) do not count; F2 (concept) and F3 (too old) do not either.
    assert thematic.totals(LAST_YEAR) == Totals(lessons=7, reviews=3, regions=2, findings=2)


def test_concept_lessons_and_findings_are_left_out(dataset):
    themes = by_label(Dimension.THEME)
    assert themes["Overdracht"][0] == 2  # L1 and L7; L5 is a concept
    types = by_label(Dimension.FINDING_TYPE)
    assert types["wet- en regelgeving en financiering"] == (0, 0)  # F2 is a concept
    dataset.lessons["L5"].status = "agreed"
    dataset.findings["F2"].status = "agreed"
    assert by_label(Dimension.THEME)["Overdracht"][0] == 3
    assert by_label(Dimension.FINDING_TYPE)["wet- en regelgeving en financiering"] == (1, 1)


def test_themes_with_their_recurrence_across_reviews_and_regions(dataset):
    assert by_label(Dimension.THEME) == {
        #             lessons, findings, reviews, regions
        "Crisis": (4, 2, 3, 2),
        "Overdracht": (2, 1, 2, 1),
        "Wachtlijst": (3, 1, 1, 1),
    }


def test_themes_recurring_in_most_regions_then_reviews_come_first(dataset):
    # Wachtlijst has more lessons than Overdracht, but from one review only: it recurs less.
    assert list(by_label(Dimension.THEME)) == ["Crisis", "Overdracht", "Wachtlijst"]


def test_levels_as_a_scale_with_empty_levels_shown(dataset):
    assert list(by_label(Dimension.LEVEL).items()) == [
        ("persoon", (2, 0)), ("team", (1, 1)), ("organisatie", (1, 0)), ("keten", (2, 1)), ("stelsel", (1, 1)),
    ]


def test_principles(dataset):
    assert by_label(Dimension.PRINCIPLE) == {
        "gezinsgericht": (3, 1), "eenvoudig": (1, 1), "lerend": (1, 1), "rechtsbeschermend & transparant": (0, 0),
    }


def test_regions_come_from_the_lessons_reviews(dataset):
    assert by_label(Dimension.REGION) == {"Regio Noord": (4, 2), "Regio Zuid": (3, 1)}


def test_agency_kinds_come_from_the_lessons_reviews(dataset):
    counts = by_label(Dimension.AGENCY_KIND)
    assert counts["GGZ"] == (5, 2)
    assert counts["Veilig Thuis"] == (2, 2)
    assert counts["lokaal (wijk)team"] == (2, 0)
    assert counts["politie"] == (3, 1)
    assert counts["onderwijs"] == (0, 0)


def test_finding_types_count_the_lessons_under_them(dataset):
    counts = by_label(Dimension.FINDING_TYPE)
    # L3 rests under F3: F3 itself is too old to count, but L3 is recent and its finding is not a concept.
    assert counts["samenwerking in de keten bij crisis"] == (3, 1)
    assert counts["instrumenten en werkprocessen"] == (1, 1)


def test_each_filter(dataset):
    region_zuid = with_filters(region_id=dataset.zuid.id)
    assert thematic.totals(region_zuid) == Totals(lessons=3, reviews=1, regions=1, findings=1)
    local_team = with_filters(agency_kind_id=term("agency_kind", "lokaal_team").id)
    assert thematic.totals(local_team) == Totals(lessons=2, reviews=1, regions=1, findings=0)
    chain = with_filters(level_id=term("level", "keten").id)
    assert thematic.totals(chain) == Totals(lessons=2, reviews=2, regions=1, findings=1)
    family = with_filters(principle_id=term("principle", "gezinsgericht").id)
    assert thematic.totals(family) == Totals(lessons=3, reviews=2, regions=2, findings=1)
    tools = with_filters(finding_type_id=term("finding_type", "instrumenten_werkprocessen").id)
    assert thematic.totals(tools) == Totals(lessons=1, reviews=1, regions=1, findings=1)
    waiting = with_filters(theme_id=dataset.themes["wachtlijst"].id)
    assert thematic.totals(waiting) == Totals(lessons=3, reviews=1, regions=1, findings=1)
    assert by_label(Dimension.REGION, waiting) == {"Regio Zuid": (3, 1)}


def test_filters_apply_to_one_and_the_same_lesson_of_a_finding(dataset):
    noord_crisis = with_filters(region_id=dataset.noord.id, theme_id=dataset.themes["crisis"].id)
    assert thematic.totals(noord_crisis) == Totals(lessons=3, reviews=2, regions=1, findings=2)
    # F1 rests on L1 (Noord, overdracht) and L4 (Zuid): no lesson of it is both from Zuid and about overdracht.
    zuid_handover = with_filters(region_id=dataset.zuid.id, theme_id=dataset.themes["overdracht"].id)
    assert thematic.totals(zuid_handover) == Totals(lessons=0, reviews=0, regions=0, findings=0)
    assert by_label(Dimension.THEME, zuid_handover) == {}


def test_period(dataset):
    longer = ThematicFilters(date_from=TODAY - timedelta(days=450), date_to=TODAY)
    assert thematic.totals(longer) == Totals(lessons=8, reviews=3, regions=2, findings=3)
    assert by_label(Dimension.THEME, longer)["Wachtlijst"] == (4, 1, 2, 2)  # L6 from review B joins in
    before = ThematicFilters(date_from=TODAY - timedelta(days=800), date_to=TODAY - timedelta(days=500))
    assert thematic.totals(before) == Totals(lessons=0, reviews=0, regions=0, findings=0)
    assert by_label(Dimension.THEME, before) == {}
    assert by_label(Dimension.LEVEL, before)["keten"] == (0, 0)


def test_english_labels_come_from_the_taxonomy(app, dataset):
    from learning.i18n import force_locale

    with app.test_request_context(), force_locale("en_GB"):
        assert "chain of agencies" in by_label(Dimension.LEVEL)


def test_csv_has_the_table_and_neutralises_formulas(dataset):
    dataset.themes["crisis"].name = "=HYPERLINK(\"http://evil\")"
    dataset.themes["wachtlijst"].name = "-1+2"
    overview = thematic.thematic_overview(Dimension.THEME, LAST_YEAR, thematic.filter_choices().labels(Dimension.THEME))
    text = thematic.table_csv(overview)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows == [
        ["Thema", "Leerpunten", "Bevindingen", "Reviews", "Regio's"],
        ["'=HYPERLINK(\"http://evil\")", "4", "2", "3", "2"],
        ["Overdracht", "2", "1", "2", "1"],
        ["'-1+2", "3", "1", "1", "1"],
    ]
    assert thematic.csv_cell("@SUM(A1)") == "'@SUM(A1)" and thematic.csv_cell("+31") == "'+31"
    assert thematic.csv_cell("Crisis") == "Crisis" and thematic.csv_cell(5) == 5


def test_cached_numbers_are_reused_until_they_expire(app, dataset, count_queries):
    labels = thematic.filter_choices().labels(Dimension.REGION)
    first = thematic.thematic_overview(Dimension.REGION, LAST_YEAR, labels, cache_seconds=60)
    dataset.lessons["L5"].status = "agreed"
    with count_queries() as counter:
        again = thematic.thematic_overview(Dimension.REGION, LAST_YEAR, labels, cache_seconds=60)
    assert counter.count == 0 and again.totals == first.totals
    thematic.result_cache().clear()
    assert thematic.thematic_overview(Dimension.REGION, LAST_YEAR, labels, cache_seconds=60).totals.lessons == 8

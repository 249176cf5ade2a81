"""Responsiveness per organisation on a small fixed dataset: the arithmetic, the period, the CSV, the scope."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from learning.db import db
from learning.responses.responsiveness import Period, responsiveness
from tests.followup.conftest import DAY0, add_action, at, issue, make_brief, respond
from tests.helpers import text_of


@pytest.fixture
def dataset(world):  # noqa: ANN001, ANN201
    """Brief X (deadline DAY0-30) to both boards, Y (DAY0+10) to both, Z (DAY0-400) to the gemeente.

    The default period (the last twelve months up to DAY0):
    Gemeente: X F1 on time, X F2 late → 1 of 2 (Y is due after the period, Z before it).
    GGZ: X F1 on the deadline day itself, X F3 never → 1 of 2.
    Gemeente actions (X F1): due -10 done -12, due -5 done -3, due -8 lapsed → 1 of 3; due +20 open and due +20
    done -1 lie after the period. GGZ: one action due -400 (before the period) → none.

    A period up to DAY0+30 adds Y F1 for the gemeente (ahead, answered already: counts) but not for the GGZ
    (ahead, not answered yet: not late yet), and the action done early (counts) but not the open one.
    """
    people, gemeente, ggz = world.people, world.gemeente, world.ggz
    both = [(people["greet"], gemeente), (people["gijs"], ggz)]
    x = make_brief("Notitie X", people["ria"], world.findings, both, deadline=DAY0 - timedelta(days=30))
    issue(x, people["ria"], issued_at=at(DAY0 - timedelta(days=60)))
    y = make_brief("Notitie Y", people["ria"], [world.f1], both, deadline=DAY0 + timedelta(days=10))
    issue(y, people["ria"], issued_at=at(DAY0 - timedelta(days=5)))
    z = make_brief("Notitie Z", people["ria"], [world.f2], [(people["greet"], gemeente)],
                   deadline=DAY0 - timedelta(days=400))
    issue(z, people["ria"], issued_at=at(DAY0 - timedelta(days=430)))
    on_time = respond(x, world.f1, gemeente, people["greet"], submitted_at=at(DAY0 - timedelta(days=35)))
    respond(x, world.f2, gemeente, people["greet"], submitted_at=at(DAY0 - timedelta(days=20)))
    respond(y, world.f1, gemeente, people["greet"], submitted_at=at(DAY0 - timedelta(days=1)))
    respond(z, world.f2, gemeente, people["greet"], submitted_at=at(DAY0 - timedelta(days=401)))
    deadline_day = respond(x, world.f1, ggz, people["gijs"], submitted_at=at(DAY0 - timedelta(days=30), 23))
    respond(x, world.f3, ggz, people["gijs"], reasoning="Concept")  # a draft: not answered
    for due, status, finished in ((-10, "done", -12), (-5, "done", -3), (-8, "lapsed", -7), (20, "open", None),
                                  (20, "done", -1)):
        add_action(on_time, due=DAY0 + timedelta(days=due), status=status,
                   finished_at=at(DAY0 + timedelta(days=finished)) if finished is not None else None)
    add_action(deadline_day, due=DAY0 - timedelta(days=400), status="done", finished_at=at(DAY0 - timedelta(days=401)))
    return world


def figures_of(user, period=None):  # noqa: ANN001, ANN201
    return {row.organisation: row for row in responsiveness(user, period or Period.default(DAY0), today=DAY0)}


def numbers(row) -> tuple[int, int, int, int]:  # noqa: ANN001
    return row.addressed, row.answered_on_time, row.actions_due, row.actions_on_time


def test_the_arithmetic(dataset):
    figures = figures_of(dataset.people["ria"])
    gemeente, ggz = figures["Gemeente Midden"], figures["GGZ Midden"]
    assert numbers(gemeente) == (2, 1, 3, 1)
    assert gemeente.answered_share == 0.5 and gemeente.actions_share == pytest.approx(1 / 3)
    assert numbers(ggz) == (2, 1, 0, 0)
    assert ggz.answered_share == 0.5 and ggz.actions_share is None


def test_the_period(dataset):
    figures = figures_of(dataset.people["ria"], Period(DAY0 - timedelta(days=25), DAY0 + timedelta(days=30)))
    gemeente = figures["Gemeente Midden"]
    assert numbers(gemeente) == (1, 1, 4, 2)
    assert "GGZ Midden" not in figures  # Y is not due yet and not answered
    old = figures_of(dataset.people["ria"], Period(DAY0 - timedelta(days=500), DAY0 - timedelta(days=366)))
    assert (old["Gemeente Midden"].addressed, old["Gemeente Midden"].answered_on_time) == (1, 1)
    assert (old["GGZ Midden"].actions_due, old["GGZ Midden"].actions_on_time) == (1, 1)


def test_only_briefs_the_reviewer_may_edit_count(dataset):
    assert figures_of(dataset.people["outsider"]) == {}
    assert figures_of(dataset.people["bram"])["GGZ Midden"].addressed == 2  # X and Y carry F1, which rests on B


def test_the_page_and_its_table(dataset, login):
    page = text_of(login(dataset.people["ria"]).get("/follow-up/responsiveness"))
    assert "Gemeente Midden 2 1 50% 3 1 33%" in page
    assert "GGZ Midden 2 1 50% 0 0 —" in page
    period = f"date_from={(DAY0 - timedelta(days=25)).isoformat()}&date_to={(DAY0 + timedelta(days=30)).isoformat()}"
    page = text_of(login(dataset.people["ria"]).get(f"/follow-up/responsiveness?{period}"))
    assert "Gemeente Midden 1 1 100% 4 2 50%" in page and "GGZ Midden" not in page


def test_the_csv_export_guards_against_formulas(dataset, login):
    dataset.gemeente.name = '=HYPERLINK("http://evil.example","klik")'
    db.session.commit()
    response = login(dataset.people["ria"]).get("/follow-up/responsiveness.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    start, end = Period.default(DAY0).date_from.isoformat(), DAY0.isoformat()
    assert response.headers["Content-Disposition"] == f'attachment; filename="responsiviteit-{start}-{end}.csv"'
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][0] == "Organisatie" and len(rows[0]) == 7
    assert rows[1] == ["'=HYPERLINK(\"http://evil.example\",\"klik\")", "2", "1", "50.0", "3", "1", "33.3"]
    assert rows[2] == ["GGZ Midden", "2", "1", "50.0", "0", "0", ""]


def test_a_bad_period_is_explained_and_the_csv_refused(dataset, login):
    client = login(dataset.people["ria"])
    query = f"date_from={DAY0.isoformat()}&date_to={(DAY0 - timedelta(days=1)).isoformat()}"
    page = text_of(client.get(f"/follow-up/responsiveness?{query}"))
    assert "Deze datum ligt voor de begindatum." in page and "Pas de periode aan" in page
    assert client.get(f"/follow-up/responsiveness.csv?{query}").status_code == 400
    assert "Dit is geen geldige datum" in text_of(client.get("/follow-up/responsiveness?date_from=morgen"))


def test_two_queries_whatever_the_amount(dataset, count_queries):
    ria = dataset.people["ria"]
    ria.role_rows  # noqa: B018 (loaded before counting)
    with count_queries() as counter:
        responsiveness(ria, Period.default(DAY0), today=DAY0)
    assert counter.count == 2

"""The terugkoppeling page: "Wat is er met onze inbreng gedaan?", for the members of one review only."""

from __future__ import annotations

from datetime import timedelta

from learning.db import db
from tests.followup.conftest import DAY0, add_action, at, issue, make_brief, respond
from tests.helpers import text_of


def url(review) -> str:  # noqa: ANN001
    return f"/reviews/{review.id}/terugkoppeling"


def test_a_member_reads_the_findings_briefs_answers_and_actions(issued, login):
    people = issued.people
    respond(issued.brief, issued.f1, issued.gemeente, people["greet"], decision="partly",
            reasoning="We regelen het voor de gemeente, niet voor de regio.", submitted_at=at(DAY0))
    answer = respond(issued.brief, issued.f2, issued.gemeente, people["greet"], decision="adopted",
                     submitted_at=at(DAY0))
    add_action(answer, description="Regiehouder per wachtlijst aanwijzen", due=DAY0 - timedelta(days=1),
               progress=[("Eerste overleg gepland", at(DAY0 - timedelta(days=3))),
                         ("Vacature uitgezet", at(DAY0 - timedelta(days=2)))])
    page = text_of(login(people["piet"]).get(url(issued.review_a)))
    assert "Wat is er met onze inbreng gedaan?" in page
    assert "Overdracht stokt" in page and "Wachtlijst zonder regie" in page
    assert "Notitie “Regie in de keten” (v1)" in page and "Gemeente Midden, GGZ Midden" in page
    assert "Deels overgenomen" in page and "We regelen het voor de gemeente, niet voor de regio." in page
    assert "Regiehouder per wachtlijst aanwijzen" in page and "Wethouder Jansen" in page
    assert "Vacature uitgezet" in page and "Eerste overleg gepland" not in page  # the latest progress
    assert "over de datum" in page
    assert "Nog geen reactie van: GGZ Midden." in page


def test_nothing_of_another_review_shows(issued, login):
    """F1 rests on reviews A and B: A's page shows it, never B's title, lessons or B-only findings."""
    people = issued.people
    respond(issued.brief, issued.f3, issued.ggz, people["gijs"], reasoning="Geheime afweging",
            decision="not_adopted", submitted_at=at(DAY0))
    respond(issued.brief, issued.f1, issued.ggz, people["gijs"], decision="adopted", submitted_at=at(DAY0))
    for person in ("ria", "piet", "erin", "olga"):
        page = login(people[person]).get(url(issued.review_a)).get_data(as_text=True)
        assert "Overdracht stokt" in page
        for secret in ("Review Bravo geheim", "Bravo", "Geheim patroon", "Geheime afweging", "Leerpunt Bravo"):
            assert secret not in page, (person, secret)
    page = login(people["bo"]).get(url(issued.review_b)).get_data(as_text=True)
    assert "Overdracht stokt" in page and "Geheim patroon" in page and "Geheime afweging" in page
    assert "Review Alfa" not in page and "Wachtlijst zonder regie" not in page and "Leerpunt Alfa" not in page


def test_a_draft_amendment_is_not_shown_only_the_submission(issued, login):
    people = issued.people
    response = respond(issued.brief, issued.f2, issued.gemeente, people["greet"], decision="adopted",
                       reasoning="Ingediende toelichting", submitted_at=at(DAY0))
    response.decision, response.reasoning, response.has_unsubmitted_changes = "not_adopted", "Nog een concept", True
    draft_only = respond(issued.brief, issued.f1, issued.gemeente, people["greet"], reasoning="Concept bij F1",
                         decision="partly")
    db.session.commit()
    page = text_of(login(people["piet"]).get(url(issued.review_a)))
    assert "Ingediende toelichting" in page and "Overgenomen" in page
    assert "Nog een concept" not in page and "Concept bij F1" not in page and draft_only.id


def test_concept_findings_and_unsent_findings(world, login, make_lesson, make_finding):
    people = world.people
    make_finding(people["ria"], [make_lesson(world.review_a, "keten")], title="Nog een concept-bevinding")
    page = text_of(login(people["piet"]).get(url(world.review_a)))
    assert "Nog een concept-bevinding" not in page
    assert "Overdracht stokt" in page and "nog niet naar een bestuur verzonden" in page


def test_a_review_without_findings_says_so(world, login, make_review):
    empty = make_review(title="Lege review")
    page = text_of(login(world.people["ria"]).get(url(empty)))
    assert "nog geen vastgestelde bevindingen" in page


def test_the_review_page_links_to_it_for_members(issued, login):
    page = login(issued.people["olga"]).get(f"/reviews/{issued.review_a.id}").get_data(as_text=True)
    assert f'href="{url(issued.review_a)}"' in page and "Terugkoppeling" in page


def test_non_members_get_404(issued, login, create_user):
    people = issued.people
    for person in ("bo", "bram", "greet", "outsider"):
        assert login(people[person]).get(url(issued.review_a)).status_code == 404
    admin = create_user("beheer@example.org", roles=("admin",))
    issued.review_a.admin_support_access = True
    db.session.commit()
    assert login(admin).get(url(issued.review_a)).status_code == 404  # support access is not membership


def test_the_page_costs_the_same_queries_with_more_findings_and_answers(issued, login, count_queries, make_lesson,
                                                                      make_finding):
    people = issued.people
    answer = respond(issued.brief, issued.f2, issued.gemeente, people["greet"], submitted_at=at(DAY0))
    add_action(answer, progress=[("Gestart", at(DAY0))])
    client = login(people["piet"])
    with count_queries() as few:
        assert client.get(url(issued.review_a)).status_code == 200
    more = []
    for number in range(4):
        finding = make_finding(people["ria"], [make_lesson(issued.review_a, "keten")], title=f"Extra {number}",
                               organisation_ids=[issued.gemeente.id], questions=("Vraag?",))
        finding.status = "in_brief"
        more.append(finding)
    db.session.commit()
    brief = make_brief("Tweede notitie", people["ria"], more, [(people["greet"], issued.gemeente)])
    issue(brief, people["ria"])
    for finding in more:
        answer = respond(brief, finding, issued.gemeente, people["greet"], submitted_at=at(DAY0))
        add_action(answer, progress=[("Gestart", at(DAY0))])
    with count_queries() as many:
        page = client.get(url(issued.review_a))
    assert page.status_code == 200 and "Extra 3" in page.get_data(as_text=True)
    assert many.count == few.count, (few.statements, many.statements)

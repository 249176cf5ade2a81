"""Findings through HTTP, as a reviewer would use them: start from a lesson, bad input, questions, status,
conflicts, and query counts that do not grow with lessons and reviews."""

from __future__ import annotations

import itertools
import re

import pytest
import sqlalchemy as sa

from learning.audit import AuditEvent
from learning.db import db
from learning.findings.models import Finding
from learning.reviews.models import MemberRole
from tests.findings.conftest import finding_type, organisation
from tests.findings.test_finding_access import FINDING_EXPECTED
from tests.helpers import text_of
from tests.test_route_access import _url_for

ORGANISATION_NUMBERS = itertools.count()


def form_data(lessons, **changes) -> dict:  # noqa: ANN001
    return {"title": "Overdracht stokt", "pattern": "Informatie blijft hangen bij verhuizing.",
            "finding_type_id": str(finding_type().id), "why_it_matters": "Kinderen vallen tussen wal en schip.",
            "lesson_ids": [str(lesson.id) for lesson in lessons], **changes}


def only_finding() -> Finding | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(Finding))


def checked_lessons(html: str) -> set[str]:
    return set(re.findall(r'name="lesson_ids" value="(\d+)"[^>]*checked', html))


def offered_lessons(html: str) -> set[str]:
    return set(re.findall(r'name="lesson_ids" value="(\d+)"', html))


@pytest.fixture
def review(make_review):  # noqa: ANN001, ANN201
    return make_review(title="Gezin B, zorgen na verhuizing")


# --- starting a finding -------------------------------------------------------------------------


def test_start_from_a_lesson_then_save(login, lead, review, make_lesson):
    lesson = make_lesson(review, "keten", text="Bij verhuizing gaat de veiligheidszorg niet mee")
    personal = make_lesson(review, "persoon", text="Ik had eerder moeten bellen")
    client = login(lead)
    page = client.get(f"/findings/new?lesson={lesson.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and checked_lessons(html) == {str(lesson.id)}
    assert str(personal.id) not in offered_lessons(html)
    assert "Alleen leerpunten op niveau keten of stelsel kunnen een bevinding worden" in text_of(page)
    assert "1 leerpunt op een ander niveau (of nog zonder niveau) wordt niet aangeboden" in text_of(page)
    assert "Bij verhuizing gaat de veiligheidszorg niet mee</textarea>" in html  # the pattern starts from it
    response = client.post("/findings/new", data=form_data([lesson]))
    finding = only_finding()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/findings/{finding.id}#board-questions"
    shown = text_of(client.get(f"/findings/{finding.id}"))
    assert "Overdracht stokt" in shown and "Bij verhuizing gaat de veiligheidszorg niet mee" in shown
    assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.object_type == "finding")) \
        == "finding.created"


def test_starting_from_a_persoon_lesson_explains_why_not(login, lead, review, make_lesson):
    personal = make_lesson(review, "persoon", text="Ik had eerder moeten bellen")
    page = login(lead).get(f"/findings/new?lesson={personal.id}")
    assert page.status_code == 200 and checked_lessons(page.get_data(as_text=True)) == set()
    assert "staat op niveau persoon" in text_of(page) and "niet over één persoon, team of organisatie" in text_of(page)


def test_starting_from_a_hidden_lesson_reveals_nothing(login, lead, make_review, make_lesson, create_user):
    other_lead = create_user("ander@example.org", roles=("reviewer",))
    hidden = make_lesson(make_review(title="Geheime review", actor=other_lead), "keten", text="Geheime tekst")
    for lesson_id in (hidden.id, 999_999, "abc"):
        page = login(lead).get(f"/findings/new?lesson={lesson_id}")
        assert page.status_code == 200
        assert "Geheime" not in page.get_data(as_text=True)
        assert "hoort niet bij een review waarvan je (co-)reviewer bent" in text_of(page)


@pytest.mark.parametrize("case", ["persoon", "hidden", "none", "not-a-number", "bad-type"])
def test_bad_input_errors_on_the_same_form_and_keeps_what_was_typed(login, lead, review, make_review, make_lesson,
                                                                     create_user, case):
    lesson = make_lesson(review, "keten")
    if case == "persoon":
        data, message = form_data([make_lesson(review, "persoon")]), "staat op niveau persoon"
    elif case == "hidden":
        other = make_review(title="Andere review", actor=create_user("ander@example.org", roles=("reviewer",)))
        data, message = form_data([lesson, make_lesson(other, "keten")]), "reviews waarvan je (co-)reviewer bent"
    elif case == "none":
        data, message = form_data([]), "minstens één leerpunt"
    elif case == "not-a-number":
        data, message = form_data([], lesson_ids=["1 OR 1=1"]), "Kies uit de lijst"
    else:
        data, message = form_data([lesson], finding_type_id="999999"), "Kies een soort bevinding uit de lijst"
    data["title"] = "Mijn <b>eigen</b> titel"
    response = login(lead).post("/findings/new", data=data)
    assert response.status_code == 200 and message in text_of(response)
    assert 'value="Mijn &lt;b&gt;eigen&lt;/b&gt; titel"' in response.get_data(as_text=True)
    assert 'class="utrecht-alert utrecht-alert--error lmi-error-summary"' in response.get_data(as_text=True)
    assert only_finding() is None


HUGE_IDS = (str(2**31), "99999999999", str(10**20))


@pytest.mark.parametrize("huge", HUGE_IDS)
def test_ids_beyond_a_database_integer_are_unknown_on_every_form(login, lead, review, make_lesson, make_finding,
                                                                  region, huge):
    lesson, other = make_lesson(review, "keten"), make_lesson(review, "stelsel")
    agency = organisation("Gemeente Midden", "gemeente", region)
    client = login(lead)
    start = client.get(f"/findings/new?lesson={huge}")
    assert start.status_code == 200 and "hoort niet bij een review waarvan je (co-)reviewer bent" in text_of(start)
    finding = make_finding(lead, [lesson])
    for changes, message in (({"finding_type_id": huge}, "Kies een soort bevinding."),
                             ({"lesson_ids": [str(lesson.id), huge, str(other.id)]}, "Kies uit de lijst."),
                             ({"organisation_ids": [str(agency.id), huge]}, "Kies uit de lijst."),
                             ({"policy_owner_ids": [huge]}, "Kies uit de lijst.")):
        for url, extra in (("/findings/new", {}), (f"/findings/{finding.id}/edit", {"version": finding.version})):
            response = client.post(url, data={**form_data([lesson, other], title="Mijn titel"), **changes, **extra})
            assert response.status_code == 200 and message in text_of(response), (url, changes)
            assert 'value="Mijn titel"' in response.get_data(as_text=True)
            if "lesson_ids" in changes:  # the ticks that can be ids stay ticked
                assert {str(lesson.id), str(other.id)} <= checked_lessons(response.get_data(as_text=True))
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Finding.id))) == 1
    assert only_finding().title == "Overdracht stokt bij verhuizing"


@pytest.mark.parametrize("page", ["99999999999999999999999", str(2**63), "10001", "-3"])
def test_any_page_number_shows_a_page_of_the_list(login, lead, review, make_lesson, make_finding, page):
    make_finding(lead, [make_lesson(review)], title="Mijn bevinding")
    response = login(lead).get(f"/findings?page={page}")
    assert response.status_code == 200
    assert ("Mijn bevinding" in text_of(response)) == (page == "-3")


def test_no_route_answers_bad_input_with_a_server_error(app, login, lead, review, make_lesson, make_finding):
    finding = make_finding(lead, [make_lesson(review)], questions=("Vraag?",))
    client = login(lead)
    arguments = {"finding_id": finding.id, "lesson_id": finding.lessons[0].id, "index": 0, "direction": "up"}
    for endpoint, methods in FINDING_EXPECTED.items():
        url = _url_for(app, endpoint, arguments)
        for method in methods:
            for data in ({}, {"version": "abc", "status": "x", "new-version": "abc", "question-0-version": "x",
                              "new-question": "x" * 5000, "lesson_ids": ["x"], "finding_type_id": "x"},
                         {**form_data(finding.lessons), "version": "abc", "status": "agreed", "new-version": "1.5",
                          "new-question": "Vraag?", "question-0-question": "Vraag?", "question-0-version": "x"}):
                response = client.open(url, method=method, data=data if method == "POST" else None)
                assert response.status_code < 500, (method, url, data)
    big_index = client.post(f"/findings/{finding.id}/questions/99/delete", data={"version": str(finding.version)})
    assert big_index.status_code == 302 and only_finding().board_questions == ["Vraag?"]


# --- the finding page --------------------------------------------------------------------------


def test_questions_for_the_board_without_javascript(login, lead, review, make_lesson, make_finding):
    finding = make_finding(lead, [make_lesson(review)])
    client = login(lead)

    def post(path: str, **data):  # noqa: ANN003, ANN202
        return client.post(f"/findings/{finding.id}{path}", data={**data})

    def version() -> str:
        return str(only_finding().version)

    assert post("/questions", **{"new-question": "Wie is eigenaar?", "new-version": version()}).status_code == 302
    assert post("/questions", **{"new-question": "Welk budget?", "new-version": version()}).status_code == 302
    assert post("/questions/1/move/up", version=version()).headers["Location"].endswith("#question-0")
    assert only_finding().board_questions == ["Welk budget?", "Wie is eigenaar?"]
    post("/questions/0", **{"question-0-question": "Welk budget maakt u vrij?", "question-0-version": version()})
    post("/questions/1/delete", version=version())
    assert only_finding().board_questions == ["Welk budget maakt u vrij?"]
    page = client.get(f"/findings/{finding.id}")
    html = page.get_data(as_text=True)
    assert '<label class="utrecht-form-label" for="new-question">Vraag aan bestuurders</label>' in html
    assert "Omhoog<span class=\"lmi-visually-hidden\">: vraag 1</span>" in html  # says which question it moves


def test_an_empty_question_is_refused_on_the_page(login, lead, review, make_lesson, make_finding):
    finding = make_finding(lead, [make_lesson(review)], questions=("Eerste?",))
    client = login(lead)
    added = client.post(f"/findings/{finding.id}/questions", data={"new-question": "  ",
                                                                   "new-version": str(finding.version)})
    assert added.status_code == 422 and "Schrijf een vraag" in text_of(added)
    long = "x" * 1001
    edited = client.post(f"/findings/{finding.id}/questions/0", data={"question-0-question": long,
                                                                      "question-0-version": str(finding.version)})
    assert edited.status_code == 422 and "Hoogstens 1000 tekens" in text_of(edited)
    assert f"{long}</textarea>" in edited.get_data(as_text=True) and "<details class=\"lmi-details\" open>" \
        in edited.get_data(as_text=True)
    assert only_finding().board_questions == ["Eerste?"]


def test_a_stale_question_edit_shows_both_and_keeps_mine(login, lead, review, make_lesson, make_finding):
    finding = make_finding(lead, [make_lesson(review)], questions=("Eerste?",))
    seen = str(finding.version)
    client = login(lead)
    client.post(f"/findings/{finding.id}/questions", data={"new-question": "Van de ander?", "new-version": seen})
    clash = client.post(f"/findings/{finding.id}/questions/0",
                        data={"question-0-question": "Mijn nieuwe vraag?", "question-0-version": seen})
    assert clash.status_code == 409
    shown = text_of(clash)
    assert "Iemand anders heeft dit intussen gewijzigd" in shown and "2. Van de ander?" in shown
    assert "Mijn nieuwe vraag?</textarea>" in clash.get_data(as_text=True)
    assert only_finding().board_questions == ["Eerste?", "Van de ander?"]
    moved = client.post(f"/findings/{finding.id}/questions/0/move/down", data={"version": seen})
    assert moved.status_code == 302 and only_finding().board_questions == ["Eerste?", "Van de ander?"]
    assert "Er is niets veranderd" in text_of(client.get(moved.headers["Location"]))


def test_agreeing_explains_what_is_missing_then_freezes_the_finding(login, lead, review, make_lesson, make_finding):
    finding = make_finding(lead, [make_lesson(review)])
    client = login(lead)
    page = text_of(client.get(f"/findings/{finding.id}"))
    assert "Om de bevinding vast te stellen ontbreekt nog: minstens één vraag aan bestuurders." in page
    refused = client.post(f"/findings/{finding.id}/status", data={"status": "agreed", "version": finding.version})
    assert "ontbreekt nog" in text_of(client.get(refused.headers["Location"]))
    assert only_finding().status == "concept"
    client.post(f"/findings/{finding.id}/questions", data={"new-question": "Vraag?", "new-version": finding.version})
    client.post(f"/findings/{finding.id}/status", data={"status": "agreed", "version": only_finding().version})
    assert only_finding().status == "agreed"
    edit = client.get(f"/findings/{finding.id}/edit")
    assert edit.status_code == 302 and "ligt daarmee vast" in text_of(client.get(edit.headers["Location"]))
    by_hand = client.post(f"/findings/{finding.id}/status", data={"status": "in_brief",
                                                                  "version": only_finding().version})
    assert "kan een bevinding niet naar in notitie" in text_of(client.get(by_hand.headers["Location"]))
    assert only_finding().status == "agreed"


def test_a_finding_on_a_concept_lesson_cannot_be_agreed(login, lead, review, make_lesson, make_finding):
    concept = make_lesson(review, status="concept")
    finding = make_finding(lead, [make_lesson(review), concept], questions=("Vraag?",))
    client = login(lead)
    page = text_of(client.get(f"/findings/{finding.id}"))
    assert ("Om de bevinding vast te stellen ontbreekt nog: alleen vastgestelde leerpunten: 1 leerpunt is in zijn "
            "review nog concept.") in page
    refused = client.post(f"/findings/{finding.id}/status", data={"status": "agreed", "version": finding.version})
    assert "alleen vastgestelde leerpunten" in text_of(client.get(refused.headers["Location"]))
    assert only_finding().status == "concept"
    assert "Vaststellen kan pas als elk leerpunt in zijn eigen review is vastgesteld." in text_of(
        client.get(f"/findings/{finding.id}/edit"))


def test_a_co_reviewer_of_another_review_cannot_unlink_my_lessons(login, lead, review, make_lesson, make_finding,
                                                                  make_review, create_user, add_member):
    """A shared finding on my review and theirs: their co-reviewer sees my lesson read-only and cannot untick it."""
    colleague = create_user("collega@example.org", roles=("reviewer",))
    theirs = make_review(title="Hun review", actor=colleague)
    add_member(review, colleague, MemberRole.CO_REVIEWER.value)
    mine, their_lesson = make_lesson(review, text="Mijn leerpunt over de overdracht"), make_lesson(theirs)
    finding = make_finding(colleague, [mine, their_lesson])
    co = create_user("co@example.org", roles=("reviewer",))
    add_member(theirs, co, MemberRole.CO_REVIEWER.value)
    client = login(co)
    form = client.get(f"/findings/{finding.id}/edit")
    html = form.get_data(as_text=True)
    assert offered_lessons(html) == checked_lessons(html) == {str(their_lesson.id)}
    assert f'id="locked-lesson-{mine.id}"' in html and "Mijn leerpunt" not in html
    assert "alleen een (co-)reviewer van hun eigen review kan ze loskoppelen" in text_of(form)
    saved = client.post(f"/findings/{finding.id}/edit", data={**form_data([their_lesson], title="Van de co"),
                                                               "version": finding.version})
    assert saved.status_code == 302
    assert only_finding().title == "Van de co" and [each.id for each in only_finding().lessons] == [mine.id,
                                                                                                    their_lesson.id]
    assert login(lead).get(f"/findings/{finding.id}").status_code == 200


def test_a_stale_save_shows_both_versions_and_overwrites_nothing(login, lead, review, make_lesson, make_finding,
                                                                 create_user, add_member):
    lesson = make_lesson(review)
    finding = make_finding(lead, [lesson])
    co = create_user("co@example.org", roles=("reviewer",))
    add_member(review, co, MemberRole.CO_REVIEWER.value)
    seen = str(finding.version)
    assert login(co).post(f"/findings/{finding.id}/edit", data={
        **form_data([lesson], title="Titel van de co-reviewer"), "version": seen}).status_code == 302
    clash = login(lead).post(f"/findings/{finding.id}/edit", data={**form_data([lesson], title="Mijn titel"),
                                                                   "version": seen})
    shown = text_of(clash)
    assert clash.status_code == 200 and "Iemand anders heeft dit intussen gewijzigd" in shown
    assert "Huidige versie: Titel Titel van de co-reviewer" in shown and "Jouw versie: Titel Mijn titel" in shown
    assert only_finding().title == "Titel van de co-reviewer"
    newer = re.search(r'name="version" type="hidden" value="(\d+)"', clash.get_data(as_text=True)).group(1)
    assert login(lead).post(f"/findings/{finding.id}/edit", data={**form_data([lesson], title="Mijn titel"),
                                                                  "version": newer}).status_code == 302
    assert only_finding().title == "Mijn titel"


def test_a_lesson_of_an_invisible_review_in_the_edit_form_saves_nothing(login, lead, review, make_lesson,
                                                                         make_finding, make_review, create_user):
    lesson = make_lesson(review)
    finding = make_finding(lead, [lesson])
    hidden = make_lesson(make_review(title="Andere", actor=create_user("x@example.org", roles=("reviewer",))))
    response = login(lead).post(f"/findings/{finding.id}/edit", data={
        **form_data([lesson, hidden], title="Anders"), "version": str(finding.version)})
    assert "reviews waarvan je (co-)reviewer bent" in text_of(response)
    assert only_finding().title == "Overdracht stokt bij verhuizing"
    assert [each.id for each in only_finding().lessons] == [lesson.id]


def test_lessons_of_reviews_i_am_not_in_show_only_where_they_come_from(login, lead, review, make_lesson,
                                                                       make_review, create_user, add_member):
    colleague = create_user("collega@example.org", roles=("reviewer",))
    theirs = make_review(title="Hun geheime review", actor=colleague)
    add_member(review, colleague, MemberRole.CO_REVIEWER.value)
    mine, their_lesson = make_lesson(review), make_lesson(theirs, text="Tekst die alleen zij mogen lezen")
    client = login(colleague)
    client.post("/findings/new", data=form_data([mine, their_lesson]))
    finding = only_finding()
    for path in (f"/findings/{finding.id}", f"/findings/{finding.id}/edit"):
        html = login(lead).get(path).get_data(as_text=True)
        assert "Tekst die alleen zij mogen lezen" not in html and "Hun geheime review" not in html, path
        assert "Leerpunt uit een casusreview in regio Regio Midden" in html, path
    assert "Tekst die alleen zij mogen lezen" in client.get(f"/findings/{finding.id}").get_data(as_text=True)


def test_the_list_filters_by_status(login, lead, review, make_lesson, make_finding):
    lesson = make_lesson(review)
    make_finding(lead, [lesson], title="Nog concept")
    agreed = make_finding(lead, [lesson], title="Al vastgesteld")
    agreed.status = "agreed"
    db.session.commit()
    client = login(lead)
    assert "Nog concept" in text_of(client.get("/findings")) and "Al vastgesteld" in text_of(client.get("/findings"))
    only_agreed = text_of(client.get("/findings?status=agreed"))
    assert "Al vastgesteld" in only_agreed and "Nog concept" not in only_agreed
    assert "Nog concept" in text_of(client.get("/findings?status=nonsense"))  # an unknown filter shows all


# --- query counts --------------------------------------------------------------------------------


def grow(lead, make_review, make_lesson, make_episode, make_finding, region, *, findings: int, reviews: int,
         lessons_per_review: int, owners=()):  # noqa: ANN001, ANN201
    """``findings`` findings, each on lessons from ``reviews`` reviews with organisations and episodes."""
    made = []
    sources = []
    for number in range(reviews):
        agency = organisation(f"Organisatie {next(ORGANISATION_NUMBERS)}", "ggz", region)
        source = make_review(title=f"Review {number}", organisation_ids=[agency.id])
        episode = make_episode(source)
        sources += [make_lesson(source, "keten", episodes=[episode]) for _ in range(lessons_per_review)]
    for number in range(findings):
        made.append(make_finding(lead, sources, title=f"Bevinding {number}", questions=("Een?", "Twee?"),
                                 policy_owner_ids=[owner.id for owner in owners]))
    return made


@pytest.fixture
def grower(lead, make_review, make_lesson, make_episode, make_finding, region):  # noqa: ANN001, ANN201
    def make(**sizes):  # noqa: ANN003, ANN202
        return grow(lead, make_review, make_lesson, make_episode, make_finding, region, **sizes)

    return make


def test_the_list_costs_the_same_for_few_and_many(login, lead, grower, count_queries):
    grower(findings=2, reviews=1, lessons_per_review=1)
    client = login(lead)
    with count_queries() as few:
        assert client.get("/findings").status_code == 200
    grower(findings=30, reviews=5, lessons_per_review=3)
    with count_queries() as many:
        page = client.get("/findings?page=2")
    assert page.status_code == 200 and "Bevinding" in text_of(page)
    assert many.count == few.count, (few.statements, many.statements)


def test_the_finding_pages_cost_the_same_as_lessons_and_reviews_grow(login, lead, grower, create_user,
                                                                     count_queries):
    owners = [create_user(f"b{n}@example.org", roles=("policy_owner",)) for n in range(4)]
    [small] = grower(findings=1, reviews=1, lessons_per_review=1, owners=owners[:1])
    [large] = grower(findings=1, reviews=6, lessons_per_review=4, owners=owners)
    client = login(lead)
    for suffix in ("", "/edit"):
        counts = []
        for finding in (small, large):
            with count_queries() as counter:
                assert client.get(f"/findings/{finding.id}{suffix}").status_code == 200
            counts.append(counter.count)
        assert counts[0] == counts[1], suffix

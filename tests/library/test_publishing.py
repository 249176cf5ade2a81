"""Publishing to the library and withdrawing: the rules as services, and the flow through the pages."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import render_template_string
from flask_login import login_user

from learning.admin.models import Region
from learning.audit import AuditEvent
from learning.db import db
from learning.findings.library import services
from learning.findings.library.access import publish_source
from learning.findings.library.models import LibraryItem
from learning.findings.library.search import LibraryFilters, parse_query, search
from learning.findings.library.services import Draft, PublishError
from learning.reviews import privacy
from learning.reviews.models import MemberRole
from learning.reviews.personal_data import find_personal_data
from learning.reviews.privacy import PersonalDataFound

LESSON_TEXT = "Bij een crisis wacht iedere organisatie op de ander; leg de regie vooraf vast."


def items() -> list[LibraryItem]:
    return list(db.session.scalars(sa.select(LibraryItem)))


def url(lesson, step: str = "") -> str:  # noqa: ANN001
    return f"/library/publish/lesson/{lesson.id}" + (f"/{step}" if step else "")


@pytest.fixture
def lesson(make_review, make_lesson):  # noqa: ANN001, ANN201
    review = make_review()
    return make_lesson(review, LESSON_TEXT, level="keten", polarity="works", themes=("Crisis", "Regie"),
                       principles=("eenvoudig", "gezinsgericht"))


def test_the_draft_starts_from_the_lesson(lesson, lead):
    source = publish_source(lead, "lesson", lesson.id)
    draft = services.draft_from(source)
    assert draft.body == LESSON_TEXT and draft.title == LESSON_TEXT
    assert len(draft.theme_ids) == 2


def test_publishing_a_lesson_keeps_only_the_descriptors(lesson, lead):
    source = publish_source(lead, "lesson", lesson.id)
    item = services.publish(source, Draft("Regie bij crisis", "Leg de regie vooraf vast.", [lesson.themes[0].id]),
                            actor=lead)
    db.session.commit()
    assert (item.title, item.body, item.source_kind, item.lesson_id) == (
        "Regie bij crisis", "Leg de regie vooraf vast.", "lesson", lesson.id)
    assert item.review_kind == "casusreview" and item.region_id == lesson.review.region_id
    assert item.level.code == "keten" and item.polarity == "works" and item.year == lesson.agreed_at.year
    assert [theme.name for theme in item.themes] == ["Crisis"]  # the lead unticked "Regie"
    assert {term.code for term in item.principles} == {"eenvoudig", "gezinsgericht"}
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "library.published"))
    assert event.object_id == item.id and event.actor_id == lead.id and event.details["source_id"] == lesson.id
    assert services.published_item_for(lesson_id=lesson.id) == item


def test_a_concept_lesson_is_refused(make_review, make_lesson, lead):
    concept = make_lesson(make_review(), "Nog niet besproken.", status="concept")
    with pytest.raises(PublishError, match="vastgesteld"):
        services.publish(publish_source(lead, "lesson", concept.id), Draft("Titel", "Tekst"), actor=lead)
    assert items() == []


def test_only_a_lead_reviewer_publishes(lesson, create_user, add_member):
    co = create_user("co@example.org", roles=("reviewer",))
    add_member(lesson.review, co, MemberRole.CO_REVIEWER.value)
    source = publish_source(co, "lesson", lesson.id)
    assert source is not None and not source.is_lead
    with pytest.raises(PublishError, match="hoofdreviewer"):
        services.publish(source, Draft("Titel", "Tekst"), actor=co)
    assert publish_source(create_user("buiten@example.org", roles=("reviewer",)), "lesson", lesson.id) is None


def test_publishing_twice_is_refused_until_withdrawn(lesson, lead):
    source = publish_source(lead, "lesson", lesson.id)
    first = services.publish(source, Draft("Regie", "Tekst."), actor=lead)
    db.session.commit()
    with pytest.raises(PublishError, match="al in de bibliotheek"):
        services.publish(source, Draft("Regie", "Tekst."), actor=lead)
    services.withdraw(first, actor=lead, reason="Te herkenbaar.")
    db.session.commit()
    assert services.published_item_for(lesson_id=lesson.id) is None
    services.publish(source, Draft("Regie", "Andere tekst."), actor=lead)



def test_the_database_keeps_one_live_copy_per_source(lesson, lead):
    """What stops a second click that got past the check before the first one committed (SQLite has no row lock)."""
    first = services.publish(publish_source(lead, "lesson", lesson.id), Draft("Regie", "Tekst."), actor=lead)
    db.session.commit()
    db.session.add(LibraryItem(source_kind="lesson", lesson_id=lesson.id, title="Nog eens", body="Tekst.", year=2026))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
    services.withdraw(first, actor=lead, reason="Opnieuw schrijven.")
    db.session.add(LibraryItem(source_kind="lesson", lesson_id=lesson.id, title="Nog eens", body="Tekst.", year=2026))
    db.session.commit()  # a withdrawn copy does not count


def test_a_second_withdrawal_is_refused_and_not_audited_twice(lesson, lead, create_user):
    item = services.publish(publish_source(lead, "lesson", lesson.id), Draft("Regie", "Tekst."), actor=lead)
    db.session.commit()
    stale = db.session.get(LibraryItem, item.id)
    services.withdraw(item, actor=lead, reason="Te herkenbaar.")
    db.session.commit()
    admin = create_user("beheer@example.org", roles=("admin",))
    with pytest.raises(PublishError, match="al teruggetrokken"):
        services.withdraw(stale, actor=admin, reason="Ook weg.")
    db.session.rollback()
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "library.withdrawn")).all()
    assert [(event.actor_id, event.details["reason"]) for event in events] == [(lead.id, "Te herkenbaar.")]
    assert db.session.get(LibraryItem, item.id).withdrawn_by_id == lead.id

def test_the_guard_flags_text_and_review_confirmations_do_not_carry_over(lesson, lead):
    body = "Mail de coördinator via coordinator@example.org als het misgaat."
    source = publish_source(lead, "lesson", lesson.id)
    privacy.record_confirmations(find_personal_data(body), actor=lead, review_id=lesson.review_id)
    db.session.commit()
    with pytest.raises(PersonalDataFound) as found:
        services.publish(source, Draft("Regie", body), actor=lead)
    assert found.value.count == 1 and items() == []
    token = found.value.fields[0].tokens[0]
    item = services.publish(source, Draft("Regie", body), actor=lead, confirming=[token])
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "library.published"))
    assert item.id and event.details["confirmed_as_pseudonym"] == ["email"]


def test_review_title_and_member_names_never_travel(lesson, lead):
    source = publish_source(lead, "lesson", lesson.id)
    with pytest.raises(PublishError, match="titel van de review"):
        services.publish(source, Draft("Over " + lesson.review.title.upper(), "Tekst."), actor=lead)
    with pytest.raises(PublishError, match="naam van iemand"):
        services.publish(source, Draft("Regie", f"Zoals {lead.display_name} zei: leg het vast."), actor=lead)
    assert items() == []


def test_a_finding_over_several_regions_has_no_region(make_review, make_lesson, make_finding, lead, region):
    other = Region(name="Regio Oost")
    db.session.add(other)
    db.session.commit()
    first = make_lesson(make_review(title="Review een"), "Regie ontbreekt bij crisis.", themes=("Crisis",))
    elsewhere = make_review(title="Review twee")
    elsewhere.region_id = other.id
    db.session.commit()
    second = make_lesson(elsewhere, "Niemand pakt regie.", level="stelsel", themes=("Regie",),
                         principles=("lerend",))
    finding = make_finding([first, second], board_questions=["Wie heeft de regie?", "Wie betaalt?"])
    source = publish_source(lead, "finding", finding.id)
    draft = services.draft_from(source)
    assert draft.title == finding.title
    assert finding.pattern in draft.body and "1. Wie heeft de regie?\n2. Wie betaalt?" in draft.body
    item = services.publish(source, draft, actor=lead)
    db.session.commit()
    assert item.region is None and item.level is None and item.polarity is None
    assert item.finding_type.code == "keten_crisis" and item.source_kind == "finding"
    assert [theme.name for theme in item.themes] == ["Crisis", "Regie"]


def test_a_concept_finding_is_refused(make_review, make_lesson, make_finding, lead):
    finding = make_finding([make_lesson(make_review(), "Regie ontbreekt.")], status="concept")
    with pytest.raises(PublishError, match="concept"):
        services.publish(publish_source(lead, "finding", finding.id), Draft("Titel", "Tekst"), actor=lead)



def test_a_finding_over_two_reviews_needs_the_lead_of_each_and_checks_both_titles(
        make_review, make_lesson, make_finding, lead, create_user, add_member):
    first = make_lesson(make_review(title="Review een"), "Regie ontbreekt bij crisis.")
    other_lead = create_user("ander@example.org", roles=("reviewer",))
    second_review = make_review(title="Gezin Pietersen in Zwolle", actor=other_lead)
    membership = add_member(second_review, lead, MemberRole.CO_REVIEWER.value)
    finding = make_finding([first, make_lesson(second_review, "Niemand pakt regie.")])
    source = publish_source(lead, "finding", finding.id)
    assert source is not None and not source.is_lead  # co-reviewer only of the second review
    with pytest.raises(PublishError, match="elke review"):
        services.publish(source, Draft("Regie", "Regie ontbreekt."), actor=lead)

    membership.role = MemberRole.LEAD_REVIEWER.value
    db.session.commit()
    source = publish_source(lead, "finding", finding.id)
    assert source.is_lead and source.review_ids == tuple(sorted((first.review_id, second_review.id)))
    with pytest.raises(PublishError, match="titel van de review"):
        services.publish(source, Draft("Regie", "Zoals bij Gezin Pietersen in Zwolle bleek."), actor=lead)
    assert items() == []


def test_a_concept_lesson_does_not_exist_for_a_member(make_review, make_lesson, create_user, add_member):
    review = make_review()
    concept = make_lesson(review, "Nog niet besproken.", status="concept")
    participant = create_user("deelnemer@example.org")
    add_member(review, participant, MemberRole.PARTICIPANT.value)
    assert publish_source(participant, "lesson", concept.id) is None
    assert publish_source(participant, "lesson", 2**40) is None

# --- through the pages --------------------------------------------------------------------------


def test_form_preview_confirm(lesson, login, lead):
    client = login(lead)
    page = client.get(url(lesson)).get_data(as_text=True)
    assert LESSON_TEXT in page and "Voorbeeld bekijken" in page
    data = {"title": "Regie vooraf vastleggen", "body": "Leg vooraf vast wie de regie heeft.",
            "theme_ids": [lesson.themes[0].id]}
    preview = client.post(url(lesson, "preview"), data=data).get_data(as_text=True)
    assert "zo verschijnt het in de bibliotheek" in preview and "Regie vooraf vastleggen" in preview
    assert items() == []  # a preview publishes nothing
    response = client.post(url(lesson, "confirm"), data=data)
    (item,) = items()
    assert response.status_code == 302 and response.headers["Location"] == f"/library/{item.id}"
    shown = client.get(f"/library/{item.id}").get_data(as_text=True)
    assert "Leg vooraf vast wie de regie heeft." in shown and "Terugtrekken uit de bibliotheek" in shown


def test_the_preview_shows_what_the_item_page_shows(lesson, login, lead):
    client = login(lead)
    data = {"title": "Regie vooraf", "body": "Leg vooraf vast wie de regie heeft.",
            "theme_ids": [theme.id for theme in lesson.themes]}
    preview = client.post(url(lesson, "preview"), data=data).get_data(as_text=True)
    client.post(url(lesson, "confirm"), data=data)
    (item,) = items()
    page = client.get(f"/library/{item.id}").get_data(as_text=True)

    def article(html: str) -> str:
        start = html.index("<article")
        return html[start:html.index("</article>", start)].replace("<h2 class=\"utrecht-heading-2\"", "<h1")

    assert article(preview).replace("</h2>", "</h1>") == article(page).replace(
        "<h1 class=\"utrecht-heading-1\"", "<h1")


def test_flagged_text_is_not_published_and_the_form_says_why(lesson, login, lead):
    client = login(lead)
    data = {"title": "Regie", "body": "Bel 06-12345678 als het misgaat."}
    for step in ("preview", "confirm"):
        page = client.post(url(lesson, step), data=data).get_data(as_text=True)
        assert "Niet gepubliceerd" in page and "Bel 06-12345678" in page and 'name="confirm_pseudonym"' in page
    assert items() == []


def test_a_concept_lesson_page_explains_and_offers_no_form(make_review, make_lesson, login, lead):
    concept = make_lesson(make_review(), "Nog niet besproken.", status="concept")
    client = login(lead)
    page = client.get(url(concept)).get_data(as_text=True)
    assert "Alleen een vastgesteld leerpunt" in page and "Voorbeeld bekijken" not in page
    page = client.post(url(concept, "confirm"), data={"title": "T", "body": "Tekst"}).get_data(as_text=True)
    assert "Alleen een vastgesteld leerpunt" in page and items() == []


def test_crafted_ids_of_other_reviews_are_404_and_change_nothing(lesson, login, lead, make_review, make_lesson,
                                                                 make_finding, create_user):
    other_lead = create_user("ander@example.org", roles=("reviewer",))
    theirs = make_lesson(make_review(title="Andere review", actor=other_lead), "Hun leerpunt.")
    their_finding = make_finding([theirs])
    client = login(lead)
    data = {"title": "Gestolen", "body": "Tekst."}
    for path in (f"/library/publish/lesson/{theirs.id}", f"/library/publish/finding/{their_finding.id}"):
        assert client.get(path).status_code == 404
        assert client.post(path + "/preview", data=data).status_code == 404
        assert client.post(path + "/confirm", data=data).status_code == 404
    assert client.get("/library/publish/lesson/999999").status_code == 404
    assert client.get(f"/library/publish/review/{lesson.id}").status_code == 404
    assert items() == []


def test_withdrawal_through_the_page(lesson, login, lead, create_user):
    item = services.publish(publish_source(lead, "lesson", lesson.id), Draft("Regie", "Leg het vast."), actor=lead)
    db.session.commit()
    reader = login(create_user("lezer@example.org", roles=("reviewer",)))
    assert reader.get(f"/library/{item.id}").status_code == 200
    assert reader.post(f"/library/{item.id}/withdraw", data={"reason": "Weg ermee"}).status_code == 403
    client = login(lead)
    page = client.post(f"/library/{item.id}/withdraw", data={"reason": "  "}).get_data(as_text=True)
    assert "Geef een reden" in page
    response = client.post(f"/library/{item.id}/withdraw", data={"reason": "Te herkenbaar voor de regio."})
    assert response.status_code == 302
    assert reader.get(f"/library/{item.id}").status_code == 404
    assert "Leg het vast" not in reader.get("/library?q=regie").get_data(as_text=True)
    assert search(parse_query("regie"), LibraryFilters()).items == []
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "library.withdrawn"))
    assert event.actor_id == lead.id and event.details["reason"] == "Te herkenbaar voor de regio."


def test_the_source_page_include(app, lesson, lead, create_user):
    template = ('{% from "library/_source_status.html" import library_entry %}{{ library_entry(lesson=lesson) }}')

    def render(user) -> str:  # noqa: ANN001
        with app.test_request_context("/"):
            login_user(user)
            return render_template_string(template, lesson=lesson)

    assert "Publiceren in bibliotheek" in render(lead)
    outsider = create_user("buiten@example.org", roles=("reviewer",))
    assert render(outsider).strip() == ""
    item = services.publish(publish_source(lead, "lesson", lesson.id), Draft("Regie", "Tekst."), actor=lead)
    db.session.commit()
    shown = render(lead)
    assert "In de bibliotheek sinds" in shown and f"/library/{item.id}" in shown

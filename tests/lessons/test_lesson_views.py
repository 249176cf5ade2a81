"""Lesson pages as people use them: bad input on the same form, conflicts, the picker, one click, the vote."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from learning.db import db
from learning.lessons import services
from learning.lessons.models import Lesson, LessonStatus, lesson_reflections
from learning.reflections.models import ContributionStatus, Visibility, Vote
from learning.reviews.models import MemberRole
from tests.helpers import text_of
from tests.lessons.conftest import (
    agreed_lesson,
    contribute,
    episode,
    level,
    open_round,
    principle,
    reflect,
    start_meeting,
    write_lesson,
)
from tests.review_fixtures import access_for

BSN = "111222333"


def base(review) -> str:  # noqa: ANN001
    return f"/reviews/{review.id}/lessons"


def main_text(response) -> str:  # noqa: ANN001
    """The page's own content, without the header that names whoever is signed in."""
    html = response.get_data(as_text=True)
    main = html[html.index("<main"):html.index("</main>")]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


def version_in(html: str) -> str:
    return re.search(r'name="version"[^>]*value="(\d+)"', html).group(1)


# --- the list -----------------------------------------------------------------------------------


def test_the_review_has_a_lessons_tab(login, lead, review):  # noqa: ANN001
    page = login(lead).get(f"/reviews/{review.id}")
    assert f'href="{base(review)}"' in page.get_data(as_text=True) and "Leerpunten" in text_of(page)


def test_members_read_agreed_lessons_reviewers_also_concepts(login, lead, editor, review, pim):  # noqa: ANN001
    agreed_lesson(editor, "Eén vast aanspreekpunt voor het gezin.", themes=["crisis"],
                  principle_ids=[principle("gezinsgericht")])
    write_lesson(editor, "Nog een conceptleerpunt.")
    member_page = text_of(login(pim).get(base(review)))
    assert "Eén vast aanspreekpunt voor het gezin." in member_page
    assert "Nog een conceptleerpunt." not in member_page and "Bewerken" not in member_page
    assert "keten" in member_page and "crisis" in member_page and "gezinsgericht" in member_page
    lead_page = text_of(login(lead).get(base(review)))
    assert "Nog een conceptleerpunt." in lead_page and "Vaststellen" in lead_page
    concepts_only = text_of(login(lead).get(base(review) + "?status=concept"))
    assert "Nog een conceptleerpunt." in concepts_only and "Eén vast aanspreekpunt" not in concepts_only


# --- writing ------------------------------------------------------------------------------------


def test_new_lesson_without_text_keeps_the_typed_input(login, lead, review):  # noqa: ANN001
    response = login(lead).post(base(review) + "/new", data={
        "text": "   ", "polarity": "works", "level_id": str(level("team")), "themes-0": "Crisis in het weekend",
        "principle_ids": [str(principle("lerend"))]})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Schrijf op wat er geleerd is." in text_of(response)
    assert 'value="Crisis in het weekend"' in html
    assert re.search(rf'value="{level("team")}"\s+selected|selected[^>]*value="{level("team")}"', html)
    assert re.search(r'value="works"[^>]*checked|checked[^>]*value="works"', html)
    assert db.session.scalar(sa.select(sa.func.count(Lesson.id))) == 0


@pytest.mark.parametrize("field, value, message", [
    ("level_id", "not-a-number", None),
    ("level_id", "principle", "Kies een niveau uit de lijst."),
    ("principle_ids", "level", "Kies principes uit de lijst."),
    ("polarity", "sometimes", "Kies of dit gaat over wat werkt of over wat beter kan."),
])
def test_crafted_choices_are_errors_on_the_form(login, lead, review, field, value, message):  # noqa: ANN001
    value = {"principle": str(principle()), "level": str(level())}.get(value, value)
    response = login(lead).post(base(review) + "/new", data={"text": "Een echt leerpunt.", field: value})
    assert response.status_code == 422
    assert "Een echt leerpunt." in response.get_data(as_text=True)
    if message:
        assert message in text_of(response)
    assert db.session.scalar(sa.select(sa.func.count(Lesson.id))) == 0


def test_a_new_lesson_goes_on_to_the_evidence_picker(login, lead, review):  # noqa: ANN001
    response = login(lead).post(base(review) + "/new", data={
        "text": "Spreek vooraf af wie de ouders belt.", "polarity": "improve", "level_id": "",
        "themes-0": "Crisis", "themes-1": "bereikbaarheid, overdracht"})
    lesson = db.session.scalar(sa.select(Lesson))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/lessons/{lesson.id}/evidence")
    assert [theme.name for theme in lesson.themes] == ["bereikbaarheid", "Crisis", "overdracht"]


def test_the_form_suggests_earlier_themes(login, lead, editor, review):  # noqa: ANN001
    write_lesson(editor, themes=["Overdracht in het weekend"])
    html = login(lead).get(base(review) + "/new").get_data(as_text=True)
    assert '<datalist id="theme-suggestions">' in html and '<option value="Overdracht in het weekend">' in html
    assert html.count('list="theme-suggestions"') == 3


def test_the_form_suggests_no_concept_themes_of_other_reviews(login, lead, editor, review, other_review):  # noqa: ANN001
    theirs = access_for(other_review.members[0].user, other_review)
    write_lesson(theirs, "Hun concept.", themes=["Familie Verborgen"])
    agreed_lesson(theirs, "Hun vastgestelde leerpunt.", themes=["Gedeeld thema"])
    html = login(lead).get(base(review) + "/new").get_data(as_text=True)
    assert '<option value="Gedeeld thema">' in html and "Familie Verborgen" not in html


def test_a_theme_with_personal_data_asks_for_confirmation_and_keeps_the_input(login, lead, review):  # noqa: ANN001
    response = login(lead).post(base(review) + "/new", data={
        "text": "Spreek vooraf af wie belt.", "polarity": "improve", "themes-0": "mevrouw Jansen"})
    assert response.status_code == 422 and "persoonsgegevens" in text_of(response)
    assert 'value="mevrouw Jansen"' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Lesson.id))) == 0


def test_personal_data_in_a_lesson_asks_for_confirmation_first(login, lead, review):  # noqa: ANN001
    client = login(lead)
    typed = {"text": f"Het gezin met BSN {BSN} werd niet gebeld.", "polarity": "improve"}
    warned = client.post(base(review) + "/new", data=typed)
    assert warned.status_code == 422 and "persoonsgegevens" in text_of(warned)
    assert db.session.scalar(sa.select(sa.func.count(Lesson.id))) == 0
    token = re.search(r'name="confirm_pseudonym" value="([^"]+)"', warned.get_data(as_text=True)).group(1)
    assert client.post(base(review) + "/new", data={**typed, "confirm_pseudonym": token}).status_code == 302


def test_editing_a_lesson_someone_else_saved_shows_both_and_keeps_mine(login, lead, editor, review, co_reviewer):  # noqa: ANN001
    lesson = write_lesson(editor, "Eerste tekst.")
    mine, theirs = login(lead), login(co_reviewer)
    version = version_in(mine.get(f"{base(review)}/{lesson.id}/edit").get_data(as_text=True))
    assert theirs.post(f"{base(review)}/{lesson.id}/edit", data={
        "text": "Tekst van de co-reviewer.", "polarity": "improve", "version": version}).status_code == 302
    response = mine.post(f"{base(review)}/{lesson.id}/edit", data={
        "text": "Mijn tekst.", "polarity": "works", "version": version})
    page = text_of(response)
    assert response.status_code == 422 and "Iemand anders heeft dit intussen gewijzigd" in page
    assert "Tekst van de co-reviewer." in page and "Mijn tekst." in page
    assert db.session.get(Lesson, lesson.id).text == "Tekst van de co-reviewer."
    # Saving again, having seen theirs, replaces it on purpose.
    again = version_in(response.get_data(as_text=True))
    assert mine.post(f"{base(review)}/{lesson.id}/edit", data={
        "text": "Mijn tekst.", "polarity": "works", "version": again}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Lesson, lesson.id).text == "Mijn tekst."


@pytest.mark.parametrize("version", ["abc", "", "1.5", "²", "99999999999999999999"])
def test_a_garbled_version_on_edit_counts_as_stale(login, lead, editor, review, version):  # noqa: ANN001
    lesson = write_lesson(editor, "Eerste tekst.")
    response = login(lead).post(f"{base(review)}/{lesson.id}/edit", data={
        "text": "Mijn tekst.", "polarity": "improve", "version": version})
    assert response.status_code == 422 and "Iemand anders heeft dit intussen gewijzigd" in text_of(response)
    assert db.session.get(Lesson, lesson.id).text == "Eerste tekst."


def test_ids_beyond_an_integer_on_a_stale_edit_are_unknown_not_a_crash(login, lead, editor, review):  # noqa: ANN001
    lesson = write_lesson(editor, "Eerste tekst.")
    huge = "99999999999999999999"
    response = login(lead).post(f"{base(review)}/{lesson.id}/edit", data={
        "text": "Mijn tekst.", "polarity": "improve", "version": "0", "level_id": huge,
        "principle_ids": [huge, str(2**31)]})
    assert response.status_code == 422 and "Iemand anders heeft dit intussen gewijzigd" in text_of(response)


@pytest.mark.parametrize("version", ["abc", "", "²"])
def test_a_garbled_version_on_the_picker_counts_as_stale(login, lead, editor, review, version):  # noqa: ANN001
    lesson = write_lesson(editor)
    item = episode(review, "Melding op vrijdagavond")
    response = login(lead).post(f"{base(review)}/{lesson.id}/evidence", data={
        "version": version, "episode_ids": str(item.id)})
    assert response.status_code == 422 and "intussen" in text_of(response)
    assert db.session.get(Lesson, lesson.id).episodes == []


def test_deleting_from_a_stale_page_is_refused(login, lead, editor, review):  # noqa: ANN001
    lesson = write_lesson(editor, level_id=level())
    client = login(lead)
    page = client.get(f"{base(review)}/{lesson.id}/edit").get_data(as_text=True)
    delete_form = page[page.index('/delete"'):].split("</form>", 1)[0]
    shown = re.search(r'name="version" value="(\d+)"', delete_form).group(1)
    assert shown == str(lesson.version)
    services.agree_lesson(editor, lesson)  # meanwhile, someone agrees it
    db.session.commit()
    for version in (shown, "abc"):
        response = client.post(f"{base(review)}/{lesson.id}/delete", data={"version": version}, follow_redirects=True)
        assert "intussen gewijzigd" in text_of(response)
    db.session.expire_all()
    assert db.session.get(Lesson, lesson.id).status == LessonStatus.AGREED.value


def test_agreeing_without_a_level_explains_why(login, lead, editor, review):  # noqa: ANN001
    lesson = write_lesson(editor)
    response = login(lead).post(f"{base(review)}/{lesson.id}/agree", data={"version": str(lesson.version)},
                                follow_redirects=True)
    assert "Kies eerst een niveau" in text_of(response)
    assert db.session.get(Lesson, lesson.id).status == LessonStatus.CONCEPT.value


def test_agree_then_back_to_concept_then_delete(login, lead, editor, review, pim):  # noqa: ANN001
    lesson = write_lesson(editor, level_id=level())
    lesson_id = lesson.id
    client = login(lead)
    assert client.post(f"{base(review)}/{lesson.id}/agree", data={"version": str(lesson.version)}).status_code == 302
    assert login(pim).get(f"{base(review)}/{lesson.id}").status_code == 200
    refused = client.post(f"{base(review)}/{lesson.id}/delete", follow_redirects=True)
    assert "Zet het eerst terug naar concept" in text_of(refused)
    db.session.expire_all()
    client.post(f"{base(review)}/{lesson.id}/concept", data={"version": str(db.session.get(Lesson, lesson.id).version)})
    assert login(pim).get(f"{base(review)}/{lesson.id}").status_code == 404
    assert client.post(f"{base(review)}/{lesson_id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(Lesson, lesson_id) is None


def test_a_status_button_on_a_stale_page_is_refused(login, lead, editor, review):  # noqa: ANN001
    lesson = write_lesson(editor, level_id=level())
    response = login(lead).post(f"{base(review)}/{lesson.id}/agree", data={"version": "abc"}, follow_redirects=True)
    assert "intussen gewijzigd" in text_of(response)
    assert db.session.get(Lesson, lesson.id).status == LessonStatus.CONCEPT.value


# --- the evidence picker --------------------------------------------------------------------------


@pytest.fixture
def sources(editor, review, pim, noor):  # noqa: ANN001, ANN201
    reflection_round = open_round(editor)
    meeting = start_meeting(editor)
    return {
        "named": reflect(pim, review, reflection_round, "We werkten langs elkaar heen."),
        "anonymous": reflect(noor, review, reflection_round, "Niemand had het overzicht.", Visibility.ANONYMOUS.value),
        "episode": episode(review, "Melding op vrijdagavond"),
        "contribution": contribute(pim, review, meeting, "Een vaste piketregeling."),
        "meeting": meeting,
    }


def test_the_picker_is_a_plain_form_with_labelled_checkboxes(login, lead, editor, review, sources):  # noqa: ANN001
    lesson = write_lesson(editor)
    response = login(lead).get(f"{base(review)}/{lesson.id}/evidence")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<script" not in html.split("<main", 1)[1]
    for name, item in (("reflection_ids", sources["named"]), ("episode_ids", sources["episode"]),
                       ("contribution_ids", sources["contribution"])):
        key = f'{name.split("_")[0]}-{item.id}'
        assert f'name="{name}" value="{item.id}" id="{key}"' in html and f'for="{key}"' in html
    assert "Pim Deelnemer" in text_of(response) and "Noor Deelnemer" in text_of(response)  # the lead may know
    saved = login(lead).post(f"{base(review)}/{lesson.id}/evidence", data={
        "version": str(lesson.version), "reflection_ids": [str(sources["named"].id), str(sources["anonymous"].id)],
        "episode_ids": [str(sources["episode"].id)]})
    assert saved.status_code == 302
    ticked = login(lead).get(f"{base(review)}/{lesson.id}/evidence").get_data(as_text=True)
    assert f'value="{sources["anonymous"].id}" id="reflection-{sources["anonymous"].id}" checked' in ticked


def test_crafted_evidence_from_another_review_is_a_form_error_and_saves_nothing(  # noqa: ANN201
        login, lead, editor, review, sources, other_review):  # noqa: ANN001
    lesson = write_lesson(editor)
    other_lead = other_review.members[0].user
    foreign = reflect(other_lead, other_review, open_round(access_for(other_lead, other_review)), "Elders.")
    response = login(lead).post(f"{base(review)}/{lesson.id}/evidence", data={
        "version": str(lesson.version), "reflection_ids": [str(sources["named"].id), str(foreign.id)],
        "episode_ids": [str(sources["episode"].id)]})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Een gekozen reflectie hoort niet bij deze review of is niet voor jou zichtbaar" in text_of(response)
    assert f'value="{sources["episode"].id}" id="episode-{sources["episode"].id}" checked' in html  # choice kept
    assert "Elders." not in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(lesson_reflections)) == 0


@pytest.mark.parametrize("value", ["abc", "-1", "99999999999999999999"])
def test_garbled_evidence_ids_are_an_error_not_a_crash(login, lead, editor, review, value):  # noqa: ANN001
    lesson = write_lesson(editor)
    response = login(lead).post(f"{base(review)}/{lesson.id}/evidence", data={
        "version": str(lesson.version), "episode_ids": value})
    assert response.status_code == 422


def test_members_reading_a_lesson_see_no_anonymous_author(login, lead, editor, review, sources, pim, co_reviewer):  # noqa: ANN001
    lesson = agreed_lesson(editor)
    login(lead).post(f"{base(review)}/{lesson.id}/evidence", data={
        "version": str(lesson.version), "reflection_ids": [str(sources["anonymous"].id)]})
    for person in (pim, co_reviewer):
        for path in (f"{base(review)}/{lesson.id}", base(review)):
            page = main_text(login(person).get(path))
            assert "Noor Deelnemer" not in page, (person.display_name, path)
    shown = text_of(login(pim).get(f"{base(review)}/{lesson.id}"))
    assert "Niemand had het overzicht." in shown and "anoniem" in shown


def test_fully_anonymous_reviews_name_nobody_even_to_the_lead(login, lead, editor, review, pim, noor):  # noqa: ANN001
    review.fully_anonymous = True
    db.session.commit()
    reflect(pim, review, open_round(editor), "Het overleg liep stroef.", Visibility.ANONYMOUS.value)
    meeting = start_meeting(editor)
    meeting.moderate_anonymous = False
    db.session.commit()
    contribute(noor, review, meeting, "Meer tijd voor de overdracht.")
    lesson = agreed_lesson(editor)
    client = login(lead)
    picker = client.get(f"{base(review)}/{lesson.id}/evidence")
    ids = re.findall(r'name="(reflection_ids|contribution_ids)" value="(\d+)"', picker.get_data(as_text=True))
    data = {"version": str(lesson.version)}
    for name, value in ids:
        data.setdefault(name, []).append(value)
    assert client.post(f"{base(review)}/{lesson.id}/evidence", data=data).status_code == 302
    for page in (picker, client.get(f"{base(review)}/{lesson.id}"), client.get(f"{base(review)}/{lesson.id}/edit"),
                 login(noor).get(f"{base(review)}/{lesson.id}")):
        assert "Pim Deelnemer" not in main_text(page) and "Noor Deelnemer" not in main_text(page)


# --- in one click -------------------------------------------------------------------------------


def test_a_contribution_in_the_console_becomes_a_lesson_in_one_click(login, lead, review, sources):  # noqa: ANN001
    client = login(lead)
    meeting, contribution = sources["meeting"], sources["contribution"]
    console = client.get(f"/reviews/{review.id}/meetings/{meeting.id}/console").get_data(as_text=True)
    action = f"{base(review)}/from-contribution/{contribution.id}"
    assert f'action="{action}"' in console
    response = client.post(action)
    lesson = db.session.scalar(sa.select(Lesson))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/lessons/{lesson.id}/edit")
    edit = client.get(response.headers["Location"])
    assert "Een vaste piketregeling." in edit.get_data(as_text=True)
    assert [c.id for c in lesson.contributions] == [contribution.id]


def test_hidden_contributions_get_no_lesson_button(login, lead, review, sources):  # noqa: ANN001
    from learning.reflections import contributions

    contributions.moderate(sources["meeting"], sources["contribution"], ContributionStatus.HIDDEN.value)
    db.session.commit()
    console = login(lead).get(f"/reviews/{review.id}/meetings/{sources['meeting'].id}/console")
    assert "from-contribution" not in console.get_data(as_text=True)
    assert login(lead).post(f"{base(review)}/from-contribution/{sources['contribution'].id}").status_code == 404


def test_a_reflection_becomes_a_lesson_from_its_read_page(login, lead, review, sources, pim):  # noqa: ANN001
    round_id = sources["named"].round_id
    read_page = f"/reviews/{review.id}/reflections/{round_id}/all"
    action = f"{base(review)}/from-reflection/{sources['named'].id}"
    assert f'action="{action}"' in login(lead).get(read_page).get_data(as_text=True)
    assert "from-reflection" not in login(pim).get(read_page).get_data(as_text=True)
    response = login(lead).post(action)
    lesson = db.session.scalar(sa.select(Lesson))
    assert response.headers["Location"].endswith(f"/lessons/{lesson.id}/edit")
    assert lesson.text == "We werkten langs elkaar heen." and [r.id for r in lesson.reflections] == [
        sources["named"].id]


@pytest.mark.parametrize("kind", ["reflection", "contribution"])
def test_a_source_for_reviewers_only_starts_an_empty_concept_with_a_notice(login, lead, editor, review, sources,  # noqa: ANN001
                                                                           pim, kind):
    if kind == "reflection":
        source = reflect(pim, review, open_round(editor), "Alleen voor jullie: het schuurde.",
                         Visibility.REVIEWERS.value)
    else:
        from learning.reflections import contributions

        source = contribute(pim, review, sources["meeting"], "Alleen voor jullie: het schuurde.")
        contributions.moderate(sources["meeting"], source, ContributionStatus.HELD.value)
        db.session.commit()
    write_lesson(editor, "Een ander leerpunt.")  # so that a vote has two lessons to offer
    client = login(lead)
    response = client.post(f"{base(review)}/from-{kind}/{source.id}", follow_redirects=True)
    lesson = db.session.scalar(sa.select(Lesson).order_by(Lesson.id.desc()).limit(1))
    html = response.get_data(as_text=True)
    assert lesson.text == "" and getattr(lesson, f"{kind}s") == [source]
    textarea = re.search(r"<textarea[^>]*>(.*?)</textarea>", html, flags=re.S).group(1)
    assert "schuurde" not in textarea
    assert "alleen voor reviewers" in text_of(response) and "in je eigen woorden" in text_of(response)
    offered = re.compile(rf'name="lesson_ids"[^>]*value="{lesson.id}"')
    assert not offered.search(client.get(f"{base(review)}/vote").get_data(as_text=True))  # nothing to vote on yet
    saved = client.post(f"{base(review)}/{lesson.id}/edit", data={
        "text": "Bespreek spanningen in het team eerder.", "polarity": "improve", "version": str(lesson.version)})
    assert saved.status_code == 302
    assert "in je eigen woorden" not in text_of(client.get(f"{base(review)}/{lesson.id}/edit"))
    assert offered.search(client.get(f"{base(review)}/vote").get_data(as_text=True))


def test_a_group_source_keeps_its_text_and_gets_no_notice(login, lead, review, sources):  # noqa: ANN001
    response = login(lead).post(f"{base(review)}/from-reflection/{sources['named'].id}", follow_redirects=True)
    assert "We werkten langs elkaar heen." in response.get_data(as_text=True)
    assert "in je eigen woorden" not in text_of(response)


# --- the vote -----------------------------------------------------------------------------------


def test_without_a_running_meeting_the_vote_page_says_so(login, lead, editor, review):  # noqa: ANN001
    write_lesson(editor, "Een.")
    write_lesson(editor, "Twee.")
    assert "Er loopt nu geen bijeenkomst" in text_of(login(lead).get(base(review) + "/vote"))


def test_a_vote_on_lessons_opens_in_the_meeting_and_participants_vote(login, lead, editor, review, pim, member):  # noqa: ANN001
    lessons = [write_lesson(editor, "Vast aanspreekpunt."), write_lesson(editor, "Piketregeling."),
               agreed_lesson(editor, "Gezamenlijk draaiboek.")]
    meeting = start_meeting(editor)
    client = login(lead)
    form = client.get(base(review) + "/vote").get_data(as_text=True)
    for lesson in lessons[:2]:  # the concepts are ticked to begin with
        assert re.search(rf'value="{lesson.id}"[^>]*checked|checked[^>]*value="{lesson.id}"', form)
    response = client.post(base(review) + "/vote", data={
        "meeting_id": str(meeting.id), "title": "Wat eerst?", "dots_per_person": "3", "allow_stacking": "y",
        "lesson_ids": [str(lesson.id) for lesson in lessons]})
    assert response.headers["Location"].endswith(f"/meetings/{meeting.id}/console")
    vote = db.session.scalar(sa.select(Vote))
    live = login(pim).get(f"/reviews/{review.id}/meetings/{meeting.id}/live").get_data(as_text=True)
    assert f"/votes/{vote.id}" in live
    ballot = login(pim).get(f"/reviews/{review.id}/meetings/{meeting.id}/votes/{vote.id}")
    assert "Vast aanspreekpunt." in text_of(ballot) and "Gezamenlijk draaiboek." in text_of(ballot)
    assert "Wat eerst?" in text_of(login(pim).get(base(review)))  # the lessons page points to the vote
    options = {option.label: option.id for option in vote.options}
    login(pim).post(f"/reviews/{review.id}/meetings/{meeting.id}/votes/{vote.id}",
                    data={f"option-{options['Piketregeling.']}": "3"})
    client.post(f"/reviews/{review.id}/meetings/{meeting.id}/votes/{vote.id}/close")
    result = text_of(login(pim).get(base(review)))
    assert "Uitslag: Wat eerst?" in result and "Piketregeling. — 3 stippen" in result


def test_a_vote_with_a_crafted_meeting_or_lesson_keeps_the_form(login, lead, editor, review, other_review):  # noqa: ANN001
    lessons = [write_lesson(editor, "Een."), write_lesson(editor, "Twee.")]
    start_meeting(editor)
    other_meeting = start_meeting(access_for(other_review.members[0].user, other_review))
    theirs = write_lesson(access_for(other_review.members[0].user, other_review), "Hun leerpunt.")
    client = login(lead)
    response = client.post(base(review) + "/vote", data={
        "meeting_id": str(other_meeting.id), "title": "Mijn vraag", "dots_per_person": "3",
        "lesson_ids": [str(lessons[0].id), str(lessons[1].id)]})
    assert response.status_code == 422 and "Kies een bijeenkomst van deze review die nu loopt." in text_of(response)
    assert 'value="Mijn vraag"' in response.get_data(as_text=True)
    response = client.post(base(review) + "/vote", data={
        "meeting_id": "", "title": "Mijn vraag", "dots_per_person": "30",
        "lesson_ids": [str(lessons[0].id), str(theirs.id)]})
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(Vote.id))) == 0


def test_observers_cannot_open_a_vote(login, editor, review, member):  # noqa: ANN001
    observer = member("Olaf Waarnemer", MemberRole.OBSERVER.value)
    assert login(observer).get(base(review) + "/vote").status_code == 403

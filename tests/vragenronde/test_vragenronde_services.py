"""Vragenronde services without HTTP: questions, event codes, answers, highlights, light edits, publication."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from learning.audit import AuditEvent
from learning.db import db, utcnow
from learning.reflections import vragenronde
from learning.reflections.models import Answer, AnswerSource
from learning.reflections.vragenronde import CodeProblem, VragenrondeError
from tests.vragenronde.conftest import QUESTIONS


def audit_actions(review) -> list[str]:  # noqa: ANN001
    return list(db.session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.object_type == "review", AuditEvent.object_id == review.id).order_by(AuditEvent.id)))


def texts(review) -> list[str]:  # noqa: ANN001
    return [question.text for question in vragenronde.questions(review)]


# --- questions --------------------------------------------------------------------------------


def test_questions_are_added_in_order_with_white_space_tidied(review, lead):
    vragenronde.add_question(review, "  Wat   wil je   nog kwijt?\n", actor=lead)
    assert texts(review) == [*QUESTIONS, "Wat wil je nog kwijt?"]
    assert [question.position for question in vragenronde.questions(review)] == [0, 1, 2, 3, 4]
    assert "vragenronde.questions_changed" in audit_actions(review)


@pytest.mark.parametrize("text, message", [("   ", "Schrijf de vraag op."), ("x" * 501, "hoogstens 500 tekens")])
def test_a_question_needs_text_within_the_limit(review, lead, text, message):
    with pytest.raises(VragenrondeError, match=message):
        vragenronde.add_question(review, text, actor=lead)


def test_a_question_is_edited(review, questions, lead):
    vragenronde.update_question(review, questions[1], "Welke hulp wil je?", actor=lead)
    assert texts(review)[1] == "Welke hulp wil je?"


def test_questions_move_up_and_down_and_stay_put_at_the_ends(review, questions, lead):
    vragenronde.move_question(review, questions[2], "up", actor=lead)
    assert texts(review) == [QUESTIONS[0], QUESTIONS[2], QUESTIONS[1], QUESTIONS[3]]
    vragenronde.move_question(review, questions[0], "up", actor=lead)
    vragenronde.move_question(review, questions[3], "down", actor=lead)
    assert texts(review) == [QUESTIONS[0], QUESTIONS[2], QUESTIONS[1], QUESTIONS[3]]
    assert [question.position for question in vragenronde.questions(review)] == [0, 1, 2, 3]


def test_removing_a_question_renumbers_the_rest(review, questions, lead):
    vragenronde.remove_question(review, questions[1], actor=lead)
    assert texts(review) == [QUESTIONS[0], QUESTIONS[2], QUESTIONS[3]]
    assert [question.position for question in vragenronde.questions(review)] == [0, 1, 2]


def test_a_question_with_answers_is_not_removed(review, questions, lead, add_answer):
    add_answer(questions[0], "Ik bel eerst het gezin.")
    with pytest.raises(VragenrondeError, match="heeft al antwoorden"):
        vragenronde.remove_question(review, questions[0], actor=lead)
    assert len(vragenronde.questions(review)) == 4


def test_questions_are_copied_from_the_methods_prompts_in_order_without_duplicates(make_vragenronde, lead):
    review = make_vragenronde(questions=())
    review.phases[2].prompts = [review.phases[0].prompts[0], "Nieuwe vraag?", " Nieuwe  vraag? "]
    db.session.flush()
    expected = [prompt for phase in review.phases[:2] for prompt in phase.prompts] + ["Nieuwe vraag?"]
    expected += [prompt for phase in review.phases[3:] for prompt in phase.prompts]
    created = vragenronde.copy_questions_from_method(review, actor=lead)
    assert [question.text for question in created] == texts(review) == expected
    assert "Welke eerste stappen zet jij?" in expected
    with pytest.raises(VragenrondeError, match="heeft al vragen"):
        vragenronde.copy_questions_from_method(review, actor=lead)


def test_question_introduction(review, questions, lead):
    vragenronde.set_question_introduction(review, questions[0], "  Wat opviel.  ", actor=lead)
    assert questions[0].introduction == "Wat opviel."
    with pytest.raises(VragenrondeError):
        vragenronde.set_question_introduction(review, questions[0], "x" * 10_001, actor=lead)


# --- event codes ------------------------------------------------------------------------------


def test_codes_use_the_unambiguous_alphabet():
    codes = {vragenronde.generate_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(code) == 8 and set(code) <= set(vragenronde.CODE_ALPHABET) for code in codes)
    assert not set("0O1IL") & set(vragenronde.CODE_ALPHABET)


def test_a_code_expires_after_its_hours(review, lead):
    start = utcnow()
    with time_machine.travel(start, tick=False):
        event_code = vragenronde.create_event_code(review, hours=8, actor=lead)
        db.session.commit()
        assert event_code.expires_at == start + timedelta(hours=8)
        assert vragenronde.usable_event_code(event_code.code.lower()) == event_code
        assert vragenronde.usable_event_code(f" {event_code.code[:4]}-{event_code.code[4:]} ") == event_code
    with time_machine.travel(start + timedelta(hours=7, minutes=59), tick=False):
        assert vragenronde.usable_event_code(event_code.code) == event_code
    with time_machine.travel(start + timedelta(hours=8), tick=False):
        with pytest.raises(CodeProblem, match="verlopen") as problem:
            vragenronde.usable_event_code(event_code.code)
        assert problem.value.kind == "expired" and problem.value.event_code == event_code


def test_codes_are_unique_and_listed_newest_first(review, lead):
    first = vragenronde.create_event_code(review, hours=1, actor=lead)
    second = vragenronde.create_event_code(review, hours=72, actor=lead, now=utcnow() + timedelta(minutes=1))
    assert first.code != second.code
    assert vragenronde.event_codes(review) == [second, first]
    assert audit_actions(review).count("vragenronde.code_created") == 2


@pytest.mark.parametrize("hours", [0, 73, -1])
def test_validity_is_one_to_seventy_two_hours(review, lead, hours):
    with pytest.raises(VragenrondeError, match="1 tot 72 uur"):
        vragenronde.create_event_code(review, hours=hours, actor=lead)


def test_a_code_needs_questions_first(make_vragenronde, lead):
    with pytest.raises(VragenrondeError, match="eerst de vragen"):
        vragenronde.create_event_code(make_vragenronde(questions=()), hours=8, actor=lead)


def test_a_deactivated_code_no_longer_works(review, lead):
    event_code = vragenronde.create_event_code(review, hours=8, actor=lead)
    vragenronde.deactivate_event_code(review, event_code, actor=lead)
    with pytest.raises(CodeProblem, match="niet meer actief") as problem:
        vragenronde.usable_event_code(event_code.code)
    assert problem.value.kind == "inactive"
    assert "vragenronde.code_deactivated" in audit_actions(review)


def test_unknown_and_empty_codes(review):
    with pytest.raises(CodeProblem, match="kennen we niet") as problem:
        vragenronde.usable_event_code("ABCDEFGH")
    assert problem.value.kind == "unknown" and problem.value.event_code is None
    with pytest.raises(CodeProblem, match="Vul de deelnamecode in"):
        vragenronde.usable_event_code("  ")


def test_a_closed_vragenronde_takes_no_answers(review, questions, lead):
    event_code = vragenronde.create_event_code(review, hours=8, actor=lead)
    review.status = "gesloten"
    with pytest.raises(CodeProblem, match="gesloten"):
        vragenronde.usable_event_code(event_code.code)
    with pytest.raises(VragenrondeError, match="gesloten"):
        vragenronde.submit_answers(review, {questions[0].id: "Laat"}, source=AnswerSource.MEMBER)


# --- answers ----------------------------------------------------------------------------------


def test_event_code_answers_are_stored_without_a_respondent(review, questions):
    answers = vragenronde.submit_answers(
        review, {questions[0].id: "  Luisteren.  ", questions[1].id: "", questions[3].id: "Tijd."},
        source=AnswerSource.EVENT_CODE)
    assert [(a.question_id, a.text, a.source, a.respondent_id) for a in answers] == [
        (questions[0].id, "Luisteren.", "event_code", None), (questions[3].id, "Tijd.", "event_code", None)]


def test_member_answers_keep_the_member_except_in_a_fully_anonymous_round(review, questions, create_user):
    member = create_user()
    answer, = vragenronde.submit_answers(review, {questions[0].id: "Ja"}, source=AnswerSource.MEMBER,
                                         respondent=member)
    assert answer.source == "member" and answer.respondent_id == member.id
    review.fully_anonymous = True
    answer, = vragenronde.submit_answers(review, {questions[0].id: "Nee"}, source=AnswerSource.MEMBER,
                                         respondent=member)
    assert answer.respondent_id is None


def test_at_least_one_answer_and_none_too_long(review, questions, make_vragenronde):
    with pytest.raises(VragenrondeError, match="minstens één antwoord"):
        vragenronde.submit_answers(review, {questions[0].id: "  ", questions[1].id: ""}, source=AnswerSource.CSV)
    with pytest.raises(VragenrondeError, match="vraag 2 is te lang") as error:
        vragenronde.submit_answers(review, {questions[1].id: "x" * 5001}, source=AnswerSource.EVENT_CODE)
    assert error.value.field == f"answer_{questions[1].id}"
    other = make_vragenronde(title="Andere ronde")
    foreign = vragenronde.questions(other)[0]
    with pytest.raises(VragenrondeError, match="minstens één antwoord"):
        vragenronde.submit_answers(review, {foreign.id: "Verkeerde ronde"}, source=AnswerSource.EVENT_CODE)
    assert db.session.scalar(sa.select(sa.func.count(Answer.id))) == 0


# --- highlights and light edits ---------------------------------------------------------------


def test_highlights_keep_their_own_order_per_question(review, questions, lead, add_answer):
    a, b, c = (add_answer(questions[0], text) for text in ("Eerste", "Tweede", "Derde"))
    other = add_answer(questions[1], "Elders")
    for answer in (c, a, other, b):
        vragenronde.set_highlight(review, answer, True, actor=lead)
    by_question = vragenronde.answers_by_question(review)
    assert [answer.text for answer in by_question[0].highlights] == ["Derde", "Eerste", "Tweede"]
    assert [answer.highlight_position for answer in (c, a, b, other)] == [0, 1, 2, 0]

    vragenronde.move_highlight(review, b, "up", actor=lead)
    vragenronde.move_highlight(review, c, "up", actor=lead)  # already first: nothing happens
    assert [answer.text for answer in vragenronde.answers_by_question(review)[0].highlights] == [
        "Derde", "Tweede", "Eerste"]

    vragenronde.set_highlight(review, c, False, actor=lead)
    assert c.highlight_position is None and not c.highlighted
    assert [(answer.text, answer.highlight_position) for answer in vragenronde.answers_by_question(review)[0]
            .highlights] == [("Tweede", 0), ("Eerste", 1)]
    vragenronde.set_highlight(review, c, True, actor=lead)
    assert c.highlight_position == 2
    assert "vragenronde.highlight_changed" in audit_actions(review)


def test_only_highlights_have_an_order(review, questions, lead, add_answer):
    with pytest.raises(VragenrondeError):
        vragenronde.move_highlight(review, add_answer(questions[0], "Los"), "up", actor=lead)


def test_a_light_edit_keeps_the_original(review, questions, lead, add_answer):
    answer = add_answer(questions[0], "ik zou eerst  gewoon bellen ofzo")
    vragenronde.edit_answer(review, answer, "Ik zou eerst gewoon bellen.", actor=lead)
    assert answer.text == "ik zou eerst  gewoon bellen ofzo"
    assert answer.edited_text == answer.shown_text == "Ik zou eerst gewoon bellen."
    vragenronde.edit_answer(review, answer, "", actor=lead)
    assert answer.edited_text is None and answer.shown_text == answer.text
    vragenronde.edit_answer(review, answer, answer.text, actor=lead)
    assert answer.edited_text is None
    with pytest.raises(VragenrondeError, match="hoogstens 5000"):
        vragenronde.edit_answer(review, answer, "x" * 5001, actor=lead)
    assert audit_actions(review).count("vragenronde.answer_edited") == 2


# --- publication --------------------------------------------------------------------------------


def test_publishing_needs_highlights_and_a_choice(review, lead):
    with pytest.raises(VragenrondeError, match="Markeer eerst"):
        vragenronde.publish_anthology(review, "members", actor=lead)
    with pytest.raises(VragenrondeError, match="Kies voor wie"):
        vragenronde.publish_anthology(review, "everyone", actor=lead)


def test_public_link_is_kept_when_publishing_again_and_cleared_when_withdrawn(review, questions, lead, add_answer):
    vragenronde.set_highlight(review, add_answer(questions[0], "Mooi"), True, actor=lead)
    anthology = vragenronde.publish_anthology(review, "members", actor=lead)
    assert anthology.visibility == "members" and anthology.public_token is None
    assert anthology.pdf_status == "pending" and anthology.published_at is not None
    vragenronde.publish_anthology(review, "public", actor=lead)
    token = anthology.public_token
    assert token and len(token) >= 43
    assert vragenronde.public_anthology(token) == anthology
    vragenronde.publish_anthology(review, "public", actor=lead)
    assert anthology.public_token == token
    vragenronde.publish_anthology(review, "members", actor=lead)
    assert vragenronde.public_anthology(token) is None  # the link works only while public
    vragenronde.unpublish_anthology(review, actor=lead)
    assert anthology.visibility == "none" and anthology.public_token is None and anthology.pdf_status == "none"
    assert vragenronde.public_anthology(token) is None
    actions = audit_actions(review)
    assert actions.count("vragenronde.published") == 4 and "vragenronde.unpublished" in actions
    db.session.rollback()  # no PDF jobs for this test


def test_anthology_introduction_creates_the_anthology(review, lead):
    assert vragenronde.anthology_of(review) is None
    anthology = vragenronde.set_anthology_introduction(review, " Welkom. ", actor=lead)
    assert anthology.introduction == "Welkom." and anthology.visibility == "none"

"""The vragenronde through HTTP: the facilitator's pages, respondents with an event code, members, CSV import."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from learning.db import db, utcnow
from learning.reflections import vragenronde
from learning.reflections.models import Answer, EventCode
from learning.reviews.models import MemberRole
from tests.helpers import text_of
from tests.vragenronde.conftest import QUESTIONS

HX = {"HX-Request": "true"}


@pytest.fixture
def editor(login, lead):  # noqa: ANN001, ANN201
    return login(lead)


@pytest.fixture
def event_code(review, lead) -> EventCode:  # noqa: ANN001
    code = vragenronde.create_event_code(review, hours=8, actor=lead)
    db.session.commit()
    return code


def answer_fields(questions, *texts: str) -> dict[str, str]:  # noqa: ANN001
    return {f"answer_{question.id}": text for question, text in zip(questions, texts, strict=False)}


def stored_answers() -> list[tuple[int, str, str, int | None]]:
    return db.session.execute(sa.select(Answer.question_id, Answer.text, Answer.source, Answer.respondent_id)
                              .order_by(Answer.id)).all()


# --- questions --------------------------------------------------------------------------------


def test_editor_builds_the_question_list(editor, make_vragenronde):
    review = make_vragenronde(questions=())
    base = f"/reviews/{review.id}/vragenronde"
    page = editor.get(base)
    assert "Er zijn nog geen vragen." in text_of(page) and "Neem de vragen uit de methode over" in text_of(page)
    assert editor.post(f"{base}/questions/from-method").headers["Location"] == base
    assert len(vragenronde.questions(review)) == 16

    fragment = editor.post(f"{base}/questions", data={"new-question-text": "Wat wil je nog kwijt?"}, headers=HX)
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and html.startswith('<div id="question-list"') and "<html" not in html
    last = vragenronde.questions(review)[-1]
    assert last.text == "Wat wil je nog kwijt?"
    editor.post(f"{base}/questions/{last.id}/move/up")
    assert vragenronde.questions(review)[-2].text == "Wat wil je nog kwijt?"
    editor.post(f"{base}/questions/{last.id}", data={f"question-{last.id}-text": "Wat wil je kwijt?"})
    assert last.text == "Wat wil je kwijt?"
    editor.post(f"{base}/questions/{last.id}/delete")
    assert len(vragenronde.questions(review)) == 16


def test_an_empty_question_is_refused_with_a_message(editor, review):
    response = editor.post(f"/reviews/{review.id}/vragenronde/questions", data={"new-question-text": " "})
    assert response.status_code == 200 and "Schrijf de vraag op." in text_of(response)
    assert len(vragenronde.questions(review)) == 4


def test_a_question_with_answers_stays_with_a_message(editor, review, questions, add_answer):
    add_answer(questions[0], "Bewaren")
    response = editor.post(f"/reviews/{review.id}/vragenronde/questions/{questions[0].id}/delete", headers=HX)
    assert "heeft al antwoorden" in text_of(response) and len(vragenronde.questions(review)) == 4


def test_other_kinds_of_review_have_no_vragenronde(editor, make_review):
    casus = make_review()
    for path in ("vragenronde", "vragenronde/codes", "vragenronde/answers", "bloemlezing", "vragenronde/answer"):
        assert editor.get(f"/reviews/{casus.id}/{path}").status_code == 404


# --- event codes and respondents ---------------------------------------------------------------


def test_editor_makes_a_code_and_sees_how_to_use_it(editor, review):
    response = editor.post(f"/reviews/{review.id}/vragenronde/codes", data={"hours": "4"})
    code = db.session.scalar(sa.select(EventCode))
    assert response.status_code == 302 and code.expires_at - code.created_at == timedelta(hours=4)
    page = text_of(editor.get(f"/reviews/{review.id}/vragenronde/codes"))
    assert code.code in page and "http://lmi.test/v " in page and f"http://lmi.test/v/{code.code}" in page
    too_long = editor.post(f"/reviews/{review.id}/vragenronde/codes", data={"hours": "100"})
    assert "Kies van 1 tot 72 uur." in text_of(too_long)
    editor.post(f"/reviews/{review.id}/vragenronde/codes/{code.id}/deactivate")
    assert code.active is False
    assert "uitgezet" in text_of(editor.get(f"/reviews/{review.id}/vragenronde/codes"))


def test_a_respondent_answers_with_an_event_code_and_no_account(client, review, questions, event_code):
    entry = client.get("/v")
    assert "Deelnamecode" in text_of(entry) and entry.headers["X-Robots-Tag"].startswith("noindex")
    typed = client.post("/v", data={"code": event_code.code.lower()})
    assert typed.status_code == 303 and typed.headers["Location"] == f"/v/{event_code.code}"

    form = client.get(f"/v/{event_code.code}")
    html = form.get_data(as_text=True)
    assert all(question in text_of(form) for question in QUESTIONS)
    assert "Schrijf geen namen" in text_of(form)
    assert not re.search(r'name="(name|naam|email|e-mail)"', html, re.I)
    cookie = next(value for value in form.headers.getlist("Set-Cookie") if value.startswith("lmi_device="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/v" in cookie

    sent = client.post(f"/v/{event_code.code}", data=answer_fields(questions, "Eerst luisteren", "", "", "Tijd"))
    assert sent.status_code == 303 and sent.headers["Location"] == f"/v/{event_code.code}/bedankt"
    assert stored_answers() == [(questions[0].id, "Eerst luisteren", "event_code", None),
                                (questions[3].id, "Tijd", "event_code", None)]
    thanks = client.get(sent.headers["Location"])
    assert "Dank je wel" in text_of(thanks) and f'href="/v/{event_code.code}"' in thanks.get_data(as_text=True)


def test_an_empty_form_asks_for_one_answer(client, questions, event_code):
    response = client.post(f"/v/{event_code.code}", data=answer_fields(questions, " ", ""))
    assert response.status_code == 200 and "Vul minstens één antwoord in." in text_of(response)
    assert stored_answers() == []


def test_a_wrong_code_is_explained_and_kept(client, event_code):
    response = client.post("/v", data={"code": "ZZZZ-ZZZZ"})
    assert "Deze deelnamecode kennen we niet" in text_of(response)
    assert 'value="ZZZZ-ZZZZ"' in response.get_data(as_text=True)
    direct = client.get("/v/ABCDEFGH")
    assert direct.status_code == 404 and "kennen we niet" in text_of(direct)
    assert 'value="ABCDEFGH"' in direct.get_data(as_text=True)


def test_an_expired_code_keeps_the_typed_answers_and_takes_a_new_code(client, review, questions, event_code, lead):
    later = utcnow() + timedelta(hours=9)
    with time_machine.travel(later, tick=False):
        fresh = vragenronde.create_event_code(review, hours=8, actor=lead)
        db.session.commit()
        typed = answer_fields(questions, "Mijn lange, zorgvuldige antwoord", "Nog een")
        response = client.post(f"/v/{event_code.code}", data=typed)
        html = response.get_data(as_text=True)
        assert response.status_code == 410
        assert "Deze deelnamecode is verlopen" in text_of(response) and "nog niet verstuurd" in text_of(response)
        assert "Mijn lange, zorgvuldige antwoord</textarea>" in html and "Nog een</textarea>" in html
        assert f'value="{event_code.code}"' in html  # the code field, to be corrected
        assert stored_answers() == []

        again = client.post(f"/v/{event_code.code}", data={**typed, "code": fresh.code})
        assert again.status_code == 303 and again.headers["Location"] == f"/v/{fresh.code}/bedankt"
        assert [row.text for row in db.session.scalars(sa.select(Answer))] == [
            "Mijn lange, zorgvuldige antwoord", "Nog een"]


def test_a_deactivated_code_keeps_the_typed_answers(client, review, questions, event_code, lead):
    vragenronde.deactivate_event_code(review, event_code, actor=lead)
    db.session.commit()
    response = client.post(f"/v/{event_code.code}", data=answer_fields(questions, "Bewaar mij"))
    assert response.status_code == 410 and "niet meer actief" in text_of(response)
    assert "Bewaar mij</textarea>" in response.get_data(as_text=True)


def test_an_unknown_code_in_a_post_still_shows_the_text(client, questions):
    response = client.post("/v/QQQQQQQQ", data=answer_fields(questions, "Niet kwijtraken"))
    assert response.status_code == 404 and "kennen we niet" in text_of(response)
    assert "Niet kwijtraken</textarea>" in response.get_data(as_text=True)
    assert QUESTIONS[0] not in text_of(response)  # no code, no questions


def test_the_per_device_limit_keeps_the_text_and_other_devices_go_on(app, review, questions, event_code):
    app.config["VRAGENRONDE_LIMIT_PER_DEVICE"] = "2 per hour"
    first, second = app.test_client(), app.test_client()
    first.get(f"/v/{event_code.code}")
    assert first.post(f"/v/{event_code.code}", data=answer_fields(questions, " ")).status_code == 200  # not counted
    for number in range(2):
        sent = first.post(f"/v/{event_code.code}", data=answer_fields(questions, f"Antwoord {number}"))
        assert sent.status_code == 303
    blocked = first.post(f"/v/{event_code.code}", data=answer_fields(questions, "Derde keer"))
    assert blocked.status_code == 429
    assert "Wacht even" in text_of(blocked) and "Derde keer</textarea>" in blocked.get_data(as_text=True)
    second.get(f"/v/{event_code.code}")
    assert second.post(f"/v/{event_code.code}", data=answer_fields(questions, "Ander apparaat")).status_code == 303
    assert len(stored_answers()) == 3


def test_the_per_address_limit(app, review, questions, event_code):
    app.config["VRAGENRONDE_LIMIT_PER_ADDRESS"] = "1 per hour"
    client = app.test_client()
    assert client.post(f"/v/{event_code.code}", data=answer_fields(questions, "Een")).status_code == 303
    assert client.post(f"/v/{event_code.code}", data=answer_fields(questions, "Twee")).status_code == 429
    assert client.post("/v", data={"code": event_code.code}).status_code == 303
    assert client.post("/v", data={"code": event_code.code}).status_code == 429


# --- members ----------------------------------------------------------------------------------


def test_a_member_answers_signed_in(login, create_user, add_member, review, questions):
    participant, observer = create_user(), create_user()
    add_member(review, participant, MemberRole.PARTICIPANT.value)
    add_member(review, observer, MemberRole.OBSERVER.value)
    client = login(participant)
    page = client.get(f"/reviews/{review.id}/vragenronde/answer")
    assert all(question in text_of(page) for question in QUESTIONS)
    sent = client.post(f"/reviews/{review.id}/vragenronde/answer", data=answer_fields(questions, "", "Coaching"))
    assert sent.status_code == 302
    assert stored_answers() == [(questions[1].id, "Coaching", "member", participant.id)]
    assert "Je antwoorden zijn opgeslagen" in text_of(client.get(sent.headers["Location"]))
    too_long = client.post(f"/reviews/{review.id}/vragenronde/answer", data=answer_fields(questions, "x" * 5001))
    assert "Hoogstens 5000 tekens." in text_of(too_long) and len(stored_answers()) == 1
    assert login(observer).post(f"/reviews/{review.id}/vragenronde/answer",
                                data=answer_fields(questions, "Mag niet")).status_code == 403


# --- CSV import -------------------------------------------------------------------------------


def upload(client, review, data: bytes, name: str = "antwoorden.csv"):  # noqa: ANN001, ANN201
    return client.post(f"/reviews/{review.id}/vragenronde/import",
                       data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def hidden(html: str, name: str) -> str:
    return re.search(rf'name="{name}" type="hidden" value="([^"]*)"', html).group(1)


def test_csv_preview_then_confirm(editor, review, questions):
    data = "\ufeffvraag;antwoord\n1;Samen beginnen\n7;Onbekend\n2;\n4;Rust en tijd\n".encode()
    preview = upload(editor, review, data)
    page, html = text_of(preview), preview.get_data(as_text=True)
    assert "2 regels kunnen worden geïmporteerd; 2 regels hebben een fout en worden overgeslagen" in page
    assert "Onbekende vraag" in page and "Leeg antwoord." in page and "Samen beginnen" in page
    assert stored_answers() == []  # nothing before confirming

    confirmed = editor.post(f"/reviews/{review.id}/vragenronde/import/confirm",
                            data={"payload": hidden(html, "payload"), "expected": hidden(html, "expected")})
    assert confirmed.headers["Location"] == f"/reviews/{review.id}/vragenronde/answers"
    assert stored_answers() == [(questions[0].id, "Samen beginnen", "csv", None),
                                (questions[3].id, "Rust en tijd", "csv", None)]
    assert "2 antwoorden geïmporteerd." in text_of(editor.get(confirmed.headers["Location"]))


def test_csv_confirm_refuses_a_tampered_or_foreign_payload(editor, review, make_vragenronde):
    html = upload(editor, review, b"vraag,antwoord\n1,Ja\n").get_data(as_text=True)
    payload = hidden(html, "payload")
    other = make_vragenronde(title="Andere ronde")
    for target, sent in ((review, payload[:-2] + "xx"), (other, payload)):
        response = editor.post(f"/reviews/{target.id}/vragenronde/import/confirm",
                               data={"payload": sent, "expected": "1"})
        assert "Het voorbeeld is verlopen of hoort niet bij deze vragenronde" in text_of(response)
    assert stored_answers() == []


def test_csv_confirm_checks_again_when_questions_changed(editor, review, questions, lead):
    html = upload(editor, review, b"vraag,antwoord\n1,Ja\n5,Nee\n").get_data(as_text=True)
    vragenronde.add_question(review, "Wat nog meer?", actor=lead)
    db.session.commit()
    response = editor.post(f"/reviews/{review.id}/vragenronde/import/confirm",
                           data={"payload": hidden(html, "payload"), "expected": hidden(html, "expected")})
    assert "De vragen zijn gewijzigd sinds het voorbeeld" in text_of(response) and stored_answers() == []
    assert "2 regels kunnen worden geïmporteerd" in text_of(response)


@pytest.mark.parametrize("data, message", [
    ("vraag;antwoord\n1;Caf\u00e9\n".encode("cp1252"), "niet in UTF-8"),
    (b"naam,tekst\nAnne,Hoi\n", "De kolommen kloppen niet"),
    (b"vraag,antwoord\n", "alleen de kolomnamen"),
])
def test_csv_problems_are_shown_on_the_upload_form(editor, review, data, message):
    response = upload(editor, review, data)
    assert response.status_code == 200 and message in text_of(response) and stored_answers() == []
    assert "Voorbeeld" not in re.sub(r"Voorbeeld bekijken", "", text_of(response))


def test_an_upload_over_the_size_limit_is_refused(app, editor, review):
    app.config["MAX_CONTENT_LENGTH"] = 4096  # small, so the test client keeps the body in memory
    response = upload(editor, review, b"vraag,antwoord\n" + b"1,ja\n" * 1000)
    assert response.status_code == 413 and stored_answers() == []


# --- the facilitator's view -------------------------------------------------------------------


def test_facilitator_highlights_orders_and_lightly_edits(editor, review, questions, add_answer):
    first, second, plain = (add_answer(questions[0], text) for text in ("eerste antwoord", "tweede", "gewoon"))
    base = f"/reviews/{review.id}/vragenronde/answers"
    page = text_of(editor.get(base))
    assert "3 antwoorden · 0 in het oog springend" in page

    back = editor.post(f"{base}/{first.id}/highlight", data={"highlighted": "yes"})
    assert back.headers["Location"] == f"{base}#question-{questions[0].id}"
    fragment = editor.post(f"{base}/{second.id}/highlight", data={"highlighted": "yes"}, headers=HX)
    html = fragment.get_data(as_text=True)
    assert html.startswith(f'<section id="question-{questions[0].id}"') and "<html" not in html
    assert "3 antwoorden · 2 in het oog springend" in text_of(fragment)
    editor.post(f"{base}/{second.id}/move/up", headers=HX)
    assert [a.id for a in vragenronde.answers_by_question(review)[0].highlights] == [second.id, first.id]

    editor.post(f"{base}/{first.id}/edit", data={f"answer-{first.id}-text": "Eerste antwoord."})
    assert first.text == "eerste antwoord" and first.edited_text == "Eerste antwoord."
    page = text_of(editor.get(base))
    assert "Eerste antwoord. origineel: eerste antwoord" in page

    too_long = editor.post(f"{base}/{plain.id}/edit", data={f"answer-{plain.id}-text": "x" * 5001})
    assert "Hoogstens 5000 tekens." in text_of(too_long) and plain.edited_text is None
    editor.post(f"{base}/{first.id}/edit", data={f"answer-{first.id}-text": "iets", "restore": "1"})
    assert first.edited_text is None

    editor.post(f"{base}/{second.id}/highlight", data={"highlighted": "no"})
    assert not second.highlighted and first.highlight_position == 0
    editor.post(f"/reviews/{review.id}/vragenronde/questions/{questions[0].id}/introduction",
                data={f"intro-{questions[0].id}-introduction": "Wat opviel bij de eerste vraag."})
    assert questions[0].introduction == "Wat opviel bij de eerste vraag."


def test_answers_of_another_review_are_404(editor, review, make_vragenronde, add_answer):
    other = make_vragenronde(title="Andere ronde")
    foreign = add_answer(vragenronde.questions(other)[0], "Niet van jou")
    base = f"/reviews/{review.id}/vragenronde"
    assert editor.post(f"{base}/answers/{foreign.id}/highlight", data={"highlighted": "yes"}).status_code == 404
    assert editor.post(f"{base}/answers/{foreign.id}/edit", data={}).status_code == 404
    assert editor.post(f"{base}/questions/{foreign.question_id}/delete").status_code == 404
    assert foreign.highlighted is False


def test_only_the_ends_of_a_list_have_a_disabled_move_button(editor, review, questions, add_answer, lead):
    html = editor.get(f"/reviews/{review.id}/vragenronde").get_data(as_text=True)
    assert re.findall(r'id="move-(up|down)-question-(\d+)" disabled', html) == [
        ("up", str(questions[0].id)), ("down", str(questions[-1].id))]
    answers = [add_answer(questions[0], f"Antwoord {n}") for n in range(3)]
    for answer in answers:
        vragenronde.set_highlight(review, answer, True, actor=lead)
    db.session.commit()
    html = editor.get(f"/reviews/{review.id}/vragenronde/answers").get_data(as_text=True)
    assert re.findall(r'id="move-(up|down)-(\d+)" disabled', html) == [
        ("up", str(answers[0].id)), ("down", str(answers[-1].id))]


def test_a_large_file_goes_from_preview_to_confirm(editor, review, questions):
    rows = "".join(f"{n % 4 + 1},Antwoord {n} uit de zaal: meer tijd voor overleg en minder registratie.\n"
                   for n in range(3000))
    html = upload(editor, review, ("vraag,antwoord\n" + rows).encode()).get_data(as_text=True)
    assert "3000 regels kunnen worden geïmporteerd" in html
    confirmed = editor.post(f"/reviews/{review.id}/vragenronde/import/confirm",
                            data={"payload": hidden(html, "payload"), "expected": hidden(html, "expected")})
    assert confirmed.status_code == 302 and len(stored_answers()) == 3000


def test_a_file_too_big_to_keep_for_confirming_is_refused(editor, review, monkeypatch):
    from learning.reflections.vragenronde.views import csv_import as vragenronde_views

    monkeypatch.setattr(vragenronde_views, "_payload_limit", lambda: 20)
    response = upload(editor, review, b"vraag,antwoord\n" + b"1,Een antwoord dat niet past\n" * 20)
    assert "te groot om in één keer te importeren" in text_of(response)
    assert 'name="payload"' not in response.get_data(as_text=True) and stored_answers() == []

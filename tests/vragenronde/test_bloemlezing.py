"""The bloemlezing: publishing for members or by public link, the page, the PDF, and that it names nobody."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from learning.db import db
from learning.reflections import vragenronde
from learning.reflections.models import AnswerSource, Anthology
from learning.reflections.vragenronde import bloemlezing
from learning.reviews.models import MemberRole
from tests.helpers import text_of

PDF_QUESTIONS = ("Welke eerste stappen zet jij?", "Welke ondersteuning wil je?", "Wat is het meest ingewikkeld?",
                 "Wat zou jou helpen?")
# Per question: the answers (by number) that stand out, in the order the facilitator chose.
CHOSEN = {0: [5, 1, 3], 1: [14, 9, 12], 2: [], 3: [29, 25, 27, 24]}
EDITED = 12


def folded(text: str) -> str:
    return " ".join(text.split())


def pdf_text(data: bytes) -> str:
    return folded(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def publish(client, review, visibility: str = "members"):  # noqa: ANN001, ANN201
    return client.post(f"/reviews/{review.id}/vragenronde/bloemlezing/publish", data={"visibility": visibility})


@pytest.fixture
def editor(login, lead):  # noqa: ANN001, ANN201
    return login(lead)


@pytest.fixture
def thirty_answers(make_vragenronde, lead, add_answer):  # noqa: ANN001, ANN201
    """A vragenronde with 4 questions and 30 answers; some highlighted in a chosen order, one lightly edited."""
    review = make_vragenronde(questions=PDF_QUESTIONS, title="Meet-Up Jeugdbescherming Midden")
    questions = vragenronde.questions(review)
    answers = {number: add_answer(questions[min(number // 8, 3)], f"Antwoord {number:02d} uit de zaal")
               for number in range(30)}
    for index, numbers in CHOSEN.items():
        for number in numbers:
            assert answers[number].question_id == questions[index].id
            vragenronde.set_highlight(review, answers[number], True, actor=lead)
    vragenronde.edit_answer(review, answers[EDITED], "Antwoord 12, licht verbeterd", actor=lead)
    vragenronde.set_question_introduction(review, questions[1], "Over steun in het werk.", actor=lead)
    vragenronde.set_anthology_introduction(review, "Wat de zaal ons meegaf.", actor=lead)
    db.session.commit()
    return review, answers


def test_the_pdf_holds_the_highlights_in_order_tagged_and_described(editor, thirty_answers):
    review, answers = thirty_answers
    response = publish(editor, review)
    assert response.status_code == 302
    anthology = db.session.get(Anthology, review.id)
    assert anthology.pdf_status == "ready", anthology.pdf_error
    assert anthology.pdf_sha256 == hashlib.sha256(anthology.pdf).hexdigest()

    download = editor.get(f"/reviews/{review.id}/bloemlezing/pdf")
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"] == 'attachment; filename="bloemlezing.pdf"'
    text = pdf_text(download.data)
    expected = [("Antwoord 12, licht verbeterd" if number == EDITED else f"Antwoord {number:02d} uit de zaal")
                for index in sorted(CHOSEN) for number in CHOSEN[index]]
    positions = [text.find(answer) for answer in expected]
    assert -1 not in positions, text
    assert positions == sorted(positions)
    chosen = {number for numbers in CHOSEN.values() for number in numbers}
    for number in range(30):
        if number not in chosen or number == EDITED:
            assert f"Antwoord {number:02d} uit de zaal" not in text
    sections = [text.find(f"{n}. {question}") for n, question in enumerate(PDF_QUESTIONS, start=1)]
    assert -1 not in sections and sections == sorted(sections)
    assert "Wat de zaal ons meegaf." in text and "Over steun in het werk." in text
    assert "pagina 1 van" in text

    reader = PdfReader(io.BytesIO(download.data))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "nl" and "/StructTreeRoot" in root
    assert "Meet-Up Jeugdbescherming Midden" in reader.metadata.title
    assert reader.metadata.author == "Leren met Impact"
    fonts = {str(font.get_object()["/BaseFont"]) for page in reader.pages
             for font in page["/Resources"]["/Font"].values()}
    assert fonts and all("+Noto-Sans" in font for font in fonts), fonts  # bundled, no system fallback


def test_the_pdf_is_reproducible(app, thirty_answers, lead):
    review, _answers = thirty_answers
    vragenronde.publish_anthology(review, "members", actor=lead)
    db.session.commit()
    anthology = db.session.get(Anthology, review.id)
    assert (anthology.pdf_status, anthology.pdf_error) == ("ready", "")
    first = anthology.pdf
    bloemlezing.render_anthology_pdf(review.id)
    assert db.session.get(Anthology, review.id).pdf == first


def test_members_read_the_published_page_in_order_with_the_edit(editor, login, create_user, add_member,
                                                                 thirty_answers):
    review, answers = thirty_answers
    reader = create_user()
    add_member(review, reader, MemberRole.OBSERVER.value)
    member = login(reader)
    assert member.get(f"/reviews/{review.id}/bloemlezing").status_code == 404  # not published yet
    preview = editor.get(f"/reviews/{review.id}/bloemlezing")
    assert preview.status_code == 200 and "nog niet gepubliceerd" in text_of(preview)

    publish(editor, review)
    page = text_of(member.get(f"/reviews/{review.id}/bloemlezing"))
    assert page.index("Antwoord 05 uit de zaal") < page.index("Antwoord 01 uit de zaal") < page.index(
        "Antwoord 03 uit de zaal") < page.index("Antwoord 14 uit de zaal") < page.index("Antwoord 09 uit de zaal") < (
        page.index("Antwoord 12, licht verbeterd"))
    assert "Antwoord 00 uit de zaal" not in page and "Antwoord 12 uit de zaal" not in page
    assert "Bij deze vraag zijn geen antwoorden uitgelicht." in page
    assert "Download de bloemlezing als PDF" in page
    assert member.get(f"/reviews/{review.id}/bloemlezing/pdf").mimetype == "application/pdf"
    assert member.post(f"/reviews/{review.id}/vragenronde/bloemlezing/publish",
                       data={"visibility": "public"}).status_code == 403


def test_the_public_link_works_until_the_bloemlezing_is_withdrawn(editor, client, thirty_answers):
    review, _answers = thirty_answers
    publish(editor, review, "public")
    anthology = db.session.get(Anthology, review.id)
    token = anthology.public_token
    compose = text_of(editor.get(f"/reviews/{review.id}/vragenronde/bloemlezing"))
    assert f"http://lmi.test/bloemlezing/{token}" in compose
    page = client.get(f"/bloemlezing/{token}")
    assert page.status_code == 200 and "Antwoord 29 uit de zaal" in text_of(page)
    assert page.headers["X-Robots-Tag"].startswith("noindex")
    pdf = client.get(f"/bloemlezing/{token}/pdf")
    assert pdf.mimetype == "application/pdf" and pdf.headers["Content-Disposition"].startswith("attachment")
    assert client.get(f"/bloemlezing/{token[:-1]}x").status_code == 404

    publish(editor, review, "public")
    assert db.session.get(Anthology, review.id).public_token == token  # publishing again keeps the link
    publish(editor, review, "members")
    assert client.get(f"/bloemlezing/{token}").status_code == 404
    publish(editor, review, "public")
    assert client.get(f"/bloemlezing/{token}").status_code == 200

    editor.post(f"/reviews/{review.id}/vragenronde/bloemlezing/unpublish")
    for path in (f"/bloemlezing/{token}", f"/bloemlezing/{token}/pdf", f"/bloemlezing/{token}/pdf/status"):
        assert client.get(path).status_code == 404
    assert editor.get(f"/reviews/{review.id}/bloemlezing/pdf").status_code == 404


def test_nothing_public_names_a_member(editor, client, login, create_user, add_member, thirty_answers):
    review, _answers = thirty_answers
    people = [create_user(f"naam{n}@example.org", name=f"Marieke Deelnemer{n}") for n in range(3)]
    for person in people:
        add_member(review, person, MemberRole.PARTICIPANT.value)
    questions = vragenronde.questions(review)
    for person in people:
        answer, = vragenronde.submit_answers(review, {questions[0].id: "Met naam ingestuurd"},
                                             source=AnswerSource.MEMBER, respondent=person)
        vragenronde.set_highlight(review, answer, True, actor=people[0])
    db.session.commit()
    publish(editor, review, "public")
    token = db.session.get(Anthology, review.id).public_token
    page = client.get(f"/bloemlezing/{token}").get_data(as_text=True)
    pdf = client.get(f"/bloemlezing/{token}/pdf").data
    text = pdf_text(pdf) + " " + " ".join(str(value) for value in PdfReader(io.BytesIO(pdf)).metadata.values())
    assert "Met naam ingestuurd" in page and "Met naam ingestuurd" in text
    everyone = [*people, *(member.user for member in review.members)]
    for person in everyone:
        for secret in (person.display_name, person.email):
            assert secret not in page and secret not in text
            assert secret.encode() not in pdf


def test_the_status_fragment_polls_while_the_pdf_is_made(editor, client, thirty_answers, lead):
    review, _answers = thirty_answers
    publish(editor, review, "public")
    anthology = db.session.get(Anthology, review.id)
    anthology.pdf_status = "pending"
    db.session.commit()
    for url in (f"/reviews/{review.id}/bloemlezing/pdf/status", f"/bloemlezing/{anthology.public_token}/pdf/status"):
        requester = editor if url.startswith("/reviews") else client
        fragment = requester.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
        assert "PDF wordt gemaakt…" in fragment and f'hx-get="{url}"' in fragment and "<html" not in fragment
    assert editor.get(f"/reviews/{review.id}/bloemlezing/pdf").status_code == 404  # nothing to download yet
    anthology.pdf_status = "ready"
    db.session.commit()
    fragment = editor.get(f"/reviews/{review.id}/bloemlezing/pdf/status").get_data(as_text=True)
    assert "hx-get" not in fragment and "Download de bloemlezing als PDF" in fragment


def test_a_failed_pdf_says_why_and_can_be_made_again(editor, thirty_answers, monkeypatch):
    review, _answers = thirty_answers

    def broken(html: str, *, identifier: str) -> bytes:
        raise RuntimeError("lettertype ontbreekt")

    monkeypatch.setattr(bloemlezing, "render_pdf", broken)
    publish(editor, review)
    anthology = db.session.get(Anthology, review.id)
    assert anthology.pdf_status == "failed" and "lettertype ontbreekt" in anthology.pdf_error
    page = text_of(editor.get(f"/reviews/{review.id}/vragenronde/bloemlezing"))
    assert "De PDF kon niet worden gemaakt." in page and "lettertype ontbreekt" in page
    monkeypatch.undo()
    editor.post(f"/reviews/{review.id}/vragenronde/bloemlezing/pdf")
    db.session.refresh(anthology)
    assert anthology.pdf_status == "ready" and anthology.pdf.startswith(b"%PDF")


def test_publishing_without_highlights_explains(editor, make_vragenronde):
    review = make_vragenronde(title="Lege ronde")
    response = publish(editor, review)
    assert response.status_code == 200 and "Markeer eerst de antwoorden" in text_of(response)
    assert db.session.scalar(sa.select(Anthology.visibility)) in (None, "none")


def test_page_counter_css_is_escaped():
    with_quote = re.sub(r"\s+", " ", bloemlezing._css_string('a"b\\c<d'))
    assert with_quote == '"a\\"b\\\\c\\3c d"'


REDIS_TEST_URL = "redis://127.0.0.1:6379/12"


def test_with_redis_the_pdf_is_made_by_a_worker_while_the_page_polls(app, editor, thirty_answers):
    import redis
    from rq import SimpleWorker

    from learning.jobs import queue

    review, _answers = thirty_answers
    review_id = review.id
    app.config["REDIS_URL"] = REDIS_TEST_URL
    connection = redis.Redis.from_url(REDIS_TEST_URL)
    connection.flushdb()
    try:
        publish(editor, review)
        anthology = db.session.get(Anthology, review.id)
        assert anthology.pdf_status == "pending" and anthology.pdf is None
        page = editor.get(f"/reviews/{review.id}/bloemlezing").get_data(as_text=True)
        assert "PDF wordt gemaakt…" in page and 'hx-trigger="every 2s"' in page
        jobs = queue(app)
        assert jobs.count == 1
        SimpleWorker([jobs], connection=jobs.connection).work(burst=True)  # its session is the test's: ended
        anthology = db.session.get(Anthology, review_id)
        assert anthology.pdf_status == "ready" and anthology.pdf.startswith(b"%PDF")
        fragment = editor.get(f"/reviews/{review_id}/bloemlezing/pdf/status", headers={"HX-Request": "true"})
        assert "Download de bloemlezing als PDF" in fragment.get_data(as_text=True)
    finally:
        connection.flushdb()

"""Reading answers from a CSV file: encodings, separators, columns, and an error per row."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from learning.audit import AuditEvent
from learning.db import db
from learning.reflections import vragenronde
from learning.reflections.models import Answer
from learning.reflections.vragenronde import VragenrondeError


def parse(data: bytes, questions):  # noqa: ANN001, ANN201
    return vragenronde.parse_answers_csv(vragenronde.decode_upload(data), questions)


def summary(preview) -> list[tuple[int, int | None, str, str | None]]:  # noqa: ANN001
    return [(row.line, row.question_number, row.text, row.error) for row in preview.rows]


def test_a_good_file_with_commas(questions):
    data = 'vraag,antwoord\n1,Eerst luisteren\n2,"Intervisie, elke maand"\n4,"Meer tijd\nen rust"\n'.encode()
    preview = parse(data, questions)
    assert summary(preview) == [(2, 1, "Eerst luisteren", None), (3, 2, "Intervisie, elke maand", None),
                                (5, 4, "Meer tijd\nen rust", None)]
    assert preview.delimiter == "," and len(preview.valid_rows) == 3 and preview.error_count == 0
    assert [row.question_id for row in preview.rows] == [questions[0].id, questions[1].id, questions[3].id]


def test_excel_semicolons_with_a_bom_and_windows_line_ends(questions):
    data = "\ufeffVraag;Antwoord;Tafel\r\n3;Té veel regels;A\r\n;;\r\n1;Samen optrekken;B\r\n".encode()
    preview = parse(data, questions)
    assert preview.delimiter == ";"
    assert summary(preview) == [(2, 3, "Té veel regels", None), (4, 1, "Samen optrekken", None)]


def test_english_headers_and_questions_by_their_text(questions):
    data = ("ANSWER,Question\nMeer collega's,  welke ONDERSTEUNING wil je? \nOnbekend,Wat eten we vanavond?\n"
            "Te hoog,7\n").encode()
    preview = parse(data, questions)
    assert summary(preview)[0] == (2, 2, "Meer collega's", None)
    assert [row.error for row in preview.rows[1:]] == [
        "Onbekende vraag: gebruik een nummer van 1 tot 4 of de precieze tekst van de vraag."] * 2


def test_empty_and_over_long_answers_are_row_errors(questions):
    long = "x" * 5001
    data = f"vraag,antwoord\n1,\n2,   \n3,{long}\n4,{'y' * 5000}\n".encode()
    errors = [row.error for row in parse(data, questions).rows]
    assert errors == ["Leeg antwoord.", "Leeg antwoord.", "Te lang: 5001 tekens, hoogstens 5000.", None]


@pytest.mark.parametrize("data", [b"question;text\n1;Hallo\n", b"vraag\n1\n", b"nummer,antwoord\n1,Ja\n"])
def test_wrong_columns_are_refused_with_what_was_found(questions, data):
    with pytest.raises(VragenrondeError, match="De kolommen kloppen niet") as error:
        parse(data, questions)
    assert data.split(b"\n")[0].decode() in str(error.value) and error.value.field == "file"


def test_a_file_in_windows_1252_is_refused_naming_utf8(questions):
    with pytest.raises(VragenrondeError, match="niet in UTF-8") as error:
        parse("vraag;antwoord\n1;Café en overleg\n".encode("cp1252"), questions)
    assert "CSV UTF-8" in str(error.value)


@pytest.mark.parametrize("data, message", [
    ("vraag,antwoord\n1,Ja\n".encode("utf-16"), "UTF-16"),
    (b"PK\x03\x04\x14\x00\x06\x00", "Excel-werkmap"),
    (b"vraag,antwoord\n1,\x00\x00\n", "geen tekstbestand"),
    (b"", "leeg"),
    (b"vraag,antwoord\n\n", "alleen de kolomnamen"),
])
def test_other_files_are_refused_with_a_reason(questions, data, message):
    with pytest.raises(VragenrondeError, match=message):
        parse(data, questions)


def test_a_round_without_questions_says_so_per_row(make_vragenronde):
    preview = parse(b"vraag,antwoord\n1,Ja\n", [])
    assert preview.rows[0].error == "Deze vragenronde heeft nog geen vragen."


def test_importing_stores_only_the_valid_rows_as_csv_answers(review, questions, lead):
    preview = parse(b"vraag,antwoord\n1,Ja\n9,Nee\n2,\n4,Misschien\n", questions)
    assert vragenronde.import_answers(review, preview, actor=lead) == 2
    stored = db.session.execute(sa.select(Answer.question_id, Answer.text, Answer.source, Answer.respondent_id)
                                .order_by(Answer.id)).all()
    assert stored == [(questions[0].id, "Ja", "csv", None), (questions[3].id, "Misschien", "csv", None)]
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "vragenronde.imported"))
    assert event.details == {"count": 2, "skipped": 2} and event.actor_id == lead.id


def test_nothing_valid_is_nothing_imported(review, questions, lead):
    preview = parse(b"vraag,antwoord\n1,\n", questions)
    with pytest.raises(VragenrondeError, match="geen geldige regels"):
        vragenronde.import_answers(review, preview, actor=lead)

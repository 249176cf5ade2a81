"""Answers from a CSV file: decoding the upload, a checked preview of every row, and importing the valid ones."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from learning.db import db
from learning.i18n import _
from learning.reflections.models import Answer, AnswerSource, Question
from learning.reflections.vragenronde.base import ANSWER_LIMIT, VragenrondeError, record
from learning.reflections.vragenronde.questionnaire import questions
from learning.reviews.models import Review, ReviewStatus

QUESTION_HEADERS = ("vraag", "question")
ANSWER_HEADERS = ("antwoord", "answer")
DELIMITERS = (",", ";", "\t")


def decode_upload(data: bytes) -> str:
    """The text of an uploaded CSV: UTF-8, with or without BOM. Anything else is refused by name."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise VragenrondeError(_("Dit bestand is opgeslagen als UTF-16 (Unicode-tekst). Sla het op als "
                                 "\"CSV UTF-8\" en probeer het opnieuw."), "file")
    if data.startswith(b"PK\x03\x04"):
        raise VragenrondeError(_("Dit lijkt een Excel-werkmap (.xlsx), geen CSV-bestand. Kies in Excel "
                                 "\"Opslaan als\" en dan \"CSV UTF-8\"."), "file")
    if b"\x00" in data:
        raise VragenrondeError(_("Dit is geen tekstbestand. Upload een CSV-bestand in UTF-8."), "file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise VragenrondeError(_("Dit bestand is niet in UTF-8 opgeslagen (waarschijnlijk Windows-1252/ANSI), "
                                 "waardoor letters als é verkeerd zouden overkomen. Sla het op als \"CSV UTF-8\" en "
                                 "probeer het opnieuw."), "file") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


@dataclass
class CsvRow:
    line: int
    question_ref: str
    text: str
    question_number: int | None = None
    question_id: int | None = None
    error: str | None = None

    @property
    def valid(self) -> bool:
        return self.error is None


@dataclass
class CsvPreview:
    rows: list[CsvRow] = field(default_factory=list)
    delimiter: str = ","

    @property
    def valid_rows(self) -> list[CsvRow]:
        return [row for row in self.rows if row.valid]

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if not row.valid)


def _columns(header: Sequence[str]) -> tuple[int | None, int | None]:
    names = [cell.strip().strip("\ufeff").casefold() for cell in header]
    question = next((i for i, name in enumerate(names) if name in QUESTION_HEADERS), None)
    answer = next((i for i, name in enumerate(names) if name in ANSWER_HEADERS), None)
    return question, answer


def _first_line(text: str) -> str:
    return next((line for line in text.split("\n") if line.strip()), "")


def _choose_delimiter(text: str) -> tuple[str, int, int]:
    header_line = _first_line(text)
    for delimiter in DELIMITERS:
        header = next(csv.reader([header_line], delimiter=delimiter), [])
        question, answer = _columns(header)
        if question is not None and answer is not None:
            return delimiter, question, answer
    raise VragenrondeError(
        _("De kolommen kloppen niet. De eerste regel moet de kolomnamen \"vraag\" en \"antwoord\" bevatten "
          "(gescheiden door een komma of puntkomma); gevonden: %(found)s.", found=header_line[:200] or "—"), "file")


def _normalised(text: str) -> str:
    return " ".join(text.split()).casefold()


def parse_answers_csv(text: str, review_questions: Sequence[Question]) -> CsvPreview:
    """Every row with its error, if any. Wrong columns or an empty file raise :class:`VragenrondeError`."""
    if not text.strip():
        raise VragenrondeError(_("Het bestand is leeg."), "file")
    delimiter, question_column, answer_column = _choose_delimiter(text)
    by_number = {index + 1: question for index, question in enumerate(review_questions)}
    by_text = {_normalised(question.text): (index + 1, question) for index, question in enumerate(review_questions)}
    preview = CsvPreview(delimiter=delimiter)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=False)
    try:
        next(reader)  # the header, checked above
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            reference = cells[question_column].strip() if question_column < len(cells) else ""
            answer = cells[answer_column].strip() if answer_column < len(cells) else ""
            row = CsvRow(line=reader.line_num, question_ref=reference, text=answer)
            number = int(reference) if reference.isdigit() else None
            match = (number, by_number[number]) if number in by_number else by_text.get(_normalised(reference))
            if match is None:
                row.error = (_("Onbekende vraag: gebruik een nummer van 1 tot %(count)d of de precieze tekst van de "
                               "vraag.", count=len(by_number)) if by_number else _("Deze vragenronde heeft nog geen "
                                                                                  "vragen."))
            else:
                row.question_number, row.question_id = match[0], match[1].id
                if not answer:
                    row.error = _("Leeg antwoord.")
                elif len(answer) > ANSWER_LIMIT:
                    row.error = _("Te lang: %(length)d tekens, hoogstens %(max)d.", length=len(answer),
                                  max=ANSWER_LIMIT)
            preview.rows.append(row)
    except csv.Error as error:
        raise VragenrondeError(_("Het bestand kon niet worden gelezen als CSV (regel %(line)d): %(reason)s",
                                 line=reader.line_num, reason=str(error)), "file") from None
    if not preview.rows:
        raise VragenrondeError(_("Het bestand bevat geen antwoorden, alleen de kolomnamen."), "file")
    return preview


def import_answers(review: Review, preview: CsvPreview, *, actor: Any) -> int:
    """Store the valid rows of a checked file (source: csv); rows with an error are skipped."""
    if review.status == ReviewStatus.GESLOTEN.value:
        raise VragenrondeError(_("Deze vragenronde is gesloten; er kunnen geen antwoorden meer bij."))
    known = {question.id for question in questions(review)}
    rows = [row for row in preview.valid_rows if row.question_id in known]
    if not rows:
        raise VragenrondeError(_("Er zijn geen geldige regels om te importeren."))
    db.session.add_all([Answer(review_id=review.id, question_id=row.question_id, text=row.text,
                               source=AnswerSource.CSV.value) for row in rows])
    db.session.flush()
    record("imported", review, actor, count=len(rows), skipped=len(preview.rows) - len(rows))
    return len(rows)

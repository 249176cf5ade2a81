"""Forms of the vragenronde: questions, event codes, answers, the CSV import and the bloemlezing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, IntegerField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from learning.forms import BaseForm
from learning.i18n import _l
from learning.reflections.models import AnthologyVisibility, Question
from learning.reflections.vragenronde.base import ANSWER_LIMIT, INTRODUCTION_LIMIT, QUESTION_LIMIT
from learning.reflections.vragenronde.codes import CODE_HOURS_DEFAULT, CODE_HOURS_MAX


class QuestionForm(BaseForm):
    text = TextAreaField(
        _l("Vraag"), description=_l("Een open vraag, kort en in je eigen woorden."),
        validators=[InputRequired(_l("Schrijf de vraag op.")),
                    Length(max=QUESTION_LIMIT, message=_l("Hoogstens %(max)d tekens."))],
        render_kw={"rows": 2},
    )


class EventCodeForm(BaseForm):
    hours = IntegerField(
        _l("Geldig (uren)"), default=CODE_HOURS_DEFAULT,
        description=_l("Hoe lang de code werkt, van 1 tot 72 uur."),
        validators=[InputRequired(_l("Vul een aantal uren in.")),
                    NumberRange(min=1, max=CODE_HOURS_MAX, message=_l("Kies van %(min)s tot %(max)s uur."))],
        render_kw={"inputmode": "numeric", "min": 1, "max": CODE_HOURS_MAX},
    )


class EnterCodeForm(BaseForm):
    code = StringField(
        _l("Deelnamecode"), description=_l("De code van 8 tekens die de facilitator laat zien."),
        validators=[InputRequired(_l("Vul de deelnamecode in.")), Length(max=32)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )


class AnswerFormBase(BaseForm):
    """Answer fields are added per question by :func:`answer_form`."""

    question_fields: list[tuple[Question, Any]]


def answer_field_name(question: Question) -> str:
    return f"answer_{question.id}"


def answer_form(questions: Sequence[Question], *, with_code: bool = False, formdata: Any = None,
                code: str = "") -> AnswerFormBase:
    """A form with one optional text area per question (in order), and a code field when the code needs fixing."""

    class AnswerForm(AnswerFormBase):
        pass

    for index, question in enumerate(questions, start=1):
        setattr(AnswerForm, answer_field_name(question), TextAreaField(
            f"{index}. {question.text}",
            validators=[Optional(), Length(max=ANSWER_LIMIT, message=_l("Hoogstens %(max)d tekens."))],
            render_kw={"rows": 4},
        ))
    if with_code:
        AnswerForm.code = EnterCodeForm.code  # type: ignore[attr-defined]
    form = AnswerForm(formdata=formdata) if formdata is not None else AnswerForm()
    if with_code and not form.code.data:  # type: ignore[attr-defined]
        form.code.data = code  # type: ignore[attr-defined]
    form.question_fields = [(question, form[answer_field_name(question)]) for question in questions]
    return form


def answer_texts(form: AnswerFormBase) -> dict[int, str]:
    return {question.id: field.data or "" for question, field in form.question_fields}


class CsvUploadForm(BaseForm):
    file = FileField(
        _l("CSV-bestand"),
        description=_l("UTF-8, met een komma of puntkomma tussen de kolommen; de eerste regel bevat de kolomnamen "
                       "\"vraag\" en \"antwoord\"."),
        validators=[FileRequired(_l("Kies een bestand."))],
        render_kw={"accept": ".csv,text/csv"},
    )


class CsvConfirmForm(BaseForm):
    payload = HiddenField()
    expected = HiddenField()


class EditAnswerForm(BaseForm):
    text = TextAreaField(
        _l("Tekst in de bloemlezing"),
        description=_l("Alleen licht aanpassen voor de leesbaarheid; het origineel blijft bewaard. Leeg maken zet "
                       "het origineel terug."),
        validators=[Length(max=ANSWER_LIMIT, message=_l("Hoogstens %(max)d tekens."))],
        render_kw={"rows": 4},
    )


class IntroductionForm(BaseForm):
    introduction = TextAreaField(
        _l("Inleiding"),
        validators=[Length(max=INTRODUCTION_LIMIT, message=_l("Hoogstens %(max)d tekens."))],
        render_kw={"rows": 4},
    )


class HighlightForm(BaseForm):
    highlighted = HiddenField()


def visibility_choices() -> list[SelectChoice]:
    return [
        SelectChoice(AnthologyVisibility.MEMBERS.value, _l("Alleen voor de leden van deze vragenronde")),
        SelectChoice(AnthologyVisibility.PUBLIC.value, _l("Openbaar, voor iedereen met de link")),
    ]


class PublishForm(BaseForm):
    visibility = RadioField(_l("Voor wie is de bloemlezing?"), choices=visibility_choices,
                            validators=[InputRequired(_l("Kies voor wie de bloemlezing is."))])

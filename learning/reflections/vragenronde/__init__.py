"""The vragenronde: questions, event codes, answers (form, event code, CSV), highlights and the bloemlezing.

Services take explicit arguments (including ``actor``), flush, write the audit entry and
return; they never commit. A change that breaks a rule raises :class:`VragenrondeError`,
whose ``str()`` is a translated message for the person who made it.

The services live in small modules (``questionnaire``, ``codes``, ``answers``, ``csv_import``,
``anthology``, with the page/PDF content and its job in ``bloemlezing``); this package
re-exports them, so callers write ``vragenronde.add_question(...)``. The views are in
``views/`` and are registered by :mod:`learning.reflections`.
"""

from learning.reflections.models import AnthologyVisibility, PdfStatus
from learning.reflections.vragenronde.answers import (
    QuestionAnswers,
    answer_in,
    answers_by_question,
    edit_answer,
    move_highlight,
    set_highlight,
    submit_answers,
)
from learning.reflections.vragenronde.anthology import (
    anthology_for,
    anthology_of,
    highlight_count,
    is_published,
    public_anthology,
    publish_anthology,
    rerender_pdf,
    set_anthology_introduction,
    unpublish_anthology,
)
from learning.reflections.vragenronde.base import (
    ANSWER_LIMIT,
    INTRODUCTION_LIMIT,
    MAX_QUESTIONS,
    QUESTION_LIMIT,
    CodeProblem,
    VragenrondeError,
    is_vragenronde,
)
from learning.reflections.vragenronde.codes import (
    CODE_ALPHABET,
    CODE_HOURS_DEFAULT,
    CODE_HOURS_MAX,
    CODE_LENGTH,
    create_event_code,
    deactivate_event_code,
    event_code_in,
    event_codes,
    generate_code,
    normalise_code,
    usable_event_code,
)
from learning.reflections.vragenronde.csv_import import (
    ANSWER_HEADERS,
    DELIMITERS,
    QUESTION_HEADERS,
    CsvPreview,
    CsvRow,
    decode_upload,
    import_answers,
    parse_answers_csv,
)
from learning.reflections.vragenronde.questionnaire import (
    add_question,
    answer_count,
    copy_questions_from_method,
    method_prompts,
    move_question,
    question_in,
    questions,
    remove_question,
    set_question_introduction,
    update_question,
)

__all__ = [
    # base
    "ANSWER_LIMIT", "INTRODUCTION_LIMIT", "MAX_QUESTIONS", "QUESTION_LIMIT", "CodeProblem", "VragenrondeError",
    "is_vragenronde",
    # questionnaire
    "add_question", "answer_count", "copy_questions_from_method", "method_prompts", "move_question", "question_in",
    "questions", "remove_question", "set_question_introduction", "update_question",
    # codes
    "CODE_ALPHABET", "CODE_HOURS_DEFAULT", "CODE_HOURS_MAX", "CODE_LENGTH", "create_event_code",
    "deactivate_event_code", "event_code_in", "event_codes", "generate_code", "normalise_code", "usable_event_code",
    # answers
    "QuestionAnswers", "answer_in", "answers_by_question", "edit_answer", "move_highlight", "set_highlight",
    "submit_answers",
    # csv_import
    "ANSWER_HEADERS", "DELIMITERS", "QUESTION_HEADERS", "CsvPreview", "CsvRow", "decode_upload", "import_answers",
    "parse_answers_csv",
    # anthology
    "AnthologyVisibility", "PdfStatus", "anthology_for", "anthology_of", "highlight_count", "is_published",
    "public_anthology", "publish_anthology", "rerender_pdf", "set_anthology_introduction", "unpublish_anthology",
]

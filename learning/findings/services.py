"""Findings: creating and changing them, the promotion rules, status transitions, board questions.

Promotion rules: a finding rests on at least one lesson; only lessons at level keten or stelsel
can be among them (a finding is about the system, not about a person, team or organisation);
a person links and unlinks lessons of the reviews they edit only: lessons of other reviews stay
linked whatever their form says. A finding can be agreed only when every lesson is agreed in its
review. Every change is made on the version the person saw (``expected_version``); a stale one
overwrites nothing and raises a conflict.

Ids come from forms: one beyond what an integer column holds names no row and never reaches a
query (PostgreSQL would fail on the parameter).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from learning import audit
from learning.admin.models import Organisation, TaxonomyTerm, Vocabulary
from learning.auth.models import User
from learning.db import db, utcnow
from learning.findings import access
from learning.findings.models import Finding, FindingLesson, FindingStatus
from learning.findings.queries import policy_owner_choices
from learning.i18n import _, ngettext
from learning.lessons.ids import known_id
from learning.lessons.models import Lesson, LessonStatus
from learning.reviews.methods import swap_with_neighbour

TITLE_LIMIT = 200
TEXT_LIMIT = 10_000
QUESTION_LIMIT = 1_000
MAX_QUESTIONS = 20

ALLOWED_TRANSITIONS: dict[FindingStatus, frozenset[FindingStatus]] = {
    FindingStatus.CONCEPT: frozenset({FindingStatus.AGREED}),
    FindingStatus.AGREED: frozenset({FindingStatus.CONCEPT, FindingStatus.IN_BRIEF, FindingStatus.CLOSED}),
    FindingStatus.IN_BRIEF: frozenset({FindingStatus.ANSWERED}),
    FindingStatus.ANSWERED: frozenset({FindingStatus.CLOSED}),
    FindingStatus.CLOSED: frozenset(),
}
# Reviewers choose these on the finding page. "In notitie" and "beantwoord" follow from issuing a
# brief and from the board's response; those steps call change_status(..., by_reviewer=False).
CHOSEN_BY_REVIEWERS = frozenset({FindingStatus.CONCEPT, FindingStatus.AGREED, FindingStatus.CLOSED})
# Once agreed, a finding is what boards are asked about: to change it, take it back to concept first.
EDITABLE_STATUSES = frozenset({FindingStatus.CONCEPT})


class FindingError(ValueError):
    """A change that breaks a rule; ``str()`` is a translated message, ``field`` the form field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ChangedMeanwhile(FindingError):
    """A button pressed on a version someone else has since replaced: nothing was changed."""


@dataclass
class FindingConflict(Exception):
    """Someone else saved a newer version since this form was opened; nothing was overwritten.

    ``current`` and ``submitted`` map field names to the text to show side by side.
    """

    current: dict[str, str]
    submitted: dict[str, str]


@dataclass
class FindingInput:
    title: str
    pattern: str
    finding_type_id: int | None
    why_it_matters: str
    lesson_ids: list[int] = field(default_factory=list)
    organisation_ids: list[int] = field(default_factory=list)
    policy_owner_ids: list[int] = field(default_factory=list)


# --- checks ----------------------------------------------------------------------------------


def _check_texts(data: FindingInput) -> None:
    if not data.title.strip():
        raise FindingError(_("Geef de bevinding een titel."), "title")
    if len(data.title.strip()) > TITLE_LIMIT:
        raise FindingError(_("De titel is te lang: hoogstens %(limit)d tekens.", limit=TITLE_LIMIT), "title")
    for name in ("pattern", "why_it_matters"):
        if len(getattr(data, name)) > TEXT_LIMIT:
            raise FindingError(_("Deze tekst is te lang: hoogstens %(limit)d tekens.", limit=TEXT_LIMIT), name)


def _finding_type(term_id: int | None, current: TaxonomyTerm | None) -> TaxonomyTerm:
    term = db.session.get(TaxonomyTerm, term_id) if known_id(term_id) else None
    if term is None or term.vocabulary != Vocabulary.FINDING_TYPE.value or not (term.active or term == current):
        raise FindingError(_("Kies een soort bevinding uit de lijst."), "finding_type_id")
    return term


def _organisations(ids: Iterable[int], current: Iterable[Organisation]) -> list[Organisation]:
    wanted, kept = set(ids), {organisation.id for organisation in current}
    if not wanted:
        return []
    if not all(known_id(value) for value in wanted):
        raise FindingError(_("Kies organisaties uit de lijst."), "organisation_ids")
    found = list(db.session.scalars(sa.select(Organisation).where(
        Organisation.id.in_(wanted), sa.or_(Organisation.active.is_(True), Organisation.id.in_(kept)))
        .order_by(Organisation.name)))
    if len(found) != len(wanted):
        raise FindingError(_("Kies organisaties uit de lijst."), "organisation_ids")
    return found


def _policy_owners(ids: Iterable[int], current: Iterable[User]) -> list[User]:
    wanted = set(ids)
    if not wanted:
        return []
    allowed = {user_id for user_id, _label in policy_owner_choices(*(user.id for user in current))}
    if not wanted <= allowed:
        raise FindingError(_("Kies beleidseigenaren uit de lijst."), "policy_owner_ids")
    return list(db.session.scalars(sa.select(User).where(User.id.in_(wanted)).order_by(User.display_name)))


def _excerpt(text: str, length: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _level_refusal(lesson: Lesson) -> str:
    why = _("Alleen leerpunten op niveau keten of stelsel kunnen een bevinding worden: een bevinding gaat over "
            "het systeem, niet over één persoon, team of organisatie.")
    if lesson.level is None:
        what = _("Het leerpunt “%(text)s” heeft nog geen niveau.", text=_excerpt(lesson.text))
    else:
        what = _("Het leerpunt “%(text)s” staat op niveau %(level)s.", text=_excerpt(lesson.text),
                 level=lesson.level.label)
    return f"{what} {why}"


def _lessons_by_id(ids: Iterable[int]) -> dict[int, Lesson]:
    wanted = [lesson_id for lesson_id in ids if known_id(lesson_id)]
    if not wanted:
        return {}
    return {lesson.id: lesson for lesson in db.session.scalars(sa.select(Lesson).where(Lesson.id.in_(wanted)))}


def _chosen_lessons(actor: Any, lesson_ids: Iterable[int], current: list[Lesson]) -> list[Lesson]:
    """The lessons a finding will rest on, in order: those it kept, then the new ones as chosen.

    ``actor`` links and unlinks lessons of the reviews they edit only; lessons of other reviews stay,
    whatever the form says, so a reviewer of one review cannot take a shared finding away from
    another's. Those are the other reviewers' to keep at a system level (agreeing waits for it);
    every lesson ``actor`` links or keeps from their own reviews must be at a system level now.
    """
    ids = list(dict.fromkeys(lesson_ids))
    current_ids = [lesson.id for lesson in current]
    new_ids = [lesson_id for lesson_id in ids if lesson_id not in current_ids]
    found = _lessons_by_id(new_ids)
    editable = access.may_add_lessons_from(actor, {lesson.review_id for lesson in [*current, *found.values()]})
    for lesson_id in new_ids:
        if lesson_id not in found or found[lesson_id].review_id not in editable:
            raise FindingError(_("Je kunt alleen leerpunten koppelen uit reviews waarvan je (co-)reviewer bent. "
                                 "Kies leerpunten uit de lijst."), "lesson_ids")
    kept = [lesson for lesson in current if lesson.id in ids or lesson.review_id not in editable]
    chosen = kept + [found[lesson_id] for lesson_id in new_ids]
    if not chosen:
        raise FindingError(_("Een bevinding rust op minstens één leerpunt. Kies er een of meer uit de lijst."),
                           "lesson_ids")
    for lesson in chosen:
        if lesson.review_id in editable and not lesson.is_system_level:
            raise FindingError(_level_refusal(lesson), "lesson_ids")
    if not any(lesson.review_id in editable for lesson in chosen):
        raise FindingError(_("Houd minstens één leerpunt over uit een review waarvan jij (co-)reviewer bent; "
                             "anders kun je deze bevinding daarna zelf niet meer zien."), "lesson_ids")
    return chosen


def _require_editable(finding: Finding) -> None:
    if FindingStatus(finding.status) not in EDITABLE_STATUSES:
        raise FindingError(_("Deze bevinding is %(status)s en ligt daarmee vast. Zet haar eerst terug naar concept "
                             "om iets te wijzigen.", status=finding.status_label.lower()))


def missing_for_agreement(finding: Finding) -> list[str]:
    """What a finding still lacks before it can be agreed (vastgesteld); empty when ready."""
    missing = []
    if not finding.pattern.strip():
        missing.append(_("een beschrijving van het patroon in het systeem"))
    if not finding.why_it_matters.strip():
        missing.append(_("waarom het ertoe doet voor kinderen en gezinnen"))
    if not finding.board_questions:
        missing.append(_("minstens één vraag aan bestuurders"))
    if not finding.lesson_links:
        missing.append(_("minstens één leerpunt"))
    else:
        if not all(lesson.is_system_level for lesson in finding.lessons):
            missing.append(_("alleen leerpunten op niveau keten of stelsel"))
        # Boards are asked about what the reviews agreed, never about a draft.
        concept = sum(lesson.status != LessonStatus.AGREED.value for lesson in finding.lessons)
        if concept:
            missing.append(ngettext("alleen vastgestelde leerpunten: %(num)d leerpunt is in zijn review nog concept",
                                    "alleen vastgestelde leerpunten: %(num)d leerpunten zijn in hun review nog "
                                    "concept", concept))
    return missing


def addable_lesson(actor: Any, lesson_id: int | None) -> tuple[Lesson | None, str | None]:
    """The lesson to start a finding from, or None with the reason it cannot be used."""
    lesson = db.session.get(Lesson, lesson_id) if known_id(lesson_id) else None
    if lesson is None or not access.may_add_lessons_from(actor, [lesson.review_id]):
        return None, _("Dit leerpunt kun je niet aan een bevinding koppelen: het hoort niet bij een review "
                       "waarvan je (co-)reviewer bent.")
    if not lesson.is_system_level:
        return None, _level_refusal(lesson)
    return lesson, None


# --- conflicts -------------------------------------------------------------------------------


def _lessons_text(lessons: list[Lesson], reader: Any) -> str:
    readable, hidden = access.readable_lesson_ids(reader, lessons), _("leerpunt uit een andere review")
    return "\n".join(f"– {_excerpt(lesson.text) if lesson.id in readable else hidden}" for lesson in lessons)


def _names(items: Iterable[Any], attribute: str) -> str:
    return ", ".join(getattr(item, attribute) for item in items)


def _questions_text(questions: Iterable[str]) -> str:
    return "\n".join(f"{number}. {question}" for number, question in enumerate(questions, start=1))


def _current_state(finding: Finding, reader: Any) -> dict[str, str]:
    return {
        "title": finding.title, "pattern": finding.pattern, "finding_type": finding.finding_type.label,
        "why_it_matters": finding.why_it_matters, "lessons": _lessons_text(finding.lessons, reader),
        "organisations": _names(finding.organisations, "name"),
        "policy_owners": _names(finding.policy_owners, "display_name"),
        "board_questions": _questions_text(finding.board_questions),
        "status": finding.status_label,
    }


def _known(ids: Iterable[int]) -> list[int]:
    return [value for value in ids if known_id(value)]


def _submitted_state(data: FindingInput, reader: Any) -> dict[str, str]:
    """What the person sent, in the same words as ``_current_state`` (ids only of things they may see)."""
    lessons = list(_lessons_by_id(data.lesson_ids).values())
    order = {lesson_id: index for index, lesson_id in enumerate(data.lesson_ids)}
    lessons.sort(key=lambda lesson: order[lesson.id])
    finding_type = db.session.get(TaxonomyTerm, data.finding_type_id) if known_id(data.finding_type_id) else None
    organisations = db.session.scalars(sa.select(Organisation).where(
        Organisation.id.in_(_known(data.organisation_ids))).order_by(Organisation.name))
    owners = db.session.scalars(sa.select(User).where(User.id.in_(_known(data.policy_owner_ids)))
                                .order_by(User.display_name))
    return {
        "title": data.title, "pattern": data.pattern,
        "finding_type": finding_type.label if finding_type is not None else "",
        "why_it_matters": data.why_it_matters, "lessons": _lessons_text(lessons, reader),
        "organisations": _names(organisations, "name"), "policy_owners": _names(owners, "display_name"),
    }


# What the person sent, as text to show beside the current version; built only when there is a conflict.
Submitted = Callable[[], dict[str, str]]


def _changed_meanwhile() -> ChangedMeanwhile:
    return ChangedMeanwhile(_("Iemand anders heeft deze bevinding intussen gewijzigd. Er is niets veranderd; "
                              "bekijk de huidige versie en probeer het opnieuw."))


def _check_version(finding: Finding, expected_version: int, actor: Any, submitted: Submitted | None) -> None:
    """A change made on an older version overwrites nothing: a conflict to compare, or a notice."""
    if finding.version == expected_version:
        return
    if submitted is None:
        raise _changed_meanwhile()
    raise FindingConflict(current=_current_state(finding, actor), submitted=submitted())


def _save(finding: Finding, actor: Any, submitted: Submitted | None) -> None:
    """Write the change, raising the version by one. Two saves racing on one version: the later
    UPDATE matches no row; its transaction is rolled back and the person sees the winner's version."""
    finding.updated_at = utcnow()
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        if submitted is None:
            raise _changed_meanwhile() from None
        raise FindingConflict(current=_current_state(finding, actor), submitted=submitted()) from None


# --- changing --------------------------------------------------------------------------------


def create_finding(data: FindingInput, *, actor: Any) -> Finding:
    """A concept finding resting on the chosen lessons, with no board questions yet."""
    _check_texts(data)
    finding_type = _finding_type(data.finding_type_id, None)
    lessons = _chosen_lessons(actor, data.lesson_ids, [])
    finding = Finding(
        title=data.title.strip(), pattern=data.pattern.strip(), finding_type=finding_type,
        why_it_matters=data.why_it_matters.strip(), board_questions=[], created_by_id=actor.id,
        status=FindingStatus.CONCEPT.value,
    )
    finding.lesson_links = [FindingLesson(lesson_id=lesson.id, position=index) for index, lesson in enumerate(lessons)]
    finding.organisations = _organisations(data.organisation_ids, [])
    finding.policy_owners = _policy_owners(data.policy_owner_ids, [])
    db.session.add(finding)
    db.session.flush()
    audit.record("finding.created", actor=actor, object_type="finding", object_id=finding.id,
                 lesson_ids=[lesson.id for lesson in lessons])
    return finding


TEXT_FIELDS = ("title", "pattern", "why_it_matters")


def update_finding(finding: Finding, data: FindingInput, *, expected_version: int, actor: Any) -> list[str]:
    """Apply an edit made on version ``expected_version``; returns the names of the changed fields."""
    submitted = lambda: _submitted_state(data, actor)
    _check_version(finding, expected_version, actor, submitted)
    _require_editable(finding)
    _check_texts(data)
    finding_type = _finding_type(data.finding_type_id, finding.finding_type)
    lessons = _chosen_lessons(actor, data.lesson_ids, finding.lessons)
    organisations = _organisations(data.organisation_ids, finding.organisations)
    owners = _policy_owners(data.policy_owner_ids, finding.policy_owners)
    cleaned = {name: getattr(data, name).strip() for name in TEXT_FIELDS}
    changed = [name for name in TEXT_FIELDS if getattr(finding, name) != cleaned[name]]
    if finding.finding_type_id != finding_type.id:
        changed.append("finding_type")
    if [lesson.id for lesson in finding.lessons] != [lesson.id for lesson in lessons]:
        changed.append("lessons")
    if {o.id for o in finding.organisations} != {o.id for o in organisations}:
        changed.append("organisations")
    if {u.id for u in finding.policy_owners} != {u.id for u in owners}:
        changed.append("policy_owners")
    if not changed:
        return []
    # No autoflush halfway: the change is one UPDATE of the finding row, one version step.
    with db.session.no_autoflush:
        for name in TEXT_FIELDS:
            setattr(finding, name, cleaned[name])
        finding.finding_type = finding_type
        if "lessons" in changed:
            kept = {link.lesson_id: link for link in finding.lesson_links}
            finding.lesson_links = [kept.get(lesson.id) or FindingLesson(lesson_id=lesson.id) for lesson in lessons]
            for position, link in enumerate(finding.lesson_links):
                link.position = position
        finding.organisations, finding.policy_owners = organisations, owners
    audit.record("finding.updated", actor=actor, object_type="finding", object_id=finding.id, fields=changed)
    _save(finding, actor, submitted)
    return changed


def next_statuses(finding: Finding) -> list[FindingStatus]:
    """The statuses a reviewer can move this finding to from the finding page."""
    order = list(FindingStatus)
    allowed = ALLOWED_TRANSITIONS[FindingStatus(finding.status)] & CHOSEN_BY_REVIEWERS
    return sorted(allowed, key=order.index)


def change_status(finding: Finding, new_status: str, *, actor: Any, expected_version: int | None = None,
                  by_reviewer: bool = True) -> None:
    """Move a finding along ``ALLOWED_TRANSITIONS``. Reviewers may choose only ``CHOSEN_BY_REVIEWERS``."""
    if expected_version is not None:
        _check_version(finding, expected_version, actor, None)
    current = FindingStatus(finding.status)
    try:
        target = FindingStatus(new_status)
    except ValueError:
        raise FindingError(_("Onbekende status.")) from None
    if target not in ALLOWED_TRANSITIONS[current] or (by_reviewer and target not in CHOSEN_BY_REVIEWERS):
        raise FindingError(_("Van %(current)s kan een bevinding niet naar %(target)s.",
                             current=current.label.lower(), target=target.label.lower()))
    if target == FindingStatus.AGREED:
        missing = missing_for_agreement(finding)
        if missing:
            raise FindingError(_("Om de bevinding vast te stellen ontbreekt nog: %(missing)s.",
                                 missing="; ".join(missing)))
        finding.agreed_at = utcnow()
    elif target == FindingStatus.CONCEPT:
        finding.agreed_at = None
    finding.status = target.value
    audit.record("finding.status_changed", actor=actor, object_type="finding", object_id=finding.id,
                 old=current.value, new=target.value)
    _save(finding, actor, None)


# --- the order of lessons and the questions for the board ------------------------------------


def move_lesson(finding: Finding, lesson_id: int, direction: str, *, expected_version: int, actor: Any) -> None:
    """Move a lesson one place up or down; at either end nothing happens."""
    _check_version(finding, expected_version, actor, None)
    _require_editable(finding)
    link = next((each for each in finding.lesson_links if each.lesson_id == lesson_id), None)
    if link is None:
        raise FindingError(_("Dit leerpunt hoort niet (meer) bij deze bevinding."))
    if swap_with_neighbour(list(finding.lesson_links), link, direction):
        finding.lesson_links.sort(key=lambda each: each.position)
        audit.record("finding.updated", actor=actor, object_type="finding", object_id=finding.id, fields=["lessons"])
        _save(finding, actor, None)


def _clean_question(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise FindingError(_("Schrijf een vraag."), "question")
    if len(text) > QUESTION_LIMIT:
        raise FindingError(_("Deze vraag is te lang: hoogstens %(limit)d tekens.", limit=QUESTION_LIMIT), "question")
    return text


def _question_index(finding: Finding, index: int) -> int:
    if not 0 <= index < len(finding.board_questions):
        raise FindingError(_("Deze vraag bestaat niet (meer)."))
    return index


def _questions_changed(finding: Finding, questions: list[str], actor: Any, submitted: Submitted | None) -> None:
    finding.board_questions = questions  # a new list: the JSON column sees the change
    audit.record("finding.updated", actor=actor, object_type="finding", object_id=finding.id,
                 fields=["board_questions"])
    _save(finding, actor, submitted)


def add_board_question(finding: Finding, text: str, *, expected_version: int, actor: Any) -> None:
    mine = lambda: {"board_questions": text}
    _check_version(finding, expected_version, actor, mine)
    _require_editable(finding)
    question = _clean_question(text)
    if len(finding.board_questions) >= MAX_QUESTIONS:
        raise FindingError(_("Een bevinding heeft hoogstens %(limit)d vragen aan bestuurders.", limit=MAX_QUESTIONS),
                           "question")
    _questions_changed(finding, [*finding.board_questions, question], actor, mine)


def update_board_question(finding: Finding, index: int, text: str, *, expected_version: int, actor: Any) -> None:
    mine = lambda: {"board_questions": text}
    _check_version(finding, expected_version, actor, mine)
    _require_editable(finding)
    index = _question_index(finding, index)
    questions = list(finding.board_questions)
    questions[index] = _clean_question(text)
    if questions != finding.board_questions:
        _questions_changed(finding, questions, actor, mine)


def remove_board_question(finding: Finding, index: int, *, expected_version: int, actor: Any) -> None:
    _check_version(finding, expected_version, actor, None)
    _require_editable(finding)
    index = _question_index(finding, index)
    _questions_changed(finding, [q for position, q in enumerate(finding.board_questions) if position != index],
                       actor, None)


def move_board_question(finding: Finding, index: int, direction: str, *, expected_version: int, actor: Any) -> None:
    """Move a question one place up or down; at either end nothing happens."""
    _check_version(finding, expected_version, actor, None)
    _require_editable(finding)
    index = _question_index(finding, index)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(finding.board_questions):
        return
    questions = list(finding.board_questions)
    questions[index], questions[target] = questions[target], questions[index]
    _questions_changed(finding, questions, actor, None)

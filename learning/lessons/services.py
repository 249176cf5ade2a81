"""Capturing lessons: write, edit with conflict detection, agree, set back, delete, link evidence.

Every function takes the person's ``ReviewAccess`` and refuses what their role does not allow,
so the rules hold whichever screen calls them. Services flush and audit; the request commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from learning import audit
from learning.admin.models import TaxonomyTerm, Vocabulary
from learning.db import db, utcnow
from learning.i18n import _
from learning.lessons import evidence, themes
from learning.lessons.ids import known_id
from learning.lessons.models import Lesson, LessonStatus, Polarity
from learning.reflections.models import Contribution, ContributionStatus, Reflection, Visibility
from learning.reviews import privacy
from learning.reviews.access import ReviewAccess
from learning.reviews.privacy import PersonalDataFound

TEXT_LIMIT = 5_000


class LessonError(ValueError):
    """A change that breaks a rule; ``str()`` is a translated message, ``field`` the form field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class LessonInput:
    text: str
    level_id: int | None = None
    polarity: str = Polarity.IMPROVE.value
    themes: list[str] = field(default_factory=list)
    principle_ids: list[int] = field(default_factory=list)

    def texts_to_check(self) -> dict[str, tuple[str, str]]:
        return {"text": (_("Leerpunt"), self.text),
                "themes": (_("Thema's"), ", ".join(themes.parse_themes(self.themes)))}


@dataclass
class LessonConflict(Exception):
    """Someone saved the lesson since this form was opened; nothing was overwritten.

    ``current`` and ``submitted`` hold both versions as the reader sees them (labels, not ids).
    """

    lesson: Lesson
    current: dict[str, str]
    submitted: dict[str, str]


def _require_editor(access: ReviewAccess) -> None:
    if not access.can_edit:
        raise LessonError(_("Alleen reviewers leggen leerpunten vast en wijzigen ze."))


# --- loading ----------------------------------------------------------------------------------


def lesson_in(access: ReviewAccess, lesson_id: int) -> Lesson | None:
    """A lesson of this review that this person may see (members: agreed ones), or None (404)."""
    if not known_id(lesson_id):
        return None
    query = sa.select(Lesson).where(Lesson.id == lesson_id, Lesson.review_id == access.review.id)
    if not access.can_edit:
        query = query.where(Lesson.status == LessonStatus.AGREED.value)
    return db.session.scalar(query)


@dataclass(frozen=True)
class ListedLesson:
    lesson: Lesson
    evidence_count: int


def lessons_of(access: ReviewAccess, status: str | None = None) -> list[ListedLesson]:
    """The review's lessons this person may read, concepts first, newest first, in three queries."""
    query = (
        sa.select(Lesson, evidence.evidence_count(access)).where(Lesson.review_id == access.review.id)
        .options(sa.orm.selectinload(Lesson.themes), sa.orm.selectinload(Lesson.principles))
        .order_by(Lesson.status.desc(), Lesson.created_at.desc(), Lesson.id.desc())  # "concept" before "agreed"
    )
    if not access.can_edit:
        query = query.where(Lesson.status == LessonStatus.AGREED.value)
    elif status in {s.value for s in LessonStatus}:
        query = query.where(Lesson.status == status)
    return [ListedLesson(lesson, count) for lesson, count in db.session.execute(query)]


# --- checking input ---------------------------------------------------------------------------


def _terms(vocabulary: Vocabulary, ids: Iterable[int], keep: Iterable[TaxonomyTerm]) -> list[TaxonomyTerm] | None:
    """Active terms of the vocabulary with these ids (terms already chosen stay valid if switched off
    since), or None if any id is not such a term."""
    wanted = set(ids)
    if not wanted:
        return []
    if not all(known_id(value) for value in wanted):
        return None
    kept = {term.id for term in keep}
    found = list(db.session.scalars(sa.select(TaxonomyTerm).where(
        TaxonomyTerm.id.in_(wanted), TaxonomyTerm.vocabulary == vocabulary.value,
        sa.or_(TaxonomyTerm.active.is_(True), TaxonomyTerm.id.in_(kept)))
        .order_by(TaxonomyTerm.position)))
    return found if len(found) == len(wanted) else None


@dataclass
class _Checked:
    text: str
    level: TaxonomyTerm | None
    principles: list[TaxonomyTerm]
    theme_names: list[str]


def _check(data: LessonInput, *, lesson: Lesson | None = None) -> _Checked:
    text = data.text.strip()
    if not text:
        raise LessonError(_("Schrijf op wat er geleerd is."), "text")
    if len(text) > TEXT_LIMIT:
        raise LessonError(_("Deze tekst is te lang: hoogstens %(limit)d tekens.", limit=TEXT_LIMIT), "text")
    if data.polarity not in {p.value for p in Polarity}:
        raise LessonError(_("Kies of dit gaat over wat werkt of over wat beter kan."), "polarity")
    level = None
    if data.level_id:
        levels = _terms(Vocabulary.LEVEL, [data.level_id], [lesson.level] if lesson and lesson.level else [])
        if levels is None:
            raise LessonError(_("Kies een niveau uit de lijst."), "level_id")
        [level] = levels
    if level is None and lesson is not None and lesson.status == LessonStatus.AGREED.value:
        raise LessonError(_("Een vastgesteld leerpunt heeft een niveau. Kies er een, of zet het leerpunt eerst "
                            "terug naar concept."), "level_id")
    principles = _terms(Vocabulary.PRINCIPLE, data.principle_ids, lesson.principles if lesson else [])
    if principles is None:
        raise LessonError(_("Kies principes uit de lijst."), "principle_ids")
    names = themes.parse_themes(data.themes)
    if any(len(themes.theme_key(name)) > themes.NAME_LIMIT for name in names):  # folding can lengthen ("ß")
        raise LessonError(_("Een thema is hoogstens %(limit)d tekens lang.", limit=themes.NAME_LIMIT), "themes")
    if len(names) > themes.THEMES_PER_LESSON:
        raise LessonError(_("Geef een leerpunt hoogstens %(count)d thema's.", count=themes.THEMES_PER_LESSON),
                          "themes")
    return _Checked(text, level, principles, names)


def _guard(access: ReviewAccess, data: LessonInput, confirming: Iterable[str]) -> list:
    return privacy.check_fields(data.texts_to_check(), review_id=access.review.id, author_id=access.user.id,
                                confirming=confirming)


# --- writing ----------------------------------------------------------------------------------


def create_lesson(access: ReviewAccess, data: LessonInput, *, confirming: Iterable[str] = ()) -> Lesson:
    """A concept lesson; the level may still be open."""
    _require_editor(access)
    checked = _check(data)
    confirmed = _guard(access, data, confirming)
    lesson = Lesson(review_id=access.review.id, text=checked.text, level=checked.level, polarity=data.polarity,
                    status=LessonStatus.CONCEPT.value, created_by_id=access.user.id)
    lesson.principles = checked.principles
    lesson.themes = themes.themes_for(checked.theme_names)
    db.session.add(lesson)
    db.session.flush()
    privacy.record_confirmations(confirmed, actor=access.user, review_id=access.review.id)
    audit.record("lesson.created", actor=access.user, object_type="review", object_id=access.review.id,
                 lesson_id=lesson.id)
    return lesson


def shown_values(lesson: Lesson) -> dict[str, str]:
    """A lesson's fields as a reader sees them, to compare two versions."""
    return {
        "text": lesson.text,
        "level": lesson.level.label if lesson.level else "",
        "polarity": lesson.polarity_label,
        "themes": ", ".join(theme.name for theme in lesson.themes),
        "principles": ", ".join(term.label for term in lesson.principles),
    }


def _shown_input(data: LessonInput) -> dict[str, str]:
    # Unchecked input: an id beyond an integer names no term and must not reach the query.
    ids = {value for value in (data.level_id, *data.principle_ids) if known_id(value)}
    terms = {term.id: term for term in db.session.scalars(
        sa.select(TaxonomyTerm).where(TaxonomyTerm.id.in_(ids)))} if ids else {}
    level = terms.get(data.level_id) if data.level_id else None
    polarity = Polarity(data.polarity).label if data.polarity in {p.value for p in Polarity} else ""
    return {
        "text": data.text,
        "level": level.label if level else "",
        "polarity": polarity,
        "themes": ", ".join(themes.parse_themes(data.themes)),
        "principles": ", ".join(terms[i].label for i in data.principle_ids if i in terms),
    }


def _conflict(lesson: Lesson, data: LessonInput) -> LessonConflict:
    return LessonConflict(lesson, current=shown_values(lesson), submitted=_shown_input(data))


def _save(lesson: Lesson, on_conflict: Any) -> None:
    """Flush the change; if another request saved in between, the version check in the UPDATE catches it."""
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise on_conflict() from None


def update_lesson(access: ReviewAccess, lesson: Lesson, data: LessonInput, *, expected_version: int,
                  confirming: Iterable[str] = ()) -> list[str]:
    """Apply an edit made on version ``expected_version``; returns the names of the changed fields."""
    _require_editor(access)
    if lesson.version != expected_version:
        raise _conflict(lesson, data)
    checked = _check(data, lesson=lesson)
    confirmed = _guard(access, data, confirming)
    before = shown_values(lesson)
    new_themes = themes.themes_for(checked.theme_names)
    # One UPDATE, one version step: no autoflush halfway, and updated_at set so that a change to
    # the themes or principles alone still raises the version.
    with db.session.no_autoflush:
        lesson.text, lesson.level, lesson.polarity = checked.text, checked.level, data.polarity
        lesson.principles, lesson.themes = checked.principles, new_themes
        changed = [name for name, value in shown_values(lesson).items() if value != before[name]]
        if changed:
            lesson.updated_at = utcnow()
    _save(lesson, lambda: _conflict(lesson, data))
    privacy.record_confirmations(confirmed, actor=access.user, review_id=access.review.id)
    if changed:
        audit.record("lesson.updated", actor=access.user, object_type="review", object_id=access.review.id,
                     lesson_id=lesson.id, fields=changed)
    return changed


def _changed_meanwhile() -> LessonError:
    return LessonError(_("Dit leerpunt is intussen gewijzigd. Bekijk de huidige tekst en probeer het opnieuw."))


def _stale(lesson: Lesson, expected_version: int | None) -> None:
    if expected_version is not None and lesson.version != expected_version:
        raise _changed_meanwhile()


def agree_lesson(access: ReviewAccess, lesson: Lesson, *, expected_version: int | None = None) -> None:
    """Vastgesteld: needs a level, and text that passes the personal-data guard (it travels further)."""
    _require_editor(access)
    _stale(lesson, expected_version)
    if lesson.status == LessonStatus.AGREED.value:
        return
    if not lesson.text.strip():
        raise LessonError(_("Schrijf eerst de tekst van het leerpunt: een leerpunt zonder tekst kan niet worden "
                            "vastgesteld."), "text")
    if lesson.level is None:
        raise LessonError(_("Kies eerst een niveau: een leerpunt zonder niveau kan niet worden vastgesteld."),
                          "level_id")
    data = LessonInput(text=lesson.text, themes=[theme.name for theme in lesson.themes])
    try:
        _guard(access, data, confirming=())
    except PersonalDataFound:
        raise LessonError(_("De tekst lijkt persoonsgegevens te bevatten. Open het leerpunt, pas de tekst aan of "
                            "bevestig dat hij gepseudonimiseerd is, en stel het daarna vast.")) from None
    lesson.status, lesson.agreed_at = LessonStatus.AGREED.value, utcnow()
    _save(lesson, lambda: LessonError(_("Dit leerpunt is intussen gewijzigd. Probeer het opnieuw.")))
    audit.record("lesson.agreed", actor=access.user, object_type="review", object_id=access.review.id,
                 lesson_id=lesson.id)


def reopen_lesson(access: ReviewAccess, lesson: Lesson, *, expected_version: int | None = None) -> None:
    """Back to concept: members no longer read it until it is agreed again."""
    _require_editor(access)
    _stale(lesson, expected_version)
    if lesson.status == LessonStatus.CONCEPT.value:
        return
    lesson.status, lesson.agreed_at = LessonStatus.CONCEPT.value, None
    _save(lesson, lambda: LessonError(_("Dit leerpunt is intussen gewijzigd. Probeer het opnieuw.")))
    audit.record("lesson.updated", actor=access.user, object_type="review", object_id=access.review.id,
                 lesson_id=lesson.id, fields=["status"], status=LessonStatus.CONCEPT.value)


def delete_lesson(access: ReviewAccess, lesson: Lesson, *, expected_version: int | None = None) -> None:
    """Only a concept is deleted; an agreed lesson is set back to concept first, on purpose.

    The DELETE carries the version this request read, so a lesson agreed by another request meanwhile
    is not deleted behind its back: that is "changed meanwhile", like a stale page.
    """
    _require_editor(access)
    _stale(lesson, expected_version)
    if lesson.status != LessonStatus.CONCEPT.value:
        raise LessonError(_("Een vastgesteld leerpunt verwijder je niet. Zet het eerst terug naar concept."))
    lesson_id = lesson.id
    try:
        with db.session.begin_nested():
            db.session.delete(lesson)
    except sa.exc.IntegrityError:
        # A later step (a finding) rests on this lesson; the database refuses to let it go.
        raise LessonError(_("Op dit leerpunt rust een bevinding. Haal het eerst uit die bevinding.")) from None
    except StaleDataError:
        raise _changed_meanwhile() from None
    audit.record("lesson.deleted", actor=access.user, object_type="review", object_id=access.review.id,
                 lesson_id=lesson_id)


# --- evidence ---------------------------------------------------------------------------------


@dataclass
class EvidenceChoice:
    reflection_ids: list[int] = field(default_factory=list)
    episode_ids: list[int] = field(default_factory=list)
    contribution_ids: list[int] = field(default_factory=list)

    def ids(self) -> Mapping[str, list[int]]:
        return {"reflection": self.reflection_ids, "episode": self.episode_ids, "contribution": self.contribution_ids}


@dataclass
class EvidenceConflict(Exception):
    """The lesson changed since the picker was opened; both selections, as labels."""

    current: list[evidence.EvidenceItem]
    submitted: list[evidence.EvidenceItem]


def set_evidence(access: ReviewAccess, lesson: Lesson, choice: EvidenceChoice, *, expected_version: int) -> bool:
    """Link exactly the chosen items (of those this person can see). Refuses the whole choice if one item
    is not this review's or not visible to them: nothing is saved. Returns whether anything changed."""
    _require_editor(access)
    ids = choice.ids()
    items = {kind.name: evidence.chosen(access, kind, ids[kind.name]) for kind in evidence.KINDS}
    if lesson.version != expected_version:
        db.session.refresh(lesson)
        shown = evidence.pickable(access)
        everything = shown.reflections + shown.episodes + shown.contributions
        now, mine = evidence.linked_ids(access, lesson), {name: set(values) for name, values in ids.items()}
        raise EvidenceConflict(current=[item for item in everything if item.id in now[item.kind]],
                               submitted=[item for item in everything if item.id in mine[item.kind]])
    seen = evidence.linked_ids(access, lesson)
    changed = [kind.collection for kind in evidence.KINDS
               if evidence.replace_links(lesson, kind, items[kind.name], seen[kind.name])]
    if not changed:
        return False
    lesson.updated_at = utcnow()  # the links live in other tables; this raises the version
    _save(lesson, lambda: LessonError(_("Dit leerpunt is intussen gewijzigd. Kies opnieuw.")))
    audit.record("lesson.updated", actor=access.user, object_type="review", object_id=access.review.id,
                 lesson_id=lesson.id, fields=["evidence"], evidence=changed)
    return True


# --- in one click from what was said ----------------------------------------------------------------


def contribution_source(access: ReviewAccess, contribution_id: int) -> Contribution | None:
    """A contribution this person may turn into a lesson (of this review, not hidden), or None (404)."""
    if not known_id(contribution_id):
        return None
    return db.session.scalar(sa.select(Contribution).where(
        Contribution.id == contribution_id, evidence.contribution_condition(access)))


def reflection_source(access: ReviewAccess, reflection_id: int) -> Reflection | None:
    """A submitted reflection of this review this person may read, or None (404)."""
    if not known_id(reflection_id):
        return None
    return db.session.scalar(sa.select(Reflection).where(
        Reflection.id == reflection_id, evidence.reflection_condition(access)))


def _prefilled(text: str) -> str:
    text = text.strip()
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1].rstrip() + "…"


def _from_source(access: ReviewAccess, text: str | None, kind: evidence.Kind, source: Any) -> Lesson:
    """A concept linked to ``source``, its text copied from it; ``None``: the reviewer writes the text.

    The text is already inside this review; the personal-data guard runs when the lesson is saved or agreed.
    """
    _require_editor(access)
    lesson = Lesson(review_id=access.review.id, text="" if text is None else _prefilled(text) or "…",
                    status=LessonStatus.CONCEPT.value, polarity=Polarity.IMPROVE.value, created_by_id=access.user.id)
    getattr(lesson, kind.collection).append(source)
    db.session.add(lesson)
    db.session.flush()
    audit.record("lesson.created", actor=access.user, object_type="review", object_id=access.review.id,
                 lesson_id=lesson.id, source=kind.name, copied=text is not None)
    return lesson


# A lesson travels further than its source: once agreed every member reads it, and in a vote the
# voters read the concept. Text the group has not seen (a reflection for reviewers only, a contribution
# held for moderation) is therefore not copied: the reviewer rewrites it in their own words.


def lesson_from_contribution(access: ReviewAccess, contribution: Contribution) -> Lesson:
    seen_by_group = contribution.status == ContributionStatus.VISIBLE.value
    return _from_source(access, contribution.text if seen_by_group else None, evidence.CONTRIBUTIONS, contribution)


def lesson_from_reflection(access: ReviewAccess, reflection: Reflection) -> Lesson:
    seen_by_group = reflection.visibility in {Visibility.GROUP.value, Visibility.ANONYMOUS.value}
    return _from_source(access, evidence.reflection_text(reflection) if seen_by_group else None,
                        evidence.REFLECTIONS, reflection)


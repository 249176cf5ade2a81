"""Publishing to the library and withdrawing from it.

A lead reviewer publishes an agreed lesson, or a finding past its concept stage, in three
steps: edit a draft (title and body prefilled from the source), pass the anonymisation check
(the personal-data guard, plus a check that no review title or member name of the source
review(s) is in the text), and confirm a preview that is rendered from the very item
:func:`projection` builds, so the preview is what readers will see.

Only these travel to the item: title and body as approved, review kind, region (none when a
finding spans several regions), year, level, themes (those the lead keeps), principles,
finding type, polarity. Never authors, participant names, the review title, case text or
source reflections.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask_babel import format_date

from learning import audit
from learning.admin.models import TaxonomyTerm
from learning.auth.models import User
from learning.db import db, utcnow
from learning.findings.library.access import PublishSource
from learning.findings.library.models import LibraryItem, library_item_themes
from learning.findings.library.search import index_terms, normalise
from learning.findings.models import FindingStatus
from learning.i18n import _
from learning.lessons.models import LessonStatus, Theme
from learning.reviews import privacy
from learning.reviews.models import Review, ReviewMember

TITLE_LIMIT = 200
BODY_LIMIT = 10_000
REASON_LIMIT = 1000
# Shorter names ("Ab") would match inside ordinary words.
SHORTEST_NAME_CHECKED = 4


class PublishError(Exception):
    """A reason the source cannot be published (as it is, or at all); shown to the lead as is."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class Draft:
    title: str
    body: str
    theme_ids: list[int] = field(default_factory=list)


def published_item_for(*, lesson_id: int | None = None, finding_id: int | None = None) -> LibraryItem | None:
    """The item a lesson or finding is in the library as (not withdrawn), if any."""
    if (lesson_id is None) == (finding_id is None):
        raise ValueError("give a lesson_id or a finding_id")
    column = LibraryItem.lesson_id if lesson_id is not None else LibraryItem.finding_id
    return db.session.scalar(sa.select(LibraryItem).where(
        column == (lesson_id if lesson_id is not None else finding_id), LibraryItem.withdrawn_at.is_(None))
        .order_by(LibraryItem.published_at.desc()).limit(1))


def check_publishable(source: PublishSource) -> None:
    """Raise PublishError when this source cannot go to the library at all (whatever the text)."""
    if source.lesson is not None and source.lesson.status != LessonStatus.AGREED.value:
        raise PublishError(_("Alleen een vastgesteld leerpunt kan naar de bibliotheek. Stel het eerst vast."))
    if source.finding is not None and source.finding.status == FindingStatus.CONCEPT.value:
        raise PublishError(_("Een bevinding in concept kan niet naar de bibliotheek. Stel haar eerst vast."))
    existing = published_item_for(**{f"{source.kind.value}_id": source.id})
    if existing is not None:
        raise PublishError(_("Dit staat al in de bibliotheek (sinds %(date)s). Trek het eerst terug om het "
                             "opnieuw te publiceren.", date=format_date(existing.published_at, "long")))


def _lessons(source: PublishSource) -> list:
    return [source.lesson] if source.lesson is not None else source.finding.lessons


def source_themes(source: PublishSource) -> list[Theme]:
    themes = {theme.id: theme for lesson in _lessons(source) for theme in lesson.themes}
    return sorted(themes.values(), key=lambda theme: theme.key)


def draft_from(source: PublishSource) -> Draft:
    """The text the lead starts from: the lesson's text, or the finding's title, pattern, why and questions."""
    themes = [theme.id for theme in source_themes(source)]
    if source.lesson is not None:
        text = source.lesson.text.strip()
        first_line = text.splitlines()[0] if text else ""
        title = first_line if len(first_line) <= 120 else first_line[:117].rsplit(" ", 1)[0] + "…"
        return Draft(title=title, body=text, theme_ids=themes)
    finding = source.finding
    parts = [finding.pattern.strip()]
    if finding.why_it_matters.strip():
        parts.append(_("Waarom dit ertoe doet voor kinderen en gezinnen:") + "\n" + finding.why_it_matters.strip())
    questions = [question.strip() for question in finding.board_questions or [] if question.strip()]
    if questions:
        parts.append(_("Vragen aan bestuurders:") + "\n" + "\n".join(
            f"{number}. {question}" for number, question in enumerate(questions, 1)))
    return Draft(title=finding.title, body="\n\n".join(part for part in parts if part), theme_ids=themes)


def _only_one(values: Iterable[Any]) -> Any:
    distinct = set(values)
    return distinct.pop() if len(distinct) == 1 else None


def projection(source: PublishSource, draft: Draft, *, actor: Any) -> LibraryItem:
    """The library item exactly as it will be stored and shown; not added to the session."""
    lessons = _lessons(source)
    reviews = [lesson.review for lesson in lessons]
    region_id = _only_one(review.region_id for review in reviews)
    level = _only_one(lesson.level for lesson in lessons if lesson.level is not None) if all(
        lesson.level is not None for lesson in lessons) else None
    principles = {term.id: term for lesson in lessons for term in lesson.principles}
    chosen = set(draft.theme_ids)
    moment = source.obj.agreed_at or source.obj.created_at
    item = LibraryItem(
        source_kind=source.kind.value,
        lesson_id=source.lesson.id if source.lesson is not None else None,
        finding_id=source.finding.id if source.finding is not None else None,
        title=draft.title.strip(), body=draft.body.strip(),
        review_kind=_only_one(review.kind for review in reviews),
        region_id=region_id, region=next((r.region for r in reviews if r.region_id == region_id), None),
        year=moment.year, level_id=level.id if level else None, level=level,
        finding_type_id=source.finding.finding_type_id if source.finding is not None else None,
        finding_type=source.finding.finding_type if source.finding is not None else None,
        polarity=source.lesson.polarity if source.lesson is not None else None,
        search_title=index_terms(draft.title), search_body=index_terms(draft.body),
        published_by_id=actor.id, published_at=utcnow(), withdrawal_reason="",
    )
    item.themes = [theme for theme in source_themes(source) if theme.id in chosen]
    item.principles = sorted(principles.values(), key=lambda term: (term.position, term.label_nl))
    return item


def _check_draft(draft: Draft, source: PublishSource) -> None:
    if not draft.title.strip():
        raise PublishError(_("Geef het een titel."), "title")
    if len(draft.title.strip()) > TITLE_LIMIT:
        raise PublishError(_("De titel mag hoogstens %(max)d tekens hebben.", max=TITLE_LIMIT), "title")
    if not draft.body.strip():
        raise PublishError(_("Schrijf de tekst die in de bibliotheek komt."), "body")
    if len(draft.body) > BODY_LIMIT:
        raise PublishError(_("De tekst mag hoogstens %(max)d tekens hebben.", max=BODY_LIMIT), "body")
    allowed = {theme.id for theme in source_themes(source)}
    if not set(draft.theme_ids) <= allowed:
        raise PublishError(_("Kies thema's uit de lijst."), "theme_ids")


def source_details_in(texts: Iterable[str], source: PublishSource) -> list[str]:
    """Sentences naming what of the source review(s) the texts repeat: their titles, their members' names.

    The personal-data guard knows common first names; it cannot know this review's title or the
    exact names of the people in it. Those must never reach the library, confirmed or not.
    """
    haystack = " ".join(normalise(" ".join(text.split())) for text in texts)
    titles = db.session.scalars(sa.select(Review.title).where(Review.id.in_(source.review_ids)))
    names = db.session.scalars(sa.select(User.display_name).join(ReviewMember, ReviewMember.user_id == User.id)
                               .where(ReviewMember.review_id.in_(source.review_ids)).distinct())
    found = []
    if any(_contains(haystack, title) for title in titles):
        found.append(_("De tekst bevat de titel van de review."))
    if any(_contains(haystack, name) for name in names):
        found.append(_("De tekst bevat de naam van iemand uit de review."))
    return found


def _contains(haystack: str, needle: str | None) -> bool:
    needle = normalise(" ".join((needle or "").split()))
    return len(needle) >= SHORTEST_NAME_CHECKED and needle in haystack


def check_text(source: PublishSource, draft: Draft, *, actor: Any, confirming: Iterable[str]) -> list:
    """The anonymisation check; raises PublishError or PersonalDataFound, returns the matches confirmed now.

    ``review_id=None``: what was confirmed as pseudonymised inside the review does not count
    here. Text for the whole country is checked afresh, every match ticked again or rewritten.
    """
    _check_draft(draft, source)
    theme_names = ", ".join(theme.name for theme in source_themes(source) if theme.id in set(draft.theme_ids))
    leaks = source_details_in([draft.title, draft.body, theme_names], source)
    if leaks:
        raise PublishError(" ".join([*leaks, _("Haal dat weg: het gaat niet mee naar de bibliotheek.")]))
    texts = {"title": (_("Titel"), draft.title), "body": (_("Tekst"), draft.body)}
    if theme_names:
        texts["themes"] = (_("Thema's"), theme_names)
    return privacy.check_fields(texts, review_id=None, author_id=actor.id, confirming=confirming)


def publish(source: PublishSource, draft: Draft, *, actor: Any, confirming: Iterable[str] = ()) -> LibraryItem:
    """Put the approved text in the library. The caller must have shown the preview of this same draft."""
    if not source.is_lead:
        raise PublishError(_("Alleen wie hoofdreviewer is van elke review waarop dit rust, kan het publiceren in de "
                             "bibliotheek."))
    # Two confirmations at once (a double click, two leads): the second waits here and then finds
    # the first one's item (PostgreSQL; SQLite writes one transaction at a time anyway).
    model = type(source.obj)
    db.session.execute(sa.select(model.id).where(model.id == source.id).with_for_update())
    check_publishable(source)
    confirmed = check_text(source, draft, actor=actor, confirming=confirming)
    item = projection(source, draft, actor=actor)
    try:
        with db.session.begin_nested():
            db.session.add(item)
    except sa.exc.IntegrityError:
        # The other click won (SQLite has no row lock): one live copy per source, by a unique index.
        raise PublishError(_("Dit staat al in de bibliotheek.")) from None
    audit.record("library.published", actor=actor, object_type="library_item", object_id=item.id,
                 source_kind=source.kind.value, source_id=source.id,
                 confirmed_as_pseudonym=sorted({match.kind for match in confirmed}))
    return item


def withdraw(item: LibraryItem, *, actor: Any, reason: str) -> None:
    """Take the item out of the library at once: out of every search, its page gone; audited with the reason."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise PublishError(_("Geef een reden voor het terugtrekken."), "reason")
    if len(reason) > REASON_LIMIT:
        raise PublishError(_("De reden mag hoogstens %(max)d tekens hebben.", max=REASON_LIMIT), "reason")
    # Conditional, so that of two withdrawals at once only the first counts (and is audited).
    withdrawn = db.session.execute(
        sa.update(LibraryItem).where(LibraryItem.id == item.id, LibraryItem.withdrawn_at.is_(None))
        # Empty the indexed copy as well: the index forgets the text, not only the results page.
        .values(withdrawn_at=utcnow(), withdrawn_by_id=actor.id, withdrawal_reason=reason, search_title="",
                search_body="").execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(item)
    if not withdrawn:
        raise PublishError(_("Dit is al teruggetrokken."))
    audit.record("library.withdrawn", actor=actor, object_type="library_item", object_id=item.id,
                 source_kind=item.source_kind, reason=reason)


# --- what readers choose from ----------------------------------------------------------------


def themes_in_library() -> list[tuple[int, str]]:
    """(id, name) of the themes of items readers can see; themes used only inside reviews stay unknown."""
    in_use = (sa.select(library_item_themes.c.item_id)
              .join(LibraryItem, LibraryItem.id == library_item_themes.c.item_id)
              .where(library_item_themes.c.theme_id == Theme.id, LibraryItem.withdrawn_at.is_(None)))
    return [tuple(row) for row in db.session.execute(
        sa.select(Theme.id, Theme.name).where(in_use.exists()).order_by(Theme.key))]


def term_options(*vocabularies: str, language: str) -> dict[str, list[tuple[int, str]]]:
    """(id, label in ``language``) of the terms of these vocabularies, in their order."""
    label = TaxonomyTerm.label_en if language == "en" else TaxonomyTerm.label_nl
    grouped: dict[str, list[tuple[int, str]]] = {vocabulary: [] for vocabulary in vocabularies}
    rows = db.session.execute(sa.select(TaxonomyTerm.vocabulary, TaxonomyTerm.id, label)
                              .where(TaxonomyTerm.vocabulary.in_(vocabularies))
                              .order_by(TaxonomyTerm.position, TaxonomyTerm.label_nl))
    for vocabulary, term_id, text in rows:
        grouped[vocabulary].append((term_id, text))
    return grouped

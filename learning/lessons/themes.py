"""Themes: free tags, one row per theme however it is typed, and suggestions from the themes in use.

"Crisis", " crisis " and "CRISIS" are one theme: the key is the case-folded name with its white
space collapsed. The first spelling typed is the one shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from learning.db import db, utcnow
from learning.lessons.models import Lesson, LessonStatus, Theme, lesson_themes
from learning.reviews.models import EDITOR_ROLES, ReviewMember

NAME_LIMIT = 80
THEMES_PER_LESSON = 8
SUGGESTION_LIMIT = 200


def clean_name(name: str) -> str:
    return " ".join(name.split())


def theme_key(name: str) -> str:
    return clean_name(name).casefold()


def parse_themes(entries: Iterable[str]) -> list[str]:
    """The distinct theme names in what was typed: one per field, commas also separate."""
    names: dict[str, str] = {}
    for entry in entries:
        for part in (entry or "").split(","):
            name = clean_name(part)
            if name:
                names.setdefault(name.casefold(), name)
    return list(names.values())


def _insert_ignoring_existing(rows: list[dict]) -> sa.Executable:
    """One INSERT that skips keys already there, also when another request adds the same theme meanwhile."""
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(Theme.__table__).values(rows).on_conflict_do_nothing(index_elements=["key"])


def themes_for(names: Iterable[str]) -> list[Theme]:
    """The Theme rows for these names, reusing existing ones and creating the rest, in two queries."""
    wanted = {theme_key(name): clean_name(name) for name in names if clean_name(name)}
    if not wanted:
        return []
    now = utcnow()
    db.session.execute(_insert_ignoring_existing(
        [{"name": name, "key": key, "created_at": now} for key, name in wanted.items()]))
    return list(db.session.scalars(sa.select(Theme).where(Theme.key.in_(wanted)).order_by(Theme.key)))


def suggestions(user: Any, limit: int = SUGGESTION_LIMIT) -> list[str]:
    """Names of the themes this person may already know, the most used first, then alphabetically.

    Theme names are free text typed in one review, so only these: the themes of agreed lessons (the
    thematic view shows them to every reviewer) and of any lesson in a review this person edits. A
    theme no lesson uses any more (edited away, its lesson deleted) is never listed, here or in the
    thematic view; its row may stay in the table.
    """
    known = Lesson.status == LessonStatus.AGREED.value
    if user.has_role("reviewer"):  # editing needs the global role too, as in ReviewAccess.can_edit
        edited = sa.select(ReviewMember.review_id).where(
            ReviewMember.user_id == user.id, ReviewMember.role.in_([role.value for role in EDITOR_ROLES]))
        known = sa.or_(known, Lesson.review_id.in_(edited))
    uses = sa.func.count(lesson_themes.c.lesson_id)
    rows = db.session.execute(
        sa.select(Theme.name).join(lesson_themes, lesson_themes.c.theme_id == Theme.id)
        .join(Lesson, Lesson.id == lesson_themes.c.lesson_id).where(known)
        .group_by(Theme.id, Theme.name).order_by(uses.desc(), Theme.key).limit(limit)
    )
    return sorted((name for (name,) in rows), key=str.casefold)

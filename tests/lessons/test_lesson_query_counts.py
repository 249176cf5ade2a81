"""The lessons page costs the same number of queries for 5 lessons as for 100, evidence and all."""

from __future__ import annotations

import sqlalchemy as sa

from learning.db import db, utcnow
from learning.lessons.models import (
    Lesson,
    Theme,
    lesson_contributions,
    lesson_episodes,
    lesson_principles,
    lesson_reflections,
    lesson_themes,
)
from tests.lessons.conftest import contribute, episode, level, open_round, principle, reflect, start_meeting


def add_lessons(review, count: int, evidence: dict[str, list[int]], start: int = 0) -> None:  # noqa: ANN001
    """``count`` lessons, half agreed, each with a theme, a principle and every evidence item, in a few statements."""
    now = utcnow()
    ids = list(db.session.scalars(sa.insert(Lesson).returning(Lesson.id), [
        {"review_id": review.id, "text": f"Leerpunt {n}", "level_id": level(), "polarity": "improve",
         "status": ("agreed", "concept")[n % 2], "created_at": now, "updated_at": now, "version": 1,
         "agreed_at": now if n % 2 == 0 else None}
        for n in range(start, start + count)]))
    theme_ids = list(db.session.scalars(sa.insert(Theme).returning(Theme.id), [
        {"name": f"Thema {n}", "key": f"thema {n}", "created_at": now} for n in range(start, start + count)]))
    db.session.execute(sa.insert(lesson_themes), [{"lesson_id": lesson_id, "theme_id": theme_id}
                                                  for lesson_id, theme_id in zip(ids, theme_ids, strict=True)])
    db.session.execute(sa.insert(lesson_principles), [{"lesson_id": lesson_id, "term_id": principle()}
                                                      for lesson_id in ids])
    for table, column, key in ((lesson_reflections, "reflection_id", "reflections"),
                               (lesson_episodes, "episode_id", "episodes"),
                               (lesson_contributions, "contribution_id", "contributions")):
        db.session.execute(sa.insert(table), [{"lesson_id": lesson_id, column: item_id}
                                              for lesson_id in ids for item_id in evidence[key]])
    db.session.commit()


def test_the_lessons_page_does_not_grow_with_lessons(login, lead, editor, review, pim, noor, count_queries):  # noqa: ANN001
    reflection_round = open_round(editor)
    meeting = start_meeting(editor)
    evidence = {
        "reflections": [reflect(pim, review, reflection_round, "We werkten langs elkaar heen.").id,
                        reflect(noor, review, reflection_round, "Niemand had het overzicht.", "anonymous").id],
        "episodes": [episode(review, "Melding").id, episode(review, "Eigen moment", owner=pim).id],
        "contributions": [contribute(pim, review, meeting, "Piketregeling.").id,
                          contribute(noor, review, meeting, "Wie belt de ouders?", anonymous=True).id],
    }
    add_lessons(review, 5, evidence)
    counts: dict[tuple[str, int], int] = {}
    for size in (5, 100):
        if size == 100:
            add_lessons(review, 95, evidence, start=5)
        for person in (lead, pim):
            client = login(person)
            with count_queries() as counter:
                page = client.get(f"/reviews/{review.id}/lessons")
            assert page.status_code == 200
            counts[(person.email, size)] = counter.count
    assert counts[(lead.email, 5)] == counts[(lead.email, 100)], counts
    assert counts[(pim.email, 5)] == counts[(pim.email, 100)], counts
    # The participant's count leaves out what they may not see: the anonymous contribution still held.
    assert page.get_data(as_text=True).count("5 bewijsstukken") == 50

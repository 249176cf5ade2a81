"""The theme filter offers only themes the view counts: those of agreed lessons.

Theme names are free text typed in one review. A concept lesson's theme, the theme of a deleted
lesson and a theme edited away are no one else's business, policy owners and administrators included.
"""

from __future__ import annotations

import pytest

from learning.db import db
from learning.findings import thematic
from learning.lessons.models import Lesson, Theme
from tests.helpers import text_of
from tests.thematic.conftest import term

COUNTED = ["Crisis", "Overdracht", "Wachtlijst"]


@pytest.fixture
def unseen_themes(dataset) -> dict[str, Theme]:  # noqa: ANN001
    """A theme only on a concept lesson, and one that no lesson uses any more."""
    concept_only = Theme(name="Familie Verborgen", key="familie verborgen")
    orphan = Theme(name="Weggehaald thema", key="weggehaald thema")
    db.session.add(Lesson(review_id=dataset.reviews["A"].id, text="Nog een concept.", level=term("level", "keten"),
                          status="concept", themes=[concept_only]))
    db.session.add(orphan)
    db.session.commit()
    return {"concept": concept_only, "orphan": orphan}


def test_only_themes_of_agreed_lessons_are_offered(dataset, unseen_themes):  # noqa: ANN001
    assert [option.label for option in thematic.filter_choices().themes] == COUNTED


def test_a_theme_is_offered_once_a_lesson_with_it_is_agreed(dataset, unseen_themes):  # noqa: ANN001
    dataset.lessons["L5"].themes.append(unseen_themes["concept"])  # L5 is a concept too
    db.session.commit()
    assert "Familie Verborgen" not in [option.label for option in thematic.filter_choices().themes]
    dataset.lessons["L1"].themes.append(unseen_themes["concept"])
    db.session.commit()
    assert "Familie Verborgen" in [option.label for option in thematic.filter_choices().themes]


def test_unseen_themes_are_not_on_the_page_nor_accepted_as_a_filter(create_user, login, dataset, unseen_themes):  # noqa: ANN001
    for roles in (("policy_owner",), ("admin",)):
        client = login(create_user(f"{roles[0]}@example.org", roles=roles))
        html = client.get("/themes/").get_data(as_text=True)
        assert "Familie Verborgen" not in html and "Weggehaald thema" not in html
        for theme in unseen_themes.values():
            assert "Deze keuze bestaat niet (meer)." in text_of(client.get(f"/themes/?theme_id={theme.id}"))

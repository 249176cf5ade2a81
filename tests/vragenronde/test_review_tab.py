"""The review's own navigation leads each member to the part of the vragenronde that is theirs."""

from __future__ import annotations

import re

from tests.helpers import text_of


def tabs(page) -> dict[str, str]:  # noqa: ANN001
    html = page.get_data(as_text=True)
    nav = html.split('aria-label="Onderdelen van deze review"', 1)[1].split("</nav>", 1)[0]
    return {label.strip(): href for href, label in re.findall(r'<a class="utrecht-nav-list__link" href="([^"]+)"[^>]*>'
                                                              r"([^<]+)</a>", nav)}


def test_editor_and_participant_find_their_vragenronde_tab(login, lead, create_user, add_member, review):
    participant = create_user("deelnemer@example.org", name="Dirk Deelnemer")
    observer = create_user("toehoorder@example.org", name="Tineke Toehoorder")
    add_member(review, participant)
    add_member(review, observer, "observer")

    assert tabs(login(lead).get(f"/reviews/{review.id}"))["Vragenronde"] == f"/reviews/{review.id}/vragenronde"
    assert tabs(login(participant).get(f"/reviews/{review.id}"))["Vragenronde"] == \
        f"/reviews/{review.id}/vragenronde/answer"
    # An observer answers nothing and there is no bloemlezing yet: nothing to link to.
    assert "Vragenronde" not in tabs(login(observer).get(f"/reviews/{review.id}"))

    answer_page = login(participant).get(f"/reviews/{review.id}/vragenronde/answer")
    assert 'aria-current="page">Vragenronde' in answer_page.get_data(as_text=True)
    assert "Welke eerste stappen zet jij?" in text_of(answer_page)


def test_other_kinds_of_review_have_no_vragenronde_tab(login, lead, make_review):
    casus = make_review()
    assert "Vragenronde" not in tabs(login(lead).get(f"/reviews/{casus.id}"))

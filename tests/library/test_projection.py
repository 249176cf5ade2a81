"""The anonymised projection: nothing of the source review reaches what a library reader can fetch."""

from __future__ import annotations

import sqlalchemy as sa

from learning.db import db
from learning.findings.library.models import LibraryItem
from learning.lessons.models import lesson_episodes
from learning.reviews.models import Episode, MemberRole

REVIEW_TITLE = "Casus Brandenburcht-tweeling"
CASE_SUMMARY = "Moeder en de tweeling wonen aan de Kwakkelhofsingel, boven bakkerij Sprenkelaar."
FAMILY_PERSPECTIVE = "Moeder vond dat de Wolkenveldschool te laat aan de bel trok."
EPISODE_TITLE = "Huisbezoek Pluimgraafhof"
PARTICIPANT = "Xanthippe Verduyn-Oomkes"
LESSON_TEXT = ("Samenwerking tussen wijkteam en Veilig Thuis stokt als niemand de regie neemt. "
               "Spreek bij de start af wie de regie heeft.")
SECRETS = (REVIEW_TITLE, "Brandenburcht", "Kwakkelhofsingel", "Sprenkelaar", "Wolkenveldschool", EPISODE_TITLE,
           "Pluimgraafhof", PARTICIPANT, "Verduyn", "Ria Reviewer", "ria@example.org")


def test_no_author_participant_review_title_or_case_text_reaches_a_reader(
        make_review, make_lesson, create_user, add_member, login, lead, people_in_every_role):
    review = make_review(title=REVIEW_TITLE, case_summary=CASE_SUMMARY, family_perspective=FAMILY_PERSPECTIVE)
    participant = create_user("xanthippe@example.org", name=PARTICIPANT)
    add_member(review, participant, MemberRole.PARTICIPANT.value)
    episode = Episode(review_id=review.id, title=EPISODE_TITLE, description=CASE_SUMMARY, created_by_id=participant.id)
    db.session.add(episode)
    db.session.commit()
    lesson = make_lesson(review, LESSON_TEXT, level="keten", themes=("Regie",), principles=("gezinsgericht",))
    db.session.execute(sa.insert(lesson_episodes), [{"lesson_id": lesson.id, "episode_id": episode.id}])
    db.session.commit()

    publisher = login(lead)
    publish_url = f"/library/publish/lesson/{lesson.id}"
    form = publisher.get(publish_url).get_data(as_text=True)
    assert LESSON_TEXT in form
    data = {"title": "Regie bij de start afspreken", "body": LESSON_TEXT, "theme_ids": [lesson.themes[0].id]}
    preview = publisher.post(publish_url + "/preview", data=data).get_data(as_text=True)
    assert publisher.post(publish_url + "/confirm", data=data).status_code == 302
    (item,) = db.session.scalars(sa.select(LibraryItem))
    # The preview is the reader's view too (apart from the publisher's own name in the page header).
    assert not [secret for secret in SECRETS if secret in preview.replace(lead.display_name, "")]

    people = people_in_every_role(make_review(title="Andere review"))
    for reader in (people["outsider_reviewer"], people["policy_owner"], people["admin"]):
        client = login(reader)
        pages = {path: client.get(path) for path in (
            "/library", "/library?q=samenwerken", "/library?q=regie&sort=date",
            f"/library?q=&region_id={review.region_id}&level_id={item.level_id}&theme_id={item.themes[0].id}"
            f"&principle_id={item.principles[0].id}&kind=lesson", "/library?page=2", f"/library/{item.id}")}
        for path, response in pages.items():
            html = response.get_data(as_text=True)
            assert response.status_code == 200, path
            assert "Regie bij de start afspreken" in html, path  # found, in another inflection too
            leaked = [secret for secret in SECRETS if secret in html]
            assert leaked == [], f"{path} shows {leaked} to {reader.email}"

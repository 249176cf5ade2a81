"""Anonymity: nobody but the lead reviewers can learn who wrote an anonymous reflection or
contribution, and in a "volledig anoniem" review nobody at all.

The test is differential: every page and fragment a member can open is rendered before and after
the author sends something anonymous. Members' names rightly appear on some pages (the member
list, attendance); what must not happen is that the anonymous text makes the author's name, e-mail
or account id appear once more anywhere, or that order or times give them away.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from learning.auth.models import User
from learning.db import db, utcnow
from learning.meetings import services as meetings
from learning.meetings.services import MeetingInput
from learning.reflections import contributions
from learning.reflections import services as reflections
from learning.reflections.models import Contribution, Reflection
from learning.reviews.access import review_access
from learning.reviews.models import MemberRole, ReviewMember

AUTHOR_ID = 987_654
AUTHOR_NAME = "Zoë Onvindbaar"
AUTHOR_EMAIL = "zoe.onvindbaar@example.org"
SECRET_TEXT = "Ik durfde de zorgen over de overdracht niet hardop te zeggen."


@pytest.fixture
def setting(app, create_user, make_review, lead):  # noqa: ANN001, ANN201
    author = User(id=AUTHOR_ID, email=AUTHOR_EMAIL, display_name=AUTHOR_NAME, password_hash=None)
    db.session.add(author)
    db.session.commit()
    viewers = {
        "co_reviewer": create_user("co@example.org", roles=("reviewer",)),
        "participant": create_user("deelnemer@example.org"),
        "expert": create_user("ervaring@example.org"),
        "observer": create_user("waarnemer@example.org"),
    }
    review = make_review()
    roles = {"co_reviewer": MemberRole.CO_REVIEWER, "participant": MemberRole.PARTICIPANT,
             "expert": MemberRole.EXPERT_BY_EXPERIENCE, "observer": MemberRole.OBSERVER}
    for person, role in roles.items():
        db.session.add(ReviewMember(review_id=review.id, user_id=viewers[person].id, role=role.value))
    db.session.add(ReviewMember(review_id=review.id, user_id=AUTHOR_ID, role=MemberRole.PARTICIPANT.value))
    db.session.commit()
    access = review_access(lead, review.id)
    start = utcnow() + timedelta(days=1)
    meeting = meetings.plan_meeting(access, MeetingInput(title="Bijeenkomst", starts_at=start,
                                                         ends_at=start + timedelta(hours=2)))
    meeting.moderate_anonymous = False
    meetings.start_meeting(meeting, actor=lead)
    reflection_round = reflections.open_round(access, title="Vooraf", moment="before",
                                              deadline=utcnow() + timedelta(days=3))
    db.session.commit()
    return review, meeting, reflection_round, viewers, author


def pages(review, meeting, reflection_round) -> list[str]:  # noqa: ANN001
    base = f"/reviews/{review.id}"
    live = f"{base}/meetings/{meeting.id}"
    return [
        f"{base}", f"{base}/timeline", f"{base}/timeline/print", f"{base}/members", f"{base}/reflections",
        f"{base}/reflections/{reflection_round.id}", f"{base}/reflections/{reflection_round.id}/all",
        f"{base}/meetings", f"{live}/live", f"{live}/live/state", f"{live}/console", f"{live}/console/state",
        f"{live}/projector", f"{live}/projector/state", "/dashboard",
    ]


def traces(client, urls: list[str]) -> dict[str, int]:  # noqa: ANN001
    """How often the author's name, e-mail and id appear on each page this client can open."""
    counts = {}
    for url in urls:
        response = client.get(url)
        if response.status_code != 200:
            continue
        html = response.get_data(as_text=True)
        counts[url] = html.count(AUTHOR_NAME) + html.count(AUTHOR_EMAIL) + html.count(str(AUTHOR_ID))
    return counts


def send_anonymously(review, meeting, reflection_round, author) -> None:  # noqa: ANN001
    access = review_access(author, review.id)
    reflections.submit(access, reflection_round, answers={reflection_round.prompts[0]["key"]: SECRET_TEXT},
                       visibility="anonymous", expected_version=0)
    contributions.contribute(access, meeting, agenda_item_id=meeting.current_item.id, text=SECRET_TEXT,
                             anonymous=True)
    db.session.commit()


@pytest.mark.parametrize("viewer", ["co_reviewer", "participant", "expert", "observer"])
def test_group_members_cannot_learn_who_wrote_anonymous_text(login, setting, viewer):
    review, meeting, reflection_round, viewers, author = setting
    client = login(viewers[viewer])
    urls = pages(review, meeting, reflection_round)
    before = traces(client, urls)
    send_anonymously(review, meeting, reflection_round, author)
    after = traces(client, urls)
    assert after == before
    shown = "".join(client.get(url).get_data(as_text=True) for url in urls if url.endswith(("/all", "/live/state")))
    assert SECRET_TEXT in shown  # the text itself is shared with the group


def test_the_lead_can_see_who_wrote_it(login, setting, lead):
    review, meeting, reflection_round, _viewers, author = setting
    send_anonymously(review, meeting, reflection_round, author)
    page = login(lead).get(f"/reviews/{review.id}/reflections/{reflection_round.id}/all").get_data(as_text=True)
    assert AUTHOR_NAME in page


def test_fully_anonymous_review_hides_the_author_from_the_lead_too(login, setting, lead):
    review, meeting, reflection_round, _viewers, author = setting
    review.fully_anonymous = True
    db.session.commit()
    client = login(lead)
    urls = [url for url in pages(review, meeting, reflection_round) if not url.endswith("/members")]
    before = traces(client, urls)
    access = review_access(author, review.id)
    reflections.submit(access, reflection_round, answers={reflection_round.prompts[0]["key"]: SECRET_TEXT},
                       visibility="anonymous", expected_version=0)
    contributions.contribute(access, meeting, agenda_item_id=meeting.current_item.id, text=SECRET_TEXT,
                             anonymous=False)
    db.session.commit()
    assert traces(client, urls) == before
    assert db.session.scalar(sa.select(Reflection.author_id)) is None
    assert db.session.scalar(sa.select(Contribution.author_id)) is None
    # The author still finds their own text.
    assert reflections.own_reflection(review_access(author, review.id), reflection_round) is not None


def test_anonymous_texts_are_not_listed_in_the_order_they_came_in(login, setting, create_user, add_member):
    review, meeting, reflection_round, viewers, _author = setting
    writers = [create_user(f"schrijver{n}@example.org") for n in range(8)]
    for number, writer in enumerate(writers):
        add_member(review, writer)
        reflections.submit(review_access(writer, review.id), reflection_round,
                           answers={reflection_round.prompts[0]["key"]: f"Reflectie nummer {number}"},
                           visibility="anonymous", expected_version=0)
    db.session.commit()
    page = login(viewers["participant"]).get(
        f"/reviews/{review.id}/reflections/{reflection_round.id}/all").get_data(as_text=True)
    shown_order = sorted(range(8), key=lambda number: page.index(f"Reflectie nummer {number}"))
    stored = list(db.session.scalars(sa.select(Reflection).order_by(Reflection.order_key)))
    assert shown_order == [int(row.published_answers[reflection_round.prompts[0]["key"]].split()[-1])
                           for row in stored]


def test_no_times_are_shown_with_anonymous_reflections(login, setting):
    review, meeting, reflection_round, viewers, author = setting
    send_anonymously(review, meeting, reflection_round, author)
    page = login(viewers["participant"]).get(f"/reviews/{review.id}/reflections/{reflection_round.id}/all")
    text = page.get_data(as_text=True)
    card = text[text.index('class="lmi-card lmi-reflection"'):]
    card = card[: card.index("</li>")]
    assert ":" not in card.split(SECRET_TEXT)[0].split("</p>")[0]  # no clock time next to the author line


def test_meeting_invitation_mails_carry_no_authorship(app, setting, lead, outbox):
    review, meeting, reflection_round, _viewers, author = setting
    send_anonymously(review, meeting, reflection_round, author)
    meetings.send_invitations(meeting, actor=lead)
    db.session.commit()
    for message in outbox.messages():
        if message["To"] == AUTHOR_EMAIL:
            continue
        body = message.as_string()
        assert AUTHOR_NAME not in body and SECRET_TEXT not in body

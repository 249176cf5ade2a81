"""A review that has met: members in each role, a running meeting with contributions, submitted
reflections and a timeline, so lessons have evidence to rest on."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from learning.admin.models import TaxonomyTerm
from learning.db import db, utcnow
from learning.lessons import services
from learning.lessons.models import Lesson
from learning.lessons.services import LessonInput
from learning.meetings import services as meetings
from learning.meetings.models import Meeting
from learning.meetings.services import MeetingInput
from learning.reflections import contributions
from learning.reflections import services as reflections
from learning.reflections.models import Contribution, Reflection, ReflectionRound, Visibility
from learning.reviews.access import ReviewAccess
from learning.reviews.models import Episode, MemberRole, Review
from tests.review_fixtures import access_for


def term(vocabulary: str, code: str) -> TaxonomyTerm:
    return db.session.scalar(sa.select(TaxonomyTerm).where(TaxonomyTerm.vocabulary == vocabulary,
                                                           TaxonomyTerm.code == code))


def level(code: str = "keten") -> int:
    return term("level", code).id


def principle(code: str = "gezinsgericht") -> int:
    return term("principle", code).id


def write_lesson(access: ReviewAccess, text: str = "Wie belt de ouders? Spreek dat vooraf af.", **fields) -> Lesson:  # noqa: ANN003
    lesson = services.create_lesson(access, LessonInput(text=text, **fields))
    db.session.commit()
    return lesson


def agreed_lesson(access: ReviewAccess, text: str = "Eén vast aanspreekpunt voor het gezin.", **fields) -> Lesson:  # noqa: ANN003
    lesson = write_lesson(access, text, **{"level_id": level(), **fields})
    services.agree_lesson(access, lesson)
    db.session.commit()
    return lesson


def start_meeting(access: ReviewAccess) -> Meeting:
    start = utcnow() + timedelta(days=1)
    meeting = meetings.plan_meeting(access, MeetingInput(title="Reviewbijeenkomst", starts_at=start,
                                                         ends_at=start + timedelta(hours=3)))
    meetings.start_meeting(meeting, actor=access.user)
    db.session.commit()
    return meeting


def contribute(user, review: Review, meeting: Meeting, text: str, *, anonymous: bool = False) -> Contribution:  # noqa: ANN001
    contribution = contributions.contribute(access_for(user, review), meeting, agenda_item_id=meeting.current_item.id,
                                            text=text, anonymous=anonymous)
    db.session.commit()
    return contribution


def open_round(access: ReviewAccess) -> ReflectionRound:
    reflection_round = reflections.open_round(access, title="Voor de bijeenkomst", moment="before",
                                              deadline=utcnow() + timedelta(days=3))
    db.session.commit()
    return reflection_round


def reflect(user, review: Review, reflection_round: ReflectionRound, text: str,  # noqa: ANN001
            visibility: str = Visibility.GROUP.value) -> Reflection:
    reflection = reflections.submit(access_for(user, review), reflection_round,
                                    answers={reflection_round.prompts[0]["key"]: text}, visibility=visibility,
                                    expected_version=0)
    db.session.commit()
    return reflection


def episode(review: Review, title: str, owner=None) -> Episode:  # noqa: ANN001
    item = Episode(review_id=review.id, title=title, period="voorjaar 2025", timeline_owner_id=owner.id if owner else None)
    db.session.add(item)
    db.session.commit()
    return item


@pytest.fixture
def review(make_review) -> Review:  # noqa: ANN001
    return make_review()


@pytest.fixture
def member(create_user, add_member, review):  # noqa: ANN001, ANN201
    """``member(name, role)``: a new account with that role in the review."""
    def make(name: str, role: str = MemberRole.PARTICIPANT.value):  # noqa: ANN202
        roles = ("reviewer",) if role in (MemberRole.CO_REVIEWER.value, MemberRole.LEAD_REVIEWER.value) else ()
        user = create_user(name=name, roles=roles)
        add_member(review, user, role)
        return user
    return make


@pytest.fixture
def co_reviewer(member):  # noqa: ANN001, ANN201
    return member("Cor Covoorzitter", MemberRole.CO_REVIEWER.value)


@pytest.fixture
def pim(member):  # noqa: ANN001, ANN201
    return member("Pim Deelnemer")


@pytest.fixture
def noor(member):  # noqa: ANN001, ANN201
    return member("Noor Deelnemer")


@pytest.fixture
def editor(lead, review) -> ReviewAccess:  # noqa: ANN001
    return access_for(lead, review)


@pytest.fixture
def other_review(make_review, create_user) -> Review:  # noqa: ANN001
    other_lead = create_user("olga@example.org", name="Olga Anders", roles=("reviewer",))
    return make_review(title="Een andere review", actor=other_lead)

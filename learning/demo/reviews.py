"""A demo casusreview in preparation, with members in every role and a start of a timeline."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from learning.admin.models import Region
from learning.auth.services import find_user_by_email
from learning.db import db
from learning.i18n import local_to_utc
from learning.meetings import services as meetings
from learning.reflections import services as reflections
from learning.reflections.models import RoundMoment, Visibility
from learning.reviews import services, timeline
from learning.reviews.access import review_access
from learning.reviews.models import MemberRole, Method, Review, ReviewMember, ReviewStatus

TITLE = "Gezin A: zorgen over veiligheid na een verhuizing"
CASE_SUMMARY = """Moeder en haar twee kinderen (een jongen van acht en een meisje van elf) verhuisden in het
voorjaar naar een andere gemeente. Het wijkteam van de oude woonplaats had net een plan gemaakt;
**de overdracht** naar het nieuwe wijkteam liep via een e-mail die niet werd beantwoord.

Een melding bij Veilig Thuis over huiselijk geweld kwam in dezelfde week binnen. Drie organisaties
hadden elk een deel van het beeld, maar niemand had het geheel."""
FAMILY_PERSPECTIVE = """Moeder vertelde later dat ze *steeds opnieuw haar verhaal moest doen* en niet wist wie haar
vaste contactpersoon was. Het oudste kind zei dat niemand aan haar had gevraagd wat zij nodig had."""
MEMBERS = (
    ("reviewer.oost@example.org", MemberRole.CO_REVIEWER, False),
    ("wijkteam@example.org", MemberRole.PARTICIPANT, True),
    ("veiligthuis@example.org", MemberRole.PARTICIPANT, False),
    ("raad@example.org", MemberRole.PARTICIPANT, False),
    ("jeugdbescherming@example.org", MemberRole.PARTICIPANT, False),
    ("ggz@example.org", MemberRole.OBSERVER, False),
    ("ervaringsdeskundige@example.org", MemberRole.EXPERT_BY_EXPERIENCE, False),
)
EPISODES = (
    ("Plan van aanpak met het gezin", date(2025, 2, 12), "Wijkteam en moeder maken samen een plan.", "dossier wijkteam"),
    ("Verhuizing naar een andere gemeente", None, "Het gezin verhuist; de overdracht gaat per e-mail.", "gesprek"),
    ("Melding huiselijk geweld", date(2025, 4, 3), "Veilig Thuis ontvangt een melding van de school.",
     "dossier Veilig Thuis"),
)


def load_demo_review() -> int:
    """Create the demo review once; returns 1 if it was added, 0 if it was there already."""
    if db.session.scalar(sa.select(Review.id).where(Review.title == TITLE)) is not None:
        return 0
    lead = find_user_by_email("reviewer@example.org")
    region = db.session.scalar(sa.select(Region).where(Region.name == "Regio Midden"))
    method = db.session.scalar(sa.select(Method).where(Method.builtin_key == "leren_met_impact",
                                                       Method.language == "nl"))
    today = date.today()
    review = services.create_review(
        services.ReviewInput(
            kind="casusreview", title=TITLE, region_id=region.id,
            learning_question="Hoe kan de overdracht tussen wijkteams en Veilig Thuis zo lopen dat een gezin "
                              "bij een verhuizing niet tussen wal en schip valt?",
            planned_start=today + timedelta(days=21), planned_end=today + timedelta(days=21),
            case_summary=CASE_SUMMARY, family_perspective=FAMILY_PERSPECTIVE,
        ),
        method=method, actor=lead, today=today,
    )
    for email, role, case_holder in MEMBERS:
        user = find_user_by_email(email)
        db.session.add(ReviewMember(review_id=review.id, user_id=user.id, role=role.value, is_case_holder=case_holder))
    review.status = ReviewStatus.VOORBEREIDING.value
    db.session.flush()
    access = review_access(lead, review.id)
    for title, when, description, source in EPISODES:
        timeline.add_episode(access, timeline.EpisodeInput(
            title=title, occurred_on=when, period="" if when else "voorjaar 2025", description=description,
            source=source), integrated=True)
    wijkteam = review_access(find_user_by_email("wijkteam@example.org"), review.id)
    timeline.add_episode(wijkteam, timeline.EpisodeInput(
        title="Telefoontje met het nieuwe wijkteam", period="mei 2025",
        description="Pas na drie weken kreeg ik iemand aan de lijn.", source="eigen herinnering"), integrated=False)
    _plan_meeting_and_round(access, wijkteam, today + timedelta(days=21))
    return 1


def _plan_meeting_and_round(access, wijkteam, meeting_day: date) -> None:
    """The review's meeting (agenda from its phases) and a reflection round beforehand, one answer in."""
    meetings.plan_meeting(access, meetings.MeetingInput(
        title="Reviewbijeenkomst Gezin A", place="Stadskantoor Midden, zaal 2.14",
        starts_at=local_to_utc(datetime.combine(meeting_day, time(9, 30))),
        ends_at=local_to_utc(datetime.combine(meeting_day, time(12, 30)))))
    reflection_round = reflections.open_round(
        access, title="", moment=RoundMoment.BEFORE.value,
        deadline=local_to_utc(datetime.combine(meeting_day - timedelta(days=2), time(17, 0))))
    first_prompt = reflection_round.prompts[0]["key"]
    reflections.submit(wijkteam, reflection_round, answers={
        first_prompt: "We wachtten op elkaar: iedereen ging ervan uit dat een ander de regie had."},
        visibility=Visibility.GROUP.value, expected_version=0)

"""A demo vragenronde from a regional Meet-Up: questions, an event code and answers to highlight."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from learning.admin.models import Region
from learning.auth.services import find_user_by_email
from learning.db import db
from learning.reflections import vragenronde
from learning.reflections.models import AnswerSource
from learning.reviews import services
from learning.reviews.models import MemberRole, Method, Review, ReviewMember, ReviewStatus

TITLE = "Meet-Up Regio Midden: samen optrekken rond veiligheid"
QUESTIONS = (
    "Wanneer had je het gevoel dat je er als professional alleen voor stond?",
    "Wat hielp je om toch samen met andere organisaties op te trekken?",
    "Wat zou je de bestuurders in de regio willen vragen?",
)
ANSWERS = (
    ("Bij een melding op vrijdagmiddag: niemand van de andere organisaties was nog bereikbaar.",
     "Een vaste contactpersoon bij Veilig Thuis die ik kon bellen.",
     "Zorg dat overdracht bij verhuizing één vaste route heeft."),
    ("Toen de zorgmachtiging liep en ik niet wist wie er verder betrokken was.",
     "Een gezamenlijk overleg waarin het gezin zelf aan tafel zat.",
     "Maak tijd vrij voor casusoverleg; nu gaat het van onze eigen uren af."),
    ("Na een crisisplaatsing, toen het dossier nog bij de oude gemeente lag.",
     "",
     "Wat doet u met wat wij hier vandaag ophalen?"),
    ("", "Korte lijnen met de wijkagent.", ""),
)


def load_demo_vragenronde() -> int:
    """Create the demo vragenronde once; returns 1 if it was added, 0 if it was there already."""
    if db.session.scalar(sa.select(Review.id).where(Review.title == TITLE)) is not None:
        return 0
    lead = find_user_by_email("reviewer@example.org")
    region = db.session.scalar(sa.select(Region).where(Region.name == "Regio Midden"))
    method = db.session.scalar(sa.select(Method).where(Method.builtin_key == "vragenronde", Method.language == "nl"))
    today = date.today()
    review = services.create_review(
        services.ReviewInput(
            kind="vragenronde", title=TITLE, region_id=region.id,
            learning_question="Wat hebben professionals nodig om bij zorgen over veiligheid samen op te trekken?",
            planned_start=today + timedelta(days=7), planned_end=today + timedelta(days=7),
            case_summary="", family_perspective="",
        ),
        method=method, actor=lead, today=today,
    )
    review.status = ReviewStatus.VOORBEREIDING.value
    for email in ("wijkteam@example.org", "ervaringsdeskundige@example.org"):
        db.session.add(ReviewMember(review_id=review.id, user_id=find_user_by_email(email).id,
                                    role=MemberRole.PARTICIPANT.value))
    questions = [vragenronde.add_question(review, text, actor=lead) for text in QUESTIONS]
    vragenronde.create_event_code(review, hours=vragenronde.CODE_HOURS_MAX, actor=lead)
    for row in ANSWERS:
        vragenronde.submit_answers(review, {question.id: text for question, text in zip(questions, row, strict=True)},
                                   source=AnswerSource.EVENT_CODE)
    for per_question in vragenronde.answers_by_question(review):
        vragenronde.set_highlight(review, per_question.answers[0], True, actor=lead)
    return 1

"""A demo casusreview that has met: reflections, a held meeting with contributions, and what came of it.

Gezin C (Regio Midden) is where lessons, a finding and a library item come from; Gezin D (Regio
Oost) adds lessons of its own, so the thematic view shows a theme recurring across regions.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import sqlalchemy as sa

from learning.admin.models import Organisation, Region, TaxonomyTerm, Vocabulary
from learning.auth.services import find_user_by_email
from learning.db import db, utcnow
from learning.findings import services as findings
from learning.findings.library import access as library_access
from learning.findings.library import services as library
from learning.i18n import local_to_utc
from learning.lessons import services as lessons
from learning.lessons.models import Lesson, Polarity
from learning.meetings import services as meetings
from learning.reflections import contributions
from learning.reflections import services as reflections
from learning.reflections.models import Contribution, Reflection, RoundMoment, Visibility
from learning.reviews import services, timeline
from learning.reviews.access import review_access
from learning.reviews.models import Episode, MemberRole, Method, Review, ReviewMember, ReviewStatus

TITLE = "Gezin C: een crisisplaatsing in het weekend"
CASE_SUMMARY = """Op een vrijdagavond meldt de politie zorgen over een meisje van negen. Veilig Thuis, het
wijkteam en de gecertificeerde instelling hebben elk een deel van de informatie. Een crisisplaatsing
volgt op zaterdag; **pas op dinsdag** zitten alle betrokkenen samen aan tafel."""
FAMILY_PERSPECTIVE = """Vader zegt dat niemand hem vertelde waar zijn dochter was en wie hij kon bellen.
De ervaringsdeskundige vraagt: wie legt het gezin in zo'n weekend uit wat er gebeurt?"""
MEMBERS = (
    ("wijkteam@example.org", MemberRole.PARTICIPANT, True),
    ("veiligthuis@example.org", MemberRole.PARTICIPANT, False),
    ("jeugdbescherming@example.org", MemberRole.PARTICIPANT, False),
    ("ervaringsdeskundige@example.org", MemberRole.EXPERT_BY_EXPERIENCE, False),
)
EPISODES = (
    ("Melding door de politie op vrijdagavond", "Veilig Thuis neemt de melding aan; het wijkteam is niet bereikbaar."),
    ("Crisisplaatsing op zaterdag", "De crisisdienst plaatst het meisje; vader hoort het via de buren."),
    ("Eerste overleg op dinsdag", "Alle betrokkenen zitten voor het eerst samen aan tafel."),
)
REFLECTIONS = (
    ("wijkteam@example.org", Visibility.GROUP,
     "In het weekend is ons wijkteam niet bereikbaar; de samenwerking met Veilig Thuis begint pas op maandag."),
    ("veiligthuis@example.org", Visibility.ANONYMOUS,
     "We hebben wel samengewerkt, maar ieder vanuit het eigen dossier. Niemand had het overzicht voor het gezin."),
    ("jeugdbescherming@example.org", Visibility.GROUP,
     "Het gezin kreeg drie verschillende contactpersonen in vier dagen."),
)
# (agenda position, author, text, anonymous)
CONTRIBUTIONS = (
    (3, "wijkteam@example.org", "Een vaste piketregeling voor wijkteams in het weekend zou veel schelen.", False),
    (3, "veiligthuis@example.org", "Wie belt de ouders? Dat is bij een crisis nergens afgesproken.", True),
    (3, "jeugdbescherming@example.org", "Samenwerken in crisis vraagt één gezamenlijk draaiboek.", False),
    (4, "ervaringsdeskundige@example.org", "Geef het gezin op dag één één vast aanspreekpunt.", False),
)
# (text, level, polarity, themes, principles, evidence: reflection authors' texts start, episode titles)
LESSONS_C = (
    ("Bij een crisis in het weekend is niet geregeld wie het gezin informeert en wie de regie heeft.",
     "keten", Polarity.IMPROVE, ["crisis", "bereikbaarheid", "regie"], ["gezinsgericht", "eenvoudig"],
     ("In het weekend", "We hebben wel"), ("Melding door de politie op vrijdagavond",)),
    ("Het gezin krijgt in korte tijd te veel wisselende contactpersonen.",
     "stelsel", Polarity.IMPROVE, ["vaste contactpersoon", "regie"], ["gezinsgericht", "rechtsbeschermend_transparant"],
     ("Het gezin kreeg",), ("Eerste overleg op dinsdag",)),
    ("Het eerste overleg met alle betrokkenen bracht snel één beeld van de situatie.",
     "team", Polarity.WORKS, ["samenwerking"], ["lerend"], (), ("Eerste overleg op dinsdag",)),
)
OOST_TITLE = "Gezin D: een melding die bleef liggen"
LESSONS_D = (
    ("Buiten kantoortijd is het wijkteam niet bereikbaar, ook niet voor Veilig Thuis bij een crisis.",
     "keten", Polarity.IMPROVE, ["crisis", "bereikbaarheid"], ["eenvoudig"]),
    ("Een vast gezamenlijk casusoverleg per week helpt om signalen op tijd te delen.",
     "organisatie", Polarity.WORKS, ["samenwerking", "informatie delen"], ["lerend"]),
)


def load_demo_learning_loop() -> int:
    """Create the review once; returns 1 if it was added, 0 if it was there already."""
    if db.session.scalar(sa.select(Review.id).where(Review.title == TITLE)) is not None:
        return 0
    lead = find_user_by_email("reviewer@example.org")
    region = db.session.scalar(sa.select(Region).where(Region.name == "Regio Midden"))
    method = db.session.scalar(sa.select(Method).where(Method.builtin_key == "leren_met_impact",
                                                       Method.language == "nl"))
    now = utcnow()
    meeting_day = (now - timedelta(days=14)).date()
    review = services.create_review(
        services.ReviewInput(
            kind="casusreview", title=TITLE, region_id=region.id,
            learning_question="Hoe werken organisaties in een crisis in het weekend samen, met het gezin?",
            organisation_ids=list(db.session.scalars(sa.select(Organisation.id).where(Organisation.name.in_(
                ("Wijkteam Midden-Noord", "Veilig Thuis Midden", "Jeugdbescherming Midden"))))),
            agency_kind_ids=[_terms(Vocabulary.AGENCY_KIND)[code] for code in
                             ("lokaal_team", "veilig_thuis", "gecertificeerde_instelling", "politie")],
            planned_start=meeting_day, planned_end=meeting_day,
            case_summary=CASE_SUMMARY, family_perspective=FAMILY_PERSPECTIVE,
        ),
        method=method, actor=lead, today=meeting_day - timedelta(days=30),
    )
    for email, role, case_holder in MEMBERS:
        db.session.add(ReviewMember(review_id=review.id, user_id=find_user_by_email(email).id, role=role.value,
                                    is_case_holder=case_holder))
    review.status = ReviewStatus.AFRONDING.value
    db.session.flush()
    access = review_access(lead, review.id)
    for title, description in EPISODES:
        timeline.add_episode(access, timeline.EpisodeInput(title=title, period="najaar 2025", description=description,
                                                           source="dossiers"), integrated=True)
    _reflect_before(access, review.id, meeting_day, now)
    _hold_meeting(access, review.id, meeting_day, now)
    agreed = []
    for text, level, polarity, themes, principles, reflection_starts, episode_titles in LESSONS_C:
        lesson = _agreed_lesson(access, text, level, polarity, themes, principles)
        _link_evidence(access, lesson, reflection_starts, episode_titles)
        agreed.append(lesson)
    _agreed_finding(lead, [lesson for lesson in agreed if lesson.is_system_level])
    _load_oost_review()
    return 2


def _agreed_finding(lead, lessons_behind: list[Lesson]) -> None:  # noqa: ANN001
    """A finding for the board of Gemeente Midden, ready to go into a brief."""
    finding = findings.create_finding(findings.FindingInput(
        title="Niemand heeft de regie als een crisis in het weekend begint",
        pattern="Bij crises buiten kantoortijd handelt elke organisatie vanuit het eigen dossier. Wie het gezin "
                "informeert en wie de regie heeft, is nergens afgesproken; het eerste gezamenlijke overleg komt "
                "dagen later.",
        finding_type_id=_terms(Vocabulary.FINDING_TYPE)["keten_crisis"],
        why_it_matters="Ouders en kinderen weten in de eerste dagen niet wat er gebeurt en bij wie ze terecht "
                       "kunnen; zorgen over veiligheid worden later gedeeld dan nodig.",
        lesson_ids=[lesson.id for lesson in lessons_behind],
        organisation_ids=list(db.session.scalars(sa.select(Organisation.id).where(
            Organisation.name.in_(("Gemeente Midden", "Veilig Thuis Midden"))))),
        policy_owner_ids=[find_user_by_email("bestuurder@example.org").id],
    ), actor=lead)
    for question in ("Welke organisatie heeft bij een crisis in het weekend de regie, en hoe weet het gezin dat?",
                     "Bent u bereid een regionale piketregeling voor wijkteams te financieren?"):
        findings.add_board_question(finding, question, expected_version=finding.version, actor=lead)
    findings.change_status(finding, "agreed", actor=lead)


def _terms(vocabulary: Vocabulary) -> dict[str, int]:
    return dict(db.session.execute(sa.select(TaxonomyTerm.code, TaxonomyTerm.id)
                                   .where(TaxonomyTerm.vocabulary == vocabulary.value)).all())


def _agreed_lesson(access, text: str, level: str, polarity: Polarity, themes: list[str],  # noqa: ANN001
                   principles: list[str]) -> Lesson:
    principle_ids = _terms(Vocabulary.PRINCIPLE)
    lesson = lessons.create_lesson(access, lessons.LessonInput(
        text=text, level_id=_terms(Vocabulary.LEVEL)[level], polarity=polarity.value, themes=themes,
        principle_ids=[principle_ids[code] for code in principles]))
    lessons.agree_lesson(access, lesson)
    return lesson


def _link_evidence(access, lesson: Lesson, reflection_starts, episode_titles) -> None:  # noqa: ANN001
    reflection_ids = [reflection.id for reflection in db.session.scalars(
        sa.select(Reflection).where(Reflection.review_id == access.review.id))
        if any(text.startswith(reflection_starts) for text in reflection.published_answers.values())]
    episode_ids = list(db.session.scalars(sa.select(Episode.id).where(
        Episode.review_id == access.review.id, Episode.title.in_(episode_titles))))
    contribution_ids = list(db.session.scalars(sa.select(Contribution.id).where(
        Contribution.review_id == access.review.id, Contribution.text.startswith("Wie belt"))))
    lessons.set_evidence(access, lesson, lessons.EvidenceChoice(
        reflection_ids=reflection_ids, episode_ids=episode_ids,
        contribution_ids=contribution_ids if lesson.level.code == "keten" else []),
        expected_version=lesson.version)


def _load_oost_review() -> None:
    """A second region's review with lessons of its own: the thematic view shows what recurs."""
    lead = find_user_by_email("reviewer.oost@example.org")
    region = db.session.scalar(sa.select(Region).where(Region.name == "Regio Oost"))
    method = db.session.scalar(sa.select(Method).where(Method.builtin_key == "after_action_review",
                                                       Method.language == "nl"))
    review = services.create_review(
        services.ReviewInput(kind="intervisie", title=OOST_TITLE, region_id=region.id,
                             learning_question="Waarom bleef een melding drie weken liggen?",
                             organisation_ids=list(db.session.scalars(sa.select(Organisation.id).where(
                                 Organisation.name.in_(("Wijkteam Oost-Centrum", "Veilig Thuis Oost"))))),
                             agency_kind_ids=[_terms(Vocabulary.AGENCY_KIND)[code]
                                              for code in ("lokaal_team", "veilig_thuis")]),
        method=method, actor=lead, today=utcnow().date())
    db.session.add(ReviewMember(review_id=review.id, user_id=find_user_by_email("wijkteam.oost@example.org").id,
                                role=MemberRole.PARTICIPANT.value))
    review.status = ReviewStatus.AFRONDING.value
    db.session.flush()
    access = review_access(lead, review.id)
    lessons_d = [_agreed_lesson(access, *lesson) for lesson in LESSONS_D]
    # Shared with every region: what Oost learned about reaching each other outside office hours.
    source = library_access.publish_source(lead, "lesson", lessons_d[0].id)
    library.publish(source, library.Draft(
        title="Bereikbaarheid van wijkteams buiten kantoortijd",
        body="Buiten kantoortijd was het wijkteam niet bereikbaar, ook niet voor Veilig Thuis bij een crisis. "
             "Samen met de gemeente is afgesproken dat een piketnummer de samenwerking in het weekend draagt.",
        theme_ids=[theme.id for theme in lessons_d[0].themes]), actor=lead)


def _reflect_before(access, review_id: int, meeting_day, now: datetime) -> None:  # noqa: ANN001
    opened = now - timedelta(days=21)
    reflection_round = reflections.open_round(
        access, title="", moment=RoundMoment.BEFORE.value, now=opened,
        deadline=local_to_utc(datetime.combine(meeting_day - timedelta(days=1), time(17, 0))))
    prompt = reflection_round.prompts[0]["key"]
    for email, visibility, text in REFLECTIONS:
        author = review_access(find_user_by_email(email), review_id)
        reflections.submit(author, reflection_round, answers={prompt: text}, visibility=visibility.value,
                           expected_version=0, now=opened + timedelta(days=2))


def _hold_meeting(access, review_id: int, meeting_day, now: datetime) -> None:  # noqa: ANN001
    starts = local_to_utc(datetime.combine(meeting_day, time(13, 0)))
    meeting = meetings.plan_meeting(access, meetings.MeetingInput(
        title="Reviewbijeenkomst Gezin C", place="Veilig Thuis Midden, zaal 1", starts_at=starts,
        ends_at=starts + timedelta(hours=3)), now=starts - timedelta(days=20))
    meetings.start_meeting(meeting, actor=access.user, now=starts)
    for position, email, text, anonymous in CONTRIBUTIONS:
        while meeting.current_position < position:
            meetings.go_to(meeting, from_position=meeting.current_position, direction="next")
        author = review_access(find_user_by_email(email), review_id)
        contributions.contribute(author, meeting, agenda_item_id=meeting.current_item.id, text=text,
                                 anonymous=anonymous)
    meetings.close_meeting(meeting, actor=access.user, now=starts + timedelta(hours=3))

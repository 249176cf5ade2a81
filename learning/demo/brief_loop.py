"""The second half of the demo loop: the Gezin C finding goes to two boards and one of them answers.

A brief carries the agreed finding to Gemeente Midden (Bert Bestuurder) and Veilig Thuis Midden
(Vera Directeur). A participant commented on the shared draft and the lead resolved it; the
co-reviewer approved, the lead issued v1 (its PDFs render like any other: inline without Redis).
Gemeente Midden has answered "deels overgenomen" with an action in progress; Veilig Thuis Midden has
not answered yet, so the follow-up overview has something open. Everything goes through the services,
so the rules, the audit trail and the e-mails (to the outbox) are the real ones.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from learning.auth.services import find_user_by_email
from learning.briefs import access as brief_access
from learning.briefs import services as briefs
from learning.briefs.models import Brief
from learning.briefs.snapshot import organisation_view
from learning.db import db, utcnow
from learning.findings.models import Finding
from learning.responses import services as responses
from learning.reviews.models import MemberRole, ReviewMember

TITLE = "Regie bij een crisis in het weekend: vragen aan gemeente en Veilig Thuis"
FINDING_TITLE = "Niemand heeft de regie als een crisis in het weekend begint"
INTRODUCTION = """In de casusreview van Gezin C hebben professionals van het wijkteam, Veilig Thuis en de
gecertificeerde instelling samen met een ervaringsdeskundige teruggekeken op een crisisplaatsing in het
weekend. Deze notitie legt u het patroon voor dat zij zagen, en de vragen die daaruit volgen."""
CONTEXT = """De review volgde de methode Leren met impact (systeembenadering): niet de vraag wie iets fout
deed, maar wat het systeem maakte dat goedbedoelend handelen toch tekortschoot voor het gezin."""


def load_demo_brief_loop() -> int:
    """Create the brief once; returns 1 if it was added, 0 if it was there already (or nothing to route)."""
    if db.session.scalar(sa.select(Brief.id).where(Brief.title == TITLE)) is not None:
        return 0
    finding = db.session.scalar(sa.select(Finding).where(Finding.title == FINDING_TITLE))
    if finding is None:
        return 0
    lead = find_user_by_email("reviewer@example.org")
    co_reviewer = find_user_by_email("co.reviewer@example.org")
    gemeente = find_user_by_email("bestuurder@example.org")
    veilig_thuis = find_user_by_email("directeur.vt@example.org")
    participant = find_user_by_email("wijkteam@example.org")
    today = utcnow().date()
    _make_co_reviewer(co_reviewer, finding)

    brief = briefs.create_brief(briefs.BriefInput(
        title=TITLE, introduction=INTRODUCTION, context=CONTEXT, response_deadline=today + timedelta(days=28),
        language="nl", finding_ids=[finding.id], addressee_ids=[gemeente.id, veilig_thuis.id],
    ), actor=lead)
    briefs.share_brief(brief, actor=lead)
    comment = briefs.add_comment(brief_access.draft_reader(participant, brief.id), "context",
                                 "Noem ook dat de crisisdienst pas op zaterdag betrokken raakte.", actor=participant)
    briefs.resolve_comment(comment, note="Staat nu in de beschrijving van het patroon.", actor=lead)
    briefs.approve_brief(brief, expected_content_version=brief.content_version, actor=co_reviewer)
    version = briefs.issue_brief(brief, change_note="", expected_content_version=brief.content_version, actor=lead)

    organisation_id = gemeente.organisation_id
    entries = organisation_view(version.snapshot, organisation_id)["findings"]
    responses.save_response(
        brief, finding.id, organisation_id, decision="partly", expected_version=0, actor=gemeente,
        reasoning="Een regionale piketregeling voor wijkteams nemen we over. De regie in het weekend leggen we "
                  "niet bij de gemeente maar bij Veilig Thuis; daarover maken we afspraken in het regio-overleg.",
    )
    action = responses.add_action(brief, finding.id, organisation_id, responses.ActionInput(
        description="Piketregeling voor wijkteams in het weekend uitwerken en begroten",
        owner_name="Bert Bestuurder", owner_organisation="Gemeente Midden", due_date=today + timedelta(days=90),
    ), actor=gemeente, today=today)
    responses.submit_responses(brief, organisation_id, entries, actor=gemeente)
    db.session.flush()
    responses.report_progress(action, note="Eerste overleg met de wijkteams gevoerd; begroting volgt.",
                              status="in_progress", expected_version=action.version, actor=gemeente)
    return 1


def _make_co_reviewer(person, finding: Finding) -> None:  # noqa: ANN001
    """Four eyes need a second editor of the review behind the finding (also in a database from before)."""
    for review_id in {lesson.review_id for lesson in finding.lessons}:
        member = db.session.scalar(sa.select(ReviewMember.id).where(ReviewMember.review_id == review_id,
                                                                    ReviewMember.user_id == person.id))
        if member is None:
            db.session.add(ReviewMember(review_id=review_id, user_id=person.id, role=MemberRole.CO_REVIEWER.value))
    db.session.flush()

"""A brief to two boards, built with the ORM (no briefs or portal services), for the follow-up tests.

Two reviews in region Midden, each with members:

* review A, "Review Alfa" (lead: Ria, the ``lead`` fixture): participant Piet (nl), expert Erin (en),
  observer Olga, Dirk (in both reviews), and Ina, whose account is inactive;
* review B, "Review Bravo geheim" (lead: Bram): participant Bo, and Dirk.

Findings (status in_brief, as issuing leaves them):

* F1 "Overdracht stokt" rests on lessons of A and B and goes to the gemeente and the GGZ;
* F2 "Wachtlijst zonder regie" rests on A only and goes to the gemeente;
* F3 "Geheim patroon" rests on B only and goes to the GGZ.

The brief "Regie in de keten" carries F1-F3 and is issued as v1 (``issue``) to policy owners Greet
(gemeente, nl), Gerrit (gemeente, en) and Gijs (GGZ), with the deadline ``DAY0 + 10``. The clock
stands still at ``DAY0`` 09:00 UTC (``clock.move_to`` moves it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from learning.admin.models import Organisation
from learning.auth.models import User
from learning.briefs.models import Brief, BriefAddressee, BriefFinding, BriefVersion
from learning.briefs.snapshot import build_snapshot
from learning.db import db
from learning.findings.models import Finding, FindingLesson
from learning.responses.models import Action, ActionUpdate, Response, ResponseRevision
from learning.reviews.models import MemberRole, Review, ReviewMember
from tests.findings import conftest as findings_conftest
from tests.findings.conftest import make_episode, make_finding, make_lesson  # noqa: F401

DAY0 = date(2030, 3, 4)


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


@pytest.fixture
def clock(time_machine):  # noqa: ANN001, ANN201
    """The clock stands still at DAY0 09:00 UTC; ``clock.move_to(at(day))`` moves it."""
    time_machine.move_to(at(DAY0), tick=False)
    return time_machine


@dataclass
class World:
    review_a: Review
    review_b: Review
    gemeente: Organisation
    ggz: Organisation
    people: dict[str, User]
    f1: Finding
    f2: Finding
    f3: Finding
    brief: Brief | None = None
    version: BriefVersion | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def findings(self) -> list[Finding]:
        return [self.f1, self.f2, self.f3]


def issue(brief: Brief, issuer: User, *, issued_at: datetime | None = None) -> BriefVersion:
    """Insert the next version of ``brief`` with its snapshot, as issuing does (no PDFs, no mail); commit."""
    issued_at = issued_at or at(DAY0, 8)
    number = brief.latest_version_number + 1
    snapshot = build_snapshot(brief, number=number, issued_at=issued_at, issued_by=issuer)
    version = BriefVersion(brief_id=brief.id, number=number, issued_at=issued_at, issued_by_id=issuer.id,
                           response_deadline=brief.response_deadline, snapshot=snapshot)
    db.session.add(version)
    brief.latest_version_number = number
    db.session.commit()
    return version


def make_brief(title: str, creator: User, findings: list[Finding], addressees: list[tuple[User, Organisation]], *,
               deadline: date | None = None) -> Brief:
    brief = Brief(title=title, introduction="Inleiding", context="Context", language="nl", created_by_id=creator.id,
                  response_deadline=deadline or DAY0 + timedelta(days=10))
    brief.finding_links = [BriefFinding(finding_id=finding.id, position=index)
                           for index, finding in enumerate(findings)]
    brief.addressees = [BriefAddressee(user_id=user.id, organisation_id=organisation.id)
                        for user, organisation in addressees]
    db.session.add(brief)
    db.session.commit()
    return brief


def respond(brief: Brief, finding: Finding, organisation: Organisation, actor: User, *, decision: str = "adopted",
            reasoning: str = "", submitted_at: datetime | None = None) -> Response:
    """A response; submitted (with its first revision) when ``submitted_at`` is given, else a draft."""
    response = Response(brief_id=brief.id, finding_id=finding.id, organisation_id=organisation.id, decision=decision,
                        reasoning=reasoning, status="draft", updated_by_id=actor.id)
    if submitted_at is not None:
        response.status = "submitted"
        response.first_submitted_at = response.submitted_at = submitted_at
        response.submitted_by_id = actor.id
        response.revisions = [ResponseRevision(number=1, decision=decision, reasoning=reasoning,
                                               submitted_at=submitted_at, submitted_by_id=actor.id)]
    db.session.add(response)
    db.session.commit()
    return response


def add_action(response: Response, *, description: str = "Warme overdracht bij elke verhuizing",
               due: date | None = None, status: str = "open", owner: str = "Wethouder Jansen",
               finished_at: datetime | None = None, progress: list[tuple[str, datetime]] = ()) -> Action:
    action = Action(response_id=response.id, description=description, owner_name=owner,
                    owner_organisation=response.organisation.name, due_date=due or DAY0 + timedelta(days=30),
                    status=status, finished_at=finished_at)
    action.updates = [ActionUpdate(body=body, created_at=moment) for body, moment in progress]
    db.session.add(action)
    db.session.commit()
    return action


def in_brief(finding: Finding) -> Finding:
    finding.status = "in_brief"
    finding.agreed_at = at(DAY0 - timedelta(days=20))
    return finding


@pytest.fixture
def world(clock, create_user, region, lead, make_review, make_lesson, make_finding, add_member) -> World:  # noqa: ANN001, F811
    """The two reviews, their members, three findings and the policy owners; the brief is not made yet."""
    gemeente = findings_conftest.organisation("Gemeente Midden", "gemeente", region)
    ggz = findings_conftest.organisation("GGZ Midden", "ggz", region)
    bram = create_user("bram@example.org", name="Bram Bravo", roles=("reviewer",))
    people = {
        "ria": lead,
        "bram": bram,
        "piet": create_user("piet@example.org", name="Piet Deelnemer"),
        "erin": create_user("erin@example.org", name="Erin Expert", language="en"),
        "olga": create_user("olga@example.org", name="Olga Observer"),
        "dirk": create_user("dirk@example.org", name="Dirk Dubbel"),
        "ina": create_user("ina@example.org", name="Ina Inactief", active=False),
        "bo": create_user("bo@example.org", name="Bo Bravo"),
        "greet": create_user("greet@example.org", name="Greet Gemeente", roles=("policy_owner",),
                             organisation_id=gemeente.id),
        "gerrit": create_user("gerrit@example.org", name="Gerrit Gemeente", roles=("policy_owner",), language="en",
                              organisation_id=gemeente.id),
        "gijs": create_user("gijs@example.org", name="Gijs GGZ", roles=("policy_owner",), organisation_id=ggz.id),
        "outsider": create_user("buiten@example.org", name="Buiten Reviewer", roles=("reviewer",)),
    }
    review_a = make_review(title="Review Alfa")
    review_b = make_review(title="Review Bravo geheim", actor=bram)
    for person, role in (("piet", MemberRole.PARTICIPANT), ("erin", MemberRole.EXPERT_BY_EXPERIENCE),
                         ("olga", MemberRole.OBSERVER), ("dirk", MemberRole.PARTICIPANT),
                         ("ina", MemberRole.PARTICIPANT)):
        add_member(review_a, people[person], role.value)
    for person in ("bo", "dirk"):
        add_member(review_b, people[person], MemberRole.PARTICIPANT.value)
    lesson_a1 = make_lesson(review_a, "keten", text="Leerpunt Alfa over overdracht")
    lesson_a2 = make_lesson(review_a, "stelsel", text="Leerpunt Alfa over wachtlijsten")
    lesson_b1 = make_lesson(review_b, "keten", text="Leerpunt Bravo dat geheim blijft")
    f1 = make_finding(lead, [lesson_a1], title="Overdracht stokt", organisation_ids=[gemeente.id, ggz.id],
                      questions=("Hoe regelt u de overdracht?",))
    db.session.add(FindingLesson(finding_id=f1.id, lesson_id=lesson_b1.id, position=1))
    f2 = make_finding(lead, [lesson_a2], title="Wachtlijst zonder regie", organisation_ids=[gemeente.id],
                      questions=("Wie houdt de regie?",))
    f3 = make_finding(bram, [lesson_b1], title="Geheim patroon", organisation_ids=[ggz.id],
                      questions=("Wat doet u?",))
    for finding in (f1, f2, f3):
        in_brief(finding)
    db.session.commit()
    return World(review_a, review_b, gemeente, ggz, people, f1, f2, f3)


@pytest.fixture
def issued(world) -> World:  # noqa: ANN001
    """``world`` with the brief issued as v1 to Greet and Gerrit (gemeente) and Gijs (GGZ)."""
    people = world.people
    world.brief = make_brief("Regie in de keten", people["ria"], world.findings,
                             [(people["greet"], world.gemeente), (people["gerrit"], world.gemeente),
                              (people["gijs"], world.ggz)])
    world.version = issue(world.brief, people["ria"])
    return world


def count_rows(model: Any, *conditions: Any) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*conditions))


def members_of(review: Review) -> set[int]:
    return set(db.session.scalars(sa.select(ReviewMember.user_id).where(ReviewMember.review_id == review.id)))

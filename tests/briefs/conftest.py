"""Fixtures for the briefs tests (shared by briefs-core and the PDF tests: append, don't rewrite)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest

from learning.admin.models import Organisation, Vocabulary
from learning.auth.models import User
from learning.briefs import rendering
from learning.briefs.models import Brief, BriefAddressee, BriefFinding, BriefVersion
from learning.briefs.snapshot import build_snapshot
from learning.db import db
from learning.findings.models import Finding
from tests.findings import conftest as findings_conftest

# The findings factories, as fixtures here too.
from tests.findings.conftest import make_episode, make_finding, make_lesson  # noqa: F401

# --- an issued version without the briefs services (the PDF, rendering and delivery tests) ---------------

ISSUED_AT = datetime(2026, 11, 24, 14, 30, tzinfo=UTC)


@dataclass
class BriefSetting:
    """A brief to two boards: Gemeente Midden (two policy owners, nl and en) and GGZ Midden (one).

    F1 goes to both boards, F2 to the gemeente only, F3 to the GGZ only.
    """

    brief: Brief
    gemeente: Organisation
    ggz: Organisation
    bea: User  # policy owner at the gemeente, Dutch
    ben: User  # policy owner at the gemeente, English
    gijs: User  # policy owner at the GGZ, Dutch
    findings: list[Finding]
    issuer: User
    approver: User
    extra: dict = field(default_factory=dict)


def issue_version(brief: Brief, *, issuer: User, approver: User | None = None, change_note: str = "",
                  issued_at: datetime = ISSUED_AT, start: bool = True) -> BriefVersion:
    """Insert the next BriefVersion of ``brief`` with its snapshot, as issuing does; start rendering; commit.

    Without REDIS_URL the PDFs are rendered inline right after the commit (and the e-mails sent).
    """
    number = brief.latest_version_number + 1
    snapshot = build_snapshot(brief, number=number, issued_at=issued_at, issued_by=issuer, approved_by=approver,
                              approved_at=issued_at - timedelta(hours=1) if approver else None,
                              change_note=change_note)
    version = BriefVersion(brief_id=brief.id, number=number, issued_at=issued_at, issued_by_id=issuer.id,
                           approved_by_id=approver.id if approver else None,
                           approved_at=issued_at - timedelta(hours=1) if approver else None,
                           change_note=change_note, response_deadline=brief.response_deadline, snapshot=snapshot)
    db.session.add(version)
    brief.latest_version_number = number
    db.session.flush()
    if start:
        rendering.start_rendering(version)
    db.session.commit()
    return version


@pytest.fixture
def make_brief_setting(app, create_user, region, lead, make_review, make_lesson, make_finding):  # noqa: ANN001, ANN201, F811
    """``make_brief_setting(language="nl", findings=None)``: the brief of ``BriefSetting``, not issued yet.

    ``findings``: a list of (title, pattern, why, questions, organisation keys) to use instead of F1-F3.
    """

    def make(*, language: str = "nl", findings: list[tuple] | None = None, title: str = "Regie bij crisis in de keten",
             introduction: str = "In drie reviews kwam hetzelfde patroon terug.\n\nWe vragen u erop te reageren.",
             context: str = "De reviews vonden plaats in 2026 in de regio's Midden en Noord.") -> BriefSetting:
        gemeente = findings_conftest.organisation("Gemeente Midden", "gemeente", region)
        ggz = findings_conftest.organisation("GGZ Midden", "ggz", region)
        bea = create_user("bea@example.org", name="Bea Bestuurder", roles=("policy_owner",),
                          organisation_id=gemeente.id, language="nl")
        ben = create_user("ben@example.org", name="Ben Board", roles=("policy_owner",),
                          organisation_id=gemeente.id, language="en")
        gijs = create_user("gijs@example.org", name="Gijs GGZ", roles=("policy_owner",), organisation_id=ggz.id,
                           language="nl")
        approver = create_user("tweede@example.org", name="Tom Tweede", roles=("reviewer",))
        review = make_review(title="Gezin B, crisis na scheiding")
        review.agency_kinds = [findings_conftest.term(Vocabulary.AGENCY_KIND, "veilig_thuis"),
                               findings_conftest.term(Vocabulary.AGENCY_KIND, "ggz")]
        db.session.commit()
        orgs = {"gemeente": gemeente, "ggz": ggz}
        specs = findings or [
            ("Regie valt weg bij crisis", "Bij een crisis weet niemand wie de regie heeft.",
             "Kinderen blijven dan te lang in onveilige situaties.",
             ("Wie heeft bij u de regie bij een crisis?", "Hoe borgt u dat dit bekend is in de keten?"),
             ("gemeente", "ggz")),
            ("Overdracht stokt bij verhuizing", "Bij een verhuizing gaat de zorg over veiligheid niet mee.",
             "Gezinnen moeten hun verhaal opnieuw vertellen.",
             ("Welke afspraken maakt de gemeente over warme overdracht?",), ("gemeente",)),
            ("Wachtlijst GGZ vertraagt veiligheid", "Behandeling start pas na maanden.",
             "Ouders krijgen geen hulp terwijl de zorgen groeien.",
             ("Hoe krijgen gezinnen met zorgen over veiligheid voorrang?", "Wat is daarvoor nodig?"), ("ggz",)),
        ]
        created = []
        for finding_title, pattern, why, questions, keys in specs:
            lessons = [make_lesson(review, "keten"), make_lesson(review, "stelsel")]
            finding = make_finding(lead, lessons, questions=tuple(questions), title=finding_title, pattern=pattern,
                                   why_it_matters=why, organisation_ids=[orgs[key].id for key in keys])
            finding.status = "in_brief"
            created.append(finding)
        brief = Brief(title=title, introduction=introduction, context=context, language=language,
                      response_deadline=date.today() + timedelta(weeks=6), created_by_id=lead.id)
        brief.finding_links = [BriefFinding(finding_id=finding.id, position=position)
                               for position, finding in enumerate(created)]
        brief.addressees = [BriefAddressee(user_id=person.id, organisation_id=person.organisation_id)
                            for person in (bea, ben, gijs)]
        db.session.add(brief)
        db.session.commit()
        return BriefSetting(brief=brief, gemeente=gemeente, ggz=ggz, bea=bea, ben=ben, gijs=gijs, findings=created,
                            issuer=lead, approver=approver)

    return make


# --- briefs-core: drafts written through the services ------------------------------------------------------

from learning.briefs.services import BriefInput  # noqa: E402
from learning.findings import services as finding_services  # noqa: E402
from learning.reviews.models import MemberRole  # noqa: E402


def brief_input(findings: list[Finding], owners: list[User], **fields) -> BriefInput:  # noqa: ANN003
    """A valid input for a brief with these findings and addressees (deadline a month ahead)."""
    fields.setdefault("title", "Notitie over regie in de keten")
    fields.setdefault("introduction", "Drie reviews lieten hetzelfde zien.")
    fields.setdefault("context", "Reviews in de regio Midden, voorjaar 2026.")
    fields.setdefault("response_deadline", date.today() + timedelta(days=30))
    fields.setdefault("language", "nl")
    return BriefInput(finding_ids=[finding.id for finding in findings], addressee_ids=[owner.id for owner in owners],
                      **fields)


@pytest.fixture
def make_agreed_finding(make_lesson, make_finding):  # noqa: ANN001, ANN201, F811
    """``make_agreed_finding(actor, review, title, organisations)``: agreed, on a keten lesson of ``review``."""

    def make(actor, review, title: str, organisations: list[Organisation], *,  # noqa: ANN001
             pattern: str | None = None, questions: tuple[str, ...] = ("Welke afspraak maakt u hierover?",)
             ) -> Finding:
        finding = make_finding(actor, [make_lesson(review, "keten")], questions=questions, title=title,
                               pattern=pattern or f"Patroon: {title}.",
                               organisation_ids=[organisation.id for organisation in organisations])
        finding_services.change_status(finding, "agreed", actor=actor, expected_version=finding.version)
        db.session.commit()
        return finding

    return make


@dataclass
class DraftWorld:
    """A review led by ``lead`` with ``co`` as co-reviewer (both global reviewers); two boards with a policy owner
    each; F1 to both boards, F2 to the gemeente, F3 to the GGZ; and ``other``, a finding of another review."""

    review: object
    lead: User
    co: User
    gemeente: Organisation
    ggz: Organisation
    bea: User
    gijs: User
    f1: Finding
    f2: Finding
    f3: Finding


@pytest.fixture
def draft_world(create_user, region, lead, make_review, add_member, make_agreed_finding) -> DraftWorld:  # noqa: ANN001
    gemeente = findings_conftest.organisation("Gemeente Midden", "gemeente", region)
    ggz = findings_conftest.organisation("GGZ Midden", "ggz", region)
    bea = create_user("bea@example.org", name="Bea Bestuurder", roles=("policy_owner",), organisation_id=gemeente.id)
    gijs = create_user("gijs@example.org", name="Gijs GGZ", roles=("policy_owner",), organisation_id=ggz.id)
    co = create_user("co@example.org", name="Cor Coreviewer", roles=("reviewer",))
    review = make_review(title="Gezin C, crisis na verhuizing")
    add_member(review, co, MemberRole.CO_REVIEWER.value)
    f1 = make_agreed_finding(lead, review, "Regie valt weg bij crisis", [gemeente, ggz],
                             pattern="Bij een crisis weet niemand wie de regie heeft.")
    f2 = make_agreed_finding(lead, review, "Overdracht stokt bij verhuizing", [gemeente],
                             pattern="Bij een verhuizing gaat de zorg over veiligheid niet mee.")
    f3 = make_agreed_finding(lead, review, "Wachtlijst GGZ vertraagt veiligheid", [ggz],
                             pattern="Behandeling start pas na maanden.")
    return DraftWorld(review=review, lead=lead, co=co, gemeente=gemeente, ggz=ggz, bea=bea, gijs=gijs,
                      f1=f1, f2=f2, f3=f3)

"""Issued briefs for the portal tests, built with the ORM (no briefs services, no PDF rendering).

``portal_world`` is one brief, issued as v1, from a review led by ``lead`` to two boards:

| finding | addressed to              | status   |
|---------|---------------------------|----------|
| F1      | Gemeente Midden           | in_brief |
| F2      | Gemeente Midden, GGZ Noord | in_brief |
| F3      | GGZ Noord                 | in_brief |

``owner`` answers for the gemeente, ``other_owner`` for the GGZ (both policy owners with MFA);
each board has a ready PDF of v1. ``issue_brief`` makes more briefs the same way.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest

from learning.admin.models import Organisation
from learning.auth.models import User
from learning.briefs.models import Brief, BriefAddressee, BriefDocument, BriefFinding, BriefVersion
from learning.briefs.snapshot import build_snapshot
from learning.db import db, utcnow
from learning.findings.models import Finding, FindingStatus
from learning.reviews.models import Review
from tests.findings import conftest as findings_conftest

# The findings factories, as fixtures here too (imported, so no pytest_plugins needed).
from tests.findings.conftest import make_finding, make_lesson  # noqa: F401

PDF_BYTES = b"%PDF-1.7\n% a stand-in for a rendered brief\n%%EOF\n"


def today() -> date:
    return utcnow().date()


@pytest.fixture
def issue_brief(lead):  # noqa: ANN001, ANN201
    """``issue_brief(findings, [(owner, organisation), ...], title=..., deadline=...)``: an issued v1 with a
    ready PDF per addressed organisation, committed. Findings move to in_brief as issuing does."""

    def issue(findings: list[Finding], addressees: list[tuple[User, Organisation]], *,
              title: str = "Regie bij crisis in de keten", deadline: date | None = None, creator: User | None = None,
              issued_at: datetime | None = None, ready: bool = True) -> Brief:
        creator = creator or lead
        issued_at = issued_at or utcnow()
        brief = Brief(title=title, introduction="In drie reviews kwam hetzelfde patroon terug.",
                      context="De reviews vonden plaats in 2026.",
                      response_deadline=deadline or today() + timedelta(days=14), language="nl",
                      created_by_id=creator.id)
        brief.finding_links = [BriefFinding(finding_id=finding.id, position=index)
                               for index, finding in enumerate(findings)]
        brief.addressees = [BriefAddressee(user_id=user.id, organisation_id=organisation.id)
                            for user, organisation in addressees]
        db.session.add(brief)
        db.session.flush()
        db.session.refresh(brief)
        for finding in findings:
            if finding.status != FindingStatus.IN_BRIEF.value:
                finding.status = FindingStatus.IN_BRIEF.value
        snapshot = build_snapshot(brief, number=1, issued_at=issued_at, issued_by=creator)
        version = BriefVersion(brief_id=brief.id, number=1, issued_at=issued_at, issued_by_id=creator.id,
                               response_deadline=brief.response_deadline, snapshot=snapshot)
        db.session.add(version)
        brief.latest_version_number = 1
        db.session.flush()
        for organisation in snapshot["organisations"]:
            document = BriefDocument(version_id=version.id, organisation_id=organisation["id"],
                                     organisation_name=organisation["name"], status="ready" if ready else "pending")
            if ready:
                pdf = PDF_BYTES + organisation["name"].encode()
                document.pdf, document.sha256, document.size = pdf, hashlib.sha256(pdf).hexdigest(), len(pdf)
                document.rendered_at = issued_at
            db.session.add(document)
        db.session.commit()
        return brief

    return issue


@dataclass
class PortalWorld:
    review: Review
    brief: Brief
    gemeente: Organisation
    ggz: Organisation
    owner: User
    other_owner: User
    findings: list[Finding]
    people: dict

    @property
    def f1(self) -> Finding:
        return self.findings[0]

    @property
    def f2(self) -> Finding:
        return self.findings[1]

    @property
    def f3(self) -> Finding:
        return self.findings[2]


@pytest.fixture
def portal_world(create_user, region, lead, make_review, make_lesson, make_finding, people_in_every_role,  # noqa: ANN001, ANN201, F811
                 issue_brief) -> PortalWorld:
    review = make_review()
    people = people_in_every_role(review)
    db.session.commit()
    gemeente = findings_conftest.organisation("Gemeente Midden", "gemeente", region)
    ggz = findings_conftest.organisation("GGZ Noord", "ggz", region)
    owner = create_user("bestuurder@gemeente.example", name="Bea Bestuurder", roles=("policy_owner",),
                        organisation_id=gemeente.id)
    other_owner = create_user("bestuurder@ggz.example", name="Gijs GGZ", roles=("policy_owner",),
                              organisation_id=ggz.id)
    findings = []
    for title, organisations in (("Overdracht stokt bij verhuizing", [gemeente]),
                                 ("Regie bij crisis ontbreekt", [gemeente, ggz]),
                                 ("Wachtlijst GGZ remt veiligheid", [ggz])):
        finding = make_finding(lead, [make_lesson(review, "keten")], title=title,
                               questions=(f"Welke afspraak maakt u over: {title.lower()}?",))
        finding.organisations = organisations
        findings.append(finding)
    db.session.commit()
    brief = issue_brief(findings, [(owner, gemeente), (other_owner, ggz)])
    return PortalWorld(review=review, brief=brief, gemeente=gemeente, ggz=ggz, owner=owner, other_owner=other_owner,
                       findings=findings, people=people)

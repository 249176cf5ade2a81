"""What the brief pages read: the list with each brief's state, the choices on the brief form (agreed
findings, policy owners), who gets what per organisation, the comments per section and the versions.

Each function costs a fixed number of queries, whatever the number of briefs, findings or versions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from learning.admin.models import Organisation
from learning.auth.models import GlobalRole, User, UserRole
from learning.briefs import access
from learning.briefs.models import Brief, BriefComment, BriefDocument, BriefVersion, DocumentStatus
from learning.db import db, utcnow
from learning.findings.access import findings_visible_to
from learning.findings.models import Finding, FindingStatus
from learning.i18n import _
from learning.lessons.ids import known_id

PER_PAGE = 20


# --- state -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BriefState:
    code: str  # concept | shared | approved | issued
    label: str


def brief_state(brief: Brief) -> BriefState:
    """Where the draft stands: approved beats shared beats issued beats concept."""
    if brief.approval_is_current:
        return BriefState("approved", _("goedgekeurd"))
    if brief.shared_at is not None:
        return BriefState("shared", _("gedeeld voor commentaar"))
    if brief.is_issued:
        return BriefState("issued", _("uitgegeven v%(number)d", number=brief.latest_version_number))
    return BriefState("concept", _("concept"))


@dataclass(frozen=True)
class BriefRow:
    brief: Brief
    state: BriefState
    findings: int
    organisations: int
    open_comments: int


def briefs_page(actor: Any, *, page: int) -> tuple[Any, list[BriefRow]]:
    """A page of the briefs ``actor`` may edit, most recently changed first (a fixed number of queries)."""
    query = (access.briefs_editable_by(actor)
             .options(sa.orm.selectinload(Brief.finding_links), sa.orm.selectinload(Brief.addressees))
             .order_by(Brief.updated_at.desc(), Brief.id.desc()))
    pagination = db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)
    ids = [brief.id for brief in pagination.items]
    open_comments: dict[int, int] = {}
    if ids:
        open_comments = dict(db.session.execute(
            sa.select(BriefComment.brief_id, sa.func.count(BriefComment.id))
            .where(BriefComment.brief_id.in_(ids), BriefComment.resolved_at.is_(None))
            .group_by(BriefComment.brief_id)).all())
    rows = [BriefRow(brief, brief_state(brief), len(brief.finding_links),
                     len({a.organisation_id for a in brief.addressees}), open_comments.get(brief.id, 0))
            for brief in pagination.items]
    return pagination, rows


# --- the form's choices ------------------------------------------------------------------------


def addable_findings(actor: Any, *keep_ids: int) -> list[Finding]:
    """Agreed findings ``actor`` may see (those a brief draft may take up), plus the ones already in it."""
    keep = [finding_id for finding_id in keep_ids if known_id(finding_id)]
    query = findings_visible_to(actor).where(Finding.status == FindingStatus.AGREED.value)
    if keep:
        query = sa.select(Finding).where(sa.or_(Finding.id.in_(query.with_only_columns(Finding.id)),
                                                Finding.id.in_(keep)))
    return list(db.session.scalars(
        query.options(sa.orm.selectinload(Finding.organisations)).order_by(Finding.title, Finding.id)))


def visible_finding_ids(actor: Any, finding_ids: Iterable[int]) -> set[int]:
    """Of these findings, the ones ``actor`` may see (one query)."""
    wanted = [value for value in dict.fromkeys(finding_ids) if known_id(value)]
    if not wanted:
        return set()
    return set(db.session.scalars(findings_visible_to(actor).with_only_columns(Finding.id)
                                  .where(Finding.id.in_(wanted))))


@dataclass(frozen=True)
class AddresseeChoice:
    user: User
    organisation: Organisation | None
    eligible: bool

    @property
    def label(self) -> str:
        name = self.organisation.name if self.organisation is not None else _("geen organisatie")
        return f"{self.user.display_name} — {name}"


def eligible_policy_owners() -> sa.Select:
    """Active users with the global role policy owner and an organisation: who a brief can go to."""
    return (sa.select(User.id)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == GlobalRole.POLICY_OWNER.value, User.active.is_(True),
                   User.organisation_id.is_not(None)))


def addressee_choices(*keep_ids: int) -> list[AddresseeChoice]:
    """Policy owners to address a brief to, "Naam — Organisatie", plus those already addressed."""
    keep = [user_id for user_id in keep_ids if known_id(user_id)]
    eligible = set(db.session.scalars(eligible_policy_owners()))
    users = db.session.scalars(
        sa.select(User).where(sa.or_(User.id.in_(eligible), User.id.in_(keep)))
        .options(sa.orm.joinedload(User.organisation))
        .order_by(User.display_name, User.id))
    return [AddresseeChoice(user, user.organisation, user.id in eligible) for user in users]


# --- who gets what -------------------------------------------------------------------------------


@dataclass
class OrganisationShare:
    """One addressed organisation: its addressees and the findings it will get."""

    organisation: Organisation
    addressees: list[User] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def organisation_shares(findings: Iterable[Finding], addressees: Iterable[tuple[User, int | None]]
                        ) -> tuple[list[OrganisationShare], list[Finding]]:
    """Per addressed organisation the findings it will get; and the findings that reach none of them.

    ``addressees`` are (user, organisation id) pairs, as chosen or as stored.
    """
    findings = list(findings)
    shares: dict[int, OrganisationShare] = {}
    organisations = {organisation.id: organisation for finding in findings for organisation in finding.organisations}
    wanted = [organisation_id for _user, organisation_id in addressees if organisation_id is not None]
    missing = [organisation_id for organisation_id in wanted if organisation_id not in organisations]
    if missing:
        organisations.update({organisation.id: organisation for organisation in db.session.scalars(
            sa.select(Organisation).where(Organisation.id.in_(missing)))})
    for user, organisation_id in addressees:
        if organisation_id is None:
            continue
        share = shares.setdefault(organisation_id, OrganisationShare(organisations[organisation_id]))
        share.addressees.append(user)
    for finding in findings:
        for organisation in finding.organisations:
            if organisation.id in shares:
                shares[organisation.id].findings.append(finding)
    unreached = [finding for finding in findings
                 if not any(organisation.id in shares for organisation in finding.organisations)]
    ordered = sorted(shares.values(), key=lambda share: (share.organisation.name.casefold(), share.organisation.id))
    return ordered, unreached


def brief_shares(brief: Brief) -> tuple[list[OrganisationShare], list[Finding]]:
    return organisation_shares(brief.findings, [(a.user, a.organisation_id) for a in brief.addressees])


# --- comments ------------------------------------------------------------------------------------


def comments_by_section(brief: Brief, *, author: Any | None = None) -> dict[str, list[BriefComment]]:
    """The brief's comments per section, oldest first; only ``author``'s own when given (one query)."""
    query = (sa.select(BriefComment).where(BriefComment.brief_id == brief.id)
             .options(sa.orm.joinedload(BriefComment.resolved_by))
             .order_by(BriefComment.created_at, BriefComment.id))
    if author is not None:
        query = query.where(BriefComment.author_id == author.id)
    sections: dict[str, list[BriefComment]] = {}
    for comment in db.session.scalars(query):
        sections.setdefault(comment.section, []).append(comment)
    return sections


# --- versions and their PDFs ---------------------------------------------------------------------


def versions_of(brief: Brief) -> list[BriefVersion]:
    """The issued versions, newest first, with their documents (two queries; the PDF bytes stay unread)."""
    return list(db.session.scalars(
        sa.select(BriefVersion).where(BriefVersion.brief_id == brief.id)
        .options(sa.orm.selectinload(BriefVersion.documents), sa.orm.joinedload(BriefVersion.issued_by),
                 sa.orm.joinedload(BriefVersion.approved_by))
        .order_by(BriefVersion.number.desc())))


def any_pending(versions: Iterable[BriefVersion]) -> bool:
    """Whether the page should keep asking: a PDF is being made (one whose job was lost is not: it waits for a retry)."""
    now = utcnow()
    return any(document.status == DocumentStatus.PENDING.value and not document.is_stuck(now)
               for version in versions for document in version.documents)


def document_pdf(document: BriefDocument) -> bytes | None:
    """The PDF bytes of a ready document (the column is deferred: read only on download)."""
    return db.session.scalar(sa.select(BriefDocument.pdf).where(BriefDocument.id == document.id))


# --- the form as a whole -------------------------------------------------------------------------------


@dataclass
class FormChoices:
    """What the brief form offers and what it shows for the boxes ticked now (as typed, or as saved).

    ``offered``: the brief's own findings first (in its order), then the other agreed findings ``actor`` may
    add. ``locked``: the brief's findings from reviews ``actor`` does not edit; they stay whatever the form says.
    """

    offered: list[Finding]
    locked: list[Finding]
    people: list[AddresseeChoice]
    chosen_finding_ids: set[int]
    chosen_addressee_ids: set[int]
    shares: list[OrganisationShare]
    unreached: list[Finding]


def form_choices(actor: Any, brief: Brief | None, *, finding_ids: list[int], addressee_ids: list[int]
                 ) -> FormChoices:
    current = brief.findings if brief else []
    offered = addable_findings(actor, *(finding.id for finding in current), *finding_ids)
    visible = visible_finding_ids(actor, [finding.id for finding in offered])
    locked = [finding for finding in current if finding.id not in visible]
    order = {finding.id: position for position, finding in enumerate(current)}
    offered = sorted((finding for finding in offered if finding.id in visible),
                     key=lambda finding: (order.get(finding.id, len(order)), finding.title.casefold(), finding.id))
    people = addressee_choices(*(a.user_id for a in brief.addressees) if brief else (), *addressee_ids)
    by_id = {finding.id: finding for finding in offered}
    ticked = [*locked, *(by_id[finding_id] for finding_id in dict.fromkeys(finding_ids) if finding_id in by_id)]
    chosen = set(addressee_ids)
    shares, unreached = organisation_shares(
        ticked, [(choice.user, choice.user.organisation_id) for choice in people if choice.user.id in chosen])
    return FormChoices(offered=offered, locked=locked, people=people, chosen_finding_ids=set(finding_ids),
                       chosen_addressee_ids=chosen, shares=shares, unreached=unreached)

"""Briefs: writing the draft, sharing it for comments, four-eyes approval, and issuing versions.

Rules (the form shows each as a translated error on its field, keeping what was typed; issuing
checks them again, as findings, accounts and dates change meanwhile):
* a brief carries at least one finding and is addressed to at least one policy owner;
* the response deadline is today or later;
* every addressed organisation gets at least one finding (``Finding.organisations``), and every
  finding goes to at least one of the addressed organisations;
* a finding enters a draft only when agreed (vastgesteld), and only from the findings the person
  may see; findings a colleague added from reviews this person does not edit stay, whatever the
  form says (only their own reviewers take them out);
* addressees are active users with the global role policy owner and an organisation.

Every change to what would be rendered raises ``content_version``; an approval holds for one
value of it only, so a change voids it. That includes a carried finding going back to concept (the
only state in which its texts can change): a flush hook below raises the version of every brief
carrying it. Issuing needs a current approval by another editor than
the issuer, freezes the content into an immutable ``BriefVersion`` and starts the PDFs. Every
change is made on the content the person saw (``expected_content_version``): a stale one
overwrites nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session as SASession
from sqlalchemy.orm.exc import StaleDataError

from learning import audit, jobs
from learning.admin.models import Organisation
from learning.auth.models import User
from learning.briefs import access
from learning.briefs.models import Brief, BriefAddressee, BriefComment, BriefDocument, BriefFinding, BriefVersion
from learning.briefs.queries import eligible_policy_owners, visible_finding_ids
from learning.briefs.snapshot import build_snapshot
from learning.db import db, utcnow
from learning.findings import services as finding_services
from learning.findings.models import Finding, FindingStatus
from learning.findings.services import FindingError
from learning.i18n import _, _l
from learning.lessons.ids import known_id
from learning.mail import external_url, send_mail
from learning.reviews.methods import swap_with_neighbour
from learning.reviews.models import ReviewMember

TITLE_LIMIT = 200
TEXT_LIMIT = 20_000
NOTE_LIMIT = 2_000
COMMENT_LIMIT = 5_000
LANGUAGES = ("nl", "en")
# A brief's findings as they may stand in a draft and in an issued version: agreed, or already in a
# brief (an earlier version, another brief) or answered. Concept and closed findings cannot go out.
ISSUABLE_STATUSES = frozenset({FindingStatus.AGREED.value, FindingStatus.IN_BRIEF.value,
                               FindingStatus.ANSWERED.value})


class BriefError(ValueError):
    """A change that breaks a rule; ``str()`` is a translated message, ``field`` the form field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class BriefInvalid(BriefError):
    """Several rules broken at once; ``errors`` lists each (with its field)."""

    def __init__(self, errors: list[BriefError]) -> None:
        super().__init__(" ".join(str(error) for error in errors))
        self.errors = errors


class ChangedMeanwhile(BriefError):
    """A button pressed on content someone else has since changed: nothing was changed."""


class JobsDown(BriefError):
    """The job queue (Redis) is configured but does not answer: nothing was issued."""


@dataclass
class BriefConflict(Exception):
    """Someone else saved newer content since this form was opened; nothing was overwritten.

    ``current`` and ``submitted`` map field names to the text to show side by side.
    """

    current: dict[str, str]
    submitted: dict[str, str]


@dataclass
class BriefInput:
    title: str
    introduction: str = ""
    context: str = ""
    response_deadline: date | None = None
    language: str = "nl"
    finding_ids: list[int] = field(default_factory=list)
    addressee_ids: list[int] = field(default_factory=list)


def today() -> date:
    return utcnow().date()


# --- choosing findings and addressees --------------------------------------------------------------


def _known(ids: Iterable[int]) -> list[int]:
    return [value for value in dict.fromkeys(ids) if known_id(value)]


def _findings_by_id(ids: Iterable[int]) -> dict[int, Finding]:
    wanted = _known(ids)
    if not wanted:
        return {}
    return {finding.id: finding for finding in db.session.scalars(sa.select(Finding).where(Finding.id.in_(wanted)))}


def chosen_findings(actor: Any, finding_ids: Iterable[int], current: list[Finding]) -> list[Finding]:
    """The findings the brief will carry, in order: those it kept (in their order), then the new ones.

    New ones must be agreed findings ``actor`` may see. Findings ``actor`` may not see stay, whatever
    the form says: a colleague added them from reviews this person does not edit.
    """
    ids = list(dict.fromkeys(finding_ids))
    if len(_known(ids)) != len(ids):
        raise BriefError(_("Kies bevindingen uit de lijst."), "finding_ids")
    current_ids = [finding.id for finding in current]
    new_ids = [finding_id for finding_id in ids if finding_id not in current_ids]
    found = _findings_by_id(new_ids)
    visible = visible_finding_ids(actor, [*current_ids, *new_ids])
    for finding_id in new_ids:
        finding = found.get(finding_id)
        if finding is None or finding_id not in visible:
            raise BriefError(_("Kies bevindingen uit de lijst: alleen bevindingen uit reviews waarvan je "
                               "(co-)reviewer bent."), "finding_ids")
        if finding.status != FindingStatus.AGREED.value:
            raise BriefError(_("De bevinding “%(title)s” is %(status)s: alleen vastgestelde bevindingen kunnen in "
                               "een notitie.", title=finding.title, status=finding.status_label.lower()),
                             "finding_ids")
    kept = [finding for finding in current if finding.id in ids or finding.id not in visible]
    return kept + [found[finding_id] for finding_id in new_ids]


def chosen_addressees(addressee_ids: Iterable[int], current: Iterable[BriefAddressee]
                      ) -> list[tuple[User, int | None]]:
    """The policy owners chosen, each with the organisation they answer for (their own), by name.

    Only eligible policy owners can be added; one already addressed who is no longer eligible is
    returned as is, for the rules to name.
    """
    ids = list(dict.fromkeys(addressee_ids))
    if len(_known(ids)) != len(ids):
        raise BriefError(_("Kies beleidseigenaren uit de lijst."), "addressee_ids")
    if not ids:
        return []
    current_ids = {addressee.user_id for addressee in current}
    eligible = set(db.session.scalars(eligible_policy_owners().where(User.id.in_(ids))))
    if not set(ids) <= eligible | current_ids:
        raise BriefError(_("Kies beleidseigenaren uit de lijst."), "addressee_ids")
    users = db.session.scalars(sa.select(User).where(User.id.in_(ids)).order_by(User.display_name, User.id))
    return [(user, user.organisation_id) for user in users]


def _is_eligible(user: User) -> bool:
    return bool(user.active and user.has_role("policy_owner") and user.organisation_id is not None)


# --- the rules -------------------------------------------------------------------------------------


def content_problems(*, title: str, response_deadline: date | None, findings: list[Finding],
                     addressees: list[tuple[User, int | None]], on: date) -> list[BriefError]:
    """Every rule the content breaks, each with its field; empty when it can be issued."""
    problems: list[BriefError] = []
    if not title.strip():
        problems.append(BriefError(_("Geef de notitie een titel."), "title"))
    if response_deadline is None:
        problems.append(BriefError(_("Kies de datum waarvoor de beleidseigenaren moeten reageren."),
                                   "response_deadline"))
    elif response_deadline < on:
        problems.append(BriefError(_("De reactietermijn ligt in het verleden. Kies vandaag of een latere datum."),
                                   "response_deadline"))
    if not findings:
        problems.append(BriefError(_("Kies minstens één bevinding voor de notitie."), "finding_ids"))
    if not addressees:
        problems.append(BriefError(_("Kies minstens één beleidseigenaar aan wie de notitie gericht is."),
                                   "addressee_ids"))
    for finding in findings:
        if finding.status not in ISSUABLE_STATUSES:
            problems.append(BriefError(_("De bevinding “%(title)s” is %(status)s en kan niet (meer) in een notitie. "
                                         "Haal haar uit de notitie of stel haar eerst (opnieuw) vast.",
                                         title=finding.title, status=finding.status_label.lower()), "finding_ids"))
    for user, organisation_id in addressees:
        if not _is_eligible(user) or user.organisation_id != organisation_id:
            problems.append(BriefError(_("%(name)s is geen actieve beleidseigenaar (meer) met een organisatie. "
                                         "Haal het vinkje weg of kies iemand anders.", name=user.display_name),
                                       "addressee_ids"))
    addressed = {organisation_id for _user, organisation_id in addressees if organisation_id is not None}
    reached = {organisation.id for finding in findings for organisation in finding.organisations}
    if findings:
        for organisation_id in sorted(addressed - reached):
            organisation = db.session.get(Organisation, organisation_id)
            problems.append(BriefError(_("%(organisation)s krijgt geen enkele bevinding: geen van de gekozen "
                                         "bevindingen is aan deze organisatie gericht. Kies een bevinding voor haar, "
                                         "of haal haar beleidseigenaar weg.",
                                         organisation=organisation.name), "addressee_ids"))
    if addressees:
        for finding in findings:
            if not any(organisation.id in addressed for organisation in finding.organisations):
                problems.append(BriefError(_("De bevinding “%(title)s” is aan geen van de gekozen organisaties "
                                             "gericht, dus niemand zou haar krijgen. Kies een beleidseigenaar van "
                                             "een organisatie waaraan zij gericht is, of haal haar uit de notitie.",
                                             title=finding.title), "finding_ids"))
    return problems


def brief_problems(brief: Brief, *, on: date | None = None) -> list[BriefError]:
    """What stands in the way of issuing this brief as it is saved now."""
    return content_problems(title=brief.title, response_deadline=brief.response_deadline, findings=brief.findings,
                            addressees=[(a.user, a.organisation_id) for a in brief.addressees], on=on or today())


def _check_texts(data: BriefInput) -> list[BriefError]:
    errors = []
    if len(data.title.strip()) > TITLE_LIMIT:
        errors.append(BriefError(_("De titel is te lang: hoogstens %(limit)d tekens.", limit=TITLE_LIMIT), "title"))
    for name in ("introduction", "context"):
        if len(getattr(data, name)) > TEXT_LIMIT:
            errors.append(BriefError(_("Deze tekst is te lang: hoogstens %(limit)d tekens.", limit=TEXT_LIMIT), name))
    if data.language not in LANGUAGES:
        errors.append(BriefError(_("Kies Nederlands of Engels."), "language"))
    return errors


def _validated(data: BriefInput, actor: Any, brief: Brief | None, on: date
               ) -> tuple[list[Finding], list[tuple[User, int | None]]]:
    """The findings and addressees of a valid input; else every error at once (``BriefInvalid``)."""
    errors = _check_texts(data)
    findings: list[Finding] = []
    addressees: list[tuple[User, int | None]] = []
    try:
        findings = chosen_findings(actor, data.finding_ids, brief.findings if brief else [])
    except BriefError as error:
        errors.append(error)
    try:
        addressees = chosen_addressees(data.addressee_ids, brief.addressees if brief else [])
    except BriefError as error:
        errors.append(error)
    if not errors:
        errors = content_problems(title=data.title, response_deadline=data.response_deadline, findings=findings,
                                  addressees=addressees, on=on)
    if not errors and brief is not None and brief.created_by_id != actor.id and not (
            visible_finding_ids(actor, [finding.id for finding in findings])):
        errors.append(BriefError(_("Houd minstens één bevinding over uit een review waarvan jij (co-)reviewer bent; "
                                   "anders kun je deze notitie daarna zelf niet meer zien."), "finding_ids"))
    if errors:
        raise BriefInvalid(errors)
    return findings, addressees


def check_input(data: BriefInput, *, actor: Any, brief: Brief | None = None, on: date | None = None
                ) -> list[BriefError]:
    """Every rule the input breaks, without saving anything (the form's "Controleren")."""
    try:
        _validated(data, actor, brief, on or today())
    except BriefInvalid as invalid:
        return invalid.errors
    return []


# --- conflicts -------------------------------------------------------------------------------------


def _deadline_text(value: date | None) -> str:
    return value.isoformat() if value else ""


def _current_state(brief: Brief) -> dict[str, str]:
    return {
        "title": brief.title, "introduction": brief.introduction, "context": brief.context,
        "response_deadline": _deadline_text(brief.response_deadline), "language": brief.language,
        "findings": "\n".join(f"{number}. {finding.title}" for number, finding in enumerate(brief.findings, 1)),
        "addressees": ", ".join(a.user.display_name for a in brief.addressees),
    }


def _submitted_state(data: BriefInput) -> dict[str, str]:
    findings = _findings_by_id(data.finding_ids)
    users = {user.id: user for user in db.session.scalars(sa.select(User).where(User.id.in_(_known(
        data.addressee_ids))))}
    return {
        "title": data.title, "introduction": data.introduction, "context": data.context,
        "response_deadline": _deadline_text(data.response_deadline), "language": data.language,
        "findings": "\n".join(f"{number}. {findings[fid].title}" for number, fid in
                              enumerate((fid for fid in data.finding_ids if fid in findings), 1)),
        "addressees": ", ".join(users[uid].display_name for uid in data.addressee_ids if uid in users),
    }


Submitted = Callable[[], dict[str, str]]


def _changed_meanwhile() -> ChangedMeanwhile:
    return ChangedMeanwhile(_("Iemand anders heeft deze notitie intussen gewijzigd. Er is niets veranderd; bekijk "
                              "de huidige versie en probeer het opnieuw."))


def _check_content_version(brief: Brief, expected: int, submitted: Submitted | None) -> None:
    if brief.content_version == expected:
        return
    if submitted is None:
        raise _changed_meanwhile()
    raise BriefConflict(current=_current_state(brief), submitted=submitted())


def _save(brief: Brief, submitted: Submitted | None = None) -> None:
    """Write the change (one version step of the brief row). Two saves racing on one version: the later
    UPDATE matches no row; its transaction is rolled back and the person sees the winner's content."""
    brief.updated_at = utcnow()
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        if submitted is None:
            raise _changed_meanwhile() from None
        raise BriefConflict(current=_current_state(brief), submitted=submitted()) from None


def _content_changed(brief: Brief) -> None:
    """What would be rendered changed: an approval given before no longer holds."""
    brief.content_version += 1


@event.listens_for(SASession, "before_flush")
def _void_approvals_when_a_finding_reopens(session: SASession, _flush_context, _instances) -> None:  # noqa: ANN001
    """A finding's texts change only in concept: one that goes back to concept changes the content of every
    brief carrying it, whatever happens next, so each such brief's approval no longer holds."""
    reopened = [obj.id for obj in session.dirty if isinstance(obj, Finding) and obj.id is not None
                and obj.status == FindingStatus.CONCEPT.value
                and sa.inspect(obj).attrs.status.history.has_changes()]
    if not reopened:
        return
    carrying = sa.select(BriefFinding.brief_id).where(BriefFinding.finding_id.in_(reopened))
    for brief in session.scalars(sa.select(Brief).where(Brief.id.in_(carrying))):
        _content_changed(brief)


# --- writing the draft -----------------------------------------------------------------------------


def _apply(brief: Brief, data: BriefInput, findings: list[Finding], addressees: list[tuple[User, int | None]]
           ) -> list[str]:
    """Put the input on the brief; returns the names of what changed."""
    cleaned = {"title": " ".join(data.title.split()), "introduction": data.introduction.strip(),
               "context": data.context.strip(), "response_deadline": data.response_deadline,
               "language": data.language}
    changed = [name for name, value in cleaned.items() if getattr(brief, name) != value]
    for name, value in cleaned.items():
        setattr(brief, name, value)
    if [finding.id for finding in brief.findings] != [finding.id for finding in findings]:
        changed.append("findings")
        kept = {link.finding_id: link for link in brief.finding_links}
        brief.finding_links = [kept.get(finding.id) or BriefFinding(finding_id=finding.id, finding=finding)
                               for finding in findings]
        for position, link in enumerate(brief.finding_links):
            link.position = position
    wanted = {user.id: organisation_id for user, organisation_id in addressees}
    current = {a.user_id: a.organisation_id for a in brief.addressees}
    if wanted != current:
        changed.append("addressees")
        kept_rows = {a.user_id: a for a in brief.addressees}
        rows = []
        for user, organisation_id in addressees:
            row = kept_rows.get(user.id) or BriefAddressee(user_id=user.id, user=user)
            row.organisation_id = organisation_id
            rows.append(row)
        brief.addressees = rows
    return changed


def create_brief(data: BriefInput, *, actor: Any, on: date | None = None) -> Brief:
    """A draft brief with the chosen findings and addressees (every rule checked)."""
    findings, addressees = _validated(data, actor, None, on or today())
    brief = Brief(created_by_id=actor.id, content_version=1, latest_version_number=0, title="", introduction="",
                  context="", language="nl")
    with db.session.no_autoflush:
        _apply(brief, data, findings, addressees)
    db.session.add(brief)
    db.session.flush()
    audit.record("brief.created", actor=actor, object_type="brief", object_id=brief.id,
                 finding_ids=[finding.id for finding in findings], addressee_ids=[u.id for u, _org in addressees])
    return brief


def update_brief(brief: Brief, data: BriefInput, *, expected_content_version: int, actor: Any,
                 on: date | None = None) -> list[str]:
    """Apply an edit made on content ``expected_content_version``; returns the names of what changed."""
    submitted = lambda: _submitted_state(data)  # noqa: E731
    _check_content_version(brief, expected_content_version, submitted)
    findings, addressees = _validated(data, actor, brief, on or today())
    # No autoflush halfway: the change is one UPDATE of the brief row, one version step.
    with db.session.no_autoflush:
        changed = _apply(brief, data, findings, addressees)
        if changed:
            _content_changed(brief)
    if not changed:
        return []
    audit.record("brief.updated", actor=actor, object_type="brief", object_id=brief.id, fields=changed)
    _save(brief, submitted)
    return changed


def move_finding(brief: Brief, finding_id: int, direction: str, *, expected_content_version: int,
                 actor: Any) -> None:
    """Move a finding one place up or down; at either end nothing happens."""
    _check_content_version(brief, expected_content_version, None)
    link = next((each for each in brief.finding_links if each.finding_id == finding_id), None)
    if link is None:
        raise BriefError(_("Deze bevinding staat niet (meer) in deze notitie."))
    if swap_with_neighbour(list(brief.finding_links), link, direction):
        brief.finding_links.sort(key=lambda each: each.position)
        _content_changed(brief)
        audit.record("brief.updated", actor=actor, object_type="brief", object_id=brief.id, fields=["findings"])
        _save(brief)


# --- sharing for comments ------------------------------------------------------------------------------


def share_brief(brief: Brief, *, actor: Any) -> list[User]:
    """Open the draft for comments by the members of its source reviews; tell them by e-mail.

    Returns the people told. Each reads only the sections of findings resting on a review they are a
    member of (plus the introduction and context): the e-mail names nothing more than the title.
    """
    if brief.shared_at is not None:
        raise BriefError(_("Dit concept is al gedeeld voor commentaar."))
    if not brief.finding_links:
        raise BriefError(_("Kies eerst bevindingen: zonder bevindingen is er niets om commentaar op te geven."))
    brief.shared_at = utcnow()
    reviews = access.source_review_ids(brief)
    members = list(db.session.scalars(
        sa.select(User).where(User.id.in_(sa.select(ReviewMember.user_id).where(ReviewMember.review_id.in_(reviews))),
                              User.active.is_(True), User.id != actor.id)
        .order_by(User.id)))
    audit.record("brief.shared", actor=actor, object_type="brief", object_id=brief.id, review_ids=sorted(reviews),
                 recipients=len(members))
    _save(brief)
    link = external_url("briefs.draft", brief_id=brief.id)
    for member in members:
        send_mail(to=member.email, subject=_l("Een concept-notitie aan bestuurders ligt klaar voor je commentaar"),
                  template="draft_brief_shared",
                  language=member.preferred_language, recipient=member, title=brief.title, sharer=actor.display_name,
                  link=link)
    return members


def add_comment(reader: access.DraftReader, section: str, body: str, *, actor: Any) -> BriefComment:
    """A comment on one section the person may read, while the draft is shared."""
    if not reader.may_comment:
        raise BriefError(_("Dit concept is (nog) niet gedeeld voor commentaar."))
    if not reader.may_read_section(section):
        raise BriefError(_("Kies een onderdeel van de notitie."), "section")
    text = body.strip()
    if not text:
        raise BriefError(_("Schrijf je commentaar."), "body")
    if len(text) > COMMENT_LIMIT:
        raise BriefError(_("Dit commentaar is te lang: hoogstens %(limit)d tekens.", limit=COMMENT_LIMIT), "body")
    anonymous = not reader.is_editor and access.in_anonymous_source_review(actor, reader.brief)
    comment = BriefComment(brief_id=reader.brief.id, section=section, author_id=actor.id, body=text,
                           created_at=utcnow(), anonymous=anonymous)
    db.session.add(comment)
    db.session.flush()
    audit.record("brief.commented", actor=None if anonymous else actor, object_type="brief",
                 object_id=reader.brief.id, comment_id=comment.id, section=section)
    return comment


def resolve_comment(comment: BriefComment, *, note: str, actor: Any) -> None:
    """Mark a comment as dealt with, optionally saying how."""
    if comment.resolved_at is not None:
        raise BriefError(_("Dit commentaar is al afgehandeld."))
    text = note.strip()
    if len(text) > NOTE_LIMIT:
        raise BriefError(_("Deze toelichting is te lang: hoogstens %(limit)d tekens.", limit=NOTE_LIMIT), "note")
    comment.resolved_at, comment.resolved_by_id, comment.resolution = utcnow(), actor.id, text
    db.session.flush()
    audit.record("brief.comment_resolved", actor=actor, object_type="brief", object_id=comment.brief_id,
                 comment_id=comment.id)


# --- four eyes and issuing -------------------------------------------------------------------------------


def approval_holds(brief: Brief) -> bool:
    """Approved for the current content, by someone who may (still) edit the brief."""
    return brief.approval_is_current and brief.approved_by is not None and access.may_edit(brief.approved_by, brief)


def approve_brief(brief: Brief, *, expected_content_version: int, actor: Any, on: date | None = None) -> None:
    """Four eyes: ``actor`` approves exactly the content they saw; another editor can then issue it."""
    _check_content_version(brief, expected_content_version, None)
    if brief.approval_is_current and brief.approved_by_id == actor.id:
        raise BriefError(_("Je hebt deze inhoud al goedgekeurd."))
    problems = brief_problems(brief, on=on)
    if problems:
        raise BriefInvalid(problems)
    brief.approved_by, brief.approved_at, brief.approved_content = actor, utcnow(), brief.content_version
    audit.record("brief.approved", actor=actor, object_type="brief", object_id=brief.id,
                 content_version=brief.content_version)
    _save(brief)


def issue_brief(brief: Brief, *, change_note: str, expected_content_version: int, actor: Any,
                on: date | None = None) -> BriefVersion:
    """Issue the draft as the next immutable version and start its PDFs, all in this transaction.

    Refused, with nothing written, when the job queue is configured but down, when the content changed
    since the person saw it, when a rule is broken, without a current approval, when the issuer is the
    approver, and for a second or later version without a change note.
    """
    try:
        jobs.check_queue(current_app)
    except jobs.JobsUnavailable:
        raise JobsDown(_("De notitie is niet uitgegeven: de wachtrij voor het maken van de PDF's is nu niet "
                         "bereikbaar. Er is niets aangemaakt of verstuurd. Probeer het over een paar minuten opnieuw; "
                         "blijft dit gebeuren, meld het dan aan de beheerder.")) from None
    _check_content_version(brief, expected_content_version, None)
    problems = brief_problems(brief, on=on)
    if problems:
        raise BriefInvalid(problems)
    if not approval_holds(brief):
        raise BriefError(_("Uitgeven kan pas als een tweede reviewer deze inhoud heeft goedgekeurd (vier ogen)."))
    if brief.approved_by_id == actor.id:
        raise BriefError(_("Je hebt deze inhoud zelf goedgekeurd. Een andere reviewer geeft haar uit (vier ogen)."))
    note = change_note.strip()
    if brief.is_issued and not note:
        raise BriefError(_("Beschrijf wat er veranderd is ten opzichte van versie %(number)d.",
                           number=brief.latest_version_number), "change_note")
    if len(note) > NOTE_LIMIT:
        raise BriefError(_("Deze toelichting is te lang: hoogstens %(limit)d tekens.", limit=NOTE_LIMIT), "change_note")

    from learning.briefs import rendering  # the PDF side; imported here, it imports this package's models

    number = brief.latest_version_number + 1
    issued_at = utcnow()
    snapshot = build_snapshot(brief, number=number, issued_at=issued_at, issued_by=actor,
                              approved_by=brief.approved_by, approved_at=brief.approved_at, change_note=note)
    version = BriefVersion(brief_id=brief.id, number=number, issued_at=issued_at, issued_by_id=actor.id,
                           approved_by_id=brief.approved_by_id, approved_at=brief.approved_at, change_note=note,
                           response_deadline=brief.response_deadline, snapshot=snapshot)
    db.session.add(version)
    brief.latest_version_number = number
    # The next round starts fresh: the draft of version n+1 is shared and approved on its own.
    brief.shared_at = None
    brief.approved_by, brief.approved_at, brief.approved_content = None, None, None
    _save(brief)
    for finding in brief.findings:
        if finding.status == FindingStatus.AGREED.value:
            try:
                finding_services.change_status(finding, FindingStatus.IN_BRIEF.value, actor=actor,
                                               by_reviewer=False)
            except FindingError:
                # A finding changed (or was closed) at this very moment: issue nothing, not half a version.
                db.session.rollback()
                raise _changed_meanwhile() from None
    audit.record("brief.issued", actor=actor, object_type="brief", object_id=brief.id, version_id=version.id,
                 number=number, approved_by_id=version.approved_by_id,
                 organisation_ids=[organisation["id"] for organisation in snapshot["organisations"]])
    rendering.start_rendering(version)
    return version


# --- the PDFs --------------------------------------------------------------------------------------------


def record_download(document: BriefDocument, *, actor: Any) -> None:
    audit.record("brief.downloaded", actor=actor, object_type="brief", object_id=document.version.brief_id,
                 version_id=document.version_id, document_id=document.id, organisation_id=document.organisation_id)

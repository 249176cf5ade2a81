"""Who may see and answer which brief: one scope, and one loader per kind of object, for every
portal route and every reviewer route of a brief's responses.

Policy owners (the portal): a person with the global role ``policy_owner`` who is an addressee
(``BriefAddressee``) of an issued brief sees that brief for the organisation of their addressee
row only, and only the findings addressed to that organisation in the latest issued version
(``organisation_view`` of its snapshot). Responses, actions and threads are loaded through that
pair (brief, organisation): an id of another organisation's response, action or message, or of a
finding not addressed to this organisation, is a 404, exactly like a missing one.

Reviewers: the brief's editors (``learning.briefs.access``: the global role reviewer and the
creator of the brief, or an editor of a review one of its findings rests on) see every
organisation's submitted responses, the actions and the threads. Anyone else gets a 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

import sqlalchemy as sa

from learning.admin.models import Organisation
from learning.briefs.access import brief_for_editor
from learning.briefs.models import Brief, BriefDocument, BriefRecipient, BriefVersion, DocumentStatus
from learning.briefs.snapshot import organisation_view
from learning.db import db
from learning.lessons.ids import known_id
from learning.permissions import ObjectRule, loaded
from learning.responses.models import Action, Response, ThreadMessage

POLICY_OWNER = "policy_owner"


def is_policy_owner(user: Any) -> bool:
    """The portal is for the global role policy owner (it makes MFA compulsory): taking the role
    away takes every brief away with it, whatever addressee rows remain."""
    return bool(getattr(user, "is_authenticated", False)) and user.has_role(POLICY_OWNER)


def _latest_version() -> sa.ColumnElement[bool]:
    return sa.and_(BriefVersion.brief_id == Brief.id, BriefVersion.number == Brief.latest_version_number)


def portal_briefs_for(user: Any) -> sa.Select:
    """The one scope of the portal: rows of (brief, latest issued version, organisation) for the
    issued briefs whose latest version was addressed to ``user`` (``BriefRecipient``), for the
    organisation it was addressed to them for, while they still belong to that organisation.

    The draft of a next version changes nothing here: a policy owner added to it gets in once it is
    issued, one taken off keeps the version they received until a new one is issued without them."""
    query = (
        sa.select(Brief, BriefVersion, Organisation)
        .join(BriefVersion, _latest_version())
        .join(BriefRecipient, BriefRecipient.version_id == BriefVersion.id)
        .join(Organisation, Organisation.id == BriefRecipient.organisation_id)
        .where(Brief.latest_version_number > 0)
    )
    if not is_policy_owner(user) or user.organisation_id is None:
        return query.where(sa.false())
    return query.where(BriefRecipient.user_id == user.id, BriefRecipient.organisation_id == user.organisation_id)


@dataclass
class PortalBrief:
    """An issued brief as one organisation's policy owner gets it."""

    brief: Brief
    version: BriefVersion
    organisation: Organisation

    @cached_property
    def view(self) -> dict[str, Any]:
        """The latest version's snapshot cut down to this organisation (``organisation_view``)."""
        return organisation_view(self.version.snapshot, self.organisation.id)

    @property
    def findings(self) -> list[dict[str, Any]]:
        return self.view["findings"]

    @cached_property
    def finding_ids(self) -> list[int]:
        return [entry["id"] for entry in self.findings]

    def finding(self, finding_id: int) -> dict[str, Any] | None:
        return next((entry for entry in self.findings if entry["id"] == finding_id), None)

    @property
    def deadline(self) -> date | None:
        return version_deadline(self.version)


def version_deadline(version: BriefVersion | None) -> date | None:
    """The response deadline the version was issued with."""
    if version is None:
        return None
    if version.response_deadline is not None:
        return version.response_deadline
    issued = version.snapshot.get("response_deadline")
    return date.fromisoformat(issued) if issued else None


def _addressed_in_snapshot(version: BriefVersion, organisation_id: int) -> bool:
    """An addressee row added to the draft after the latest issue has no version to read yet."""
    return any(item["id"] == organisation_id for item in version.snapshot.get("organisations", []))


def portal_briefs(user: Any) -> list[PortalBrief]:
    """Every brief in ``user``'s portal, newest issue first."""
    rows = db.session.execute(portal_briefs_for(user).order_by(BriefVersion.issued_at.desc(), Brief.id.desc()))
    return [PortalBrief(brief, version, organisation) for brief, version, organisation in rows
            if _addressed_in_snapshot(version, organisation.id)]


def portal_brief_for(user: Any, brief_id: int) -> PortalBrief | None:
    """The brief with this id as ``user`` gets it in the portal, or None (404)."""
    if not known_id(brief_id):
        return None
    row = db.session.execute(portal_briefs_for(user).where(Brief.id == brief_id)).first()
    if row is None or not _addressed_in_snapshot(row[1], row[2].id):
        return None
    return PortalBrief(*row)


@dataclass
class PortalFinding:
    """One finding of a portal brief, addressed to the policy owner's organisation."""

    portal: PortalBrief
    entry: dict[str, Any]

    @property
    def id(self) -> int:
        return self.entry["id"]


@dataclass
class PortalAction:
    portal: PortalBrief
    action: Action
    entry: dict[str, Any] = field(default_factory=dict)


def finding_in(portal: PortalBrief, finding_id: int) -> PortalFinding | None:
    entry = portal.finding(finding_id) if known_id(finding_id) else None
    return PortalFinding(portal, entry) if entry is not None else None


def response_in(portal: PortalBrief, finding_id: int) -> Response | None:
    """This organisation's response to one of its findings of this brief (None if not started)."""
    if finding_id not in portal.finding_ids:
        return None
    return db.session.scalar(sa.select(Response).where(
        Response.brief_id == portal.brief.id, Response.finding_id == finding_id,
        Response.organisation_id == portal.organisation.id))


def action_in(portal: PortalBrief, action_id: int) -> Action | None:
    """An action of this organisation's response to one of its findings of this brief, else None (404)."""
    if not known_id(action_id) or not portal.finding_ids:
        return None
    return db.session.scalar(
        sa.select(Action).join(Response, Response.id == Action.response_id)
        .where(Action.id == action_id, Response.brief_id == portal.brief.id,
               Response.organisation_id == portal.organisation.id, Response.finding_id.in_(portal.finding_ids)))


def document_for(portal: PortalBrief, number: int) -> BriefDocument | None:
    """This organisation's finished PDF of version ``number`` of the brief, else None (404)."""
    if not known_id(number):
        return None
    return db.session.scalar(
        sa.select(BriefDocument).join(BriefVersion, BriefVersion.id == BriefDocument.version_id)
        .where(BriefVersion.brief_id == portal.brief.id, BriefVersion.number == number,
               BriefDocument.organisation_id == portal.organisation.id,
               BriefDocument.status == DocumentStatus.READY.value))


def _load_portal(user: Any, view_args: dict[str, Any]) -> PortalBrief | None:
    return portal_brief_for(user, view_args["brief_id"])


def _load_portal_finding(user: Any, view_args: dict[str, Any]) -> PortalFinding | None:
    portal = _load_portal(user, view_args)
    return finding_in(portal, view_args["finding_id"]) if portal is not None else None


def _load_portal_action(user: Any, view_args: dict[str, Any]) -> PortalAction | None:
    portal = _load_portal(user, view_args)
    action = action_in(portal, view_args["action_id"]) if portal is not None else None
    if action is None:
        return None
    return PortalAction(portal, action, portal.finding(action.response.finding_id) or {})


def _load_portal_document(user: Any, view_args: dict[str, Any]) -> BriefDocument | None:
    portal = _load_portal(user, view_args)
    return document_for(portal, view_args["number"]) if portal is not None else None


PORTAL_BRIEF = ObjectRule("portal", _load_portal)
PORTAL_FINDING = ObjectRule("portal_finding", _load_portal_finding)
PORTAL_ACTION = ObjectRule("portal_action", _load_portal_action)
PORTAL_DOCUMENT = ObjectRule("portal_document", _load_portal_document)


def current_portal() -> PortalBrief:
    return loaded("portal")


def current_portal_finding() -> PortalFinding:
    return loaded("portal_finding")


def current_portal_action() -> PortalAction:
    return loaded("portal_action")


def current_portal_document() -> BriefDocument:
    return loaded("portal_document")


# --- reviewers ---------------------------------------------------------------------------------


def may_edit_brief(user: Any, brief: Brief) -> bool:
    """The reviewers' side of a brief's responses is for its editors (the briefs rule, reused)."""
    return brief.id is not None and brief_for_editor(user, brief.id) is not None


@dataclass
class ReviewedBrief:
    """An issued brief as its editors see the answers: every addressed organisation of the latest version."""

    brief: Brief
    version: BriefVersion | None

    @property
    def organisations(self) -> list[dict[str, Any]]:
        return list(self.version.snapshot.get("organisations", [])) if self.version is not None else []

    def thread(self, organisation_id: int, finding_id: int) -> dict[str, Any] | None:
        """The organisation entry when this finding is addressed to it in the latest version, else None."""
        if not (known_id(organisation_id) and known_id(finding_id)):
            return None
        return next((item for item in self.organisations
                     if item["id"] == organisation_id and finding_id in item["finding_ids"]), None)


def reviewed_brief_for(user: Any, brief_id: int) -> ReviewedBrief | None:
    brief = brief_for_editor(user, brief_id)
    if brief is None:
        return None
    version = None
    if brief.latest_version_number > 0:
        version = db.session.scalar(sa.select(BriefVersion).where(
            BriefVersion.brief_id == brief.id, BriefVersion.number == brief.latest_version_number))
    return ReviewedBrief(brief, version)


@dataclass
class ReviewedThread:
    reviewed: ReviewedBrief
    organisation: dict[str, Any]
    finding_id: int


def message_in(reviewed: ReviewedBrief, message_id: int) -> ThreadMessage | None:
    """A message of one of this brief's threads that is still addressed in its latest version, else None."""
    if not known_id(message_id):
        return None
    message = db.session.scalar(sa.select(ThreadMessage).where(
        ThreadMessage.id == message_id, ThreadMessage.brief_id == reviewed.brief.id))
    if message is None or reviewed.thread(message.organisation_id, message.finding_id) is None:
        return None
    return message


def _load_reviewed(user: Any, view_args: dict[str, Any]) -> ReviewedBrief | None:
    return reviewed_brief_for(user, view_args["brief_id"])


def _load_reviewed_thread(user: Any, view_args: dict[str, Any]) -> ReviewedThread | None:
    reviewed = _load_reviewed(user, view_args)
    if reviewed is None:
        return None
    organisation = reviewed.thread(view_args["organisation_id"], view_args["finding_id"])
    return ReviewedThread(reviewed, organisation, view_args["finding_id"]) if organisation is not None else None


def _load_reviewed_message(user: Any, view_args: dict[str, Any]) -> ThreadMessage | None:
    reviewed = _load_reviewed(user, view_args)
    return message_in(reviewed, view_args["message_id"]) if reviewed is not None else None


BRIEF_RESPONSES = ObjectRule("reviewed_brief", _load_reviewed)
BRIEF_THREAD = ObjectRule("reviewed_thread", _load_reviewed_thread)
BRIEF_MESSAGE = ObjectRule("reviewed_message", _load_reviewed_message)


def current_reviewed() -> ReviewedBrief:
    return loaded("reviewed_brief")


def current_thread() -> ReviewedThread:
    return loaded("reviewed_thread")


def current_message() -> ThreadMessage:
    return loaded("reviewed_message")

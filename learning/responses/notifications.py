"""Terugkoppeling as it happens: tell the members of the source reviews what the board did.

When a board submits responses, or an action on a submitted response changes state, every active
member of every source review of the finding concerned (the reviews of the finding's lessons; any
role) gets one in-app ``Notification`` and one e-mail in their own language, with a link to that
review's terugkoppeling page. A person in two source reviews gets one of each per review; a
submission of several findings of one review is one message for that review.

What a message may hold: the review's own title and only the findings resting on that review, the
brief, the board (organisation), decisions and actions. Never anything of another review (a finding
resting on reviews A and B tells A's members about the finding, never B's title), and never a
person's name: not the board member who acted, and nothing about who wrote the lessons. That keeps
"volledig anoniem" reviews (``Review.fully_anonymous``) anonymous too: their members are notified
like everyone else's, because the message goes to all members rather than to "the authors", so
nothing about authorship is looked up, stored or revealed. The person who acted is not told about
their own action.

Notifications store values (``params``), never text: the message is written when it is read, in
the reader's language (:func:`describe`). E-mail goes out only after the transaction commits
(``send_mail``), so a rolled-back submission tells nobody anything.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from learning.auth.models import User
from learning.briefs.models import Brief, BriefVersion
from learning.db import db
from learning.findings.models import Finding, FindingLesson
from learning.i18n import _, _l, ngettext
from learning.lessons.models import Lesson
from learning.mail import external_url, send_mail
from learning.responses.models import (
    Action,
    ActionStatus,
    Decision,
    Notification,
    Response,
    ResponseStatus,
)
from learning.reviews.models import Review, ReviewMember

RESPONSES_SUBMITTED = "responses_submitted"
ACTION_CHANGED = "action_changed"
DESCRIPTION_LIMIT = 200  # an action's description as the message quotes it


# --- who hears about what ------------------------------------------------------------------


def source_reviews(finding_ids: Iterable[int]) -> dict[int, list[tuple[int, str]]]:
    """Per finding, its source reviews as (id, title), in one query."""
    ids = set(finding_ids)
    reviews: dict[int, list[tuple[int, str]]] = defaultdict(list)
    if not ids:
        return reviews
    rows = db.session.execute(
        sa.select(FindingLesson.finding_id, Review.id, Review.title).distinct()
        .join(Lesson, Lesson.id == FindingLesson.lesson_id)
        .join(Review, Review.id == Lesson.review_id)
        .where(FindingLesson.finding_id.in_(ids))
        .order_by(FindingLesson.finding_id, Review.id)
    )
    for finding_id, review_id, title in rows:
        reviews[finding_id].append((review_id, title))
    return reviews


def active_members(review_ids: Iterable[int]) -> dict[int, list[User]]:
    """Per review, its members with an active account (every role), in one query."""
    ids = set(review_ids)
    members: dict[int, list[User]] = defaultdict(list)
    if not ids:
        return members
    rows = db.session.execute(
        sa.select(ReviewMember.review_id, User).join(User, User.id == ReviewMember.user_id)
        .where(ReviewMember.review_id.in_(ids), User.active.is_(True))
        .order_by(ReviewMember.review_id, User.id)
    )
    for review_id, user in rows:
        members[review_id].append(user)
    return members


@dataclass
class _Event:
    """What one review's members are told about one event."""

    review_id: int
    review_title: str
    items: list[dict[str, Any]] = field(default_factory=list)


def _notify(kind: str, events: Iterable[_Event], *, actor: Any, extra: dict[str, Any] | None = None) -> int:
    """One notification and one e-mail per member per review; returns how many notifications were made."""
    events = [event for event in events if event.items]
    members = active_members(event.review_id for event in events)
    actor_id = getattr(actor, "id", None)
    made = 0
    for event in events:
        params = {"review_title": event.review_title, "items": event.items, **(extra or {})}
        link = external_url("feedback.show", review_id=event.review_id)
        for member in members.get(event.review_id, []):
            if member.id == actor_id:
                continue
            db.session.add(Notification(user_id=member.id, review_id=event.review_id, kind=kind, params=params))
            language = member.preferred_language or "nl"
            send_mail(to=member.email, subject=_subject(kind, event.review_title), template=f"feedback_{kind}",
                      language=language, user=member, kind=kind, params=params, describe=describe, link=link)
            made += 1
    db.session.flush()
    return made


def _subject(kind: str, review_title: str) -> Any:
    """Translated when the mail is rendered, so in the recipient's language."""
    if kind == RESPONSES_SUBMITTED:
        return _l("Het bestuur heeft gereageerd op bevindingen uit “%(review)s”", review=review_title)
    return _l("Nieuws over een actie bij bevindingen uit “%(review)s”", review=review_title)


# --- the two events ------------------------------------------------------------------------


def issued_titles(brief_ids: set[int]) -> dict[int, str]:
    """The titles the briefs were last issued with (a draft of the next version may carry another)."""
    if not brief_ids:
        return {}
    return dict(db.session.execute(
        sa.select(BriefVersion.brief_id, BriefVersion.snapshot["title"].as_string())
        .join(Brief, sa.and_(Brief.id == BriefVersion.brief_id, BriefVersion.number == Brief.latest_version_number))
        .where(Brief.id.in_(brief_ids))).all())


def responses_submitted(responses: list[Response], *, actor: Any) -> None:
    """The board submitted these responses: tell the members of each source review about its findings."""
    submitted = [response for response in responses if response.status == ResponseStatus.SUBMITTED.value]
    if not submitted:
        return
    reviews = source_reviews(response.finding_id for response in submitted)
    briefs = issued_titles({response.brief_id for response in submitted})
    action_counts = dict(db.session.execute(
        sa.select(Action.response_id, sa.func.count(Action.id))
        .where(Action.response_id.in_([response.id for response in submitted])).group_by(Action.response_id)).all())
    events: dict[int, _Event] = {}
    for response in sorted(submitted, key=lambda item: (item.brief_id, item.organisation_id, item.id)):
        finding: Finding = response.finding
        item = {
            "brief_id": response.brief_id, "brief_title": briefs.get(response.brief_id, ""),
            "organisation_id": response.organisation_id, "organisation_name": response.organisation.name,
            "finding_id": finding.id, "finding_title": finding.title, "decision": response.decision,
            "actions": action_counts.get(response.id, 0),
        }
        for review_id, title in reviews.get(finding.id, []):
            events.setdefault(review_id, _Event(review_id, title)).items.append(item)
    _notify(RESPONSES_SUBMITTED, events.values(), actor=actor)


def action_changed(action: Action, *, old_status: str | None, actor: Any) -> None:
    """An action was added (``old_status`` None) or changed state: tell the members of the source reviews.

    Only actions the board has committed to publicly count: those of a response submitted at least
    once. Actions added to a first draft reach the members with the submission itself; a progress
    note without a change of state is not news for them (the terugkoppeling page shows it).
    """
    if old_status is not None and old_status == action.status:
        return
    response = action.response
    if response.first_submitted_at is None and response.status != ResponseStatus.SUBMITTED.value:
        return
    finding = response.finding
    brief_title = issued_titles({response.brief_id}).get(response.brief_id, "")
    description = action.description if len(action.description) <= DESCRIPTION_LIMIT else (
        action.description[:DESCRIPTION_LIMIT - 1].rstrip() + "…")
    item = {
        "brief_id": response.brief_id, "brief_title": brief_title,
        "organisation_id": response.organisation_id, "organisation_name": response.organisation.name,
        "finding_id": finding.id, "finding_title": finding.title,
        "action_id": action.id, "description": description, "old_status": old_status, "new_status": action.status,
        "due_date": action.due_date.isoformat() if action.due_date else None,
    }
    events = [_Event(review_id, title, [item]) for review_id, title in source_reviews([finding.id]).get(finding.id, [])]
    _notify(ACTION_CHANGED, events, actor=actor)


# --- the message, written in the reader's language --------------------------------------------


@dataclass(frozen=True)
class Message:
    """A notification as text: a headline and one line per finding or action."""

    headline: str
    lines: list[str]

    @classmethod
    def of(cls, kind: str, params: dict[str, Any]) -> Message:
        return describe(kind, params)


def _decision_label(value: str | None) -> str:
    try:
        return Decision(value).label if value else _("nog geen besluit")
    except ValueError:
        return value or ""


def _status_label(value: str | None) -> str:
    try:
        return ActionStatus(value).label if value else ""
    except ValueError:
        return value or ""


def describe(kind: str, params: dict[str, Any]) -> Message:
    """The message of a notification in the current language; unknown kinds get a plain line."""
    items = list(params.get("items") or [])
    review = params.get("review_title", "")
    if kind == RESPONSES_SUBMITTED:
        organisations = sorted({item.get("organisation_name", "") for item in items})
        headline = ngettext(
            "Reactie van %(organisations)s op %(num)d bevinding uit de review “%(review)s”.",
            "Reactie van %(organisations)s op %(num)d bevindingen uit de review “%(review)s”.",
            len(items), organisations=", ".join(organisations), review=review)
        lines = []
        for item in items:
            line = _("“%(finding)s”: %(decision)s (notitie “%(brief)s”)", finding=item.get("finding_title", ""),
                     decision=_decision_label(item.get("decision")).lower(), brief=item.get("brief_title", ""))
            if item.get("actions"):
                line += " · " + ngettext("%(num)d actie", "%(num)d acties", item["actions"])
            lines.append(line)
        return Message(headline, lines)
    if kind == ACTION_CHANGED:
        lines = []
        headline = _("Nieuws over een actie bij een bevinding uit de review “%(review)s”.", review=review)
        for item in items:
            if item.get("old_status") is None:
                text = _("%(organisation)s heeft een actie toegevoegd bij “%(finding)s”: %(action)s (status: "
                         "%(status)s).", organisation=item.get("organisation_name", ""),
                         finding=item.get("finding_title", ""), action=item.get("description", ""),
                         status=_status_label(item.get("new_status")).lower())
            else:
                text = _("%(organisation)s: de actie “%(action)s” bij “%(finding)s” is nu %(status)s (was "
                         "%(old)s).", organisation=item.get("organisation_name", ""),
                         action=item.get("description", ""), finding=item.get("finding_title", ""),
                         status=_status_label(item.get("new_status")).lower(),
                         old=_status_label(item.get("old_status")).lower())
            lines.append(text)
        return Message(headline, lines)
    return Message(_("Nieuws over de review “%(review)s”.", review=review), [])

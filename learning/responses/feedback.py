"""Terugkoppeling: "Wat is er met onze inbreng gedaan?" for the members of one review.

The page of a review shows its findings (those resting on a lesson of this review, beyond concept),
and for each: where it stands in the loop, the briefs it went to (title, version, date of issue, the
organisations that received it, all as issued: from the latest version's snapshot), the boards'
submitted responses (the latest submission: a draft amendment is never shown) and the actions with
their latest progress.

Nothing from other reviews: a finding may rest on reviews A and B, and A's page shows the finding
itself, but never B's title, B's lessons or the evidence summary (regions, agencies) that would
describe B. A brief also carries other findings; only the entry of this finding is read from its
snapshot. Who wrote what is not shown at all (the findings and answers are the group's and the
board's), so "volledig anoniem" reviews need nothing special.

Everything is read in a constant number of queries, whatever the number of findings, briefs,
responses and actions.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa

from learning.briefs.models import BriefVersion
from learning.db import db
from learning.findings.models import Finding, FindingLesson, FindingStatus
from learning.lessons.models import Lesson
from learning.responses.loop import LoopState, addressed_findings, loop_states
from learning.responses.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    Decision,
    Response,
    ResponseRevision,
    ResponseStatus,
)


@dataclass(frozen=True)
class SentBrief:
    title: str
    version_label: str
    issued_on: date | None
    organisations: list[str]


@dataclass(frozen=True)
class Progress:
    body: str
    new_status: str | None
    created_at: datetime

    @property
    def status_label(self) -> str:
        return ActionStatus(self.new_status).label if self.new_status else ""


@dataclass(frozen=True)
class FeedbackAction:
    action: Action
    latest: Progress | None
    overdue: bool


@dataclass(frozen=True)
class FeedbackResponse:
    organisation: str
    decision: str
    reasoning: str
    submitted_at: datetime
    amended: bool
    actions: list[FeedbackAction]

    @property
    def decision_label(self) -> str:
        return Decision(self.decision).label


@dataclass
class FeedbackFinding:
    finding: Finding
    loop: LoopState
    briefs: list[SentBrief] = field(default_factory=list)
    responses: list[FeedbackResponse] = field(default_factory=list)
    awaiting: list[str] = field(default_factory=list)  # organisations that received it and have not answered


def findings_of_review(review_id: int) -> list[Finding]:
    """The review's findings beyond concept: those resting on at least one of its lessons."""
    rests_on_review = (sa.exists().where(FindingLesson.finding_id == Finding.id)
                       .where(Lesson.id == FindingLesson.lesson_id).where(Lesson.review_id == review_id))
    return list(db.session.scalars(
        sa.select(Finding).where(rests_on_review, Finding.status != FindingStatus.CONCEPT.value)
        .order_by(Finding.agreed_at.desc().nulls_last(), Finding.id.desc())))


def review_feedback(review_id: int, *, today: date) -> list[FeedbackFinding]:
    findings = findings_of_review(review_id)
    if not findings:
        return []
    ids = [finding.id for finding in findings]
    states = loop_states(findings)
    entries = {finding.id: FeedbackFinding(finding, states[finding.id]) for finding in findings}

    # The briefs, as issued: only this finding's place in each latest version's snapshot is read.
    addressed = addressed_findings()
    versions = db.session.scalars(
        sa.select(BriefVersion).where(BriefVersion.id.in_(
            sa.select(addressed.c.version_id).where(addressed.c.finding_id.in_(ids))))
        .order_by(BriefVersion.issued_at.desc(), BriefVersion.id.desc()))
    received: dict[int, dict[tuple[int, int], str]] = defaultdict(dict)  # finding → (brief, organisation) → name
    for version in versions:
        snapshot = version.snapshot or {}
        for finding_id in ids:
            organisations = [item for item in snapshot.get("organisations", []) if finding_id in item["finding_ids"]]
            if not organisations:
                continue
            entries[finding_id].briefs.append(SentBrief(
                title=snapshot.get("title", ""), version_label=version.label,
                issued_on=version.issued_at.date() if version.issued_at else None,
                organisations=[item["name"] for item in organisations]))
            for item in organisations:
                received[finding_id][(version.brief_id, item["id"])] = item["name"]

    # The boards' answers: the latest submission of each submitted response, with its actions.
    responses = list(db.session.scalars(
        sa.select(Response).where(Response.finding_id.in_(ids), Response.status == ResponseStatus.SUBMITTED.value)
        .order_by(Response.first_submitted_at, Response.id)))
    response_ids = [response.id for response in responses]
    revisions: dict[int, ResponseRevision] = {}
    actions: dict[int, list[Action]] = defaultdict(list)
    latest: dict[int, Progress] = {}
    if response_ids:
        newest = (sa.select(ResponseRevision.response_id, sa.func.max(ResponseRevision.number).label("number"))
                  .where(ResponseRevision.response_id.in_(response_ids)).group_by(ResponseRevision.response_id)
                  .subquery())
        for revision in db.session.scalars(sa.select(ResponseRevision).join(newest, sa.and_(
                newest.c.response_id == ResponseRevision.response_id, newest.c.number == ResponseRevision.number))):
            revisions[revision.response_id] = revision
        for action in db.session.scalars(sa.select(Action).where(Action.response_id.in_(response_ids))
                                         .order_by(Action.due_date, Action.id)):
            actions[action.response_id].append(action)
        action_ids = [action.id for items in actions.values() for action in items]
        if action_ids:
            last = (sa.select(sa.func.max(ActionUpdate.id)).where(ActionUpdate.action_id.in_(action_ids))
                    .group_by(ActionUpdate.action_id))
            for update in db.session.execute(
                    sa.select(ActionUpdate.action_id, ActionUpdate.body, ActionUpdate.new_status,
                              ActionUpdate.created_at).where(ActionUpdate.id.in_(last))):
                latest[update.action_id] = Progress(update.body, update.new_status, update.created_at)
    answered: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for response in responses:
        revision = revisions.get(response.id)
        key = (response.brief_id, response.organisation_id)
        if revision is None or key not in received[response.finding_id]:
            continue  # no submission on record, or a board no longer addressed in the latest version
        answered[response.finding_id].add(key)
        entries[response.finding_id].responses.append(FeedbackResponse(
            organisation=received[response.finding_id][key], decision=revision.decision,
            reasoning=revision.reasoning, submitted_at=revision.submitted_at, amended=revision.number > 1,
            actions=[FeedbackAction(action, latest.get(action.id),
                                    overdue=not ActionStatus(action.status).is_finished and action.due_date < today)
                     for action in actions.get(response.id, [])]))
    for finding_id, boards in received.items():
        entries[finding_id].awaiting = sorted({name for key, name in boards.items() if key not in answered[finding_id]},
                                              key=str.casefold)
    return [entries[finding.id] for finding in findings]

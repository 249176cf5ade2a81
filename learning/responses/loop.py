"""The loop at a glance: where a finding stands, from vastgesteld to afgesloten.

Stages, in order: vastgesteld → in notitie → verzonden → beantwoord → acties lopen → afgesloten.
A finding's stage is computed, never stored, from:

* its status (``concept`` has no stage yet; ``closed`` is afgesloten);
* the briefs that carry it: in a brief that has not been issued with it yet → in notitie;
* the issued versions: what each board received is the latest version's snapshot
  (:func:`addressed_findings`) → verzonden;
* the boards' submitted responses: every board that received it has submitted → beantwoord;
* actions: a submitted response with actions still open or in progress → acties lopen.

:func:`loop_states` does this for a whole list in a constant number of queries. The findings domain
never imports this module (the loop flows one way): the finding page gets the diagram through the
template global ``finding_loop`` that the responses package registers.

``addressed_findings()`` is the one definition of "this board received this finding in this brief"
used by the loop, the follow-up overview, reminders and responsiveness: the (brief, organisation,
finding) triples of each brief's latest issued version, read from the snapshot in SQL (SQLite's
``json_each``, PostgreSQL's ``json_array_elements``), so it stays exact when a draft for the next
version is being edited, and aggregates in the database.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from learning.briefs.models import BriefFinding
from learning.db import db
from learning.findings.models import FindingStatus
from learning.i18n import _l
from learning.responses.models import Action, ActionStatus, Response, ResponseStatus


class Stage(enum.StrEnum):
    AGREED = "agreed"
    IN_BRIEF = "in_brief"
    SENT = "sent"
    ANSWERED = "answered"
    ACTIONS = "actions"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return str(STAGE_LABELS[self])


STAGE_LABELS = {
    Stage.AGREED: _l("Vastgesteld"),
    Stage.IN_BRIEF: _l("In notitie"),
    Stage.SENT: _l("Verzonden"),
    Stage.ANSWERED: _l("Beantwoord"),
    Stage.ACTIONS: _l("Acties lopen"),
    Stage.CLOSED: _l("Afgesloten"),
}
STAGES = list(Stage)
OPEN_ACTION_STATUSES = (ActionStatus.OPEN.value, ActionStatus.IN_PROGRESS.value)


@dataclass(frozen=True)
class Step:
    stage: Stage
    label: str
    state: str  # "done", "current" or "todo"


@dataclass(frozen=True)
class LoopState:
    """Where one finding stands. ``stage`` None: still a concept, not yet in the loop."""

    finding_id: int
    stage: Stage | None
    addressed: int = 0  # boards (brief × organisation) that received it
    answered: int = 0  # of those, the ones that submitted a response
    open_actions: int = 0

    @property
    def label(self) -> str:
        return self.stage.label if self.stage else str(_l("Concept"))

    @property
    def steps(self) -> list[Step]:
        current = STAGES.index(self.stage) if self.stage else -1
        return [Step(stage, stage.label, "done" if index < current else "current" if index == current else "todo")
                for index, stage in enumerate(STAGES)]


# --- what each board received ------------------------------------------------------------------

_SQLITE_ADDRESSED = """
SELECT v.id AS version_id, v.brief_id AS brief_id, v.response_deadline AS deadline,
       CAST(json_extract(o.value, '$.id') AS INTEGER) AS organisation_id, CAST(f.value AS INTEGER) AS finding_id
FROM brief_versions AS v
JOIN briefs AS b ON b.id = v.brief_id AND b.latest_version_number = v.number,
     json_each(v.snapshot, '$.organisations') AS o,
     json_each(o.value, '$.finding_ids') AS f
"""

_POSTGRES_ADDRESSED = """
SELECT v.id AS version_id, v.brief_id AS brief_id, v.response_deadline AS deadline,
       CAST(o.value ->> 'id' AS INTEGER) AS organisation_id, CAST(f.value AS INTEGER) AS finding_id
FROM brief_versions AS v
JOIN briefs AS b ON b.id = v.brief_id AND b.latest_version_number = v.number
CROSS JOIN LATERAL json_array_elements(CAST(v.snapshot AS json) -> 'organisations') AS o(value)
CROSS JOIN LATERAL json_array_elements_text(o.value -> 'finding_ids') AS f(value)
"""


def addressed_findings(name: str = "addressed") -> sa.Subquery:
    """(version_id, brief_id, deadline, organisation_id, finding_id) for the latest issued version of each brief."""
    dialect = db.session.get_bind().dialect.name
    text = sa.text(_POSTGRES_ADDRESSED if dialect == "postgresql" else _SQLITE_ADDRESSED)
    return text.columns(
        sa.column("version_id", sa.Integer), sa.column("brief_id", sa.Integer), sa.column("deadline", sa.Date),
        sa.column("organisation_id", sa.Integer), sa.column("finding_id", sa.Integer),
    ).subquery(name)


def submitted_response_join(addressed: Any) -> sa.ColumnElement[bool]:
    """Join condition: the submitted response of this board to this finding in this brief."""
    return sa.and_(Response.brief_id == addressed.c.brief_id, Response.finding_id == addressed.c.finding_id,
                   Response.organisation_id == addressed.c.organisation_id,
                   Response.status == ResponseStatus.SUBMITTED.value)


# --- the stages --------------------------------------------------------------------------------


def stage_of(status: str, *, in_brief: bool, addressed: int, answered: int, open_actions: int) -> Stage | None:
    if status == FindingStatus.CONCEPT.value:
        return None
    if status == FindingStatus.CLOSED.value:
        return Stage.CLOSED
    if (addressed and answered >= addressed) or (not addressed and status == FindingStatus.ANSWERED.value):
        return Stage.ACTIONS if open_actions else Stage.ANSWERED
    if addressed or status in (FindingStatus.IN_BRIEF.value, FindingStatus.ANSWERED.value):
        return Stage.SENT
    if in_brief:
        return Stage.IN_BRIEF
    return Stage.AGREED


def loop_states(findings: Iterable[Any]) -> dict[int, LoopState]:
    """The loop state of each finding (three queries, whatever the number of findings)."""
    statuses = {finding.id: finding.status for finding in findings}
    if not statuses:
        return {}
    ids = list(statuses)
    in_briefs = set(db.session.scalars(sa.select(BriefFinding.finding_id).distinct()
                                       .where(BriefFinding.finding_id.in_(ids))))
    addressed = addressed_findings()
    counts = {finding_id: (total, answered) for finding_id, total, answered in db.session.execute(
        sa.select(addressed.c.finding_id, sa.func.count(), sa.func.count(Response.id))
        .select_from(addressed).outerjoin(Response, submitted_response_join(addressed))
        .where(addressed.c.finding_id.in_(ids)).group_by(addressed.c.finding_id))}
    open_actions = dict(db.session.execute(
        sa.select(Response.finding_id, sa.func.count(Action.id)).join(Action, Action.response_id == Response.id)
        .where(Response.finding_id.in_(ids), Response.status == ResponseStatus.SUBMITTED.value,
               Action.status.in_(OPEN_ACTION_STATUSES))
        .group_by(Response.finding_id)).all())
    states = {}
    for finding_id, status in statuses.items():
        total, answered = counts.get(finding_id, (0, 0))
        actions = open_actions.get(finding_id, 0)
        stage = stage_of(status, in_brief=finding_id in in_briefs, addressed=total, answered=answered,
                         open_actions=actions)
        states[finding_id] = LoopState(finding_id, stage, total, answered, actions)
    return states


def loop_state(finding: Any) -> LoopState:
    return loop_states([finding])[finding.id]

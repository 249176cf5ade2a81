"""Responsiveness per organisation: how often a board answers in time and finishes its actions on time.

Over a chosen period (both dates included; by default the last twelve months), per organisation:

* findings addressed: the (brief, finding) pairs sent to it (``loop.addressed_findings``: the latest
  issued version of each brief) whose response deadline falls in the period;
* answered before the deadline: of those, the ones whose response was first submitted on or before
  the deadline day (an amendment later does not change that), and its share;
* actions due: the actions of its submitted responses with a due date in the period;
* done on time: of those, the ones set to afgerond on or before their due date, and its share. An
  action that lapsed (vervallen) counts as not done on time: it was committed and not delivered.

A deadline or due date still ahead counts only once it is met (answered or done already): until the
day has passed, "not yet" is not "late". Days are UTC calendar days, like "today" everywhere in the
follow-up. Counted in SQL: two GROUP BY statements whatever the number of briefs and actions.

Which organisations a reviewer sees, and over which briefs: those addressed by the briefs they may
edit (``briefs_editable_by``), counted over those briefs only. Briefs of other reviews are not shown
to them anywhere else (a 404, so their existence is not revealed); a per-organisation count over all
briefs would reveal that other briefs exist, when they were due and whether they were answered. The
figure is about the loop they run with those boards. Administrators do not see it: they see nothing
of reviews and briefs without support access, and this is a follow-up tool for the reviewers.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from learning.admin.models import Organisation
from learning.db import db
from learning.findings.thematic import csv_cell
from learning.i18n import _
from learning.responses.followup import editable_brief_ids
from learning.responses.loop import addressed_findings
from learning.responses.models import Action, ActionStatus, Response


@dataclass(frozen=True)
class Period:
    date_from: date
    date_to: date

    @classmethod
    def default(cls, today: date) -> Period:
        """The last twelve months, today included."""
        year_ago = date(today.year - 1, today.month, min(today.day, 28 if today.month == 2 else today.day))
        return cls(year_ago + timedelta(days=1), today)


@dataclass(frozen=True)
class Figures:
    organisation_id: int
    organisation: str
    addressed: int = 0
    answered_on_time: int = 0
    actions_due: int = 0
    actions_on_time: int = 0

    @property
    def answered_share(self) -> float | None:
        return self.answered_on_time / self.addressed if self.addressed else None

    @property
    def actions_share(self) -> float | None:
        return self.actions_on_time / self.actions_due if self.actions_due else None


def _utc_day(column: Any) -> Any:
    """The UTC calendar day of a timestamp, comparable with a DATE column on both databases."""
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.cast(sa.func.timezone("UTC", column), sa.Date)
    return sa.func.date(column)


def _as_int(value: Any) -> int:
    return int(value or 0)


def responsiveness(user: Any, period: Period, *, today: date) -> list[Figures]:
    """The figures of every organisation with something due in ``period``, by name (two queries)."""
    briefs = editable_brief_ids(user)
    addressed = addressed_findings()
    answered_in_time = sa.and_(Response.first_submitted_at.is_not(None),
                               _utc_day(Response.first_submitted_at) <= addressed.c.deadline)
    rows: dict[int, dict[str, Any]] = {}
    query = (
        sa.select(addressed.c.organisation_id, Organisation.name, sa.func.count(),
                  sa.func.sum(sa.case((answered_in_time, 1), else_=0)))
        .select_from(addressed)
        .join(Organisation, Organisation.id == addressed.c.organisation_id)
        .outerjoin(Response, sa.and_(Response.brief_id == addressed.c.brief_id,
                                     Response.finding_id == addressed.c.finding_id,
                                     Response.organisation_id == addressed.c.organisation_id))
        .where(addressed.c.brief_id.in_(briefs), addressed.c.deadline >= period.date_from,
               addressed.c.deadline <= period.date_to, sa.or_(addressed.c.deadline < today, answered_in_time))
        .group_by(addressed.c.organisation_id, Organisation.name)
    )
    for organisation_id, name, total, on_time in db.session.execute(query):
        rows[organisation_id] = {"organisation": name, "addressed": _as_int(total),
                                 "answered_on_time": _as_int(on_time)}

    action_addressed = addressed_findings("action_addressed")
    done_in_time = sa.and_(Action.status == ActionStatus.DONE.value, Action.finished_at.is_not(None),
                           _utc_day(Action.finished_at) <= Action.due_date)
    query = (
        sa.select(Response.organisation_id, Organisation.name, sa.func.count(Action.id),
                  sa.func.sum(sa.case((done_in_time, 1), else_=0)))
        .select_from(Action)
        .join(Response, Response.id == Action.response_id)
        .join(Organisation, Organisation.id == Response.organisation_id)
        .where(Response.brief_id.in_(briefs), Response.first_submitted_at.is_not(None),
               Action.due_date >= period.date_from, Action.due_date <= period.date_to,
               sa.or_(Action.due_date < today, done_in_time),
               sa.exists().where(action_addressed.c.brief_id == Response.brief_id,
                                 action_addressed.c.organisation_id == Response.organisation_id,
                                 action_addressed.c.finding_id == Response.finding_id))
        .group_by(Response.organisation_id, Organisation.name)
    )
    for organisation_id, name, total, on_time in db.session.execute(query):
        entry = rows.setdefault(organisation_id, {"organisation": name})
        entry.update(actions_due=_as_int(total), actions_on_time=_as_int(on_time))
    figures = [Figures(organisation_id, **values) for organisation_id, values in rows.items()]
    return sorted(figures, key=lambda item: (item.organisation.casefold(), item.organisation_id))


# --- the table as CSV -------------------------------------------------------------------------------


def table_headers() -> list[str]:
    return [_("Organisatie"), _("Bevindingen met termijn in de periode"), _("Op tijd beantwoord"),
            _("Aandeel op tijd beantwoord (%)"), _("Acties met einddatum in de periode"), _("Op tijd afgerond"),
            _("Aandeel op tijd afgerond (%)")]


def _percent(share: float | None) -> str:
    return "" if share is None else f"{share * 100:.1f}"


def table_csv(figures: list[Figures]) -> str:
    """The table as CSV (UTF-8 with a byte-order mark), organisation names guarded against formula injection."""
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\r\n")
    writer.writerow([csv_cell(header) for header in table_headers()])
    for row in figures:
        writer.writerow([csv_cell(cell) for cell in (
            row.organisation, row.addressed, row.answered_on_time, _percent(row.answered_share), row.actions_due,
            row.actions_on_time, _percent(row.actions_share))])
    return "\ufeff" + output.getvalue()

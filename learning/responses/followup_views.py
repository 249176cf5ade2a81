"""Follow-up pages for reviewers: the overview of open and overdue responses and actions with
escalation, and responsiveness per organisation (table and CSV).

The overview and responsiveness are for the global role reviewer (403 for other roles) and cover
only the briefs the person may edit. The escalation buttons load their brief × organisation or
action through that same scope: for anyone else they are a 404, exactly like a missing one.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from wtforms import DateField, ValidationError

from learning.findings.thematic import EARLIEST, LATEST
from learning.findings.thematic_forms import NOT_A_DATE
from learning.forms import BaseForm
from learning.i18n import _, _l, ngettext
from learning.permissions import require, role
from learning.responses import followup, followup_bp, reminders, responsiveness
from learning.responses.followup import BRIEF_ORGANISATION, FOLLOWUP_ACTION, FollowupError
from learning.responses.loop import loop_state, loop_states
from learning.responses.reminders import AlreadySentToday, NobodyToRemind, today_utc

REVIEWER = role("reviewer")


# --- the finding page's diagram (the findings domain never imports this package) ----------------


@followup_bp.app_template_global("finding_loop")
def finding_loop(finding: Any) -> Markup:
    """The loop diagram of one finding, for templates/findings/show.html."""
    macro = current_app.jinja_env.get_template("followup/_loop.html").module.loop_diagram
    return Markup(macro(loop_state(finding)))


# --- the overview --------------------------------------------------------------------------------


def _overdue_only() -> bool:
    return (request.values.get("overdue") or "") == "1"


@followup_bp.route("")
@require(REVIEWER)
def index():
    today = today_utc()
    overdue_only = _overdue_only()
    responses = followup.open_responses(current_user, today=today, overdue_only=overdue_only)
    actions = followup.open_actions(current_user, today=today, overdue_only=overdue_only)
    findings = followup.findings_in_loop(current_user)
    return render_template("followup/index.html", responses=responses, actions=actions, overdue_only=overdue_only,
                           findings=findings, loops=loop_states(findings), today=today)


def _back():  # noqa: ANN202
    return redirect(url_for("followup.index", overdue="1" if _overdue_only() else None))


@followup_bp.route("/briefs/<int:brief_id>/organisations/<int:organisation_id>/escalate", methods=["POST"])
@require(BRIEF_ORGANISATION)
def escalate_responses(brief_id: int, organisation_id: int):
    target = followup.current_brief_organisation()
    try:
        marked = followup.escalate_responses(target, actor=current_user)
    except FollowupError as error:
        flash(str(error), "error")
    else:
        flash(_("De reacties van %(organisation)s op “%(title)s” zijn gemarkeerd voor escalatie.",
                organisation=target.organisation.name, title=target.brief.title) if marked
              else _("Dit was al gemarkeerd voor escalatie."), "success" if marked else "info")
    return _back()


@followup_bp.route("/briefs/<int:brief_id>/organisations/<int:organisation_id>/remind", methods=["POST"])
@require(BRIEF_ORGANISATION)
def remind_responses(brief_id: int, organisation_id: int):
    target = followup.current_brief_organisation()
    try:
        sent = reminders.send_now_for_responses(target.brief, target.organisation.id, actor=current_user)
    except (AlreadySentToday, NobodyToRemind) as error:
        flash(str(error), "warning")
    else:
        flash(ngettext("Herinnering verstuurd aan %(num)d beleidseigenaar van %(organisation)s.",
                       "Herinnering verstuurd aan %(num)d beleidseigenaren van %(organisation)s.", sent,
                       organisation=target.organisation.name), "success")
    return _back()


@followup_bp.route("/actions/<int:action_id>/escalate", methods=["POST"])
@require(FOLLOWUP_ACTION)
def escalate_action(action_id: int):
    action = followup.current_action()
    try:
        marked = followup.escalate_action(action, actor=current_user)
    except FollowupError as error:
        flash(str(error), "error")
    else:
        flash(_("De actie is gemarkeerd voor escalatie.") if marked else _("Dit was al gemarkeerd voor escalatie."),
              "success" if marked else "info")
    return _back()


@followup_bp.route("/actions/<int:action_id>/remind", methods=["POST"])
@require(FOLLOWUP_ACTION)
def remind_action(action_id: int):
    action = followup.current_action()
    try:
        reminders.send_now_for_action(action, actor=current_user)
    except (AlreadySentToday, NobodyToRemind) as error:
        flash(str(error), "warning")
    else:
        flash(_("Herinnering over de actie verstuurd."), "success")
    return _back()


# --- responsiveness --------------------------------------------------------------------------------


class PeriodForm(BaseForm):
    """The period of the responsiveness figures: a GET form (read-only, so no CSRF token)."""

    class Meta(BaseForm.Meta):
        csrf = False

    date_from = DateField(_l("Vanaf"), invalid_value_message=NOT_A_DATE)
    date_to = DateField(_l("Tot en met"), invalid_value_message=NOT_A_DATE)

    def fill_default(self, default: responsiveness.Period) -> PeriodForm:
        if not self.date_from.raw_data or self.date_from.raw_data == [""]:
            self.date_from.data = default.date_from
        if not self.date_to.raw_data or self.date_to.raw_data == [""]:
            self.date_to.data = default.date_to
        return self

    @staticmethod
    def _within_years(field) -> None:  # noqa: ANN001
        if field.data is not None and not EARLIEST <= field.data <= LATEST:
            raise ValidationError(_("Kies een datum tussen %(first)s en %(last)s.", first=EARLIEST.year,
                                    last=LATEST.year))

    def validate_date_from(self, field) -> None:  # noqa: ANN001
        self._within_years(field)

    def validate_date_to(self, field) -> None:  # noqa: ANN001
        self._within_years(field)
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_("Deze datum ligt voor de begindatum."))

    def period(self) -> responsiveness.Period:
        return responsiveness.Period(self.date_from.data, self.date_to.data)

    def query_arguments(self) -> dict[str, str]:
        return {name: self[name].data.isoformat() for name in ("date_from", "date_to") if self[name].data}


def _figures() -> tuple[PeriodForm, list[responsiveness.Figures] | None]:
    today = today_utc()
    form = PeriodForm(request.args).fill_default(responsiveness.Period.default(today))
    if not form.validate():
        return form, None
    return form, responsiveness.responsiveness(current_user, form.period(), today=today)


@followup_bp.route("/responsiveness")
@require(REVIEWER)
def responsiveness_page():
    form, figures = _figures()
    return render_template("followup/responsiveness.html", form=form, figures=figures,
                           headers=responsiveness.table_headers())


@followup_bp.route("/responsiveness.csv")
@require(REVIEWER)
def responsiveness_csv():
    form, figures = _figures()
    if figures is None:
        return render_template("followup/responsiveness.html", form=form, figures=None,
                               headers=responsiveness.table_headers()), 400
    period = form.period()
    filename = f"responsiviteit-{period.date_from.isoformat()}-{period.date_to.isoformat()}.csv"
    return Response(responsiveness.table_csv(figures), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


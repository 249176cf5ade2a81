"""Reviewers' side of a brief's responses: per addressed organisation and finding the submitted
responses with their history (never a draft), the actions with their progress, and the thread with
the board, where reviewers post and mark follow-up questions (vervolgvragen).

For the brief's editors only (``learning.briefs.access``); anyone else gets a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from learning.i18n import _
from learning.permissions import require
from learning.responses import review_bp, services
from learning.responses.access import (
    BRIEF_MESSAGE,
    BRIEF_RESPONSES,
    BRIEF_THREAD,
    ReviewedBrief,
    current_message,
    current_reviewed,
    current_thread,
    version_deadline,
)
from learning.responses.forms import MessageForm, QuestionMarkForm
from learning.responses.models import Action, Response, ResponseRevision
from learning.responses.services import ResponseError
from learning.responses.views import show_error, today


@dataclass
class ReviewedFinding:
    """One finding as one organisation answered it, as far as it was submitted."""

    number: int
    entry: dict[str, Any]
    organisation: dict[str, Any]
    response: Response | None
    messages: list[Any]
    message_form: MessageForm

    @property
    def revisions(self) -> list[ResponseRevision]:
        return list(self.response.revisions) if self.response is not None else []

    @property
    def current(self) -> ResponseRevision | None:
        return self.revisions[0] if self.revisions else None

    @property
    def history(self) -> list[ResponseRevision]:
        return self.revisions[1:]

    @property
    def actions(self) -> list[Action]:
        return list(self.response.actions) if self.response is not None else []


def _prefix(organisation_id: int, finding_id: int) -> str:
    return f"message-{organisation_id}-{finding_id}"


def render_reviewed(reviewed: ReviewedBrief, *, forms: dict[tuple[int, int], MessageForm] | None = None,
                    status: int = 200) -> tuple[str, int]:
    forms = forms or {}
    sections = []
    if reviewed.version is not None:
        entries = {entry["id"]: entry for entry in reviewed.version.snapshot.get("findings", [])}
        # Reviewers see what was submitted: a response never submitted shows as not yet answered.
        responses = {(response.organisation_id, response.finding_id): response
                     for response in services.responses_of(reviewed.brief.id)
                     if response.first_submitted_at is not None}
        threads = services.threads_of(reviewed.brief.id)
        for organisation in reviewed.organisations:
            findings = []
            for number, finding_id in enumerate(organisation["finding_ids"], start=1):
                key = (organisation["id"], finding_id)
                findings.append(ReviewedFinding(
                    number=number, entry=entries.get(finding_id, {"id": finding_id, "title": ""}),
                    organisation=organisation, response=responses.get(key), messages=threads.get(key, []),
                    message_form=forms.get(key) or MessageForm(formdata=None, prefix=_prefix(*key))))
            answered = sum(item.response is not None for item in findings)
            sections.append({"organisation": organisation, "findings": findings, "answered": answered})
    deadline = version_deadline(reviewed.version)
    return render_template("responses/review.html", reviewed=reviewed, brief=reviewed.brief, sections=sections,
                           deadline=deadline, days_left=services.days_until(deadline, today()),
                           open_actions=services.open_action_count, today=today()), status


@review_bp.route("/<int:brief_id>/responses")
@require(BRIEF_RESPONSES)
def index(brief_id: int):
    return render_reviewed(current_reviewed())


@review_bp.route("/<int:brief_id>/responses/<int:organisation_id>/findings/<int:finding_id>/messages",
                 methods=["POST"])
@require(BRIEF_THREAD)
def post_message(brief_id: int, organisation_id: int, finding_id: int):
    thread = current_thread()
    key = (organisation_id, finding_id)
    form = MessageForm(prefix=_prefix(*key))
    if form.validate_on_submit():
        try:
            message = services.post_message(thread.reviewed.brief, finding_id, organisation_id,
                                            body=form.body.data or "", actor=current_user,
                                            is_question=bool(form.is_question.data))
        except ResponseError as error:
            show_error(form, error)
        else:
            flash(_("De vervolgvraag is geplaatst.") if message.is_question else _("Het bericht is geplaatst."),
                  "success")
            return redirect(url_for("brief_responses.index", brief_id=brief_id, _anchor=f"message-{message.id}"))
    return render_reviewed(thread.reviewed, forms={key: form}, status=422)


@review_bp.route("/<int:brief_id>/responses/messages/<int:message_id>/question", methods=["POST"])
@require(BRIEF_MESSAGE)
def mark_question(brief_id: int, message_id: int):
    message = current_message()
    form = QuestionMarkForm()
    if form.validate_on_submit():
        services.mark_question(message, is_question=form.is_question.data == "1", actor=current_user)
        flash(_("Gemarkeerd als vervolgvraag.") if message.is_question else _("Niet meer gemarkeerd als vervolgvraag."),
              "success")
    return redirect(url_for("brief_responses.index", brief_id=brief_id, _anchor=f"message-{message.id}"))

"""What the vragenronde views share: access rules for vragenronde reviews only, errors on forms, public pages."""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import Response, abort, make_response

from learning.i18n import get_locale
from learning.permissions import ObjectRule
from learning.reflections import vragenronde as service
from learning.reflections.vragenronde import VragenrondeError
from learning.reviews.access import REVIEW_CONTRIBUTE, REVIEW_EDIT, REVIEW_READ, current_access
from learning.reviews.models import Review


def _only_vragenronde(rule: ObjectRule) -> ObjectRule:
    """The same rule, but a review of another kind is "not here" (404)."""

    def load(user: Any, view_args: dict[str, Any]) -> Any:
        access = rule.loader(user, view_args)
        return access if access is not None and service.is_vragenronde(access.review) else None

    return dataclasses.replace(rule, loader=load)


VRAGENRONDE_READ = _only_vragenronde(REVIEW_READ)
VRAGENRONDE_CONTRIBUTE = _only_vragenronde(REVIEW_CONTRIBUTE)
VRAGENRONDE_EDIT = _only_vragenronde(REVIEW_EDIT)


def language() -> str:
    locale = get_locale()
    return locale.language if locale else "nl"


def show_error(form: Any, error: VragenrondeError) -> None:
    """The error under its field, or above the form when it belongs to no field."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error)]
    else:
        form.form_errors.append(str(error))


def current_review() -> Review:
    return current_access().review


def question_or_404(question_id: int) -> Any:
    question = service.question_in(current_review(), question_id)
    if question is None:
        abort(404)
    return question


def public_page(body: Any, status: int = 200) -> Response:
    """A page for visitors without an account: never indexed."""
    response = make_response(body, status)
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response

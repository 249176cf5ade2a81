"""What the vragenronde modules share: the limits, the errors, the kind check and the audit entry."""

from __future__ import annotations

from typing import Any

from learning import audit
from learning.reflections.models import EventCode
from learning.reviews.models import Review, ReviewKind

QUESTION_LIMIT = 500
ANSWER_LIMIT = 5000
INTRODUCTION_LIMIT = 10_000
MAX_QUESTIONS = 50


class VragenrondeError(ValueError):
    """A change that breaks a rule; ``str()`` is a translated message, ``field`` the form field if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class CodeProblem(VragenrondeError):
    """The code cannot be used; ``kind`` is unknown, expired, inactive or closed."""

    def __init__(self, message: str, kind: str, event_code: EventCode | None = None) -> None:
        super().__init__(message, "code")
        self.kind = kind
        self.event_code = event_code


def is_vragenronde(review: Review) -> bool:
    return review.kind == ReviewKind.VRAGENRONDE.value


def record(action: str, review: Review, actor: Any, **details: Any) -> None:
    """The audit entry ``vragenronde.<action>`` on the review."""
    audit.record(f"vragenronde.{action}", actor=actor, object_type="review", object_id=review.id, **details)

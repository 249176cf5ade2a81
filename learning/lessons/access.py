"""Object rules for lesson routes: the lesson (or its one-click source) is loaded through the review.

Declared after a REVIEW_* rule, which has already loaded the review for this person (404 outside
it, 403 for a role without the action); these then 404 any id that is not of that review, or not
visible to this person (a concept lesson to a member, a hidden contribution, an unsubmitted reflection).
"""

from __future__ import annotations

from typing import Any

from learning.lessons import services
from learning.lessons.models import Lesson
from learning.permissions import ObjectRule, loaded
from learning.reviews.access import current_access

LESSON = ObjectRule("lesson", lambda user, args: services.lesson_in(current_access(), args["lesson_id"]))
CONTRIBUTION_SOURCE = ObjectRule(
    "contribution", lambda user, args: services.contribution_source(current_access(), args["contribution_id"]))
REFLECTION_SOURCE = ObjectRule(
    "reflection", lambda user, args: services.reflection_source(current_access(), args["reflection_id"]))


def current_lesson() -> Lesson:
    return loaded("lesson")


def current_source(key: str) -> Any:
    return loaded(key)

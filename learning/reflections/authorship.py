"""Who wrote something, and who may know it.

In a normal review the author's account is kept; anonymous items show no name to anyone but
the lead reviewers. In a "volledig anoniem" review only a keyed hash is kept: the author can
find their own text again, nobody (lead reviewers included) can see who wrote it.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import sqlalchemy as sa
from flask import current_app


def author_key(review_id: int, user_id: int) -> str:
    secret = current_app.secret_key.encode()
    return hmac.new(secret, f"author:{review_id}:{user_id}".encode(), hashlib.sha256).hexdigest()


def author_fields(review: Any, user: Any) -> dict[str, Any]:
    if review.fully_anonymous:
        return {"author_id": None, "author_key": author_key(review.id, user.id)}
    return {"author_id": user.id, "author_key": None}


def written_by(model: Any, review: Any, user: Any) -> sa.ColumnElement[bool]:
    """SQL condition: rows of ``model`` written by ``user`` in ``review``."""
    if review.fully_anonymous:
        return model.author_key == author_key(review.id, user.id)
    return model.author_id == user.id


def is_author(item: Any, review: Any, user: Any) -> bool:
    if review.fully_anonymous:
        return item.author_key is not None and hmac.compare_digest(item.author_key, author_key(review.id, user.id))
    return item.author_id == user.id


def visible_author(item: Any, *, anonymous: bool, review: Any, viewer_is_lead: bool) -> Any | None:
    """The author to show this viewer, or None."""
    if review.fully_anonymous or item.author_id is None:
        return None
    if anonymous and not viewer_is_lead:
        return None
    return item.author

"""The one place that decides between a full page and an htmx fragment."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request
from werkzeug.wrappers import Response


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def page_or_fragment(page: str, fragment: str, status: int = 200, **context: Any) -> tuple[str, int]:
    """Render ``fragment`` for htmx requests, else the full ``page`` (which includes the fragment)."""
    return render_template(fragment if is_htmx() else page, **context), status


def fragment_or_redirect(fragment: str, location: str, **context: Any) -> Response | str:
    """After a successful change: the updated fragment for htmx, a redirect for a plain form post."""
    if is_htmx():
        return render_template(fragment, **context)
    return redirect(location)

"""Styled error pages. A 500 shows an error id that is also in the log, never a traceback."""

from __future__ import annotations

import uuid

from flask import Flask, make_response, render_template, request, session
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from learning.i18n import _

# Form fields that must never be echoed back, even to their own author.
_SECRET_FIELDS = ("password", "confirm", "code", "csrf_token", "token")


def _echoable_fields() -> list[tuple[str, str]]:
    """What the person typed, for the CSRF page, minus passwords, codes and tokens."""
    return [
        (name, value)
        for name, value in request.form.items(multi=True)
        if not any(secret in name.lower() for secret in _SECRET_FIELDS)
    ]


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):  # noqa: ANN202
        app.logger.info("CSRF check failed on %s: %s", request.path, error.description)
        if request.headers.get("HX-Request"):
            # Tells the page's script to fetch a fresh token and send again, keeping what was typed.
            return render_template("errors/_csrf_fragment.html"), 400, {"X-CSRF-Expired": "1"}
        # Without this site's session cookie the post came from elsewhere (or the session is gone):
        # show what was sent for copying, but offer no resubmit and keep the visitor's session untouched,
        # so a cross-site post cannot sign anyone out by replacing their cookie.
        has_session = app.config["SESSION_COOKIE_NAME"] in request.cookies
        response = make_response(render_template(
            "errors/csrf.html", fields=_echoable_fields(), action=request.path, can_resubmit=has_session), 400)
        if not has_session:
            session.modified = False
            session.accessed = False
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):  # noqa: ANN202
        if error.code is None or error.code < 400:
            return error
        template = {
            403: "errors/403.html", 404: "errors/404.html", 405: "errors/404.html", 410: "errors/404.html",
            413: "errors/413.html", 429: "errors/429.html",
        }.get(error.code, "errors/generic.html")
        return render_template(template, error=error, title=_("Er ging iets mis")), error.code

    @app.errorhandler(Exception)
    def server_error(error: Exception):  # noqa: ANN202
        error_id = uuid.uuid4().hex[:12]
        app.logger.exception("unhandled error %s on %s %s", error_id, request.method, request.path)
        try:
            return render_template("errors/500.html", error_id=error_id), 500
        except Exception:  # the layout itself is broken: still answer without a traceback
            app.logger.exception("error page for %s could not be rendered", error_id)
            return f"Internal server error. Error id: {error_id}", 500, {"Content-Type": "text/plain"}

"""Who may use which view: rules are declared next to each view and checked in one place.

Every view carries ``@require(...)`` with one or more rules. A ``before_request``
hook reads the declaration of the matched endpoint and checks each rule in order:

* not signed in where sign-in is needed: redirect to the login page (htmx: 401 with
  ``HX-Redirect``);
* signed in but MFA enrolment outstanding for a role that needs it: redirect to
  enrolment;
* signed in but not allowed: 403;
* an object the user may not know exists: 404, so its existence is not revealed.

A view without a declaration is refused (fail closed), and the test suite walks
``app.url_map`` so that such a view never ships. Per-object rules (for example a
per-review role) are :class:`ObjectRule`\\ s: a loader scoped to what the user may
see, and a predicate for the action. This module imports no domain: the rules use
duck-typed attributes of the user object (``has_role``, ``must_enrol_mfa``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, g, make_response, redirect, request, session, url_for
from flask_login import current_user

F = TypeVar("F", bound=Callable[..., Any])

PENDING_MFA_KEY = "mfa_pending"
LOGIN_ENDPOINT = "auth.login"
MFA_ENROL_ENDPOINT = "auth.mfa_enrol"
MFA_CHALLENGE_ENDPOINT = "auth.mfa_challenge"


class Rule:
    """A condition a request must meet. ``check`` returns normally or aborts."""

    name = "rule"

    def check(self, view_args: dict[str, Any]) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<Rule {self.name}>"


class _Public(Rule):
    name = "public"

    def check(self, view_args: dict[str, Any]) -> None:
        return None


class _MfaChallenge(Rule):
    """Between the password step and the code step: a pending sign-in must exist."""

    name = "mfa-challenge"

    def check(self, view_args: dict[str, Any]) -> None:
        if not session.get(PENDING_MFA_KEY):
            abort(redirect(url_for(LOGIN_ENDPOINT)))


class _SignedIn(Rule):
    """Signed in. ``allow_pending_enrolment`` lets users who still owe MFA enrolment through."""

    def __init__(self, name: str, allow_pending_enrolment: bool) -> None:
        self.name = name
        self.allow_pending_enrolment = allow_pending_enrolment

    def check(self, view_args: dict[str, Any]) -> None:
        if not current_user.is_authenticated:
            abort(_to_login())
        if not self.allow_pending_enrolment and current_user.must_enrol_mfa:
            abort(redirect(url_for(MFA_ENROL_ENDPOINT)))


@dataclass(frozen=True, repr=False)
class RoleRule(Rule):
    """Signed in (MFA done) and holding at least one of the global roles."""

    roles: tuple[str, ...]

    @property
    def name(self) -> str:  # type: ignore[override]
        return "role:" + "|".join(self.roles)

    def check(self, view_args: dict[str, Any]) -> None:
        SIGNED_IN.check(view_args)
        if not any(current_user.has_role(role) for role in self.roles):
            abort(403)


@dataclass(frozen=True, repr=False)
class ObjectRule(Rule):
    """Load an object through a scope the user may see, then check an action on it.

    ``loader(user, view_args)`` returns the object or None (404: missing, or not
    visible to this user). ``allowed(obj, user)`` answers whether the action is
    permitted (403 if not). The object is kept for the view: ``loaded(key)``.
    """

    key: str
    loader: Callable[[Any, dict[str, Any]], Any]
    allowed: Callable[[Any, Any], bool] = field(default=lambda obj, user: True)

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"object:{self.key}"

    def check(self, view_args: dict[str, Any]) -> None:
        SIGNED_IN.check(view_args)
        obj = self.loader(current_user, view_args)
        if obj is None:
            abort(404)
        if not self.allowed(obj, current_user):
            abort(403)
        g.setdefault("permission_objects", {})[self.key] = obj


PUBLIC = _Public()
MFA_CHALLENGE = _MfaChallenge()
SIGNED_IN = _SignedIn("signed-in", allow_pending_enrolment=False)
SIGNED_IN_ENROLLING = _SignedIn("signed-in-enrolling", allow_pending_enrolment=True)


def role(*roles: str) -> RoleRule:
    return RoleRule(tuple(roles))


def require(*rules: Rule) -> Callable[[F], F]:
    """Declare the rules a view needs; they are checked before the view runs."""
    if not rules:
        raise ValueError("require() needs at least one rule")

    def decorate(view: F) -> F:
        view.permission_rules = rules  # type: ignore[attr-defined]
        return view

    return decorate


def declared_rules(view: Callable[..., Any]) -> tuple[Rule, ...] | None:
    return getattr(view, "permission_rules", None)


def loaded(key: str) -> Any:
    """The object an :class:`ObjectRule` loaded for this request."""
    return g.permission_objects[key]


def _to_login():  # noqa: ANN202
    if request.headers.get("HX-Request"):
        response = make_response("", 401)
        response.headers["HX-Redirect"] = url_for(LOGIN_ENDPOINT)
        return response
    target = request.full_path if request.method == "GET" else None
    return redirect(url_for(LOGIN_ENDPOINT, next=target.rstrip("?") if target else None))


def safe_next_url(target: str | None) -> str | None:
    """Only same-site paths are followed after login; anything else is ignored."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def enforce_declared_rules() -> None:
    """``before_request`` hook: check the rules of the matched endpoint."""
    if request.endpoint is None:
        return  # no route matched; routing raises 404/405 itself
    view = current_app.view_functions.get(request.endpoint)
    rules = declared_rules(view) if view else None
    if rules is None:
        current_app.logger.error("endpoint %s has no declared permission; refusing", request.endpoint)
        abort(403)
    for rule in rules:
        rule.check(request.view_args or {})


def init_app(app: Flask) -> None:
    # Static files are public by nature; declare it so the inventory test sees a decision.
    if "static" in app.view_functions:
        require(PUBLIC)(app.view_functions["static"])
    app.before_request(enforce_declared_rules)

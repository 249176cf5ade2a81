"""What every template can use: the navigation for this person, the language, date filters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import Flask, has_request_context, request, url_for
from flask_babel import format_date, format_datetime
from flask_login import current_user

from learning.i18n import _l, get_locale


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: Any
    # One global role, or several of which the person needs any.
    required_role: str | tuple[str, ...] | None = None
    # Endpoints under this prefix mark the item as the current page.
    section: str = ""

    def visible_to(self, user: Any) -> bool:
        if self.required_role is None:
            return True
        roles = (self.required_role,) if isinstance(self.required_role, str) else self.required_role
        return any(user.has_role(role) for role in roles)


NAVIGATION = (
    NavItem("core.dashboard", _l("Overzicht"), section="core."),
    NavItem("methods.index", _l("Methoden"), required_role="reviewer", section="methods."),
    NavItem("findings.index", _l("Bevindingen"), required_role="reviewer", section="findings."),
    NavItem("briefs.index", _l("Notities"), required_role="reviewer", section="briefs."),
    NavItem("responses.index", _l("Portaal"), required_role="policy_owner", section="responses."),
    NavItem("followup.index", _l("Opvolging"), required_role="reviewer", section="followup."),
    NavItem("thematic.overview", _l("Thema's"), required_role=("reviewer", "policy_owner", "admin"),
            section="thematic."),
    NavItem("library.search", _l("Bibliotheek"), required_role=("reviewer", "policy_owner", "admin"),
            section="library."),
    NavItem("admin.index", _l("Beheer"), required_role="admin", section="admin."),
    NavItem("auth.account", _l("Mijn account"), section="auth.account"),
)


def navigation_for(user: Any) -> list[NavItem]:
    if not user.is_authenticated or user.must_enrol_mfa:
        return []
    return [item for item in NAVIGATION if item.visible_to(user)]


def is_current(item: NavItem) -> bool:
    return bool(request.endpoint and request.endpoint.startswith(item.section))


def page_url(page: int) -> str:
    """This page's URL with the same filters, at another page number."""
    arguments = {**(request.view_args or {}), **request.args.to_dict(), "page": page}
    return url_for(request.endpoint, **arguments)


def _format_date(value: date | datetime | None, style: str = "long") -> str:
    return "" if value is None else format_date(value, style)


def _format_datetime(value: datetime | None, style: str = "d MMMM yyyy, HH:mm") -> str:
    return "" if value is None else format_datetime(value, style)


def init_app(app: Flask) -> None:
    # Globals, not context: macros imported without context can call them too.
    app.jinja_env.globals["page_url"] = page_url
    app.jinja_env.filters["date"] = _format_date
    app.jinja_env.filters["datetime"] = _format_datetime
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def layout_context() -> dict[str, Any]:
        if not has_request_context():
            return {}  # e-mails rendered by a CLI command or worker
        locale = get_locale()
        return {
            "current_language": locale.language if locale else "nl",
            "main_navigation": navigation_for(current_user),
            "is_current": is_current,
        }

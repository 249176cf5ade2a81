"""Who may use which route: every endpoint × every kind of visitor.

Each route in ``app.url_map`` must appear in ``EXPECTED`` (a new route without an entry
fails ``test_every_route_is_in_the_access_table``). For each visitor the test records
whether the view itself ran, or what stopped it: a redirect to the login page, a redirect
to MFA enrolment, 403, or 404.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa

from learning.admin.models import Organisation, Region, TaxonomyTerm
from learning.db import db
from learning.permissions import declared_rules

VISITORS = ("anonymous", "participant", "enrolling", "reviewer", "policy_owner", "admin")

VIEW = "view"        # the view ran
LOGIN = "login"      # sent to the login page
ENROL = "enrol"      # signed in, but sent to MFA enrolment first
FORBIDDEN = "403"

PUBLIC = dict.fromkeys(VISITORS, VIEW)
SIGNED_IN_ENROLLING = {**dict.fromkeys(VISITORS, VIEW), "anonymous": LOGIN}
SIGNED_IN = {**SIGNED_IN_ENROLLING, "enrolling": ENROL}
ADMIN_ONLY = {
    "anonymous": LOGIN, "participant": FORBIDDEN, "enrolling": ENROL,
    "reviewer": FORBIDDEN, "policy_owner": FORBIDDEN, "admin": VIEW,
}
PENDING_SIGN_IN_ONLY = dict.fromkeys(VISITORS, LOGIN)  # nobody here has a half-finished sign-in

# endpoint -> {method: expected outcome per visitor}
EXPECTED: dict[str, dict[str, dict[str, str]]] = {
    "static": {"GET": PUBLIC},
    "core.index": {"GET": PUBLIC},
    "core.healthz": {"GET": PUBLIC},
    "core.csrf_token": {"GET": PUBLIC},
    "core.switch_language": {"POST": PUBLIC},
    "core.dashboard": {"GET": SIGNED_IN},
    "auth.login": {"GET": PUBLIC, "POST": PUBLIC},
    "auth.mfa_challenge": {"GET": PENDING_SIGN_IN_ONLY, "POST": PENDING_SIGN_IN_ONLY},
    "auth.logout": {"POST": SIGNED_IN_ENROLLING},
    "auth.forgot_password": {"GET": PUBLIC, "POST": PUBLIC},
    "auth.reset_password": {"GET": PUBLIC, "POST": PUBLIC},
    "auth.accept_invitation": {"GET": PUBLIC, "POST": PUBLIC},
    "auth.account": {"GET": SIGNED_IN, "POST": SIGNED_IN},
    "auth.change_password": {"GET": SIGNED_IN, "POST": SIGNED_IN},
    "auth.mfa_enrol": {"GET": SIGNED_IN_ENROLLING, "POST": SIGNED_IN_ENROLLING},
    "auth.mfa_qr": {"GET": SIGNED_IN_ENROLLING},
    "auth.regenerate_recovery_codes": {"POST": SIGNED_IN},
    "auth.disable_mfa": {"POST": SIGNED_IN},
    "admin.index": {"GET": ADMIN_ONLY},
    "admin.users": {"GET": ADMIN_ONLY},
    "admin.invite_user": {"GET": ADMIN_ONLY, "POST": ADMIN_ONLY},
    "admin.edit_user": {"GET": ADMIN_ONLY, "POST": ADMIN_ONLY},
    "admin.account_action": {"POST": ADMIN_ONLY},
    "admin.organisations": {"GET": ADMIN_ONLY},
    "admin.new_organisation": {"GET": ADMIN_ONLY, "POST": ADMIN_ONLY},
    "admin.edit_organisation": {"GET": ADMIN_ONLY, "POST": ADMIN_ONLY},
    "admin.regions": {"GET": ADMIN_ONLY, "POST": ADMIN_ONLY},
    "admin.edit_region": {"GET": ADMIN_ONLY, "POST": ADMIN_ONLY},
    "admin.taxonomy": {"GET": ADMIN_ONLY},
    "admin.new_term": {"GET": ADMIN_ONLY, "POST": ADMIN_ONLY},
    "admin.edit_term": {"GET": ADMIN_ONLY, "POST": ADMIN_ONLY},
    "admin.audit_log": {"GET": ADMIN_ONLY},
}

CASES = [
    (endpoint, method, visitor)
    for endpoint, methods in EXPECTED.items()
    for method in methods
    for visitor in VISITORS
]


def test_every_route_is_in_the_access_table(app):
    from tests.briefs.test_brief_access import BRIEF_EXPECTED
    from tests.findings.test_finding_access import FINDING_EXPECTED
    from tests.followup.test_followup_access import FOLLOWUP_EXPECTED
    from tests.lessons.test_lesson_access import LESSON_EXPECTED
    from tests.library.test_library_access import LIBRARY_EXPECTED
    from tests.responses.test_response_access import RESPONSE_EXPECTED
    from tests.reviews.test_review_access import REVIEW_EXPECTED
    from tests.test_meeting_access import MEETING_EXPECTED
    from tests.thematic.test_thematic_access import THEMATIC_EXPECTED
    from tests.vragenronde.test_vragenronde_access import VRAGENRONDE_EXPECTED

    routes = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    tables = (EXPECTED, REVIEW_EXPECTED, MEETING_EXPECTED, VRAGENRONDE_EXPECTED, LESSON_EXPECTED,
              FINDING_EXPECTED, THEMATIC_EXPECTED, LIBRARY_EXPECTED, BRIEF_EXPECTED, RESPONSE_EXPECTED,
              FOLLOWUP_EXPECTED)
    table = {(endpoint, method) for expected in tables for endpoint, methods in expected.items() for method in methods}
    assert routes - table == set(), "routes without an entry in EXPECTED"
    assert table - routes == set(), "entries in EXPECTED for routes that no longer exist"


def test_every_view_declares_its_permission(app):
    undeclared = [endpoint for endpoint, view in app.view_functions.items() if not declared_rules(view)]
    assert undeclared == []


@pytest.mark.fresh_app
def test_a_view_without_declaration_is_refused(app, login, create_user):
    app.add_url_rule("/undeclared", "undeclared", lambda: "secret")
    client = login(create_user(roles=("admin",)))
    assert client.get("/undeclared").status_code == 403


@pytest.fixture
def people(create_user) -> dict[str, object]:  # noqa: ANN001
    return {
        "participant": create_user("participant@example.org"),
        "enrolling": create_user("enrolling@example.org", roles=("reviewer",), mfa_enabled=False),
        "reviewer": create_user("reviewer@example.org", roles=("reviewer",)),
        "policy_owner": create_user("owner@example.org", roles=("policy_owner",)),
        "admin": create_user("admin@example.org", roles=("admin",)),
    }


def _url_arguments(people: dict[str, object]) -> dict[str, object]:
    region = Region(name="Regio Test")
    kind = db.session.scalar(sa.select(TaxonomyTerm).where(TaxonomyTerm.code == "ggz"))
    organisation = Organisation(name="GGZ Test", agency_kind=kind, region=region)
    db.session.add_all([region, organisation])
    db.session.commit()
    return {
        "user_id": people["participant"].id,  # type: ignore[attr-defined]
        "organisation_id": organisation.id,
        "region_id": region.id,
        "term_id": kind.id,
        "vocabulary": "level",
        "token": "not-a-real-token",
        "action": "deactivate",
        "filename": "css/app.css",
    }


def _url_for(app, endpoint: str, arguments: dict[str, object]) -> str:  # noqa: ANN001
    rule = next(rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint)
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **{name: arguments[name] for name in rule.arguments})


def _watch_views(app) -> list[str]:  # noqa: ANN001
    """Wrap every view so the test knows whether it ran; the declared rules stay on the wrapper."""
    ran: list[str] = []

    def wrap(endpoint: str, view: Callable) -> Callable:
        def watched(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            ran.append(endpoint)
            return view(*args, **kwargs)

        watched.permission_rules = declared_rules(view)  # type: ignore[attr-defined]
        return watched

    for endpoint, view in list(app.view_functions.items()):
        app.view_functions[endpoint] = wrap(endpoint, view)
    return ran


def _outcome(response, ran: list[str]) -> str:  # noqa: ANN001
    if response.status_code >= 500:
        return str(response.status_code)  # a view that crashed did not "run" in any sense a user notices
    if ran:
        return VIEW
    location = response.headers.get("Location", "")
    if response.status_code == 302 and location.startswith("/login"):
        return LOGIN
    if response.status_code == 302 and location == "/account/mfa/enrol":
        return ENROL
    return str(response.status_code)


def assert_route_outcome(app, client, endpoint: str, method: str, arguments: dict, expected: str,  # noqa: ANN001
                         who: str) -> None:
    """Request the endpoint with ``arguments`` as ``client`` and compare what stopped it (or not) with ``expected``."""
    url = _url_for(app, endpoint, arguments)
    ran = _watch_views(app)
    response = client.open(url, method=method, data={} if method == "POST" else None)
    response.close()
    assert _outcome(response, ran) == expected, (
        f"{method} {url} as {who}: status {response.status_code}, Location {response.headers.get('Location')}")


@pytest.mark.parametrize("endpoint, method, visitor", CASES)
def test_route_access(app, login, people, endpoint, method, visitor):
    client = app.test_client() if visitor == "anonymous" else login(people[visitor])
    assert_route_outcome(app, client, endpoint, method, _url_arguments(people), EXPECTED[endpoint][method][visitor],
                         visitor)

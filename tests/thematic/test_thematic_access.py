"""The thematic view × every kind of global-role visitor.

``THEMATIC_EXPECTED`` feeds the route inventory in tests/test_route_access.py.
"""

from __future__ import annotations

import pytest

from tests.test_route_access import (
    ENROL,
    FORBIDDEN,
    LOGIN,
    VIEW,
    VISITORS,
    assert_route_outcome,
)

# Reviewers, policy owners and administrators: counts only, across every review and region.
READERS = {"anonymous": LOGIN, "participant": FORBIDDEN, "enrolling": ENROL,
           "reviewer": VIEW, "policy_owner": VIEW, "admin": VIEW}

THEMATIC_EXPECTED: dict[str, dict[str, dict[str, str]]] = {
    "thematic.overview": {"GET": READERS},
    "thematic.export_csv": {"GET": READERS},
}

CASES = [(endpoint, method, visitor) for endpoint, methods in THEMATIC_EXPECTED.items()
         for method in methods for visitor in VISITORS]


@pytest.fixture
def visitors(create_user) -> dict[str, object]:  # noqa: ANN001
    """The signed-in visitors of tests/test_route_access.py."""
    return {
        "participant": create_user("participant@example.org"),
        "enrolling": create_user("enrolling@example.org", roles=("reviewer",), mfa_enabled=False),
        "reviewer": create_user("reviewer@example.org", roles=("reviewer",)),
        "policy_owner": create_user("owner@example.org", roles=("policy_owner",)),
        "admin": create_user("admin@example.org", roles=("admin",)),
    }


@pytest.mark.parametrize("endpoint, method, visitor", CASES)
def test_thematic_access(app, login, visitors, endpoint, method, visitor):
    client = app.test_client() if visitor == "anonymous" else login(visitors[visitor])
    assert_route_outcome(app, client, endpoint, method, {}, THEMATIC_EXPECTED[endpoint][method][visitor], visitor)


@pytest.mark.parametrize("visitor", VISITORS[1:])
def test_the_menu_offers_themes_to_those_who_may_open_them(login, visitors, visitor):
    page = login(visitors[visitor]).get("/account" if visitor == "enrolling" else "/dashboard", follow_redirects=True)
    shown = 'href="/themes/"' in page.get_data(as_text=True)
    assert shown == (READERS[visitor] == VIEW)

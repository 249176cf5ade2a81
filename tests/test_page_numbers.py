"""Page numbers in the query string: any number, however large or odd, shows a page, never a 500."""

from __future__ import annotations

import pytest

from learning.forms import MAX_PAGE, requested_page

ODD_PAGES = ("99999999999999999999999", str(2**63), "-5", "0", "abc", "")


@pytest.mark.parametrize(("given", "page"), [("3", 3), ("0", 1), ("-5", 1), ("abc", 1), ("", 1), (None, 1),
                                             (str(MAX_PAGE + 1), MAX_PAGE), ("9" * 40, MAX_PAGE)])
def test_a_page_number_is_one_to_the_maximum(app, given, page):  # noqa: ANN001
    with app.test_request_context("/", query_string={} if given is None else {"page": given}):
        assert requested_page() == page


@pytest.mark.parametrize("page", ODD_PAGES)
def test_the_dashboard_pages_any_number(login, lead, make_review, page):  # noqa: ANN001
    make_review(title="Gezin A")
    response = login(lead).get(f"/dashboard?page={page}")
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/admin/users", "/admin/audit"])
@pytest.mark.parametrize("page", ODD_PAGES)
def test_the_admin_lists_page_any_number(admin_client, path, page):  # noqa: ANN001
    assert admin_client.get(f"{path}?page={page}").status_code == 200

"""The permission mechanism itself: rules in order, per-object rules, 404 before 403."""

import pytest
import sqlalchemy as sa

from learning.admin.models import TaxonomyTerm, Vocabulary
from learning.db import db
from learning.permissions import ObjectRule, loaded, require, safe_next_url

pytestmark = pytest.mark.fresh_app  # the tests below add a route of their own


@pytest.fixture
def object_routes(app):  # noqa: ANN001, ANN201
    """A route guarded like per-review routes will be: load through a scope, then check the action.

    Taxonomy terms stand in for reviews: 'visible' are active terms, 'editable' are built-in ones.
    """

    def visible_term(user, view_args):  # noqa: ANN001, ANN202
        return db.session.scalar(
            sa.select(TaxonomyTerm).where(TaxonomyTerm.id == view_args["term_id"], TaxonomyTerm.active.is_(True))
        )

    rule = ObjectRule("term", visible_term, allowed=lambda term, user: term.built_in)

    def show(term_id: int) -> str:
        return f"{loaded('term').code} for {term_id}"

    app.add_url_rule("/test/terms/<int:term_id>", "test_term", require(rule)(show))
    return rule


def term(code: str) -> TaxonomyTerm:
    return db.session.scalar(sa.select(TaxonomyTerm).where(TaxonomyTerm.code == code))


def test_object_rule_gives_the_view_the_loaded_object(object_routes, login, create_user):
    client = login(create_user())
    response = client.get(f"/test/terms/{term('keten').id}")
    assert response.status_code == 200 and response.get_data(as_text=True).startswith("keten for")


def test_object_the_user_may_not_see_is_404_not_403(object_routes, login, create_user):
    hidden = term("keten")
    hidden.active = False
    db.session.commit()
    client = login(create_user())
    assert client.get(f"/test/terms/{hidden.id}").status_code == 404
    assert client.get("/test/terms/999999").status_code == 404


def test_visible_object_without_permission_for_the_action_is_403(object_routes, login, create_user):
    own = TaxonomyTerm(vocabulary=Vocabulary.LEVEL.value, code="eigen", label_nl="eigen", label_en="own",
                       built_in=False)
    db.session.add(own)
    db.session.commit()
    assert login(create_user()).get(f"/test/terms/{own.id}").status_code == 403


def test_object_rule_sends_anonymous_visitors_to_login_first(object_routes, client):
    response = client.get("/test/terms/999999")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_object_rule_sends_people_who_owe_mfa_to_enrolment(object_routes, login, create_user):
    client = login(create_user(roles=("reviewer",), mfa_enabled=False))
    assert client.get(f"/test/terms/{term('keten').id}").headers["Location"] == "/account/mfa/enrol"


@pytest.mark.parametrize("target, expected", [
    ("/account", "/account"), ("/admin/users?page=2", "/admin/users?page=2"), ("//evil.example/x", None),
    ("https://evil.example/", None), ("/\\evil.example", None), ("javascript:alert(1)", None), ("", None),
])
def test_only_same_site_paths_are_followed(target, expected):
    assert safe_next_url(target) == expected


def test_require_needs_a_rule():
    with pytest.raises(ValueError):
        require()


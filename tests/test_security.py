"""Security defaults: headers, CSRF, error pages, cookies and request size."""

import pytest
import sqlalchemy as sa

from learning import create_app
from learning.audit import AuditEvent
from learning.db import db
from tests.conftest import DEFAULT_PASSWORD, settings_for_tests
from tests.helpers import text_of


def test_every_response_carries_a_strict_policy(client):
    for response in (client.get("/login"), client.get("/healthz"), client.get("/nope")):
        csp = response.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        for directive in ("frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'", "script-src 'self'",
                          "style-src 'self'"):
            assert directive in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script_or_style(client):
    html = client.get("/login").get_data(as_text=True)
    assert "<script>" not in html and "<style" not in html and " style=" not in html
    assert "<script src=" in html


def test_html_pages_are_not_cached(client):
    assert client.get("/login").headers["Cache-Control"] == "no-store"


def test_development_sends_no_hsts_and_a_plain_cookie(client):
    response = client.get("/login")
    assert "Strict-Transport-Security" not in response.headers


def test_production_uses_host_prefixed_secure_cookie_and_hsts(database_url, tmp_path):
    config = {**settings_for_tests(database_url, tmp_path), "ENVIRONMENT": "production"}
    from learning.config import load_settings

    settings = load_settings({"LMI_ENV": "production", "SECRET_KEY": "x" * 40}, tmp_path)
    assert settings["SESSION_COOKIE_NAME"] == "__Host-session"
    assert settings["SESSION_COOKIE_SECURE"] and settings["HSTS_ENABLED"]
    app = create_app({**config, **{key: settings[key] for key in (
        "SESSION_COOKIE_NAME", "SESSION_COOKIE_SECURE", "HSTS_ENABLED")}})
    client = app.test_client()
    response = client.get("/login", base_url="https://lmi.test")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=") and "Secure" in cookie and "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie and "Domain" not in cookie and "Path=/" in cookie
    assert app.debug is False


def test_post_without_csrf_token_is_refused_and_input_is_offered_again(client, create_user):
    create_user("wendy@example.org")
    response = client.post("/login", data={
        "email": "wendy@example.org", "password": DEFAULT_PASSWORD, "csrf_token": None,
    })
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Dit formulier was verlopen" in text_of(response)
    assert "wendy@example.org" in page and DEFAULT_PASSWORD not in page
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "auth.login")) is None


def test_csrf_page_escapes_what_it_shows(client):
    response = client.post("/password/forgot", data={"email": "<script>alert(1)</script>", "csrf_token": None})
    html = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_htmx_request_without_token_gets_a_fragment(client):
    response = client.post("/language", data={"language": "en", "csrf_token": None}, headers={"HX-Request": "true"})
    assert response.status_code == 400 and "<html" not in response.get_data(as_text=True)


def test_htmx_request_with_token_in_header_is_accepted(client):
    token = client.csrf_token()
    response = client.post("/language", data={"language": "en", "csrf_token": None},
                           headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 302


def test_unknown_url_gets_a_styled_404(client):
    response = client.get("/bestaat/niet")
    assert response.status_code == 404
    assert "Deze pagina bestaat niet" in text_of(response) and "utrecht-page" in response.get_data(as_text=True)


@pytest.mark.fresh_app
def test_server_error_shows_an_error_id_and_no_traceback(app, client, caplog):
    def broken():
        raise RuntimeError("geheim detail uit de code")

    from learning.permissions import PUBLIC, require

    app.add_url_rule("/broken", "broken", require(PUBLIC)(broken))
    response = client.get("/broken")
    page = text_of(response)
    assert response.status_code == 500
    assert "geheim detail" not in page and "Traceback" not in page
    error_id = page.split("foutcode door aan de beheerder: ")[1].split()[0]
    assert error_id in caplog.text and "geheim detail uit de code" in caplog.text


def test_oversized_request_is_refused_with_the_limit(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    response = client.post("/password/forgot", data={"email": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413 and "1 MB" in text_of(response)


def test_anonymous_htmx_request_is_told_where_to_sign_in(client):
    response = client.get("/dashboard", headers={"HX-Request": "true"})
    assert response.status_code == 401 and response.headers["HX-Redirect"] == "/login"


def test_signed_in_but_not_allowed_is_403_with_a_styled_page(login, create_user):
    response = login(create_user()).get("/admin/users")
    assert response.status_code == 403 and "Geen toegang" in text_of(response)


@pytest.mark.parametrize("path", ["/dashboard", "/account"])
def test_user_text_is_escaped(login, create_user, path):
    client = login(create_user(name='<img src=x onerror="alert(1)">'))
    html = client.get(path).get_data(as_text=True)
    assert '<img src=x onerror="alert(1)">' not in html and "&lt;img src=x" in html


def test_cross_site_post_without_session_cannot_replace_the_cookie(client):
    response = client.post("/logout", data={"csrf_token": None})
    assert response.status_code == 400
    assert "Set-Cookie" not in response.headers
    assert "Opnieuw versturen" not in text_of(response)


def test_downloads_are_not_cached_but_static_files_are_cacheable(client):
    assert client.get("/healthz").headers["Cache-Control"] == "no-store"
    static = client.get("/static/css/app.css")
    assert "no-store" not in static.headers.get("Cache-Control", "")
    static.close()


@pytest.mark.parametrize("review_id", ["0", "2147483648", "99999999999999999999"])
def test_ids_outside_what_the_database_stores_are_not_found(login, create_user, review_id):
    client = login(create_user(roles=("reviewer",)))
    response = client.get(f"/reviews/{review_id}")
    assert response.status_code == 404

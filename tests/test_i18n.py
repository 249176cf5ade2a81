"""Dutch by default, English complete, and dates in the reader's language."""

from datetime import UTC, datetime

import pytest
from flask_babel import force_locale

from learning.i18n import LOCALES
from learning.i18n_tools import read_catalog, source_message_ids, untranslated
from learning.templating import _format_date
from tests.helpers import text_of


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_message_in_the_code_is_translated(language):
    catalog = read_catalog(language)
    in_catalog = {message.id if isinstance(message.id, str) else message.id[0] for message in catalog if message.id}
    missing = sorted(source_message_ids() - in_catalog)
    assert missing == [], f"run `make translations` and translate these in {language}: {missing[:10]}"
    assert untranslated(catalog) == [], f"empty or fuzzy entries in {language}"


def test_dutch_is_the_default(client):
    page = client.get("/login")
    assert '<html lang="nl"' in page.get_data(as_text=True) and "Inloggen" in text_of(page)


def test_browser_language_is_honoured_for_visitors(client):
    page = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en"' in page.get_data(as_text=True) and "Log in with the email" in text_of(page)


def test_visitor_switches_language_and_it_sticks(client):
    response = client.post("/language", data={"language": "en", "next": "/login"})
    assert response.headers["Location"] == "/login"
    assert "Log in with the email" in text_of(client.get("/login"))
    client.post("/language", data={"language": "nl", "next": "/login"})
    assert "Inloggen" in text_of(client.get("/login"))


def test_switch_to_unknown_language_changes_nothing_and_ignores_foreign_next(client):
    response = client.post("/language", data={"language": "fr", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
    assert "Inloggen" in text_of(client.get("/login"))


def test_signed_in_persons_choice_is_kept_on_their_account(login, create_user):
    user = create_user()
    client = login(user)
    client.post("/language", data={"language": "en", "next": "/dashboard"})
    assert user.preferred_language == "en"
    assert "Welcome" in text_of(client.get("/dashboard"))


def test_dates_are_written_in_the_readers_language(app):
    moment = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
    with app.test_request_context():
        with force_locale(LOCALES["nl"]):
            assert _format_date(moment) == "24 november 2026"
        with force_locale(LOCALES["en"]):
            assert _format_date(moment) == "24 November 2026"

"""A newcomer signs in as a demo reviewer with the TOTP step, switches language and signs out;
the old cookie is useless afterwards. axe-core checks the pages on the way."""

import re

from playwright.sync_api import expect

from learning.demo.data import DEMO_PASSWORD
from tests.browser.conftest import serious_accessibility_violations, sign_in


def test_reviewer_signs_in_with_totp_switches_language_and_signs_out(live_server, runner, page, context):
    runner.invoke(args=["demo", "load"])
    sign_in(page, live_server, runner, "reviewer@example.org")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welkom, Ria Reviewer")

    page.get_by_role("button", name=re.compile("^EN")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Ria Reviewer")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    cookies_before_logout = context.cookies()
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("status")).to_contain_text("You have been logged out")

    # Someone who kept a copy of the session cookie gets nothing with it.
    replay = context.browser.new_context()
    replay.add_cookies(cookies_before_logout)
    stolen = replay.new_page()
    stolen.goto(f"{live_server}/dashboard")
    expect(stolen).to_have_url(re.compile(r"/login\?next=/dashboard$"))
    replay.close()


def test_keyboard_only_sign_in_starts_with_the_skip_link(live_server, runner, page):
    runner.invoke(args=["demo", "load"])
    page.goto(f"{live_server}/login")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Direct naar de inhoud")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("E-mailadres")).to_be_focused()
    page.keyboard.type("wijkteam@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server}/dashboard")


def test_no_serious_accessibility_violations_on_login_dashboard_and_admin(live_server, runner, page):
    runner.invoke(args=["demo", "load"])
    page.goto(f"{live_server}/login")
    assert serious_accessibility_violations(page) == []
    page.get_by_role("button", name="Inloggen").click()  # an empty form: the error state too
    expect(page.get_by_role("alert")).to_be_visible()
    assert serious_accessibility_violations(page) == []

    sign_in(page, live_server, runner, "beheerder@example.org")
    assert serious_accessibility_violations(page) == []
    for path in ("/admin/users", "/admin/users/invite", "/admin/audit"):
        page.goto(f"{live_server}{path}")
        assert serious_accessibility_violations(page) == [], path

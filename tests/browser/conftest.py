"""A live server on a free loopback port, and Debian's Chromium driven by Playwright.

No browser is ever downloaded: Playwright launches /usr/bin/chromium (`make test` installs the
Debian package when it is missing). axe-core comes from npm (node_modules) and is injected into
pages with CSP bypassed for the test context only, since the app's CSP rightly blocks it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app) -> Iterator[str]:  # noqa: ANN001
    """The test's app, served on 127.0.0.1 at a free port, in a thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["PUBLIC_URL"] = f"http://127.0.0.1:{server.server_port}"
    yield app.config["PUBLIC_URL"]
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(bypass_csp=True, locale="nl-NL")
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def sign_in(page: Page, base: str, runner, email: str) -> None:  # noqa: ANN001
    """Sign in as a demo account, with the code step that `flask demo code` answers."""
    from playwright.sync_api import expect

    from learning.demo.data import DEMO_PASSWORD

    page.goto(f"{base}/login")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page).to_have_url(f"{base}/login/code")
    code = runner.invoke(args=["demo", "code", email]).stdout.strip()
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Verder").click()
    expect(page).to_have_url(f"{base}/dashboard")


def serious_accessibility_violations(page: Page) -> list[dict]:
    """Run axe-core on the page; return violations with impact serious or critical."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": violation["id"], "impact": violation["impact"], "help": violation["help"],
         "nodes": [node["target"] for node in violation["nodes"]][:5]}
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def new_page(browser: Browser) -> Iterator:
    """``new_page()``: a page in a browser context of its own (another person), closed after the test."""
    contexts: list[BrowserContext] = []

    def make() -> Page:
        context = browser.new_context(bypass_csp=True, locale="nl-NL")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield make
    for context in contexts:
        context.close()


def sign_in_as(page: Page, base: str, user, password: str) -> None:  # noqa: ANN001
    """Sign in as an account made in the test, answering the TOTP step from its secret when it has MFA."""
    import pyotp
    from playwright.sync_api import expect

    page.goto(f"{base}/login")
    page.get_by_label("E-mailadres").fill(user.email)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    if user.mfa_enabled:
        expect(page).to_have_url(f"{base}/login/code")
        page.get_by_label("Code").fill(pyotp.TOTP(user.totp_secret).now())
        page.get_by_role("button", name="Verder").click()
    expect(page).to_have_url(f"{base}/dashboard")

"""Browser tests: Playwright's sync API driving Debian's Chromium against pytest-django's live server.

Every page runs in the college's time zone (Europe/Brussels), as its staff do: the admin's
date widgets then show no "you are 1 hour behind the server" note."""

import os
from pathlib import Path

import pytest
from django.conf import settings

# Playwright's sync API runs an event loop in this thread; Django would refuse its ORM calls.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
TIMEZONE = "Europe/Brussels"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing (CI installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def new_context(browser, *, viewport=None, language=None, base_url=None):
    """A fresh browser context in Brussels time; with ``language`` ("en", "nl") and the live
    server's ``base_url`` the site's language cookie is set before the first page."""
    context = browser.new_context(
        viewport=viewport or {"width": 1400, "height": 1000}, locale="en-GB", timezone_id=TIMEZONE
    )
    context.set_default_timeout(15_000)
    if language:
        context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base_url}])
    return context


def watch_console(page) -> list[str]:
    """The page's console errors and uncaught exceptions, collected as they happen."""
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def fits(page) -> bool:
    """Whether the page is no wider than the window, measured once its stylesheets have loaded:
    a click that navigates returns before them, and an unstyled table is always too wide."""
    page.wait_for_load_state("load")
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def log_in(page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.press("#id_password", "Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def follow_menu(page, base_url: str, href: str) -> None:
    """Open ``href`` from the main menu; on a phone the menu is folded: unfold it and let its
    collapse finish before clicking (a click during the animation can miss the link), and give a
    loaded CI machine time for the page."""
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        page.locator("#main-navbar.show").wait_for(state="visible")
    page.locator(f'#main-navbar a[href="{href}"]').click()
    page.wait_for_url(f"{base_url}{href}", timeout=45_000)


@pytest.fixture
def page(browser):
    context = new_context(browser)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS

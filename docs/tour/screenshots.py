"""The README tour's screenshots, in Dutch, taken from a running demo site.

    make run                                   # or: manage.py runserver on a loaded demo
    .venv/bin/python docs/tour/screenshots.py http://127.0.0.1:8000

Drives Debian's Chromium (/usr/bin/chromium) with Playwright, in Brussels time, logged in
as the demo personas (password ``demo``); writes the PNG files beside this script.
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def session(browser, base: str, username: str, viewport: dict):
    context = browser.new_context(viewport=viewport, locale="nl-BE", timezone_id="Europe/Brussels")
    context.add_cookies([{"name": "django_language", "value": "nl", "url": base}])
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo")
    page.press("#id_password", "Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return context, page


def shoot(page, name: str, full_page: bool = False) -> None:
    page.wait_for_load_state("load")
    page.screenshot(path=str(HERE / f"{name}.png"), full_page=full_page)
    print(HERE / f"{name}.png")


def main(base: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"])

        context, page = session(browser, base, "coach", DESKTOP)
        shoot(page, "coach-home-nl")
        # An ISP submitted and still waiting for its approval: the late route.
        page.goto(f"{base}/students/?isp_status=submitted")
        page.locator("table tbody tr a").first.click()
        shoot(page, "student-nl")
        page.locator("a[href*='/isp/']").first.click()
        page.locator("#workflow").scroll_into_view_if_needed()
        shoot(page, "coach-isp-nl")
        context.close()

        context, page = session(browser, base, "ombudsperson", DESKTOP)
        page.goto(f"{base}/exams/requests/")
        shoot(page, "ombuds-queue-nl")
        context.close()

        context, page = session(browser, base, "administration", PHONE)
        page.goto(f"{base}/admin/programmes/examperiod/")
        page.locator("a[href$='/publication/']").first.click()
        shoot(page, "admin-publication-nl")
        context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:8000")

"""`/dev` in Debian's Chromium: the admin page of the demo store opens inside the local page
playing the Saleor dashboard (AppBridge handshake with a dev-signed token), in English and
Turkish, at desktop and 390 px phone widths, with the demo customers `ulak demo` seeds."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Frame, Page, expect

from tests.browser.conftest import SCREENSHOTS
from tests.conftest import make_settings
from tests.support import ServerThread, free_port

pytestmark = pytest.mark.browser


@pytest.fixture()
def dev_app(db_url: str, admin_ui_built: None) -> Iterator[str]:
    from plugin.app import create_app

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_app(make_settings(db_url, app_url=url), embedded_worker=True)
    with ServerThread(app, port, lifespan="on"):
        yield url


def _open(browser: Browser, url: str, width: int) -> tuple[Page, Frame]:
    page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    page.set_default_timeout(15_000)
    page.goto(url)
    page.frame_locator("iframe#app").locator("main h2").first.wait_for()
    frame = page.frame(url=lambda u: "saleorApiUrl=" in u)
    assert frame is not None
    return page, frame


def test_the_dev_page_shows_the_demo_stores_admin_in_both_languages_and_widths(
    browser: Browser, dev_app: str
) -> None:
    from plugin.events.demo_people import PEOPLE

    # given the demo store seeded as `ulak demo` does
    seeded = httpx.post(f"{dev_app}/dev/demo", timeout=60).json()
    assert seeded["contacts_added"] == len(PEOPLE) and seeded["campaigns_added"] == 1
    # when the developer opens /dev on a desktop, in English
    page, frame = _open(browser, f"{dev_app}/dev?locale=en", 1280)
    # then the admin is signed in as the demo store: its sandbox number is connected
    expect(frame.get_by_test_id("whatsapp-account")).to_contain_text("Sandbox")
    expect(page.get_by_role("link", name="Sandbox phone")).to_have_attribute(
        "href", "/sandbox/phone?lang=en"
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "dev-dashboard-desktop-en.png"))
    # and its contacts are the demo customers
    page, frame = _open(browser, f"{dev_app}/dev?locale=en&route=contacts", 1280)
    expect(frame.get_by_text("Ayşe Yılmaz").first).to_be_visible()
    expect(frame.get_by_text("John Smith").first).to_be_visible()
    emre = frame.get_by_role("listitem").filter(has_text="Emre Şahin")
    expect(emre).not_to_contain_text("LAPSED")  # a request waiting for its "Evet" is recent
    page.screenshot(path=str(SCREENSHOTS / "dev-dashboard-contacts-en.png"))
    # when it is opened in Turkish on a phone
    page, frame = _open(browser, f"{dev_app}/dev?locale=tr", 390)
    # then the page and the admin speak Turkish and nothing scrolls sideways
    expect(page.get_by_role("link", name="Sandbox telefon")).to_be_visible()
    expect(frame.get_by_test_id("whatsapp-account")).to_contain_text("Deneme ortamı")
    assert frame.evaluate("document.documentElement.lang").startswith("tr")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SCREENSHOTS / "dev-dashboard-390-tr.png"))

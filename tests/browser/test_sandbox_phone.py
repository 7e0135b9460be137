"""The sandbox phone page in Debian's Chromium, at a 390 px phone width and on a desktop: a
shopper reads her messages, taps the opt-in request's "Evet" and the cart reminder's Stop
button, and reads her order update — the app answering each tap as it answers Meta.

The consent outcome is read where the merchant reads it: the admin API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.admin_api_support import ok, token_for
from tests.browser.conftest import SCREENSHOTS, _install
from tests.conftest import make_settings
from tests.support import FakeSaleor, ServerThread, SigningKey, free_port, wait_for
from tests.test_end_to_end import (
    _clock,
    _deliver,
    _morning_in_istanbul,
    _opted_in_checkout,
    _templates_for,
)

pytestmark = pytest.mark.browser

SHOPPER = "+905321234567"  # tests.flows.support.PHONE: the checkout and order payloads carry it
CONSENTS = """query($search: String) { contacts(search: $search, first: 1) { edges { node {
  phone consents { purpose granted action source } } } } }"""


@pytest.fixture()
def phone_app(db_url: str, fake_saleor: FakeSaleor) -> Iterator[str]:
    """The real app (test mode: sandbox mounted, embedded worker) with a store installed; the
    phone page needs no admin UI build."""
    from plugin.app import create_app

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_app(make_settings(db_url, app_url=url), embedded_worker=True)
    with ServerThread(app, port, lifespan="on"):
        fake_saleor.app_url = url  # Saleor installed Ulak from this app's manifest
        yield _install(url, fake_saleor)


def _phone_page(browser: Browser, app: str, width: int, height: int, query: str) -> Page:
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{app}/sandbox/phone?{query}")
    return page


def _shot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def _marketing(app: str, fake: FakeSaleor, key: SigningKey) -> dict:
    with httpx.Client(base_url=app) as client:
        data = ok(client, token_for(key, fake.api_url), CONSENTS, {"search": SHOPPER[-7:]})
    node = data["contacts"]["edges"][0]["node"]
    return next(c for c in node["consents"] if c["purpose"] == "MARKETING")


def _sent(app: str, template: str) -> dict:
    """The message the sandbox accepted for the shopper with this template (its JSON API)."""
    messages = httpx.get(f"{app}/sandbox/api/messages", params={"to": SHOPPER}).json()
    return next(m for m in messages if m["template_name"] == template)


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width  # type: ignore[index]


def test_a_shopper_reads_taps_and_stops_on_the_sandbox_phone_at_phone_width(
    browser: Browser, phone_app: str, fake_saleor: FakeSaleor, saleor_key: SigningKey
) -> None:
    from tests.flows.support import checkout_event, order_event

    app = phone_app
    # given the phone page open at a phone's width, before any message
    phone = _phone_page(browser, app, 390, 844, "lang=en")
    expect(phone.get_by_text("No chats yet", exact=False)).to_be_visible()

    # when a checkout with web consent arrives: the double opt-in request goes out
    start = _morning_in_istanbul(app)
    _deliver(app, fake_saleor, saleor_key, "CHECKOUT_UPDATED", checkout_event(last_change=start))
    wait_for(lambda: "ulak_optin_request" in _templates_for(app, SHOPPER), timeout=25)
    request = _sent(app, "ulak_optin_request")
    # then her chat is listed, and opening it shows the request's text and its buttons
    phone.get_by_role("button", name=SHOPPER).click()
    bubble = phone.locator(f'[data-wamid="{request["wamid"]}"]')
    expect(bubble).to_contain_text(request["body"].splitlines()[0])
    _no_sideways_scroll(phone)
    _shot(phone, "sandbox-phone-390-optin")
    assert _marketing(app, fake_saleor, saleor_key)["action"] == "REQUESTED"

    # when she taps the request's first quick reply (Evet)
    yes = request["buttons"][0]
    assert yes["payload"] == "ULAK_OPTIN_YES"
    bubble.get_by_role("button", name=yes["text"]).click()
    # then the phone shows her answer, and the admin API shows marketing consent granted
    expect(phone.locator(".msg.mine .text").last).to_have_text(yes["text"])
    wait_for(lambda: _marketing(app, fake_saleor, saleor_key)["granted"], timeout=25)

    # when the checkout is left for an hour: the first cart reminder arrives
    _clock(app, 3600 + 60)
    wait_for(lambda: "ulak_cart_recovery_1" in _templates_for(app, SHOPPER), timeout=25)
    reminder = _sent(app, "ulak_cart_recovery_1")
    stop = next(b for b in reminder["buttons"] if b.get("payload") == "ULAK_STOP")
    bubble = phone.locator(f'[data-wamid="{reminder["wamid"]}"]')
    expect(bubble).to_contain_text(reminder["body"].splitlines()[0])
    _shot(phone, "sandbox-phone-390-reminder")
    # and she taps its Stop button
    bubble.get_by_role("button", name=stop["text"]).click()
    # then the admin API shows marketing consent revoked by her button reply
    wait_for(lambda: not _marketing(app, fake_saleor, saleor_key)["granted"], timeout=25)
    revoked = _marketing(app, fake_saleor, saleor_key)
    assert (revoked["action"], revoked["source"]) == ("REVOKED", "BUTTON_REPLY")

    # when she orders: the order update still reaches her (transactional consent stands)
    _deliver(app, fake_saleor, saleor_key, "ORDER_CREATED", order_event(created=_clock(app, 0)))
    wait_for(lambda: "ulak_order_created" in _templates_for(app, SHOPPER), timeout=25)
    update = _sent(app, "ulak_order_created")
    # then its text is on the phone page, word for word
    bubble = phone.locator(f'[data-wamid="{update["wamid"]}"]')
    expect(bubble.locator(".text")).to_have_text(update["body"])
    _no_sideways_scroll(phone)
    _shot(phone, "sandbox-phone-390-order")
    # and "back" returns to the chat list, showing the last message
    phone.get_by_role("button", name="Chats").click()
    expect(phone.get_by_role("button", name=SHOPPER)).to_be_visible()

    # and on a desktop the list and the chat sit side by side, in Turkish
    desktop = _phone_page(browser, app, 1280, 800, f"lang=tr&to={SHOPPER.replace('+', '%2B')}")
    expect(desktop.get_by_role("navigation", name="Sohbetler")).to_be_visible()
    expect(desktop.locator(f'[data-wamid="{update["wamid"]}"] .text')).to_have_text(update["body"])
    _no_sideways_scroll(desktop)
    _shot(desktop, "sandbox-phone-desktop")


def test_typing_stop_on_the_phone_page_revokes_marketing_consent(
    browser: Browser, phone_app: str, fake_saleor: FakeSaleor, saleor_key: SigningKey
) -> None:
    app = phone_app
    # given a shopper who confirmed marketing consent on WhatsApp
    _opted_in_checkout(app, fake_saleor, saleor_key, SHOPPER)
    wait_for(lambda: _marketing(app, fake_saleor, saleor_key)["granted"], timeout=25)
    # when she opens her chat on the phone page and types "stop" (any casing)
    phone = _phone_page(browser, app, 390, 844, f"lang=en&to={SHOPPER.replace('+', '%2B')}")
    phone.get_by_label("Message").fill("stop")
    phone.get_by_role("button", name="Send").click()
    # then her message is on the page and the admin API shows the keyword revocation
    expect(phone.locator(".msg.mine .text").last).to_have_text("stop")
    wait_for(lambda: not _marketing(app, fake_saleor, saleor_key)["granted"], timeout=25)
    revoked = _marketing(app, fake_saleor, saleor_key)
    assert (revoked["action"], revoked["source"]) == ("REVOKED", "WHATSAPP_KEYWORD")

"""The order-updates screen and contacts as a merchant sees them on a 390 px phone, in English
and Turkish, on the demo store: every flow named, codes in words, the list paged with its
total, a profile on its own route with orders, spend and clicks."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_dev_dashboard import _open, dev_app  # noqa: F401

pytestmark = pytest.mark.browser

# what a code looks like when it leaks: ENUM_VALUES, reason_codes, bare consent actions
RAW = re.compile(
    r"\b(TIER_\w+|GRANTED|REVOKED|REQUESTED|SUPPRESSED|MARKETING|TRANSACTIONAL|WHATSAPP_KEYWORD"
    r"|BUTTON_REPLY|quiet_hours|no_consent|consent_revoked|GREEN|YELLOW)\b"
)
WORDS = {
    "en": {
        "group": "Order updates",
        "main": "Send order updates",
        "events": ["Order confirmation", "Payment received", "Shipping update"],
        "carrier": "Tracking link carrier",
        "total": re.compile(r"1–\d+ of \d+ contacts"),
        "back": "← All contacts",
        "figures": "Orders and clicks",
        "first_step": "Turn on order updates",
    },
    "tr": {
        "group": "Sipariş bildirimleri",
        "main": "Sipariş bildirimlerini gönder",
        "events": ["Sipariş onayı", "Ödeme alındı", "Kargo bildirimi"],
        "carrier": "Takip bağlantısı için kargo firması",
        "total": re.compile(r"\d+ kişiden 1–\d+"),
        "back": "← Tüm kişiler",
        "figures": "Siparişler ve tıklamalar",
        "first_step": "Sipariş bildirimlerini açın",
    },
}


@pytest.mark.timeout(300)  # three page loads at a phone width on a shared 2-core machine
@pytest.mark.parametrize("locale", ["en", "tr"])
def test_order_updates_and_contacts_read_in_words_on_a_phone(
    browser: Browser,
    dev_app: str,  # noqa: F811
    locale: str,
) -> None:
    words = WORDS[locale]
    assert httpx.post(f"{dev_app}/dev/demo", timeout=60).status_code == 200
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # when the merchant opens onboarding, its first step is turning order updates on
    page, frame = _open(browser, f"{dev_app}/dev?locale={locale}&route=onboarding", 390)
    steps = frame.get_by_role("list", name=re.compile("Setup steps|Kurulum adımları"))
    expect(steps.get_by_role("listitem").first).to_contain_text(words["first_step"])
    # and the flows page shows order updates as one group, each event named with its switch
    page, frame = _open(browser, f"{dev_app}/dev?locale={locale}&route=flows", 390)
    group = frame.get_by_role("region", name=words["group"])
    expect(group.get_by_role("switch", name=words["main"])).to_be_visible()
    for name in words["events"]:
        expect(group.get_by_role("switch", name=name)).to_be_visible()
    expect(group.get_by_text(words["carrier"])).to_be_visible()
    group.get_by_role("switch", name=words["main"]).check()
    expect(group.get_by_role("switch", name=words["events"][0])).to_be_checked()
    text = frame.locator("body").inner_text()
    assert not RAW.search(text), RAW.search(text)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SCREENSHOTS / f"order-updates-390-{locale}.png"), full_page=True)
    # when they open contacts: the total, then a profile on its own route
    page, frame = _open(browser, f"{dev_app}/dev?locale={locale}&route=contacts", 390)
    expect(frame.get_by_test_id("contacts-total")).to_have_text(words["total"])
    assert not RAW.search(frame.locator("body").inner_text())
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SCREENSHOTS / f"contacts-390-{locale}.png"), full_page=True)
    frame.locator(".ulak-contact-link").first.click()
    expect(frame.get_by_role("link", name=words["back"])).to_be_visible()
    assert re.search(r"#/contacts/\d+$", frame.url)
    expect(frame.get_by_role("region", name=words["figures"])).to_be_visible()
    text = frame.locator("body").inner_text()
    assert not RAW.search(text), RAW.search(text)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SCREENSHOTS / f"contact-profile-390-{locale}.png"), full_page=True)

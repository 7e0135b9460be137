"""The dashboard with data and the replies inbox as a merchant sees them, on a desktop and a
390 px phone, in English and Turkish, on the demo store: the headline cards with the cost in
Meta's currency, good outcomes apart from problems; a customer who just wrote is first in the
inbox, and the answer typed there reaches the customer's phone (the sandbox)."""

from __future__ import annotations

import time
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_dev_dashboard import _open, dev_app  # noqa: F401

pytestmark = pytest.mark.browser

WORDS = {
    "en": {
        "working": "Is it working?",
        "paying": "Is it paying?",
        "cost": "Cost (USD)",
        "good": "Good outcomes: messages not needed",
        "waiting": "Waiting for an answer",
        "reply": "Your answer",
        "send": "Send answer",
        "queued": "Answer queued",
        "answered": "Answered",
    },
    "tr": {
        "working": "Çalışıyor mu?",
        "paying": "Kazandırıyor mu?",
        "cost": "Maliyet (USD)",
        "good": "İyi sonuçlar: gerek kalmayan mesajlar",
        "waiting": "Yanıt bekliyor",
        "reply": "Yanıtınız",
        "send": "Yanıtı gönder",
        "queued": "Yanıt sıraya alındı",
        "answered": "Yanıtlandı",
    },
}
SELIN = "+905321110007"  # a demo customer
AYSE = "+905321110001"


def _seed_figures() -> None:
    """A week of cart recovery for the demo store: 12 sent (8 delivered, 4 read, billed as
    marketing), 2 not needed because the cart was ordered, 2 held for quiet hours, one order."""
    from sqlmodel import Session, select

    from plugin import clock
    from plugin.analytics.models import AttributionRule, OrderAttribution
    from plugin.contacts.models import Contact
    from plugin.db import get_engine
    from plugin.delivery.models import MessageKind, MessagePurpose, MessageStatus, OutboundMessage

    now = clock.now()
    with Session(get_engine()) as session:
        ayse = session.exec(select(Contact).where(Contact.phone_e164 == AYSE)).one()
        rows = []
        for n in range(16):
            status = (
                MessageStatus.READ
                if n < 4
                else MessageStatus.DELIVERED
                if n < 8
                else MessageStatus.SENT
                if n < 12
                else MessageStatus.CANCELLED
                if n < 14
                else MessageStatus.SUPPRESSED
            )
            sent = n < 12
            rows.append(
                OutboundMessage(
                    store_id=ayse.store_id,
                    contact_id=ayse.id,
                    purpose=MessagePurpose.MARKETING,
                    kind=MessageKind.CART_RECOVERY,
                    idempotency_key=f"browser:figures:{n}",
                    flow_key="cart_recovery",
                    flow_step=1,
                    status=status,
                    status_reason=None if sent else "ordered" if n < 14 else "quiet_hours",
                    sent_at=now if sent else None,
                    delivered_at=now if n < 8 else None,
                    read_at=now if n < 4 else None,
                    billable=sent or None,
                    pricing_category="marketing" if sent else None,
                    created_at=now - timedelta(days=n % 6, hours=1),
                )
            )
        session.add_all(rows)
        session.add(
            OrderAttribution(
                store_id=ayse.store_id,
                order_id="browser-figures-1",
                contact_id=ayse.id,
                rule=AttributionRule.RECOVERY,
                flow_key="cart_recovery",
                flow_step=1,
                currency="TRY",
                total_amount=Decimal("1249.90"),
                net_amount=Decimal("1249.90"),
                ordered_at=now - timedelta(hours=2),
            )
        )
        session.commit()


@pytest.mark.timeout(420)  # four page loads and a sandbox round trip on a shared 2-core machine
@pytest.mark.parametrize("locale", ["en", "tr"])
def test_the_dashboard_with_data_and_an_inbox_reply(
    browser: Browser,
    dev_app: str,  # noqa: F811
    locale: str,
) -> None:
    words = WORDS[locale]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # given the demo store with a week of cart recovery
    assert httpx.post(f"{dev_app}/dev/demo", timeout=60).status_code == 200
    _seed_figures()
    # when the merchant opens the dashboard on a desktop
    page, frame = _open(browser, f"{dev_app}/dev?locale={locale}&route=dashboard", 1280)
    # then the headline answers both questions, the cost in Meta's billing currency
    expect(frame.get_by_role("heading", name=words["working"])).to_be_visible()
    expect(frame.get_by_role("heading", name=words["paying"])).to_be_visible()
    expect(frame.get_by_test_id("card-cost")).to_contain_text(words["cost"])
    expect(frame.get_by_test_id("card-sent").locator(".ulak-card-value")).not_to_have_text("0")
    expect(frame.get_by_role("region", name=words["good"])).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / f"dashboard-desktop-{locale}.png"), full_page=True)
    # and on a phone nothing is wider than the screen
    page, frame = _open(browser, f"{dev_app}/dev?locale={locale}&route=dashboard", 390)
    expect(frame.get_by_test_id("card-return")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SCREENSHOTS / f"dashboard-390-{locale}.png"), full_page=True)

    # given a customer writes in
    text = f"Kargom ne zaman gelir? ({locale})"
    httpx.post(f"{dev_app}/sandbox/api/reply", json={"from": SELIN, "text": text}, timeout=30)
    # when the merchant opens the replies inbox on a phone
    page, frame = _open(browser, f"{dev_app}/dev?locale={locale}&route=inbox", 390)
    inbox = frame.get_by_test_id("reply-inbox")
    first = inbox.get_by_role("button").first
    # then she is first, waiting for an answer, with her message
    expect(first).to_contain_text("Selin", timeout=20_000)
    expect(first).to_contain_text(words["waiting"])
    expect(first).to_contain_text(text)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SCREENSHOTS / f"inbox-390-{locale}.png"), full_page=True)
    # when the merchant answers her
    first.click()
    answer = f"Yarın kargoda, teşekkürler! ({locale})"
    frame.get_by_label(words["reply"]).fill(answer)
    frame.get_by_role("button", name=words["send"]).click()
    expect(frame.get_by_text(words["queued"])).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / f"inbox-reply-390-{locale}.png"), full_page=True)
    # then the answer reaches her phone
    deadline = time.monotonic() + 15
    texts: list[str] = []
    while time.monotonic() < deadline and answer not in texts:
        got = httpx.get(f"{dev_app}/sandbox/api/messages", params={"to": SELIN}, timeout=10).json()
        texts = [m.get("text") or "" for m in got]
        time.sleep(0.5)
    assert answer in texts
    # and on a desktop the inbox shows her as answered
    page, frame = _open(browser, f"{dev_app}/dev?locale={locale}&route=inbox", 1280)
    expect(frame.get_by_test_id("reply-inbox")).to_contain_text("Selin")
    expect(frame.get_by_test_id("reply-inbox").get_by_role("button").first).to_contain_text(
        words["answered"]
    )
    page.screenshot(path=str(SCREENSHOTS / f"inbox-desktop-{locale}.png"), full_page=True)

"""Last week's campaign and today's cart recovery of the dev demo store (issue 20, point 1),
written through the code real events go through, each at the instant it happened (this thread's
clock pinned: plugin.clock.pinned), so the campaign's results and the dashboard show figures the
product itself computed.

The campaign: a marketing template approved on the sandbox number, a draft to the built-in
"active customers" segment, a test send to a staff number, the launch and the fan-out; the
sends; then Meta's statuses, taps on the tracked button, a question, a Stop tap, two orders
placed afterwards (ORDER_CREATED, which credits the campaign), and the scheduler's tick that
finishes it. The recovery: an English customer's cart left (CHECKOUT_UPDATED), its first
reminder sent an hour later, the second due tomorrow.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from plugin import clock
from plugin.analytics.aggregate import utc_day
from plugin.analytics.links import record_click
from plugin.analytics.rollups import mark_dirty
from plugin.campaigns import service as campaigns
from plugin.campaigns.models import Campaign
from plugin.contacts.models import Contact
from plugin.contacts.staff_numbers import (
    is_staff_test_number,
    set_staff_test_numbers,
    staff_test_numbers,
)
from plugin.delivery.models import MessageKind, OutboundMessage
from plugin.events import saleor as saleor_events
from plugin.events.demo_meta import customer_writes, deliver_due, report_statuses
from plugin.events.demo_people import TIME_ZONES, shopper
from plugin.events.sandbox_connect import mounted_sandbox
from plugin.flows.models import TrackedCheckout
from plugin.saleor.dev_events import checkout_event, new_order_id, order_event
from plugin.saleor.models import Store
from plugin.saleor.payloads import CheckoutEvent, OrderEvent
from plugin.segments.service import Audience
from plugin.stores.service import get_settings
from plugin.templates import tracking
from plugin.templates.service import create_or_update_draft
from plugin.templates.starter import approve_on_sandbox, default_link_base
from plugin.templates.variables import STOP
from plugin.whatsapp.accounts import WhatsAppAccount, default_account

CAMPAIGN_NAME = "Kış indirimi"
TEMPLATE = "kis_indirimi"
STAFF_PHONE = "+905321119999"  # the merchant's own phone, for the test send
CAMPAIGN_DAYS_AGO = 6
CAMPAIGN_AT = time(10, 0)  # UTC: 13:00 in Istanbul, outside quiet hours
PHONE_IN_IOS = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Mobile/15E148"
RECOVERING = "+447700900789"  # Charlotte Evans: her cart is being recovered
RECOVERY_CHECKOUT = str(uuid.uuid5(uuid.NAMESPACE_URL, "https://demo.ulak.invalid/checkout/1"))

# What each recipient did, minutes after the launch. Gizem's phone was off (sent, never
# delivered); Murat saw it arrive but never opened it; Zeynep had stopped marketing (skipped).
CAMPAIGN_STORY: dict[str, dict[str, int]] = {
    "+905321110001": {"delivered": 2, "read": 5, "click": 6, "order": 70},  # Ayşe
    "+905321110002": {"delivered": 2, "read": 18, "reply": 20},  # Mehmet
    "+905321110005": {"delivered": 3, "read": 12, "click": 14},  # Elif
    "+905321110011": {"delivered": 2, "read": 25, "stop": 27},  # Burak
    "+905321110012": {"delivered": 4, "read": 40, "click": 42, "order": 26 * 60},  # Deniz
    "+905321110013": {"delivered": 3},  # Murat
    "+905321110014": {},  # Gizem
}
QUESTION = "Merhaba, indirim kargo ücretinde de geçerli mi?"
STOP_TITLE = "Durdur"


def _template(session: Session, store_id: int) -> None:
    """The campaign's marketing template (tracked shop button, one-tap Stop), approved on the
    sandbox number as Meta's review would."""
    base = default_link_base().rstrip("/")
    components: list[dict[str, Any]] = [
        {"type": "HEADER", "format": "TEXT", "text": "Kış indirimi"},
        {
            "type": "BODY",
            "text": "Merhaba {{1}}, kış indirimi başladı: tüm gömlek ve kazaklarda %20 "
            "indirim, pazar gece yarısına kadar.",
            "example": {"body_text": [["Ayşe"]]},
        },
        {"type": "FOOTER", "text": "Bu mesajları istemiyorsanız Durdur'a dokunun."},
        {
            "type": "BUTTONS",
            "buttons": [
                {
                    "type": "URL",
                    "text": "Alışverişe başla",
                    "url": base + "/{{1}}",
                    "example": [base + "/kis"],
                },
                {"type": "QUICK_REPLY", "text": STOP_TITLE},
            ],
        },
    ]
    result = create_or_update_draft(
        session,
        store_id=store_id,
        name=TEMPLATE,
        language="tr",
        category="MARKETING",
        components=components,
        variable_mapping={"body": ["first_name"], "buttons": {"1": {"payload": STOP}}},
    )
    if result.template is None:  # the demo's own template must be valid: a bug
        raise AssertionError(result.errors)
    sandbox = mounted_sandbox()
    assert sandbox is not None
    approve_on_sandbox(session, rows=[result.template], sandbox=sandbox)


def _launch(session: Session, store: Store) -> Campaign:
    """Draft, test send to the merchant's phone, launch and fan-out, as the admin does."""
    assert store.id is not None
    settings = get_settings(session, store.id)
    if not is_staff_test_number(settings, STAFF_PHONE):
        numbers = [*staff_test_numbers(settings), STAFF_PHONE]
        set_staff_test_numbers(session, store_id=store.id, numbers=numbers)
    _template(session, store.id)
    shop = (settings.storefront_url or "https://demo.ulak.invalid").rstrip("/")
    campaign = campaigns.configure_campaign(
        session,
        store_id=store.id,
        name=CAMPAIGN_NAME,
        audience=Audience(builtin="active"),
        variants=[
            {
                "template_name": TEMPLATE,
                "template_language": "tr",
                "body_fields": ["first_name"],
                "fallbacks": {"first_name": "merhaba"},
                "buttons": {"0": {"url": f"{shop}/kis-indirimi"}},
            }
        ],
    )
    assert campaign.id is not None
    campaigns.send_test(session, store_id=store.id, campaign_id=campaign.id, phone_e164=STAFF_PHONE)
    deliver_due(session, store_id=store.id)
    with clock.pinned(clock.now() + timedelta(minutes=20)):
        campaigns.launch_campaign(session, store_id=store.id, campaign_id=campaign.id)
        for _ in range(100):  # the loop's turns, run here instead of by the worker
            if not campaigns.run_batch(session, campaign_id=campaign.id):
                break
    return campaign


def _clicked(session: Session, message: OutboundMessage) -> None:
    """A tap on the message's tracked button, from a phone: the signed code it carried."""
    assert message.id is not None
    components = (message.parameters or {}).get("components") or []
    for component in tracking.sign_components(components, message.id):
        if component.get("sub_type") == "url":
            code = str(component["parameters"][0]["text"])
            record_click(session, code=code, user_agent=PHONE_IN_IOS)


def _ordered(session: Session, store: Store, phone: str) -> None:
    """ORDER_CREATED for `phone`'s new order, now, as the demo store's Saleor would send it
    (the order is credited to a message and its order update written)."""
    assert store.id is not None
    payload = order_event(
        shopper(phone),
        order_id=new_order_id(),
        number=20_000 + int(phone[-4:]),
        at=clock.now(),
    )
    event = OrderEvent.model_validate(payload)
    saleor_events.on_order_event(session=session, store=store, event=event, trigger="ORDER_CREATED")


def _play(
    session: Session,
    store: Store,
    account: WhatsAppAccount,
    launched_at: datetime,
    messages: dict[str, OutboundMessage],
    phones: dict[int, str],
) -> None:
    """Each recipient's story, in the order things happened."""
    steps = sorted(
        (minutes, action, phone)
        for phone, story in CAMPAIGN_STORY.items()
        for action, minutes in story.items()
    )
    for minutes, action, phone in steps:
        message = messages.get(phone)
        if message is None:
            continue
        at = launched_at + timedelta(minutes=minutes)
        with clock.pinned(at):
            if action in ("delivered", "read"):
                report_statuses(session, store, account, [message], action, phones)
            elif action == "click":
                _clicked(session, message)
            elif action == "order":
                _ordered(session, store, phone)
            else:
                name = shopper(phone).first_name
                button = (STOP_TITLE, STOP) if action == "stop" else None
                customer_writes(
                    session,
                    store,
                    account,
                    phone=phone,
                    name=name,
                    answering=message,
                    text=QUESTION,
                    button=button,
                )
        with clock.pinned(at + timedelta(seconds=5)):  # what that made due goes out
            _send_and_report(session, store, account, phones)


def _send_and_report(
    session: Session, store: Store, account: WhatsAppAccount, phones: dict[int, str]
) -> list[OutboundMessage]:
    """What became due goes out (an order update, the opt-out's confirmation): sent, and
    delivered a moment later."""
    assert store.id is not None
    sent = deliver_due(session, store_id=store.id)
    report_statuses(session, store, account, sent, "sent", phones)
    others = [m for m in sent if m.kind != MessageKind.CAMPAIGN]
    with clock.pinned(clock.now() + timedelta(seconds=20)):
        report_statuses(session, store, account, others, "delivered", phones)
    return sent


def _phones(session: Session, store_id: int) -> dict[int, str]:
    rows = session.exec(
        select(Contact.id, Contact.phone_e164).where(Contact.store_id == store_id)
    ).all()
    return {i: p for i, p in rows if i is not None and p}


def seed_campaign(session: Session, store: Store) -> int:
    """Last week's finished campaign with its results; 0 when it is there already (or there
    is no sandbox number to approve its template on)."""
    assert store.id is not None
    account = default_account(session, store.id)
    exists = session.exec(
        select(Campaign.id).where(Campaign.store_id == store.id, Campaign.name == CAMPAIGN_NAME)
    ).first()
    if exists is not None or account is None or mounted_sandbox() is None:
        return 0
    day = utc_day(clock.now()) - timedelta(days=CAMPAIGN_DAYS_AGO)
    tested_at = datetime.combine(day, CAMPAIGN_AT, tzinfo=UTC) - timedelta(minutes=20)
    with clock.pinned(tested_at):
        campaign = _launch(session, store)
    assert campaign.launched_at is not None and campaign.id is not None
    launched_at = campaign.launched_at
    phones = _phones(session, store.id)
    with clock.pinned(launched_at + timedelta(minutes=1)):
        sent = _send_and_report(session, store, account, phones)
    by_phone = {phones[m.contact_id]: m for m in sent if m.campaign_id == campaign.id}
    _play(session, store, account, launched_at, by_phone, phones)
    with clock.pinned(launched_at + timedelta(hours=3)):
        campaigns.tick(session=session)  # every message settled: the campaign is complete
    for offset in (0, 1):  # its days, if the dashboard has built them already
        mark_dirty(session, store_id=store.id, day=day + timedelta(days=offset))
    return 1


def cart_left_at(now: datetime, zone: ZoneInfo) -> datetime:
    """When the cart was left: the latest moment at least 70 minutes ago whose first reminder
    (an hour later) lands in the customer's day (10:00-19:00), never in quiet hours; at most
    about 15 hours back, so the second reminder (a day after the cart) is still to come."""
    left = (now - timedelta(minutes=70)).replace(second=0, microsecond=0)
    for _ in range(34):  # 15 h of evening and night, plus a daylight-saving change
        if 10 <= (left + timedelta(hours=1)).astimezone(zone).hour < 19:
            break
        left -= timedelta(minutes=30)
    return left


def seed_recovery(session: Session, store: Store) -> int:
    """Today's running cart recovery: the first reminder sent and delivered, the second due
    later; 0 when it is there already."""
    assert store.id is not None
    account = default_account(session, store.id)
    left = cart_left_at(clock.now(), ZoneInfo(TIME_ZONES["GB"]))
    payload = checkout_event(shopper(RECOVERING), at=left, key=RECOVERY_CHECKOUT)
    event = CheckoutEvent.model_validate(payload)
    assert event.checkout is not None
    exists = session.exec(
        select(TrackedCheckout.id).where(
            TrackedCheckout.store_id == store.id,
            col(TrackedCheckout.checkout_id) == event.checkout.id,
        )
    ).first()
    if exists is not None or account is None or mounted_sandbox() is None:
        return 0
    with clock.pinned(left):
        saleor_events.on_checkout_event(
            session=session, store=store, event=event, trigger="CHECKOUT_UPDATED"
        )
    with clock.pinned(left + timedelta(minutes=61)):
        _send_and_report(session, store, account, _phones(session, store.id))
    return 1

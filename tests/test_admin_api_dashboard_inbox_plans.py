"""The merchant's admin answers "is it working and is it paying", lists the customers waiting
for an answer, and compares the plans — each from its one owner, never another store's rows."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import Session, select

from plugin import clock
from plugin.analytics.models import AttributionRule, OrderAttribution
from plugin.delivery.models import (
    InboundMessage,
    MessageKind,
    MessagePurpose,
    MessageStatus,
    OutboundMessage,
)
from plugin.saleor.models import Store
from plugin.stores.models import Plan
from plugin.stores.service import change_plan
from tests.admin_api_support import ok, token_for
from tests.factories import make_contact, make_store

pytestmark = pytest.mark.sqlite

DASHBOARD = """{ dashboardMetrics(days: 7) {
  headline { sent delivered read replied optedOut orders deliveredRate readRate
             revenue { currency amount } revenueCurrency cost costCurrency returnOnSpend }
  setup { whatsappConnected campaigns }
  topSkipReasons { reason count } topReachedReasons { reason count }
} }"""
INBOX = """{ replyInbox { total unanswered threads { contact { id firstName serviceWindowOpen }
  lastMessageText answered } } }"""
PLANS = """{ planCatalogue { current plans { plan priceTry monthlyQuota campaignMaxRecipients
  features current } features { code labelTr requiredPlan included } } }"""


@pytest.fixture()
def shop(client, installed_store, saleor_key, session: Session) -> dict[str, Any]:
    store = session.exec(select(Store)).one()
    return {"store": store, "token": token_for(saleor_key, installed_store["api_url"])}


def _message(session: Session, store: Store, contact_id: int, n: int, **fields: Any) -> None:
    now = clock.now()
    row = OutboundMessage(
        store_id=store.id,  # type: ignore[arg-type]
        contact_id=contact_id,
        purpose=MessagePurpose.MARKETING,
        kind=fields.pop("kind", MessageKind.CART_RECOVERY),
        idempotency_key=f"t:{store.id}:{contact_id}:{n}",
        flow_key="cart_recovery",
        flow_step=1,
        **{"created_at": now - timedelta(hours=2), **fields},
    )
    session.add(row)


def test_the_headline_counts_rates_money_and_keeps_a_recovered_cart_apart(
    client, shop, session: Session
) -> None:
    # given 4 recovery messages: 3 sent (2 delivered, 1 read, billed as marketing), one
    # cancelled because the customer ordered; one attributed order of 300 TRY; and another
    # store with many more sent messages
    store, now = shop["store"], clock.now()
    contact = make_contact(session, store, phone="+905320000001")
    sent = {
        "status": MessageStatus.SENT,
        "sent_at": now,
        "billable": True,
        "pricing_category": "marketing",
    }
    _message(session, store, contact.id, 1, **sent)
    _message(
        session,
        store,
        contact.id,
        2,
        **{**sent, "status": MessageStatus.DELIVERED, "delivered_at": now},
    )
    _message(
        session,
        store,
        contact.id,
        3,
        **{**sent, "status": MessageStatus.READ, "delivered_at": now, "read_at": now},
    )
    _message(session, store, contact.id, 4, status=MessageStatus.CANCELLED, status_reason="ordered")
    _message(
        session, store, contact.id, 5, status=MessageStatus.SUPPRESSED, status_reason="quiet_hours"
    )
    session.add(
        OrderAttribution(
            store_id=store.id,
            order_id="O1",
            contact_id=contact.id,
            rule=AttributionRule.RECOVERY,
            flow_key="cart_recovery",
            flow_step=1,
            currency="TRY",
            total_amount=Decimal("300"),
            net_amount=Decimal("300"),
            ordered_at=now,
        )
    )
    other = make_store(session)
    stranger = make_contact(session, other, phone="+905320000002")
    for n in range(6):
        _message(session, other, stranger.id, n, **sent)
    session.commit()
    # when the merchant opens the dashboard
    data = ok(client, shop["token"], DASHBOARD)["dashboardMetrics"]
    cards = data["headline"]
    # then the cards count this store's messages only, with rates of what was sent
    assert (cards["sent"], cards["delivered"], cards["read"], cards["orders"]) == (3, 2, 1, 1)
    assert Decimal(cards["deliveredRate"]) == Decimal("0.6667")
    assert Decimal(cards["readRate"]) == Decimal("0.5")
    assert cards["revenue"] == [{"currency": "TRY", "amount": "300.00"}]
    # and the cost is in Meta's billing currency, with the return per unit of it
    assert (cards["costCurrency"], cards["revenueCurrency"]) == ("USD", "TRY")
    cost = Decimal(cards["cost"])
    assert cost > 0
    assert Decimal(cards["returnOnSpend"]) == (Decimal("300") / cost).quantize(Decimal("0.0001"))
    # and the ordered cart is a good outcome, quiet hours a problem
    assert data["topReachedReasons"] == [{"reason": "ordered", "count": 1}]
    assert data["topSkipReasons"] == [{"reason": "quiet_hours", "count": 1}]
    assert data["setup"]["campaigns"] == 0


def test_an_empty_store_has_no_rates_and_no_return(client, shop) -> None:
    cards = ok(client, shop["token"], DASHBOARD)["dashboardMetrics"]["headline"]
    assert (cards["sent"], cards["deliveredRate"], cards["readRate"]) == (0, None, None)
    assert (cards["cost"], cards["returnOnSpend"], cards["revenue"]) == ("0.0000", None, [])


def _wrote(session: Session, store: Store, phone: str, text: str, hours_ago: float, **f: Any):
    at = clock.now() - timedelta(hours=hours_ago)
    contact = make_contact(session, store, phone=phone, last_inbound_at=at, **f)
    session.add(
        InboundMessage(
            store_id=store.id,
            contact_id=contact.id,
            wamid=f"w{phone}",
            type="text",
            text=text,
            received_at=at,
        )
    )
    session.flush()
    return contact


def test_the_inbox_lists_open_windows_unanswered_first_and_never_another_stores(
    client, shop, session: Session
) -> None:
    # given Ayşe wrote 1 h ago and was answered, Mehmet wrote 3 h ago and waits, Can wrote
    # 30 h ago (window closed), and another store's customer wrote a minute ago
    store = shop["store"]
    ayse = _wrote(session, store, "+905320000011", "Kargom nerede?", 1, first_name="Ayşe")
    _wrote(session, store, "+905320000012", "Beden değişimi?", 3, first_name="Mehmet")
    _wrote(session, store, "+905320000013", "Merhaba", 30, first_name="Can")
    _wrote(session, make_store(session), "+905320000014", "Secret", 0.01, first_name="Zed")
    _message(
        session,
        store,
        ayse.id,
        9,
        kind=MessageKind.SERVICE_REPLY,
        created_at=clock.now(),
        text="Yarın kargoda",
    )
    session.commit()
    # when the merchant opens the inbox
    inbox = ok(client, shop["token"], INBOX)["replyInbox"]
    # then the waiting customer is first, the answered one next, nobody else
    assert (inbox["total"], inbox["unanswered"]) == (2, 1)
    assert [
        (t["contact"]["firstName"], t["lastMessageText"], t["answered"]) for t in inbox["threads"]
    ] == [
        ("Mehmet", "Beden değişimi?", False),
        ("Ayşe", "Kargom nerede?", True),
    ]
    assert all(t["contact"]["serviceWindowOpen"] for t in inbox["threads"])


def test_the_plan_comparison_comes_from_the_plan_table(client, shop, session: Session) -> None:
    # given a store on Free
    data = ok(client, shop["token"], PLANS)["planCatalogue"]
    assert data["current"] == "FREE"
    assert [(p["plan"], p["priceTry"], p["monthlyQuota"], p["current"]) for p in data["plans"]] == [
        ("FREE", "0", 500, True),
        ("SILVER", "500", 10000, False),
        ("GOLD", "1250", 50000, False),
    ]
    assert data["plans"][0]["campaignMaxRecipients"] == 250
    assert "ab_testing" not in data["plans"][1]["features"]
    assert "ab_testing" in data["plans"][2]["features"]
    ab = next(f for f in data["features"] if f["code"] == "ab_testing")
    assert (ab["requiredPlan"], ab["included"], ab["labelTr"]) == ("GOLD", False, "A/B testleri")
    # when the store moves to Gold, A/B tests are included
    change_plan(session=session, store_id=shop["store"].id, plan=Plan.GOLD)
    session.commit()
    data = ok(client, shop["token"], PLANS)["planCatalogue"]
    assert data["current"] == "GOLD"
    assert next(f for f in data["features"] if f["code"] == "ab_testing")["included"] is True

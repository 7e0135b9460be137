"""The merchant reads what Meta said about their numbers and templates: open sending-health
alerts with the reason and its fix in both languages, never another store's, gone once cleared;
and Meta's messaging limit with the store's own 24-hour window."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, select

from plugin.delivery import quality
from plugin.saleor.models import Store
from plugin.stores.service import get_settings
from tests.admin_api_support import ok, token_for
from tests.factories import make_store

pytestmark = pytest.mark.sqlite

ALERTS = """{ sendingAlerts { reason { code text textTr fix fixTr } subject detail openedAt } }"""


@pytest.fixture()
def shop(client, installed_store, saleor_key, session: Session) -> dict[str, Any]:
    store = session.exec(select(Store)).one()
    return {"store": store, "token": token_for(saleor_key, installed_store["api_url"])}


def test_a_red_number_shows_its_alert_with_the_fix_and_another_stores_stays_hidden(
    client, shop, session: Session
) -> None:
    # given Meta rated this store's number red, and another store's template is paused
    store = shop["store"]
    other = make_store(session)
    quality.open_alert(
        session,
        store_id=store.id,
        reason=quality.NUMBER_RED,
        subject="account:1",
        detail={"phone": "+90 555 000 00 00"},
    )
    quality.open_alert(
        session,
        store_id=other.id,
        reason=quality.TEMPLATE_PAUSED,
        subject="template:9",
        detail={"template": "other_store_promo"},
    )
    session.commit()
    # when the merchant opens sending health
    alerts = ok(client, shop["token"], ALERTS)["sendingAlerts"]
    # then they read their own alert, in Turkish and English, with what to do
    assert [a["reason"]["code"] for a in alerts] == ["number_quality_red"]
    (alert,) = alerts
    assert "kırmızı" in alert["reason"]["textTr"] and "red" in alert["reason"]["text"]
    assert alert["reason"]["fix"] and alert["reason"]["fixTr"]
    assert alert["detail"] == {"phone": "+90 555 000 00 00"}


def test_a_cleared_alert_is_no_longer_shown(client, shop, session: Session) -> None:
    # given a flagged-number alert, then Meta unflags the number
    store = shop["store"]
    quality.open_alert(
        session, store_id=store.id, reason=quality.NUMBER_FLAGGED, subject="account:1", detail={}
    )
    session.commit()
    assert len(ok(client, shop["token"], ALERTS)["sendingAlerts"]) == 1
    quality.clear_alerts(session, store_id=store.id, reason=quality.NUMBER_FLAGGED, keep=set())
    session.commit()
    # then sending health is empty again
    assert ok(client, shop["token"], ALERTS)["sendingAlerts"] == []


LIMIT = """{ messagingLimit { tierName tier used reserve available marketingAvailable
  nextFreeAt } }"""


def _sent(session: Session, store: Store, contact_id: int, key: str, **fields: Any) -> None:
    """A row as the send path leaves it (the delivery tests send real ones)."""
    from plugin import clock
    from plugin.delivery import outbox
    from plugin.delivery.models import MessageKind, MessagePurpose, MessageStatus

    assert store.id is not None
    row = outbox.enqueue_message(
        session,
        store_id=store.id,
        contact_id=contact_id,
        purpose=MessagePurpose.TRANSACTIONAL,
        kind=MessageKind.ORDER_UPDATE,
        idempotency_key=key,
        source_type="test",
        template_name="order_update",
        template_language="tr",
    )
    assert row is not None
    row.status, row.sent_at, row.business_initiated = MessageStatus.SENT, clock.now(), True
    for name, value in fields.items():
        setattr(row, name, value)
    session.add(row)


def test_the_messaging_window_counts_the_stores_own_recipients_only(
    client, shop, session: Session
) -> None:
    # given Meta's 2K tier, two people reached by this store (one of them twice, one message
    # inside their service window) and three by another store
    from tests.factories import make_contact

    store = shop["store"]
    settings = get_settings(session, store.id)
    settings.daily_recipient_tier = 2000
    session.add(settings)
    other = make_store(session)
    ayse = make_contact(session, store, "+905321110001")
    can = make_contact(session, store, "+905321110002")
    _sent(session, store, ayse.id, "a1")
    _sent(session, store, ayse.id, "a2")
    _sent(session, store, can.id, "c1")
    _sent(session, store, can.id, "c2-in-window", business_initiated=False)
    for i in range(3):
        _sent(session, other, make_contact(session, other, f"+90532111100{i + 3}").id, f"o{i}")
    session.commit()
    # when the merchant reads the number's limit
    shown = ok(client, shop["token"], LIMIT)["messagingLimit"]
    # then two people are counted, 200 places are kept for order updates
    assert (shown["tier"], shown["used"], shown["reserve"]) == (2000, 2, 200)
    assert (shown["available"], shown["marketingAvailable"]) == (1998, 1798)
    assert shown["nextFreeAt"] is not None

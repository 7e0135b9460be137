"""The merchant reads what Meta said about their numbers and templates: open sending-health
alerts with the reason and its fix in both languages, never another store's, gone once cleared."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, select

from plugin.delivery import quality
from plugin.saleor.models import Store
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

"""The store's `extra` settings hold several owners' keys (staff test numbers, the pickup point,
segment thresholds, the RFM refresh stamp): one owner's write never drops another's, even when
it read the document before the other's save committed."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from plugin.contacts.staff_numbers import set_staff_test_numbers, staff_test_numbers
from plugin.db import get_engine
from plugin.segments import orders
from plugin.stores import service as stores_service
from tests.segments.factories import make_store

pytestmark = pytest.mark.sqlite


def test_the_tick_stamping_the_rfm_refresh_keeps_staff_numbers_saved_meanwhile(
    session: Session,
) -> None:
    # given a store, and the tick reading its settings (before the merchant's save)
    store = make_store(session)
    session.commit()
    with Session(get_engine()) as tick:
        stores_service.get_settings(tick, store.id)
        # when the merchant saves a staff test number and it commits
        with Session(get_engine()) as merchant:
            set_staff_test_numbers(merchant, store_id=store.id, numbers=["+905559990001"])
            merchant.commit()
        # and the tick, with its earlier read, stamps the store's RFM refresh and commits
        assert orders.refresh_rfm_due(session=tick) == [store.id]
        tick.commit()
    # then both keys are there: the staff number was not lost
    with Session(get_engine()) as fresh:
        settings = stores_service.get_settings(fresh, store.id)
        assert staff_test_numbers(settings) == ["+905559990001"]
        assert "rfm_refreshed_at" in settings.extra


def test_one_key_is_set_without_touching_the_others(session: Session) -> None:
    store = make_store(session)
    set_staff_test_numbers(session, store_id=store.id, numbers=["+905559990001"])
    session.commit()
    stores_service.set_extra_key(session, store.id, "segments", {"vip_spend": 5000})
    session.commit()
    settings = stores_service.get_settings(session, store.id)
    assert settings.extra["segments"] == {"vip_spend": 5000}
    assert staff_test_numbers(settings) == ["+905559990001"]

"""Cost: the status-webhook mapping on real samples, and pricing with a rate table."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import Session

from plugin import clock
from plugin.analytics.cost import DEFAULT_RATE_TABLE, pricing_from_status, rate_for
from plugin.analytics.rollups import build_rollups
from plugin.analytics.service import Dimension, cost_report
from plugin.delivery.models import MessageStatus
from plugin.whatsapp.payloads.webhook import parse_webhook
from tests.analytics.factories import make_contact, make_message, make_store
from tests.support import WHATSAPP_SAMPLES

pytestmark = pytest.mark.sqlite  # measurement runs on the embedded default too


def _status(name: str):  # type: ignore[no-untyped-def]
    payload = parse_webhook((WHATSAPP_SAMPLES / name).read_bytes())
    [entry] = payload.entry
    [change] = entry.changes
    [status] = change.value.statuses
    return status


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        ("status_sent_pmp.json", ("marketing", "regular", True)),
        ("status_sent_cbp_legacy.json", ("service", "conversation", True)),
        ("status_delivered_cbp_legacy.json", ("service", "conversation", True)),
        ("status_read_cbp_legacy.json", ("service", "conversation", True)),
        ("status_failed_131047.json", (None, None, None)),
    ],
)
def test_pricing_from_real_status_samples(sample: str, expected: tuple[object, ...]) -> None:
    # given
    status = _status(sample)
    # when
    mapped = pricing_from_status(status)
    # then
    assert mapped == expected


def test_free_pricing_types_are_not_billable_when_meta_omits_the_flag() -> None:
    # given: a PMP status without "billable" (a free customer-service reply)
    status = _status("status_sent_pmp.json").model_copy(
        update={
            "pricing": _status("status_sent_pmp.json").pricing.model_copy(  # type: ignore[union-attr]
                update={"billable": None, "type": "free_customer_service", "category": "service"}
            )
        }
    )
    # when / then
    assert pricing_from_status(status) == ("service", "free_customer_service", False)


def test_rates_fall_back_to_the_default_row_and_unknown_categories_cost_nothing() -> None:
    table = {"rates": {"TR": {"marketing": "0.0109"}, "*": {"marketing": "0.05"}}}
    assert rate_for(table, country="tr", category="MARKETING") == Decimal("0.0109")
    assert rate_for(table, country="DE", category="marketing") == Decimal("0.05")
    assert rate_for(table, country="TR", category="utility") == Decimal("0")
    assert DEFAULT_RATE_TABLE["rates"]["TR"]["marketing"] == "0.0109"


def _priced_messages(session: Session, **settings: object):  # type: ignore[no-untyped-def]
    """3 billable marketing (TR), 2 billable utility (TR), 1 billable marketing (DE),
    1 free service reply, 1 failed — spread over two campaigns and one flow."""
    t0 = clock.now() - timedelta(days=3)
    store = make_store(session, **settings)
    tr = make_contact(session, store, country="TR")
    de = make_contact(session, store, country="DE")
    for _ in range(3):
        status = _status("status_sent_pmp.json")
        category, kind, billable = pricing_from_status(status)
        make_message(
            session,
            store,
            tr,
            created_at=t0,
            campaign_id=1,
            pricing_category=category,
            pricing_type=kind,
            billable=billable,
        )
    for _ in range(2):
        make_message(
            session,
            store,
            tr,
            created_at=t0,
            flow_key="order_updates",
            pricing_category="utility",
            pricing_type="regular",
            billable=True,
        )
    make_message(
        session,
        store,
        de,
        created_at=t0,
        campaign_id=2,
        pricing_category="marketing",
        pricing_type="regular",
        billable=True,
    )
    make_message(
        session,
        store,
        tr,
        created_at=t0,
        flow_key="order_updates",
        pricing_category="service",
        pricing_type="free_customer_service",
        billable=False,
    )
    make_message(session, store, tr, created_at=t0, campaign_id=2, status=MessageStatus.FAILED)
    session.commit()
    return store, t0.date()


def test_cost_per_campaign_flow_and_month_with_the_default_turkey_rates(session: Session) -> None:
    # given
    store, day = _priced_messages(session)
    # when
    by_campaign = cost_report(session, store_id=store.id, start=day, end=day, by=Dimension.CAMPAIGN)
    by_flow = cost_report(session, store_id=store.id, start=day, end=day, by=Dimension.FLOW)
    by_month = cost_report(session, store_id=store.id, start=day, end=day, by=Dimension.MONTH)
    # then: DE has no row in the default table, so it is uncosted (0)
    assert [(r.source, r.billable, r.cost, r.cost_currency) for r in by_campaign] == [
        ("1", 3, Decimal("0.0327"), "USD"),
        ("2", 1, Decimal("0.0000"), "USD"),
    ]
    assert [(r.source, r.billable, r.cost) for r in by_flow] == [
        ("order_updates", 2, Decimal("0.0106")),
    ]
    assert [(r.source, r.billable, r.cost) for r in by_month] == [
        (day.strftime("%Y-%m"), 6, Decimal("0.0433")),
    ]


def test_cost_uses_the_store_rate_table_and_survives_rollup(session: Session) -> None:
    # given: the store's own table, with a default row for other countries
    table = {
        "currency": "USD",
        "rates": {"TR": {"marketing": "0.02", "utility": "0.01"}, "*": {"marketing": "0.10"}},
    }
    store, day = _priced_messages(session, rate_table=table)
    live = cost_report(session, store_id=store.id, start=day, end=day, by=Dimension.CAMPAIGN)
    # when: the day is rolled up
    build_rollups(session=session)
    session.commit()
    rolled = cost_report(session, store_id=store.id, start=day, end=day, by=Dimension.CAMPAIGN)
    # then
    assert [(r.source, r.cost) for r in rolled] == [
        ("1", Decimal("0.0600")),
        ("2", Decimal("0.1000")),
    ]
    assert rolled == live

"""Cost: the status-webhook mapping on real samples, and pricing with a rate table."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import Session

from plugin import clock
from plugin.analytics.cost import DEFAULT_RATE_TABLE, pricing_from_status, rate_for
from plugin.analytics.rollups import build_rollups
from plugin.analytics.service import Dimension, cost_report
from plugin.delivery.models import MessageStatus
from plugin.pricing.country import country_of
from plugin.pricing.ratecards import card_date, figure_date, stale_since
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


def test_the_store_row_wins_then_its_default_row_then_the_shipped_card() -> None:
    table = {"rates": {"TR": {"marketing": "0.02"}, "*": {"marketing": "0.05"}}}
    assert rate_for(table, country="tr", category="MARKETING") == Decimal("0.02")
    assert rate_for(table, country="DE", category="marketing") == Decimal("0.05")
    # a category the store did not price comes from the shipped card, never 0 by omission
    assert rate_for(table, country="TR", category="utility") == Decimal("0.0053")
    assert DEFAULT_RATE_TABLE["rates"]["TR"]["marketing"] == "0.0109"


def test_the_older_per_category_table_shape_reads_as_the_one_schema() -> None:
    legacy = {"MARKETING": {"DE": "0.1365"}, "utility": {"*": "0.01"}}
    assert rate_for(legacy, country="DE", category="marketing") == Decimal("0.1365")
    assert rate_for(legacy, country="BR", category="UTILITY") == Decimal("0.01")


@pytest.mark.parametrize(
    ("category", "expected"),
    [
        ("marketing", "0.0109"),
        ("marketing_lite", "0.0109"),  # no own figure: the marketing rate
        ("utility", "0.0053"),
        ("authentication", "0.0083"),
        ("authentication_international", "0.0083"),  # no own figure for Turkey
        ("service", "0"),
        ("referral_conversion", "0"),
    ],
)
def test_every_pmp_category_is_priced_for_turkey(category: str, expected: str) -> None:
    assert rate_for({}, country="TR", category=category, on=date(2026, 12, 4)) == Decimal(expected)


def test_a_rate_card_applies_from_its_effective_date() -> None:
    # Meta's 2026-04-01 card is the first shipped one with a Netherlands marketing rate
    assert rate_for({}, country="NL", category="marketing", on=date(2026, 3, 31)) == Decimal("0")
    assert rate_for({}, country="NL", category="marketing", on=date(2026, 4, 1)) == Decimal(
        "0.1597"
    )
    assert card_date({}, on=date(2026, 3, 31)) == "2026-01-01"
    assert card_date({"effective": "2026-05-01", "rates": {"TR": {}}}) == "2026-05-01"


@pytest.mark.parametrize("day", [date(2026, 3, 31), date(2026, 4, 1), date(2026, 12, 4)])
def test_a_turkish_utility_message_is_priced_by_the_card_in_force_that_day(day: date) -> None:
    # Meta lowered Turkish utility on 2026-04-01 but no source gives the new figure: the
    # 2025-07-01 figure prices it on both sides of the date, dated by its own card
    assert rate_for({}, country="TR", category="utility", on=day) == Decimal("0.0053")
    assert figure_date("TR", "utility", on=day) == "2025-07-01"
    # ...while Turkish marketing, which the 2026-04-01 card does state, is dated by that card
    expected_marketing_card = "2025-07-01" if day < date(2026, 4, 1) else "2026-04-01"
    assert figure_date("TR", "marketing", on=day) == expected_marketing_card


def test_a_figure_meta_changed_without_a_source_is_flagged_from_the_change() -> None:
    assert stale_since("TR", "utility", on=date(2026, 3, 31)) is None
    assert stale_since("tr", "UTILITY", on=date(2026, 4, 1)) == "2026-04-01"
    assert stale_since("TR", "authentication_international", on=date(2026, 4, 1)) == "2026-04-01"
    assert stale_since("TR", "marketing", on=date(2026, 4, 1)) is None
    # a store that prices Turkish utility itself is not affected: its row wins in rate_for
    table = {"rates": {"TR": {"utility": "0.0008"}}}
    assert rate_for(table, country="TR", category="utility", on=date(2026, 4, 1)) == Decimal(
        "0.0008"
    )


def test_azerbaijan_is_priced_from_the_2025_07_01_card() -> None:
    on = date(2026, 12, 4)
    assert rate_for({}, country="AZ", category="marketing", on=on) == Decimal("0.0860")
    assert rate_for({}, country="AZ", category="utility", on=on) == Decimal("0.0212")
    assert rate_for({}, country="AZ", category="authentication", on=on) == Decimal("0.0212")
    assert rate_for({}, country="AZ", category="marketing", on=date(2025, 6, 30)) == Decimal("0")


@pytest.mark.parametrize("country", ["DE", "GB", "US", "FR", "SA", "AE"])
def test_markets_without_a_sourced_figure_ship_no_guess(country: str) -> None:
    # no dated per-message figure was found for these (see the ratecards docstring): they stay
    # uncosted until the store sets its own row, never a guessed list price
    on = date(2026, 12, 4)
    assert rate_for({}, country=country, category="marketing", on=on) == Decimal("0")
    assert figure_date(country, "marketing", on=on) is None
    own = {"rates": {country: {"marketing": "0.1"}}}
    assert rate_for(own, country=country, category="marketing", on=on) == Decimal("0.1")


@pytest.mark.parametrize(
    ("key", "country"),
    [("+905321234567", "TR"), ("+9053", "TR"), ("+4915", "DE"), ("+1416", "US"), ("DE.48", "DE")],
)
def test_the_pricing_country_comes_from_the_calling_code(key: str, country: str) -> None:
    assert country_of(key) == country


def test_a_contact_is_priced_by_its_number_not_its_address(session: Session) -> None:
    # given a customer with a German address and a Turkish number, billed for one marketing
    store = make_store(session, rate_table={"rates": {"DE": {"marketing": "0.5"}}})
    contact = make_contact(session, store, country="DE", prefix="+90555")
    day = clock.now() - timedelta(days=2)
    make_message(
        session,
        store,
        contact,
        created_at=day,
        campaign_id=7,
        pricing_category="marketing",
        pricing_type="regular",
        billable=True,
    )
    session.commit()
    # when
    [row] = cost_report(
        session, store_id=store.id, start=day.date(), end=day.date(), by=Dimension.CAMPAIGN
    )
    # then Turkey's rate, not Germany's
    assert row.cost == Decimal("0.0109")


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
    # then: Germany has no figure on the shipped cards, so it is uncosted (0)
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

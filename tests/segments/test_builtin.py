"""Each built-in segment's definition (docs/segments.md), member by member."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from plugin.contacts.models import Contact, PhoneStatus
from plugin.flows.models import CheckoutState
from plugin.saleor.payloads import Order
from plugin.segments import orders as segment_orders
from plugin.segments import service
from plugin.segments.builtin import set_thresholds, thresholds_for
from plugin.segments.models import ContactRfm
from plugin.segments.service import Audience
from plugin.stores import service as stores_service
from tests.segments.factories import (
    days_ago,
    make_checkout,
    make_contact,
    make_store,
    order_payload,
)

pytestmark = pytest.mark.sqlite


def members(session: Session, store_id: int, key: str) -> set[int]:
    settings = stores_service.get_settings(session, store_id)
    where = service.audience_condition(session, settings=settings, audience=Audience(builtin=key))
    return set(session.execute(sa.select(Contact.id).where(where)).scalars())


def test_new_is_a_first_order_or_a_sign_up_in_the_last_30_days(session: Session) -> None:
    # given
    store = make_store(session)
    first_order = make_contact(
        session, store, first_order_at=days_ago(10), last_order_at=days_ago(10), orders_count=1
    )
    signed_up = make_contact(session, store, created_at=days_ago(5))
    make_contact(
        session,
        store,
        first_order_at=days_ago(40),
        last_order_at=days_ago(2),
        orders_count=3,
        created_at=days_ago(1),
    )
    make_contact(session, store, created_at=days_ago(31))
    make_contact(session, store, created_at=days_ago(1), phone_status=PhoneStatus.INVALID)
    make_contact(session, store, created_at=days_ago(1), erased_at=days_ago(0))
    other_store = make_store(session)
    make_contact(session, other_store, created_at=days_ago(1))
    # when
    result = members(session, store.id, "new")
    # then
    assert result == {first_order.id, signed_up.id}


def test_active_has_an_order_in_the_last_90_days(session: Session) -> None:
    # given
    store = make_store(session)
    recent = make_contact(session, store, last_order_at=days_ago(89), orders_count=1)
    make_contact(session, store, last_order_at=days_ago(91), orders_count=4)
    make_contact(session, store)
    # when / then
    assert members(session, store.id, "active") == {recent.id}


def test_abandoned_cart_is_an_open_checkout_with_lines_idle_over_an_hour_and_no_order_since(
    session: Session,
) -> None:
    # given
    store = make_store(session)
    abandoned = make_contact(session, store)
    make_checkout(session, abandoned, last_change=days_ago(2 / 24))
    ordered_before = make_contact(session, store, last_order_at=days_ago(3), orders_count=1)
    make_checkout(session, ordered_before, last_change=days_ago(1))
    fresh = make_contact(session, store)
    make_checkout(session, fresh, last_change=days_ago(30 / 1440))
    empty = make_contact(session, store)
    make_checkout(session, empty, lines_count=0, last_change=days_ago(1))
    ordered_since = make_contact(session, store, last_order_at=days_ago(0.5), orders_count=1)
    make_checkout(session, ordered_since, last_change=days_ago(1))
    converted = make_contact(session, store)
    make_checkout(session, converted, state=CheckoutState.ORDERED, last_change=days_ago(1))
    # when / then
    assert members(session, store.id, "abandoned_cart") == {abandoned.id, ordered_before.id}


def test_vip_is_the_top_ten_percent_by_twelve_month_spend_or_at_least_n_orders(
    session: Session,
) -> None:
    # given: 20 buyers spending 100..2000 in the last year; the top 10% are the two biggest
    store = make_store(session)
    spenders = []
    for i in range(1, 21):
        contact = make_contact(session, store, orders_count=1, last_order_at=days_ago(10))
        order = Order.model_validate(
            order_payload(f"o-{i}", total=f"{i * 100}.00", created=days_ago(10))
        )
        segment_orders.record_order(session, store_id=store.id, contact_id=contact.id, order=order)
        spenders.append(contact)
    not_counted = [  # too old, another currency, cancelled
        {"total": "99999.00", "created": days_ago(400)},
        {"total": "99999.00", "currency": "USD", "created": days_ago(5)},
        {"total": "99999.00", "status": "CANCELED", "created": days_ago(5)},
    ]
    for n, fields in enumerate(not_counted):
        contact = make_contact(session, store, orders_count=1)
        order = Order.model_validate(order_payload(f"o-x{n}", **fields))
        segment_orders.record_order(session, store_id=store.id, contact_id=contact.id, order=order)
    loyal = make_contact(session, store, orders_count=5)
    # when the daily ranking runs
    segment_orders.refresh_rfm(session, store_id=store.id)
    session.commit()
    # then
    assert members(session, store.id, "vip") == {spenders[-1].id, spenders[-2].id, loyal.id}


def test_vip_thresholds_are_tunable_per_store(session: Session) -> None:
    # given
    store = make_store(session)
    loyal = make_contact(session, store, orders_count=3)
    settings = stores_service.get_settings(session, store.id)
    # when
    set_thresholds(settings, {"vip_min_orders": 3})
    session.add(settings)
    session.commit()
    # then
    assert thresholds_for(settings).vip_min_orders == 3
    assert members(session, store.id, "vip") == {loyal.id}


def test_churn_risk_ordered_before_and_nothing_in_the_last_90_days_within_a_year(
    session: Session,
) -> None:
    # given
    store = make_store(session)
    at_risk = make_contact(session, store, orders_count=2, last_order_at=days_ago(120))
    make_contact(session, store, orders_count=2, last_order_at=days_ago(30))
    make_contact(session, store, orders_count=2, last_order_at=days_ago(400))
    make_contact(session, store)
    # when / then
    assert members(session, store.id, "churn_risk") == {at_risk.id}


def test_invalid_thresholds_are_refused_and_nothing_is_stored(session: Session) -> None:
    # given
    store = make_store(session)
    settings = stores_service.get_settings(session, store.id)
    # when / then
    from plugin.errors import InvalidPayload

    with pytest.raises(InvalidPayload):
        set_thresholds(settings, {"churn_after_days": 400})
    with pytest.raises(InvalidPayload):
        set_thresholds(settings, {"colour": 1})
    assert "segments" not in (settings.extra or {})


def test_record_order_is_idempotent_and_updates_on_change(session: Session) -> None:
    # given
    store = make_store(session)
    contact = make_contact(session, store)
    lines: list[dict[str, Any]] = [
        {
            "id": "l1",
            "productSku": "SKU-1",
            "variant": {
                "id": "v1",
                "sku": "SKU-1",
                "product": {"id": "P1", "category": {"slug": "shoes"}},
            },
        }
    ]
    order = Order.model_validate(order_payload("o-1", total="50.00", lines=lines))
    # when
    first = segment_orders.record_order(
        session, store_id=store.id, contact_id=contact.id, order=order
    )
    again = segment_orders.record_order(
        session, store_id=store.id, contact_id=contact.id, order=order
    )
    session.commit()
    # then
    assert first.id == again.id
    from plugin.segments.models import ContactOrder, ContactPurchase

    assert session.execute(sa.select(sa.func.count()).select_from(ContactOrder)).scalar() == 1
    purchases = session.execute(
        sa.select(ContactPurchase.kind, ContactPurchase.value).order_by(ContactPurchase.value)
    ).all()
    assert [tuple(p) for p in purchases] == [
        ("product", "P1"),
        ("product", "SKU-1"),
        ("category", "shoes"),
    ]
    # when the order is cancelled
    cancelled = Order.model_validate(
        order_payload("o-1", total="50.00", status="CANCELED", lines=lines)
    )
    segment_orders.record_order(session, store_id=store.id, contact_id=contact.id, order=cancelled)
    session.commit()
    # then it no longer counts and nothing is bought
    row = session.execute(sa.select(ContactOrder)).scalar_one()
    assert row.counts is False
    assert session.execute(sa.select(sa.func.count()).select_from(ContactPurchase)).scalar() == 0


def test_rfm_scores_rank_contacts_in_quintiles(session: Session) -> None:
    # given: five buyers, each more recent, frequent and generous than the last
    store = make_store(session)
    contacts = []
    for i in range(5):
        contact = make_contact(session, store)
        for j in range(i + 1):
            segment_orders.record_order(
                session,
                store_id=store.id,
                contact_id=contact.id,
                order=Order.model_validate(
                    order_payload(
                        f"r-{i}-{j}", total=f"{(i + 1) * 10}.00", created=days_ago(50 - i * 10 - j)
                    )
                ),
            )
        contacts.append(contact)
    make_contact(session, store)  # never ordered: no score
    # when
    written = segment_orders.refresh_rfm(session, store_id=store.id)
    session.commit()
    # then
    scores = {
        r.contact_id: (r.recency, r.frequency, r.monetary)
        for r in session.execute(sa.select(ContactRfm)).scalars()
    }
    assert written == 5
    assert scores == {c.id: (i + 1, i + 1, i + 1) for i, c in enumerate(contacts)}


def test_preview_gives_the_count_and_a_masked_sample_of_twenty(session: Session) -> None:
    # given
    store = make_store(session)
    for _ in range(25):
        make_contact(session, store, created_at=days_ago(1), first_name="Ayşe")
    # when
    preview = service.preview_audience(session, store_id=store.id, audience=Audience(builtin="new"))
    # then
    assert preview["count"] == 25
    assert len(preview["sample"]) == 20
    assert "•••" in preview["sample"][0]["phone"]

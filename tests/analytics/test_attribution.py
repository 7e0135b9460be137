"""Attribution rules on constructed timelines, refunds, idempotency and holdout lift."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlmodel import Session, select

from plugin import clock
from plugin.analytics.attribution import apply_refund_or_cancel, attribute_order, holdout_lift
from plugin.analytics.links import create_link, record_click
from plugin.analytics.models import AttributionRule, LinkClick, LinkKind, OrderAttribution
from plugin.delivery.models import MessageKind, MessagePurpose
from tests.analytics.factories import make_contact, make_message, make_order, make_store

pytestmark = pytest.mark.sqlite  # measurement runs on the embedded default too

IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Mobile/15E148 Safari/604.1"


def _click(session: Session, store_id: int, message_id: int, contact_id: int, at: datetime) -> None:
    """A counted click through the real recorder, then dated `at` (the timeline's moment)."""
    code = create_link(
        session,
        store_id=store_id,
        url="https://shop.example.com/p/1",
        message_id=message_id,
        contact_id=contact_id,
        kind=LinkKind.PRODUCT,
    )
    assert record_click(session, code=code, user_agent=IPHONE) is not None
    click = session.exec(select(LinkClick).order_by(LinkClick.id.desc())).first()  # type: ignore[union-attr]
    assert click is not None and not click.filtered
    click.clicked_at = at
    session.flush()


def test_click_then_order_goes_to_the_clicked_message(session: Session) -> None:
    # given: a clicked campaign message, then a later delivered one, then the order
    t0 = clock.now() - timedelta(hours=10)
    store = make_store(session)
    contact = make_contact(session, store)
    clicked = make_message(session, store, contact, created_at=t0, campaign_id=7, variant="A")
    _click(session, store.id, clicked.id, contact.id, t0 + timedelta(hours=1))
    make_message(session, store, contact, created_at=t0 + timedelta(hours=5), campaign_id=8)
    order = make_order("T3JkZXI6MQ==", created=t0 + timedelta(hours=9), total="250.00")
    # when
    row = attribute_order(session, store=store, order=order, contact_id=contact.id)
    # then
    assert (row.rule, row.message_id, row.campaign_id, row.variant) == (
        AttributionRule.CLICK,
        clicked.id,
        7,
        "A",
    )
    assert (row.total_amount, row.net_amount, row.currency) == (
        Decimal("250.00"),
        Decimal("250.00"),
        "TRY",
    )


def test_two_messages_then_order_goes_to_the_last_delivered(session: Session) -> None:
    # given: two delivered marketing messages within 24 h, no click
    t0 = clock.now() - timedelta(hours=20)
    store = make_store(session)
    contact = make_contact(session, store)
    make_message(session, store, contact, created_at=t0, flow_key="winback", flow_step=1)
    last = make_message(
        session, store, contact, created_at=t0 + timedelta(hours=6), flow_key="winback", flow_step=2
    )
    # a transactional message delivered later never takes the credit
    make_message(
        session,
        store,
        contact,
        created_at=t0 + timedelta(hours=7),
        kind=MessageKind.ORDER_UPDATE,
        purpose=MessagePurpose.TRANSACTIONAL,
        flow_key="order_updates",
    )
    order = make_order("o-2", created=t0 + timedelta(hours=8))
    # when
    row = attribute_order(session, store=store, order=order, contact_id=contact.id)
    # then
    assert (row.rule, row.message_id, row.flow_key, row.flow_step) == (
        AttributionRule.DELIVERED,
        last.id,
        "winback",
        2,
    )


def test_outside_both_windows_the_order_is_kept_unattributed(session: Session) -> None:
    # given: a click 80 h before the order (window 72 h), delivered 30 h before
    t0 = clock.now() - timedelta(hours=90)
    store = make_store(session)
    contact = make_contact(session, store)
    message = make_message(session, store, contact, created_at=t0, campaign_id=3)
    _click(session, store.id, message.id, contact.id, t0 + timedelta(minutes=10))
    order = make_order("o-3", created=t0 + timedelta(hours=80, minutes=10))
    # when
    row = attribute_order(session, store=store, order=order, contact_id=contact.id)
    # then
    assert (row.rule, row.message_id, row.campaign_id) == (AttributionRule.NONE, None, None)
    assert row.total_amount == Decimal("100.00")


def test_a_filtered_click_does_not_take_the_credit(session: Session) -> None:
    # given: only a link preview fetched the link
    t0 = clock.now() - timedelta(hours=30)
    store = make_store(session)
    contact = make_contact(session, store)
    message = make_message(session, store, contact, created_at=t0, campaign_id=3)
    code = create_link(
        session, store_id=store.id, url="https://shop.example.com/", message_id=message.id
    )
    record_click(session, code=code, user_agent="WhatsApp/2.24.10.78 A")
    order = make_order("o-4", created=clock.now())
    # when
    row = attribute_order(session, store=store, order=order, contact_id=contact.id)
    # then
    assert row.rule is AttributionRule.NONE
    assert session.exec(select(LinkClick.filtered)).all() == [True]


def test_a_recovered_checkout_goes_to_its_recovery_step(session: Session) -> None:
    # given: recovery steps 1 and 2 for the checkout, and a campaign clicked after them
    t0 = clock.now() - timedelta(hours=30)
    store = make_store(session)
    contact = make_contact(session, store)
    recovery = {"kind": MessageKind.CART_RECOVERY, "flow_key": "cart_recovery"}
    make_message(
        session,
        store,
        contact,
        created_at=t0,
        checkout_id="Q2hlY2tvdXQ6MQ==",
        flow_step=1,
        **recovery,
    )
    step2 = make_message(
        session,
        store,
        contact,
        created_at=t0 + timedelta(hours=23),
        checkout_id="Q2hlY2tvdXQ6MQ==",
        flow_step=2,
        **recovery,
    )
    campaign = make_message(
        session, store, contact, created_at=t0 + timedelta(hours=24), campaign_id=5
    )
    _click(session, store.id, campaign.id, contact.id, t0 + timedelta(hours=25))
    order = make_order("o-5", created=t0 + timedelta(hours=26), checkout_id="Q2hlY2tvdXQ6MQ==")
    # when
    row = attribute_order(session, store=store, order=order, contact_id=contact.id)
    # then
    assert (row.rule, row.message_id, row.flow_key, row.flow_step) == (
        AttributionRule.RECOVERY,
        step2.id,
        "cart_recovery",
        2,
    )


def test_refund_after_attribution_reduces_the_kept_amount(session: Session) -> None:
    # given: an attributed order of 300
    t0 = clock.now() - timedelta(hours=5)
    store = make_store(session)
    contact = make_contact(session, store)
    message = make_message(session, store, contact, created_at=t0, campaign_id=1)
    order = make_order("o-6", created=t0 + timedelta(hours=1), total="300.00")
    attribute_order(session, store=store, order=order, contact_id=contact.id)
    refunded = make_order("o-6", created=t0 + timedelta(hours=1), total="300.00", refunded="120.00")
    # when: ORDER_REFUNDED, delivered twice
    apply_refund_or_cancel(session, store=store, order=refunded, event="refunded")
    row = apply_refund_or_cancel(session, store=store, order=refunded, event="refunded")
    # then
    assert row is not None
    assert (row.message_id, row.total_amount, row.refunded_amount, row.net_amount) == (
        message.id,
        Decimal("300.00"),
        Decimal("120.00"),
        Decimal("180.00"),
    )
    # when: ORDER_CANCELLED
    row = apply_refund_or_cancel(session, store=store, order=refunded, event="cancelled")
    # then
    assert row is not None
    assert (row.net_amount, row.cancelled) == (Decimal("0"), True)


def test_attribution_is_idempotent_per_order(session: Session) -> None:
    # given
    t0 = clock.now() - timedelta(hours=2)
    store = make_store(session)
    contact = make_contact(session, store)
    first = make_message(session, store, contact, created_at=t0, campaign_id=1)
    order = make_order("o-7", created=t0 + timedelta(hours=1))
    attribute_order(session, store=store, order=order, contact_id=contact.id)
    make_message(session, store, contact, created_at=t0 + timedelta(minutes=90), campaign_id=2)
    # when: the coordinator sees ORDER_CREATED again (redelivery)
    again = attribute_order(session, store=store, order=order, contact_id=contact.id)
    # then
    assert again.message_id == first.id
    assert len(session.exec(select(OrderAttribution)).all()) == 1


def test_refund_of_an_unknown_order_does_nothing(session: Session) -> None:
    # given
    store = make_store(session)
    # when
    row = apply_refund_or_cancel(
        session, store=store, order=make_order("nope", created=clock.now()), event="cancelled"
    )
    # then
    assert row is None
    assert session.exec(select(OrderAttribution)).all() == []


def _holdout_timeline(session: Session) -> tuple[int, list[int]]:
    """Campaign 9 sent to 4 contacts (2 order within 72 h, 1 after), holdout of 4 (1 orders)."""
    t0 = clock.now() - timedelta(days=5)
    store = make_store(session)
    recipients = [make_contact(session, store) for _ in range(4)]
    holdout = [make_contact(session, store) for _ in range(4)]
    for contact in recipients:
        make_message(session, store, contact, created_at=t0, campaign_id=9)
    orders = [
        (recipients[0], t0 + timedelta(hours=5)),
        (recipients[1], t0 + timedelta(hours=70)),
        (recipients[2], t0 + timedelta(hours=80)),  # after the window
        (holdout[0], t0 + timedelta(hours=30)),
    ]
    for n, (contact, at) in enumerate(orders):
        attribute_order(
            session, store=store, order=make_order(f"h-{n}", created=at), contact_id=contact.id
        )
    return store.id, [c.id for c in holdout]


def test_holdout_lift_compares_recipients_with_the_holdout(session: Session) -> None:
    # given
    store_id, holdout_ids = _holdout_timeline(session)
    # when
    lift = holdout_lift(session, store_id=store_id, campaign_id=9, holdout_contact_ids=holdout_ids)
    # then
    assert (lift.recipients, lift.recipients_converted, lift.holdout, lift.holdout_converted) == (
        4,
        2,
        4,
        1,
    )
    assert lift.recipient_rate == 0.5
    assert lift.holdout_rate == 0.25
    assert lift.absolute_lift == 0.25
    assert lift.relative_lift == pytest.approx(1.0)
    assert lift.incremental_orders == 1.0


@pytest.mark.postgres_only
def test_holdout_lift_reads_the_campaigns_holdout_group(session: Session) -> None:
    # given the campaign's audience as fixed at launch, with its holdout flagged
    from plugin.campaigns.ab import holdout_lift as campaign_lift
    from plugin.campaigns.models import Campaign, CampaignRecipient

    store_id, holdout_ids = _holdout_timeline(session)
    session.add(Campaign(id=9, store_id=store_id, name="Kış indirimi"))
    session.flush()
    for contact_id in holdout_ids:
        session.add(
            CampaignRecipient(
                campaign_id=9, contact_id=contact_id, holdout=True, due_at=clock.now()
            )
        )
    session.flush()
    # when
    lift = campaign_lift(session, store_id=store_id, campaign_id=9)
    # then
    assert (lift.holdout, lift.holdout_converted) == (4, 1)


def test_holdout_lift_without_a_holdout_is_zero(session: Session) -> None:
    # given
    store_id, _holdout = _holdout_timeline(session)
    # when
    lift = holdout_lift(session, store_id=store_id, campaign_id=9, holdout_contact_ids=[])
    # then
    assert (lift.holdout, lift.holdout_rate, lift.relative_lift) == (0, 0.0, None)

"""Issue 18, point 5: Meta's quality signals, produced by the sandbox as Meta's webhook
references shape them, change what marketing may do within one scheduler tick — with a
reason and an admin alert — while order updates keep going."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlmodel import select

from plugin import clock
from plugin.campaigns.models import CampaignStatus
from plugin.delivery import quality
from plugin.delivery.models import MessageStatus, OutboundMessage
from plugin.delivery.policy import SendingAccount
from plugin.events.inbound import process_webhook
from plugin.events.tick import run_tick
from plugin.inbox.models import InboxEvent, InboxSource
from plugin.saleor.models import Store
from plugin.templates.models import MessageTemplate, TemplateCategory
from plugin.whatsapp.accounts import WhatsAppAccount
from plugin.whatsapp.sandbox import quality as sandbox_quality
from tests.delivery.conftest import PNID, WABA, phone, running_campaign
from tests.delivery.test_policy import enqueue
from tests.support import drain_queue

pytestmark = pytest.mark.sqlite


def _deliver(world, payload: dict) -> None:  # type: ignore[no-untyped-def]
    """The app receives the sandbox's webhook (as the inbox worker hands it over)."""
    store = world.session.get(Store, world.store_id)
    inbox = InboxEvent(
        store_id=world.store_id,
        source=InboxSource.WHATSAPP,
        event="whatsapp",
        dedupe_key=uuid.uuid4().hex,
        payload=json.dumps(payload),
    )
    process_webhook(session=world.session, store=store, inbox=inbox)
    world.session.commit()


def _account(world) -> WhatsAppAccount:  # type: ignore[no-untyped-def]
    account = world.session.get(WhatsAppAccount, world.account_id)
    assert account is not None
    return account


def _open_alerts(world) -> set[str]:  # type: ignore[no-untyped-def]
    return {a.reason for a in quality.open_alerts(world.session, store_id=world.store_id)}


def _received(sandbox, n: int) -> list[str]:  # type: ignore[no-untyped-def]
    """Templates the first n customers' phones got (make_contacts numbers them 1..n)."""
    return sorted(m["template_name"] for i in range(1, n + 1) for m in sandbox.messages(phone(i)))


def test_a_red_number_pauses_a_running_campaign_within_one_tick_while_order_updates_go(
    world, make_contacts, sandbox
):
    # given a running campaign to three customers, none of its messages sent yet
    ids = make_contacts(3, consents=("marketing", "transactional"))
    campaign = running_campaign(world)
    # when the number's quality turns red (the Graph API's quality_rating, as the sandbox
    # answers it) and an order update is due
    sandbox_quality.set_number_quality(sandbox.sandbox.numbers[PNID], "RED")
    account = _account(world)
    account.quality_rating = sandbox.sandbox.numbers[PNID].quality_rating
    world.session.add(account)
    world.session.commit()
    enqueue(world, ids[0], key="order-1", marketing=False)
    run_tick(wait=True)
    drain_queue()
    # then after that one tick the campaign is paused, with its reason and an alert,
    # and only the order update reached the customer
    world.session.refresh(campaign)
    assert campaign.status == CampaignStatus.PAUSED
    assert _received(sandbox, len(ids)) == ["order_update"]
    assert quality.NUMBER_RED in _open_alerts(world)


def test_a_red_number_holds_other_marketing_with_its_reason(world, make_contacts, sandbox):
    [cid] = make_contacts(1, consents=("marketing", "transactional"))
    account = _account(world)
    account.quality_rating = "RED"
    world.session.add(account)
    world.session.commit()
    row = enqueue(world, cid, key="promo-1", marketing=True)
    drain_queue()
    world.session.refresh(row)
    assert (row.status, row.status_reason) == (MessageStatus.SCHEDULED, quality.NUMBER_RED)
    assert sandbox.total() == 0


def test_a_template_paused_for_quality_pauses_its_campaign_within_one_tick(
    world, make_contacts, sandbox
):
    # given a running campaign whose messages have not gone out yet
    ids = make_contacts(2, consents=("marketing", "transactional"))
    campaign = running_campaign(world)
    # when Meta pauses its template for low quality (the sandbox's status webhook) and an
    # order update is due
    template = sandbox.sandbox.templates[WABA][("cart_promo", "tr")]
    _deliver(world, sandbox_quality.pause_template(sandbox.sandbox, template))
    enqueue(world, ids[1], key="order-2", marketing=False)
    run_tick(wait=True)
    drain_queue()
    # then the campaign is paused with the template's reason, the update went out
    world.session.refresh(campaign)
    assert campaign.status == CampaignStatus.PAUSED
    assert _received(sandbox, len(ids)) == ["order_update"]
    assert quality.TEMPLATE_PAUSED in _open_alerts(world)


def test_a_flagged_number_sends_marketing_at_half_its_rate_until_unflagged(world, sandbox):
    # when Meta flags the number (the sandbox's phone_number_quality_update)
    number = sandbox.sandbox.numbers[PNID]
    _deliver(world, sandbox_quality.phone_quality_update(sandbox.sandbox, number, "FLAGGED"))
    account = _account(world)
    world.session.refresh(account)
    sending = SendingAccount(
        id=account.id,  # type: ignore[arg-type]
        phone_number_id=PNID,
        rate=1000.0,
        credentials=None,  # type: ignore[arg-type]
        marketing_share=quality.marketing_share(account.quality_rating),
    )
    # then marketing is paced in a bucket of its own at half the rate, order updates at full
    assert quality.pace_key(sending, marketing=True) == (f"{PNID}:marketing", 500.0)
    assert quality.pace_key(sending, marketing=False) == (PNID, 1000.0)
    run_tick(wait=True)
    assert quality.NUMBER_FLAGGED in _open_alerts(world)
    # and when Meta unflags it, full speed and the alert clears on the next tick
    _deliver(world, sandbox_quality.phone_quality_update(sandbox.sandbox, number, "UNFLAGGED"))
    world.session.refresh(account)
    assert quality.marketing_share(account.quality_rating) == 1.0
    run_tick(wait=True)
    world.session.expire_all()
    assert quality.NUMBER_FLAGGED not in _open_alerts(world)


def test_an_impending_recategorisation_is_recorded_and_shown_before_it_bills(world, sandbox):
    # when Meta announces it will move the utility template to marketing tomorrow
    template = sandbox.sandbox.templates[WABA][("order_update", "tr")]
    at = int(clock.now().timestamp()) + 86_400
    _deliver(
        world,
        sandbox_quality.impending_recategorisation(sandbox.sandbox, template, "MARKETING", at),
    )
    # then the admin's alerts show it, with the category it will bill as and when
    [alert] = [
        a
        for a in quality.open_alerts(world.session, store_id=world.store_id)
        if a.reason == quality.RECATEGORISATION
    ]
    assert alert.detail["correct_category"] == "MARKETING"
    assert alert.detail["template"] == "order_update"
    assert alert.detail["category_update_at"] is not None
    # and the template still bills as utility until Meta changes it
    local = world.session.exec(
        select(MessageTemplate).where(
            MessageTemplate.store_id == world.store_id, MessageTemplate.name == "order_update"
        )
    ).one()
    assert local.category == TemplateCategory.UTILITY
    assert world.session.exec(select(OutboundMessage)).all() == []


def test_a_limit_upgrade_webhook_raises_the_stores_daily_tier(world, sandbox):
    # given a store held to Meta's 250 unique recipients a day
    settings = world.settings_row()
    settings.daily_recipient_tier = 250
    world.session.add(settings)
    world.session.commit()
    # when Meta raises the portfolio's limit (the sandbox's webhook, in the field that
    # replaced `current_limit` in February 2026)
    number = sandbox.sandbox.numbers[PNID]
    _deliver(
        world, sandbox_quality.phone_quality_update(sandbox.sandbox, number, "UPGRADE", "TIER_10K")
    )
    # then the store's tier follows, and the number shows Meta's tier
    world.session.expire_all()
    assert world.settings_row().daily_recipient_tier == 10_000
    assert _account(world).messaging_limit_tier == "TIER_10K"

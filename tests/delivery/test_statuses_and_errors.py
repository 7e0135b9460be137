"""Status webhooks applied idempotently and in any order; Meta's errors and their effects,
produced by the sandbox over real HTTP."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from plugin import clock
from plugin.consent.models import ConsentEvent
from plugin.contacts.models import Contact
from plugin.delivery import sender, service
from plugin.delivery.models import MessageStatus, OutboundMessage, PendingStatus
from plugin.delivery.pace import Admission, PacerUnavailable
from plugin.delivery.service import StatusUpdate
from plugin.events.tick import run_tick
from plugin.templates.models import MessageTemplate, TemplateStatus
from plugin.whatsapp.accounts import AccountStatus, WhatsAppAccount
from plugin.whatsapp.payloads.webhook import parse_webhook
from plugin.whatsapp.statuses import status_update
from tests.delivery.conftest import phone
from tests.delivery.test_policy import enqueue, send
from tests.support import drain_queue

T0 = datetime(2026, 5, 17, 10, 0, tzinfo=UTC)


def _sent_row(world, make_contacts, sandbox):
    [cid] = make_contacts(consents=("transactional",))
    row = send(world, cid, key="o1", marketing=False)
    assert row.status == MessageStatus.SENT
    return row


def _updates(wamid):
    return [
        StatusUpdate(
            wamid, "sent", T0, pricing_category="utility", pricing_type="regular", billable=True
        ),
        StatusUpdate(wamid, "delivered", T0 + timedelta(seconds=2)),
        StatusUpdate(wamid, "read", T0 + timedelta(seconds=9)),
    ]


@pytest.mark.sqlite
@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_statuses_in_any_order_end_the_same(world, make_contacts, sandbox, order):
    row = _sent_row(world, make_contacts, sandbox)
    updates = _updates(row.wamid)
    # when the three statuses arrive in this order, one webhook each, one twice
    for i in (*order, order[0]):
        service.apply_statuses(world.session, updates=[updates[i]])
        world.session.commit()
    # then the row is read, with each timestamp and the pricing kept
    world.session.refresh(row)
    assert row.status == MessageStatus.READ
    assert row.delivered_at == T0 + timedelta(seconds=2)
    assert row.read_at == T0 + timedelta(seconds=9)
    assert (row.pricing_category, row.pricing_type, row.billable) == ("utility", "regular", True)


@pytest.mark.sqlite
def test_failed_after_sent_is_applied_and_marks_the_number(world, make_contacts, sandbox):
    row = _sent_row(world, make_contacts, sandbox)
    service.apply_statuses(world.session, updates=[StatusUpdate(row.wamid, "sent", T0)])
    service.apply_statuses(
        world.session,
        updates=[
            StatusUpdate(
                row.wamid, "failed", T0, error_code=131026, error_title="Message Undeliverable."
            )
        ],
    )
    world.session.commit()
    world.session.refresh(row)
    assert (row.status, row.error_code) == (MessageStatus.FAILED, 131026)
    contact = world.session.get(Contact, row.contact_id)
    world.session.refresh(contact)
    assert contact.undeliverable_at is not None


@pytest.mark.sqlite
def test_a_status_before_its_wamid_is_kept_and_applied_by_the_tick(world, make_contacts, sandbox):
    row = _sent_row(world, make_contacts, sandbox)
    result = service.apply_statuses(
        world.session, updates=[StatusUpdate("wamid.early", "delivered", T0)]
    )
    world.session.commit()
    assert (result.applied, result.pending) == (0, 1)
    # when the send result with that wamid is written and the tick runs
    world.session.execute(
        sa.update(OutboundMessage).where(OutboundMessage.id == row.id).values(wamid="wamid.early")
    )
    world.session.commit()
    run_tick()
    # then the status is applied and the pending row is gone
    world.session.refresh(row)
    assert row.status == MessageStatus.DELIVERED
    assert (
        world.session.execute(sa.select(sa.func.count()).select_from(PendingStatus)).scalar() == 0
    )


def _from_webhook(statuses: list[dict]) -> list[StatusUpdate]:
    """Status items through Meta's webhook envelope, parsed as the webhook edge parses them."""
    import json

    body = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "1",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"display_phone_number": "1", "phone_number_id": "2"},
                            "statuses": statuses,
                        },
                    }
                ],
            }
        ],
    }
    payload = parse_webhook(json.dumps(body))
    items = [s for e in payload.entry for c in e.changes for s in c.value.statuses]
    return [u for s in items if (u := status_update(s)) is not None]


@pytest.mark.sqlite
def test_status_update_from_a_sandbox_webhook_body(world, make_contacts, sandbox):
    row = _sent_row(world, make_contacts, sandbox)
    status = {
        "id": row.wamid,
        "status": "delivered",
        "timestamp": "1779012000",
        "recipient_id": "905320000001",
        "pricing": {
            "billable": True,
            "pricing_model": "PMP",
            "category": "utility",
            "type": "regular",
        },
    }
    service.apply_statuses(world.session, updates=_from_webhook([status]))
    world.session.commit()
    world.session.refresh(row)
    assert row.status == MessageStatus.DELIVERED
    assert row.delivered_at == datetime.fromtimestamp(1779012000, UTC)


def test_131050_records_a_revoke_and_suppresses_waiting_marketing(world, make_contacts, sandbox):
    # given Meta refuses marketing to this person (131050) and a second message waits
    [cid] = make_contacts()
    sandbox.sandbox.set_faults({"recipient_errors": {phone(1): 131050}})
    waiting = enqueue(world, cid, key="later")
    world.session.execute(
        sa.update(OutboundMessage)
        .where(OutboundMessage.id == waiting.id)
        .values(status="scheduled", due_at=clock.now() + timedelta(hours=1))
    )
    world.session.commit()
    # when a campaign message is sent
    row = send(world, cid, key="now", kind="cart_recovery")
    # then it failed, the ledger has the revoke and the waiting one is suppressed
    world.session.refresh(waiting)
    assert (row.status, row.status_reason, row.error_code) == ("failed", "consent_revoked", 131050)
    events = (
        world.session.exec(sa.select(ConsentEvent).where(ConsentEvent.action == "revoked"))
        .scalars()
        .all()
    )
    assert [(e.contact_id, e.purpose, e.source) for e in events] == [
        (cid, "marketing", "meta_error")
    ]
    assert (waiting.status, waiting.status_reason) == ("suppressed", "consent_revoked")


def test_131026_marks_the_contact_undeliverable(world, make_contacts, sandbox):
    [cid] = make_contacts(consents=("transactional",))
    sandbox.sandbox.set_faults({"undeliverable": [phone(1)]})
    row = send(world, cid, key="o1", marketing=False)
    assert (row.status, row.status_reason) == ("failed", "undeliverable")
    contact = world.session.get(Contact, cid)
    world.session.refresh(contact)
    assert contact.undeliverable_at is not None


def test_a_paused_template_at_meta_is_marked_paused(world, make_contacts, sandbox):
    [cid] = make_contacts()
    sandbox.sandbox.templates[sandbox_waba()][("cart_promo", "tr")].status = "PAUSED"
    row = send(world, cid, key="c1")
    assert (row.status, row.error_code) == ("failed", 132015)
    template = (
        world.session.exec(sa.select(MessageTemplate).where(MessageTemplate.name == "cart_promo"))
        .scalars()
        .one()
    )
    world.session.refresh(template)
    assert template.status == TemplateStatus.PAUSED


def sandbox_waba():
    from tests.delivery.conftest import WABA

    return WABA


def test_a_revoked_token_suspends_the_account_and_messages_wait(world, make_contacts, sandbox):
    # given the store's token no longer works at Meta (190)
    a, b = make_contacts(2, consents=("transactional",))
    sandbox.sandbox.tokens.clear()
    # when two order updates are sent
    rows = [enqueue(world, cid, key=f"o{cid}", marketing=False) for cid in (a, b)]
    drain_queue()
    # then the account is suspended and both wait (not failed)
    account = world.session.get(WhatsAppAccount, world.account_id)
    world.session.refresh(account)
    assert account.status == AccountStatus.SUSPENDED
    for row in rows:
        world.session.refresh(row)
        assert (row.status, row.status_reason) == ("scheduled", "account_inactive")
        assert row.attempts == 0


def test_server_errors_are_retried_with_backoff(world, make_contacts, sandbox):
    [cid] = make_contacts(consents=("transactional",))
    sandbox.sandbox.set_faults({"server_error_rate": 1.0})
    row = send(world, cid, key="o1", marketing=False)
    assert (row.status, row.status_reason, row.attempts) == ("scheduled", "retry_soon", 1)
    assert row.due_at > clock.now()
    # when Meta recovers and the backoff has passed
    sandbox.sandbox.set_faults({"server_error_rate": 0.0})
    clock.advance(120)
    run_tick()
    drain_queue()
    world.session.refresh(row)
    assert (row.status, row.attempts) == ("sent", 2)
    assert len(sandbox.messages(phone(1))) == 1


def test_a_send_whose_answer_was_lost_learns_its_fate_from_metas_status(
    world, make_contacts, sandbox, settings
):
    # given Meta took a campaign message but its answer never came back: the row is `unknown`
    [cid] = make_contacts()
    sandbox.sandbox.set_faults(
        {"timeout_rate": 1.0, "timeout_seconds": 3.0, "timeout_accepts": True}
    )
    settings.whatsapp_send_timeout_seconds = 0.5
    row = send(world, cid, key="c1")
    assert (row.status, row.status_reason, row.wamid) == ("unknown", "outcome_unknown", None)
    run_tick()  # and it is never resent
    drain_queue()
    [taken] = sandbox.messages(phone(1))
    assert taken["biz_opaque_callback_data"] == f"ulak:{row.id}"
    # when Meta's status webhooks for it arrive (they echo biz_opaque_callback_data)
    message = next(
        m for m in sandbox.sandbox.messages[phone(1).lstrip("+")] if m.wamid == taken["wamid"]
    )
    updates = _from_webhook(
        [sandbox.sandbox._status_json(message, status, None) for status in ("sent", "delivered")]
    )
    # a status naming the row from another store's number changes nothing
    service.apply_statuses(world.session, updates=updates, store_id=row.store_id + 1000)
    world.session.refresh(row)
    assert (row.status, row.wamid) == ("unknown", None)
    service.apply_statuses(world.session, updates=updates, store_id=row.store_id)
    world.session.commit()
    # then the row knows its wamid and what Meta did with it, and was never sent twice
    world.session.refresh(row)
    assert (row.status, row.status_reason, row.wamid) == ("delivered", None, taken["wamid"])
    assert row.billable is True and row.pricing_category == "marketing"
    run_tick()
    drain_queue()
    assert len(sandbox.messages(phone(1))) == 1


class _PacerAway:
    """The shared pacer after its Redis went away: every call raises (recipients pass)."""

    def __init__(self, *, admits: bool) -> None:
        self.admits = admits

    def admit(self, number, want, rate, *, horizon):
        if not self.admits:
            raise PacerUnavailable("Connection reset by peer")
        return Admission(want, 0.0, 1.0 / rate, 0.0)

    def penalize(self, number, seconds):
        raise PacerUnavailable("Connection reset by peer")

    def reserve_recipients(self, number, recipients, *, now, spacing):
        return [True] * len(recipients)


def test_a_pacer_lost_before_the_calls_leaves_the_claimed_rows_waiting(
    world, make_contacts, sandbox
):
    # given an order update and a campaign message, due for sending
    first, second = make_contacts(2, consents=("transactional", "marketing"))
    rows = [enqueue(world, first, key="o1", marketing=False), enqueue(world, second, key="c1")]
    before = []
    for row in rows:
        world.session.refresh(row)
        before.append(row.status)
    # when the pacer's Redis goes away as their claim asks for the number's slots
    with pytest.raises(PacerUnavailable):
        sender.send_batch(message_ids=[r.id for r in rows], pacer=_PacerAway(admits=False))
    # then nothing left, and the claim was undone: both wait as before, no attempt counted
    for row, status in zip(rows, before, strict=True):
        world.session.refresh(row)
        assert (row.status, row.attempts, row.lease_until) == (status, 0, None)
    assert sandbox.total() == 0
    # and once the pacer answers again, each is sent once
    sender.send_batch(message_ids=[r.id for r in rows], pacer=_PacerAway(admits=True))
    for row in rows:
        world.session.refresh(row)
        assert row.status == "sent"
    assert sandbox.total() == 2


def test_meta_throttling_is_recorded_even_when_the_pacer_cannot_be_slowed(
    world, make_contacts, sandbox
):
    # given Meta answering 130429 (too many messages) and a pacer whose Redis is away
    [cid] = make_contacts(consents=("transactional",))
    sandbox.sandbox.set_faults({"throughput_per_second": 0})
    row = enqueue(world, cid, key="o1", marketing=False)
    # when the message is sent
    sender.send_batch(message_ids=[row.id], pacer=_PacerAway(admits=True))
    # then Meta's answer is recorded: the row waits for a retry
    world.session.refresh(row)
    assert (row.status, row.status_reason, row.error_code) == ("scheduled", "retry_soon", 130429)


class _CountingPacer(_PacerAway):
    """Admits every send and counts how often Meta's 130429 moves the number later."""

    def __init__(self) -> None:
        super().__init__(admits=True)
        self.penalties = 0

    def penalize(self, number, seconds):
        self.penalties += 1


def test_a_throttled_burst_moves_the_number_a_second_later_not_one_per_message(
    world, make_contacts, sandbox
):
    # given Meta answering 130429 to every send, and five order updates sent at once
    contact_ids = make_contacts(5, consents=("transactional",))
    sandbox.sandbox.set_faults({"throughput_per_second": 0})
    rows = [enqueue(world, cid, key=f"o{cid}", marketing=False) for cid in contact_ids]
    pacer = _CountingPacer()
    # when they are sent
    sender.send_batch(message_ids=[r.id for r in rows], pacer=pacer)
    # then all wait for a retry, and the number paused once (not five seconds)
    for row in rows:
        world.session.refresh(row)
        assert (row.status, row.status_reason) == ("scheduled", "retry_soon")
    assert pacer.penalties == 1

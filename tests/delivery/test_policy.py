"""The send policy at send time: every refusal recorded with its reason, deferrals never dropped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from plugin import clock
from plugin.consent.models import ConsentAction, ConsentEvent, ConsentSource, Purpose, Suppression
from plugin.consent.queries import phone_hash
from plugin.consent.state import allowed_contact_ids
from plugin.contacts.models import Contact, PhoneStatus
from plugin.delivery import policy, service, window
from plugin.delivery.models import MessageKind, MessagePurpose, MessageStatus, OutboundMessage
from plugin.delivery.policy import quiet_until
from plugin.delivery.policy.quiet import zone
from plugin.events.tick import run_tick
from plugin.saleor.models import Store, StoreStatus
from plugin.stores import usage
from plugin.templates.models import MessageTemplate, TemplateCategory, TemplateStatus
from plugin.whatsapp.accounts import AccountStatus, WhatsAppAccount
from tests.delivery.conftest import order_parameters, phone, promo_parameters
from tests.support import drain_queue

ISTANBUL = ZoneInfo("Europe/Istanbul")
pytestmark = pytest.mark.sqlite


def enqueue(world, contact_id, *, key, marketing=True, kind=None, text=None, template=True):
    purpose = MessagePurpose.MARKETING if marketing else MessagePurpose.TRANSACTIONAL
    kind = kind or (MessageKind.CAMPAIGN if marketing else MessageKind.ORDER_UPDATE)
    name = ("cart_promo" if marketing else "order_update") if template else None
    row = service.enqueue_message(
        world.session,
        store_id=world.store_id,
        contact_id=contact_id,
        purpose=purpose,
        kind=kind,
        idempotency_key=key,
        template_name=name,
        template_language="tr" if name else None,
        parameters=(promo_parameters() if marketing else order_parameters()) if name else None,
        text=text,
        source_type="test",
    )
    world.session.commit()
    return row


def send(world, contact_id, **kwargs):
    row = enqueue(world, contact_id, **kwargs)
    drain_queue()
    world.session.refresh(row)
    return row


def test_no_marketing_consent_is_suppressed_and_nothing_is_sent(world, make_contacts, sandbox):
    [cid] = make_contacts(consents=("transactional",))
    row = send(world, cid, key="k1")
    assert (row.status, row.status_reason) == (MessageStatus.SUPPRESSED, "no_consent")
    assert sandbox.total() == 0


def test_a_requested_but_unconfirmed_marketing_consent_is_not_enough(world, make_contacts, sandbox):
    [cid] = make_contacts(consents=())
    world.session.add(
        ConsentEvent(
            store_id=world.store_id,
            contact_id=cid,
            purpose=Purpose.MARKETING,
            action=ConsentAction.REQUESTED,
            source=ConsentSource.STOREFRONT,
        )
    )
    world.session.commit()
    row = send(world, cid, key="k1")
    assert row.status_reason == "no_consent"
    assert sandbox.total() == 0


def test_transactional_consent_rules(world, make_contacts):
    # given: transactional grant; marketing grant only; marketing grant + transactional revoke
    a, b, c, d = make_contacts(4, consents=())
    s = world.session
    for cid, purpose, action in (
        (a, "transactional", "granted"),
        (b, "marketing", "granted"),
        (c, "marketing", "granted"),
        (c, "transactional", "revoked"),
        (d, "transactional", "granted"),
        (d, "transactional", "revoked"),
    ):
        s.add(
            ConsentEvent(
                store_id=world.store_id,
                contact_id=cid,
                purpose=Purpose(purpose),
                action=ConsentAction(action),
                source=ConsentSource.ADMIN,
            )
        )
    s.commit()
    # when / then
    ids = [a, b, c, d]
    assert allowed_contact_ids(
        s, store_id=world.store_id, contact_ids=ids, purpose="transactional"
    ) == {a, b}
    assert allowed_contact_ids(
        s, store_id=world.store_id, contact_ids=ids, purpose="marketing"
    ) == {b, c}


def test_an_order_update_goes_out_with_transactional_consent(world, make_contacts, sandbox):
    [cid] = make_contacts(consents=("transactional",))
    row = send(world, cid, key="k1", marketing=False)
    assert row.status == MessageStatus.SENT
    assert len(sandbox.messages(phone(1))) == 1


def test_an_optin_request_needs_no_consent(world, make_contacts, sandbox):
    [cid] = make_contacts(consents=())
    row = send(world, cid, key="k1", marketing=False, kind=MessageKind.OPTIN_REQUEST)
    assert row.status == MessageStatus.SENT


def test_person_level_refusals(world, make_contacts, sandbox):
    # given contacts that are erased, suppressed, undeliverable, without a valid number
    erased, suppressed, undeliverable, invalid = make_contacts(4)
    s = world.session
    s.get(Contact, erased).erased_at = clock.now()
    s.get(Contact, undeliverable).undeliverable_at = clock.now() - timedelta(days=1)
    s.get(Contact, invalid).phone_status = PhoneStatus.INVALID
    s.add(Suppression(store_id=world.store_id, phone_hash=phone_hash(phone(2)), reason="erased"))
    s.commit()
    # when each is sent a campaign message
    rows = [send(world, cid, key=f"k{cid}") for cid in (erased, suppressed, undeliverable, invalid)]
    # then each is suppressed with its reason and nothing went out
    assert [r.status_reason for r in rows] == [
        "erased",
        "suppressed",
        "undeliverable",
        "invalid_phone",
    ]
    assert {r.status for r in rows} == {MessageStatus.SUPPRESSED}
    assert sandbox.total() == 0


def test_a_row_whose_contact_is_not_in_its_store_is_suppressed(world, make_contacts, sandbox):
    # given another store's contact, and an id no contact has (the outbox has no foreign keys)
    s = world.session
    other_store = Store(
        saleor_api_url="https://other.example/graphql/",
        saleor_app_id="app-2",
        app_token_encrypted="x",
    )
    s.add(other_store)
    s.flush()
    theirs = Contact(store_id=other_store.id, phone_e164=phone(90), phone_status=PhoneStatus.VALID)
    s.add(theirs)
    s.commit()
    missing = theirs.id + 1000
    # when this store's rows name them
    rows = [send(world, cid, key=f"k{cid}") for cid in (theirs.id, missing)]
    # then both are suppressed and nothing went out from this store's number
    assert [(r.status, r.status_reason) for r in rows] == [
        (MessageStatus.SUPPRESSED, "unknown_contact")
    ] * 2
    assert sandbox.total() == 0


def test_template_not_approved_and_category_changed(world, make_contacts, sandbox):
    [cid] = make_contacts(consents=("marketing", "transactional"))
    s = world.session
    templates = {t.name: t for t in s.exec(sa.select(MessageTemplate)).scalars()}
    templates["cart_promo"].status = TemplateStatus.PAUSED
    templates["order_update"].category = TemplateCategory.MARKETING  # Meta recategorised it
    s.commit()
    paused = send(world, cid, key="k1")
    recategorised = send(world, cid, key="k2", marketing=False)
    assert paused.status_reason == "template_not_approved"
    assert recategorised.status_reason == "template_category_changed"
    assert sandbox.total() == 0


def test_store_inactive_and_no_account(world, make_contacts, sandbox):
    [cid] = make_contacts()
    s = world.session
    s.get(Store, world.store_id).status = StoreStatus.DISABLED
    s.commit()
    assert send(world, cid, key="k1").status_reason == "store_inactive"
    s.get(Store, world.store_id).status = StoreStatus.ACTIVE
    s.delete(s.get(WhatsAppAccount, world.account_id))
    s.commit()
    assert send(world, cid, key="k2").status_reason == "no_account"
    assert sandbox.total() == 0


def test_a_suspended_account_makes_messages_wait_not_fail(world, make_contacts, sandbox):
    [cid] = make_contacts()
    s = world.session
    s.get(WhatsAppAccount, world.account_id).status = AccountStatus.SUSPENDED
    s.commit()
    row = send(world, cid, key="k1")
    assert (row.status, row.status_reason) == (MessageStatus.SCHEDULED, "account_inactive")
    # when the merchant reconnects and the tick passes the recheck time
    s.get(WhatsAppAccount, world.account_id).status = AccountStatus.ACTIVE
    s.commit()
    clock.advance(policy.ACCOUNT_RECHECK.total_seconds() + 1)
    run_tick()
    drain_queue()
    s.refresh(row)
    assert row.status == MessageStatus.SENT
    assert sandbox.total() == 1


def test_free_text_needs_the_service_window(world, make_contacts, sandbox):
    closed, open_ = make_contacts(2, consents=())
    s = world.session
    s.get(Contact, open_).last_inbound_at = clock.now() - timedelta(hours=2)
    s.commit()
    kwargs = {
        "marketing": False,
        "kind": MessageKind.SERVICE_REPLY,
        "template": False,
        "text": "Merhaba",
    }
    refused = send(world, closed, key="k1", **kwargs)
    answered = send(world, open_, key="k2", **kwargs)
    assert refused.status_reason == "window_closed"
    assert answered.status == MessageStatus.SENT
    assert [m["text"] for m in sandbox.messages(phone(2))] == ["Merhaba"]
    assert sandbox.messages(phone(1)) == []


def test_marketing_caps_skip_with_their_reasons(world, make_contacts, sandbox):
    # given a contact who got a campaign message now, another who got three this week
    fresh, busy = make_contacts(2)
    first = send(world, fresh, key="a1")
    s = world.session
    for i, days in enumerate((2, 3, 4)):
        s.add(
            OutboundMessage(
                store_id=world.store_id,
                contact_id=busy,
                purpose="marketing",
                kind="campaign",
                idempotency_key=f"old{i}",
                status=MessageStatus.READ,
                sent_at=clock.now() - timedelta(days=days),
                source_type="campaign",
            )
        )
    s.commit()
    # when both are sent another one
    second = send(world, fresh, key="a2")
    weekly = send(world, busy, key="b1")
    # then the caps refuse them with their reasons
    assert first.status == MessageStatus.SENT
    assert second.status_reason == "cap_24h"
    assert weekly.status_reason == "cap_7d"
    assert len(sandbox.messages(phone(1))) == 1
    assert sandbox.messages(phone(2)) == []


def test_cart_recovery_pauses_after_a_recent_order(world, make_contacts, sandbox):
    [cid] = make_contacts(last_order_at=clock.now() - timedelta(hours=3))
    row = send(world, cid, key="r1", kind=MessageKind.CART_RECOVERY)
    assert row.status_reason == "recent_order"
    assert sandbox.total() == 0


def test_quota_holds_marketing_until_next_month_but_transactional_goes_on(
    world, make_contacts, sandbox
):
    # given a Free store (500 a month) that has used 499 marketing messages this month
    s = world.session
    settings = world.settings_row()
    settings.plan = "free"
    s.commit()
    reserved = usage.reserve(session=s, store_id=world.store_id, want=499, now=clock.now())
    assert reserved.granted == 499
    s.commit()
    a, b = make_contacts(2, consents=("marketing", "transactional"))
    # when two marketing messages and an order update are sent
    first = send(world, a, key="m1")
    second = send(world, b, key="m2")
    order = send(world, b, key="t1", marketing=False)
    # then the 500th goes out; the 501st waits for the quota until the first instant of next
    # month in the store's time zone; the order update goes on and is not counted
    assert first.status == MessageStatus.SENT
    assert (second.status, second.status_reason) == (MessageStatus.SCHEDULED, "quota_exceeded")
    _, next_month = usage.period_bounds(clock.now(), "Europe/Istanbul")
    assert second.due_at == next_month
    assert order.status == MessageStatus.SENT
    assert usage.usage(session=s, store_id=world.store_id).used == 500


def test_meta_limit_defers_new_recipients_until_a_place_frees(world, make_contacts, sandbox):
    s = world.session
    world.settings_row().daily_recipient_tier = 2
    s.commit()
    a, b, c = make_contacts(3, consents=("transactional",))
    rows = [send(world, cid, key=f"t{cid}", marketing=False) for cid in (a, b, c)]
    clock.advance(7)  # past the pair-rate spacing
    again = send(world, a, key="t-again", marketing=False)
    assert [r.status for r in rows[:2]] == [MessageStatus.SENT, MessageStatus.SENT]
    assert (rows[2].status, rows[2].status_reason) == (
        MessageStatus.SCHEDULED,
        "daily_tier_exhausted",
    )
    assert rows[2].due_at == rows[0].sent_at + timedelta(hours=24)  # when a's place frees
    assert again.status == MessageStatus.SENT  # a recipient already counted costs no place
    assert window.store_window(s, store_id=world.store_id, now=clock.now()).available == 0


def test_two_messages_to_one_person_are_spaced_six_seconds(world, make_contacts, sandbox):
    [cid] = make_contacts(consents=("transactional",))
    rows = [
        enqueue(world, cid, key="o1", marketing=False),
        enqueue(world, cid, key="o2", marketing=False),
    ]
    drain_queue()
    s = world.session
    for row in rows:
        s.refresh(row)
    # then one went out and the other waits six seconds
    assert sorted((r.status, r.status_reason or "") for r in rows) == [
        (MessageStatus.SCHEDULED, "pair_rate"),
        (MessageStatus.SENT, ""),
    ]
    assert len(sandbox.messages(phone(1))) == 1
    clock.advance(7)
    run_tick()
    drain_queue()
    for row in rows:
        s.refresh(row)
    assert {r.status for r in rows} == {MessageStatus.SENT}
    assert len(sandbox.messages(phone(1))) == 2


def _advance_to_istanbul(hour: int) -> datetime:
    now = clock.now().astimezone(ISTANBUL)
    target = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    if target <= now:
        target += timedelta(days=1)
    clock.advance((target - now).total_seconds())
    return target


def test_a_message_due_at_23_in_istanbul_goes_out_at_09(world, make_contacts, sandbox):
    # given default quiet hours 21:00-09:00 and a contact in Istanbul
    s = world.session
    settings = world.settings_row()
    settings.quiet_hours_start, settings.quiet_hours_end = "21:00", "09:00"
    s.commit()
    [cid] = make_contacts(timezone="Europe/Istanbul")
    # when a campaign message falls due at 23:00 Istanbul time
    _advance_to_istanbul(23)
    row = send(world, cid, key="late")
    # then it is deferred to 09:00 Istanbul time, not dropped, and nothing went out
    assert (row.status, row.status_reason) == (MessageStatus.SCHEDULED, "quiet_hours")
    assert row.due_at.astimezone(ISTANBUL).hour == 9
    assert row.due_at.astimezone(ISTANBUL).minute == 0
    run_tick()
    drain_queue()
    assert sandbox.total() == 0
    # when the clock reaches 09:00 Istanbul and the tick runs
    _advance_to_istanbul(9)
    run_tick()
    drain_queue()
    # then it goes out at 09:00 Istanbul time
    s.refresh(row)
    assert row.status == MessageStatus.SENT
    assert row.sent_at.astimezone(ISTANBUL).hour == 9
    assert len(sandbox.messages(phone(1))) == 1


def test_quiet_hours_use_the_store_zone_when_the_contact_has_none():
    now = datetime(2026, 5, 17, 20, 30, tzinfo=UTC)  # 23:30 in Istanbul, 21:30 in London
    until = quiet_until(now, tz=zone(None, "Europe/Istanbul"), start="21:00", end="09:00")
    assert until == datetime(2026, 5, 18, 6, 0, tzinfo=UTC)
    assert quiet_until(now.replace(hour=10), tz=ISTANBUL, start="21:00", end="09:00") is None
    early = datetime(2026, 5, 17, 3, 0, tzinfo=UTC)  # 06:00 Istanbul: same-day 09:00
    assert quiet_until(early, tz=ISTANBUL, start="21:00", end="09:00") == datetime(
        2026, 5, 17, 6, 0, tzinfo=UTC
    )
    assert quiet_until(now, tz=ISTANBUL, start="13:00", end="15:00") is None


def test_order_updates_ignore_quiet_hours_by_default(world, make_contacts, sandbox):
    s = world.session
    settings = world.settings_row()
    settings.quiet_hours_start, settings.quiet_hours_end = "21:00", "09:00"
    s.commit()
    [cid] = make_contacts(consents=("transactional",), timezone="Europe/Istanbul")
    _advance_to_istanbul(23)
    row = send(world, cid, key="o1", marketing=False)
    assert row.status == MessageStatus.SENT


def test_explain_lists_reasons(world, make_contacts, sandbox):
    [cid] = make_contacts(consents=())
    send(world, cid, key="k1")
    rows = service.explain(world.session, store_id=world.store_id, contact_id=cid)
    assert [(r["status"], r["status_reason"]) for r in rows] == [("suppressed", "no_consent")]


def test_a_staff_test_send_reaches_the_phone_and_records_no_consent(world, sandbox):
    from plugin.consent.service import timeline
    from plugin.contacts.staff_numbers import set_staff_test_numbers
    from plugin.delivery import manual

    # given a staff member whose number is on the store's staff test list (and who wrote to the
    # shop, so a free text may go out)
    staff_phone = "+905559876543"
    set_staff_test_numbers(world.session, store_id=world.store_id, numbers=[staff_phone])
    row = manual.schedule_test_message(
        world.session, store_id=world.store_id, phone=staff_phone, text="Deneme", staff_user_id="U1"
    )
    contact = world.session.get(Contact, row.contact_id)
    contact.last_inbound_at = clock.now()
    world.session.commit()
    # when the engine runs
    run_tick(wait=True)
    drain_queue()
    world.session.refresh(row)
    # then the message went out, and the ledger holds nothing a flow or campaign would honour
    assert row.status in (MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.READ)
    assert [m["text"] for m in sandbox.messages(staff_phone)] == ["Deneme"]
    assert timeline(world.session, store_id=world.store_id, contact_id=contact.id) == []


def test_a_staff_test_goes_past_quiet_hours_caps_and_quota_but_only_to_a_staff_number(
    world, make_contacts, sandbox
):
    from plugin.contacts.staff_numbers import set_staff_test_numbers

    # given 23:00 in Istanbul, a used-up monthly quota, and two numbers that each got a campaign
    # message today: the staff member's (on the staff list) and a customer's (with consent)
    s = world.session
    settings = world.settings_row()
    settings.plan = "free"
    settings.quiet_hours_start, settings.quiet_hours_end = "21:00", "09:00"
    s.commit()
    staff, customer = make_contacts(2, timezone="Europe/Istanbul")
    set_staff_test_numbers(s, store_id=world.store_id, numbers=[phone(1)])
    s.commit()
    _advance_to_istanbul(10)
    for cid in (staff, customer):
        assert send(world, cid, key=f"earlier{cid}").status == MessageStatus.SENT
    _advance_to_istanbul(23)
    usage.reserve(session=s, store_id=world.store_id, want=500, now=clock.now())
    s.commit()
    # when a marketing test row falls due for each
    to_staff = send(world, staff, key="t1", kind=MessageKind.TEST)
    to_customer = send(world, customer, key="t2", kind=MessageKind.TEST)
    # then the staff number gets it at once; the customer's number gets no exemption
    assert (to_staff.status, to_staff.status_reason) == (MessageStatus.SENT, None)
    assert (to_customer.status, to_customer.status_reason) == (
        MessageStatus.SCHEDULED,
        "quiet_hours",
    )
    assert len(sandbox.messages(phone(1))) == 2
    assert len(sandbox.messages(phone(2))) == 1
    # and the test used no quota
    assert usage.usage(session=s, store_id=world.store_id).used == 500


def test_a_test_send_to_a_number_that_opted_out_is_refused(world, make_contacts, sandbox):
    from plugin.delivery import manual
    from plugin.errors import InvalidInput

    # given a customer who said STOP to everything
    [cid] = make_contacts(consents=())
    world.session.add(
        ConsentEvent(
            store_id=world.store_id,
            contact_id=cid,
            purpose=Purpose.TRANSACTIONAL,
            action=ConsentAction.REVOKED,
            source=ConsentSource.WHATSAPP_KEYWORD,
        )
    )
    world.session.commit()
    # when staff put her number on the staff test list and try to "test" on it
    from plugin.contacts.staff_numbers import set_staff_test_numbers

    set_staff_test_numbers(world.session, store_id=world.store_id, numbers=[phone(1)])
    world.session.commit()
    with pytest.raises(InvalidInput) as info:
        manual.schedule_test_message(
            world.session, store_id=world.store_id, phone=phone(1), text="Deneme"
        )
    # then it is refused and nothing is queued
    assert [e.code for e in info.value.errors] == ["NOT_ALLOWED"]
    world.session.rollback()
    assert world.session.exec(sa.select(OutboundMessage)).all() == []

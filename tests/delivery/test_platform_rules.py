"""Meta's platform rules at send time, through the sandbox: usernames (BSUID recipients),
the Marketing Messages API after a 131063, the per-user marketing limit (131049) fed back
into targeting, and marketing to United States numbers (docs/delivery.md, "Platform rules")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from plugin import clock
from plugin.consent.models import ConsentAction, ConsentEvent, ConsentSource, Purpose
from plugin.contacts.models import Contact, PhoneStatus
from plugin.delivery.models import MessageStatus, OutboundMessage
from plugin.delivery.pace import reset_pacers
from plugin.templates.models import MessageTemplate, TemplateCategory, TemplateStatus
from plugin.whatsapp.accounts import WhatsAppAccount
from tests.delivery.conftest import PNID, WABA, phone
from tests.delivery.test_policy import send
from tests.support import drain_queue

pytestmark = pytest.mark.sqlite

GERMAN_USER = "DE.48291038475610293847"
TURKISH_USER = "TR.11815799212886844830"


def username_contact(world, bsuid: str, consents=("marketing",)) -> int:
    from tests.delivery.conftest import add_contacts

    [cid] = add_contacts(world.session, world.store_id, 1, first=900, consents=consents)
    contact = world.session.get(Contact, cid)
    contact.phone_e164, contact.phone_status, contact.bsuid = None, PhoneStatus.MISSING, bsuid
    world.session.add(contact)
    world.session.commit()
    return cid


def test_a_username_customer_gets_an_order_update_addressed_by_their_bsuid(world, sandbox):
    # given a customer known only by a business-scoped user id (no phone number)
    cid = username_contact(world, GERMAN_USER, consents=("transactional",))
    # when an order update goes out
    row = send(world, cid, key="order", marketing=False)
    # then it is sent (not suppressed as invalid_phone) and reaches that user by `recipient`
    assert row.status == MessageStatus.SENT
    [message] = sandbox.sandbox.list_messages(GERMAN_USER)
    assert (message["to"], message["user_id"]) == (None, GERMAN_USER)
    assert message["template_name"] == "order_update"


def test_a_contact_with_neither_number_nor_bsuid_is_still_invalid_phone(world, sandbox):
    cid = username_contact(world, GERMAN_USER, consents=("transactional",))
    contact = world.session.get(Contact, cid)
    contact.bsuid = None
    world.session.add(contact)
    world.session.commit()
    row = send(world, cid, key="order", marketing=False)
    assert (row.status, row.status_reason) == (MessageStatus.SUPPRESSED, "invalid_phone")
    assert sandbox.total() == 0


def test_an_authentication_template_never_goes_to_a_bsuid(world, sandbox):
    # given an approved authentication template and a username-only customer
    sandbox.sandbox.add_template(
        waba_id=WABA,
        name="login_code",
        language="tr",
        category="AUTHENTICATION",
        components=[{"type": "BODY", "text": "Kodunuz {{1}}"}],
    )
    world.session.add(
        MessageTemplate(
            store_id=world.store_id,
            name="login_code",
            language="tr",
            category=TemplateCategory.AUTHENTICATION,
            status=TemplateStatus.APPROVED,
        )
    )
    world.session.commit()
    cid = username_contact(world, GERMAN_USER, consents=("transactional",))
    from plugin.delivery import service

    row = service.enqueue_message(
        world.session,
        store_id=world.store_id,
        contact_id=cid,
        purpose="transactional",
        kind="order_update",
        idempotency_key="otp",
        template_name="login_code",
        template_language="tr",
        parameters={
            "components": [{"type": "body", "parameters": [{"type": "text", "text": "1"}]}]
        },
        source_type="test",
    )
    world.session.commit()
    drain_queue()
    world.session.refresh(row)
    # then it waits for a number instead of being sent to the BSUID (Meta answers 131062)
    assert (row.status, row.status_reason) == (MessageStatus.SUPPRESSED, "phone_required")
    assert sandbox.total() == 0


def test_a_turkish_username_customer_gets_marketing_only_after_sharing_a_number(world, sandbox):
    # given a Turkish username-only customer with marketing consent, and a German one
    turkish = username_contact(world, TURKISH_USER)
    german = username_contact(world, GERMAN_USER)
    # when a campaign message goes to each
    held = send(world, turkish, key="c-tr")
    sent = send(world, german, key="c-de")
    # then the Turkish one waits for a number (İYS keys commercial consent by phone) ...
    assert (held.status, held.status_reason) == (MessageStatus.SUPPRESSED, "phone_required")
    assert sandbox.sandbox.list_messages(TURKISH_USER) == []
    # ... while the German one receives it by BSUID
    assert sent.status == MessageStatus.SENT
    assert [m["template_name"] for m in sandbox.sandbox.list_messages(GERMAN_USER)] == [
        "cart_promo"
    ]
    # and once the Turkish customer's number is known, marketing reaches it
    contact = world.session.get(Contact, turkish)
    contact.phone_e164, contact.phone_status = "+905321112233", PhoneStatus.VALID
    world.session.add(contact)
    world.session.commit()
    later = send(world, turkish, key="c-tr-2")
    assert later.status == MessageStatus.SENT
    assert len(sandbox.messages("+905321112233")) == 1


def test_marketing_to_a_united_states_number_is_suppressed_but_canada_still_gets_it(
    world, make_contacts, sandbox
):
    us, canada = make_contacts(2)
    for cid, number in ((us, "+12025550123"), (canada, "+14165550123")):
        contact = world.session.get(Contact, cid)
        contact.phone_e164 = number
        world.session.add(contact)
    world.session.commit()
    blocked = send(world, us, key="c-us")
    delivered = send(world, canada, key="c-ca")
    assert (blocked.status, blocked.status_reason) == (
        MessageStatus.SUPPRESSED,
        "us_marketing_blocked",
    )
    assert delivered.status == MessageStatus.SENT
    assert sandbox.messages("+12025550123") == []
    assert len(sandbox.messages("+14165550123")) == 1
    # an order update to the US number still goes out (only marketing is not delivered there)
    world.session.add(
        ConsentEvent(
            store_id=world.store_id,
            contact_id=us,
            purpose=Purpose.TRANSACTIONAL,
            action=ConsentAction.GRANTED,
            source=ConsentSource.CHECKOUT,
        )
    )
    world.session.commit()
    assert send(world, us, key="o-us", marketing=False).status == MessageStatus.SENT


def test_131049_is_final_and_rests_the_contact_from_marketing(world, make_contacts, sandbox):
    # given Meta's per-user marketing limit for this customer
    [cid] = make_contacts(consents=("marketing", "transactional"))
    sandbox.sandbox.set_faults({"recipient_errors": {phone(1): 131049}})
    # when a campaign message goes out
    first = send(world, cid, key="c1")
    # then it fails once, for good: no retry later
    assert (first.status, first.status_reason) == (MessageStatus.FAILED, "not_delivered_today")
    assert first.attempts == 1
    # and the next marketing message is left out before any call, for the configured days
    sandbox.sandbox.set_faults({"recipient_errors": {}})
    second = send(world, cid, key="c2")
    assert (second.status, second.status_reason) == (
        MessageStatus.SUPPRESSED,
        "marketing_limit_rest",
    )
    assert sandbox.messages(phone(1)) == []
    # while an order update still reaches the customer (past Meta's 6-second pair spacing)
    reset_pacers()
    update = send(world, cid, key="o1", marketing=False)
    assert update.status == MessageStatus.SENT
    # and after the rest (7 days by default) marketing resumes
    contact = world.session.get(Contact, cid)
    world.session.refresh(contact)
    contact.marketing_limited_at = clock.now() - timedelta(days=8)
    world.session.add(contact)
    world.session.commit()
    reset_pacers()
    assert send(world, cid, key="c3").status == MessageStatus.SENT


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (130472, "marketing_experiment"),
        (130497, "country_restricted"),
    ],
)
def test_experiment_and_country_errors_are_final_for_the_row(
    world, make_contacts, sandbox, code, reason
):
    [cid] = make_contacts()
    sandbox.sandbox.set_faults({"recipient_errors": {phone(1): code}})
    row = send(world, cid, key="c1")
    assert (row.status, row.status_reason, row.error_code) == (MessageStatus.FAILED, reason, code)
    assert row.attempts == 1


def test_a_131063_switches_the_number_to_the_mm_api_and_sends_each_message_once(
    world, make_contacts, sandbox
):
    # given a business whose marketing is off on the Cloud API, onboarded to the MM API
    number = sandbox.sandbox.numbers[PNID]
    number.marketing_on_cloud_api, number.mm_api_onboarded = False, True
    a, b = make_contacts(2)
    # when a campaign message goes out, then another
    first = send(world, a, key="c-a")
    second = send(world, b, key="c-b")
    # then each reached the phone exactly once, through /marketing_messages
    assert first.status == second.status == MessageStatus.SENT
    for i in (1, 2):
        assert [m["endpoint"] for m in sandbox.messages(phone(i))] == ["marketing_messages"]
    # and the number now sends marketing through the MM API (no 131063 round trip)
    account = world.session.get(WhatsAppAccount, world.account_id)
    world.session.refresh(account)
    assert account.use_marketing_endpoint is True
    # while an order update still goes through /messages (past the 6-second pair spacing)
    reset_pacers()
    update = send(world, a, key="o-a", marketing=False)
    assert update.status == MessageStatus.SENT
    assert [m["endpoint"] for m in sandbox.messages(phone(1))] == [
        "marketing_messages",
        "messages",
    ]
    rows = world.session.exec(select(OutboundMessage.attempts)).all()
    assert set(rows) == {1}


def test_an_erased_username_customer_who_writes_again_is_still_not_messaged(world, sandbox):
    from plugin.events.privacy import erase_contact, export_contact

    # given a username-only customer whose data export names their BSUID
    cid = username_contact(world, GERMAN_USER, consents=("transactional",))
    exported = export_contact(world.session, store_id=world.store_id, contact_id=cid)
    assert exported["contact"]["bsuid"] == GERMAN_USER
    # when they ask to be erased, and later write to the store again (a new contact)
    erase_contact(world.session, store_id=world.store_id, contact_id=cid)
    world.session.commit()
    again = username_contact(world, GERMAN_USER, consents=("transactional",))
    # then nothing goes to them: the BSUID is on the suppression list like a number would be
    row = send(world, again, key="after-erase", marketing=False)
    assert (row.status, row.status_reason) == (MessageStatus.SUPPRESSED, "suppressed")
    assert sandbox.sandbox.list_messages(GERMAN_USER) == []

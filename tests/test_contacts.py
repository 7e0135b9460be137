"""Contacts from Saleor: through the signed webhook routes, and the upsert rules."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlmodel import select

from plugin.consent.models import ConsentAction, ConsentEvent, ConsentSource, Purpose
from plugin.contacts import service
from plugin.contacts.models import Contact, ContactOrder, PhoneStatus
from plugin.delivery.models import MessageKind, OutboundMessage
from plugin.inbox.models import InboxEvent, InboxStatus
from plugin.saleor.payloads import Checkout, Order
from tests.factories import make_store
from tests.support import drain_queue, saleor_body, saleor_headers

pytestmark = pytest.mark.sqlite

CONSENT = {
    "marketing": True,
    "transactional": True,
    "text_version": "2026-11",
    "text": "WhatsApp ile kampanya mesajları almak istiyorum.",
}


def _post(client, api_url, event, body, signature):
    return client.post(
        f"/api/webhooks/saleor/{event.replace('_', '-')}",
        content=body,
        headers={
            "content-type": "application/json",
            "saleor-event": event,
            "saleor-signature": signature,
            "saleor-api-url": api_url,
        },
    )


def _signed_post(client, installed_store, saleor_key, event, payload):
    body = json.dumps(payload).encode()
    response = _post(client, installed_store["api_url"], event, body, saleor_key.sign_body(body))
    assert response.status_code == 200, response.text
    return response


def _with_consent(name, holder, consent=CONSENT):
    payload = json.loads(saleor_body(name))
    payload[holder]["metafields"] = {"ulak.consent": json.dumps(consent)}
    return payload


def test_real_checkout_with_consent_metadata_creates_a_contact_and_ledger_entries(
    client, installed_store, session, saleor_key
):
    # given Saleor's real CHECKOUT_UPDATED body with the storefront's consent metadata
    payload = _with_consent("CHECKOUT_UPDATED", "checkout")
    # when it arrives signed and the worker runs
    _signed_post(client, installed_store, saleor_key, "checkout_updated", payload)
    drain_queue()
    # then one contact for the billing number, with its profile
    session.expire_all()
    [contact] = session.exec(select(Contact)).all()
    assert contact.phone_e164 == "+12125550199"
    assert contact.phone_status == PhoneStatus.VALID
    assert contact.email == "john.smith+updated@example.com"
    assert (contact.first_name, contact.last_name) == ("John", "Smith")
    assert contact.country == "US"
    assert contact.timezone == "America/New_York"
    assert contact.last_checkout_at.isoformat() == "2026-11-24T20:10:56.434940+00:00"
    # and the ledger holds transactional granted, marketing requested, with evidence
    events = session.exec(select(ConsentEvent).order_by(ConsentEvent.id)).all()
    assert [(e.purpose, e.action, e.source) for e in events] == [
        (Purpose.TRANSACTIONAL, ConsentAction.GRANTED, ConsentSource.CHECKOUT),
        (Purpose.MARKETING, ConsentAction.REQUESTED, ConsentSource.CHECKOUT),
    ]
    assert events[1].evidence["checkout_id"] == payload["checkout"]["id"]
    assert events[1].text_version == "2026-11"
    # and the opt-in request is scheduled (dev-mode cart recovery adds its own rows)
    [message] = session.exec(
        select(OutboundMessage).where(OutboundMessage.source_type != "flow")
    ).all()
    assert message.kind == MessageKind.OPTIN_REQUEST
    assert [r.status for r in session.exec(select(InboxEvent)).all()] == [InboxStatus.PROCESSED]


def test_real_captured_webhooks_all_feed_one_contact_and_count_the_order_once(
    client, installed_store, session
):
    # given the real deliveries of one shopping session (checkout, order created, paid)
    for name in ("CHECKOUT_CREATED", "CHECKOUT_UPDATED", "ORDER_CREATED", "ORDER_FULLY_PAID"):
        headers = saleor_headers(name)
        response = _post(
            client,
            installed_store["api_url"],
            headers["saleor-event"],
            saleor_body(name),
            headers["saleor-signature"],
        )
        assert response.status_code == 200, response.text
    # when the worker runs
    drain_queue()
    # then one contact, with the order counted once although two order events came
    session.expire_all()
    contacts = session.exec(select(Contact).where(Contact.phone_e164 == "+12125550199")).all()
    assert len(contacts) == 1
    assert contacts[0].orders_count == 1
    assert contacts[0].total_spent == {"USD": "40.00"}
    assert contacts[0].first_order_at == contacts[0].last_order_at
    assert len(session.exec(select(ContactOrder)).all()) == 1
    # no metadata: no consent recorded
    assert session.exec(select(ConsentEvent)).all() == []


def test_real_customer_created_makes_a_contact_with_locale(client, installed_store, session):
    headers = saleor_headers("CUSTOMER_CREATED")
    _post(
        client,
        installed_store["api_url"],
        "customer_created",
        saleor_body("CUSTOMER_CREATED"),
        headers["saleor-signature"],
    )
    drain_queue()
    session.expire_all()
    [contact] = session.exec(select(Contact)).all()
    assert contact.phone_e164 == "+12025550123"
    assert contact.saleor_user_id == "VXNlcjo0Ng=="
    assert contact.locale == "en"
    assert (contact.first_name, contact.email) == ("Jane", "jane.doe@example.com")


def _checkout(**overrides):
    data = {
        "id": "Q2hlY2tvdXQ6MQ==",
        "email": "ayse@example.com",
        "languageCode": "TR_TR",
        "billingAddress": {
            "firstName": "Ayşe",
            "lastName": "Yılmaz",
            "phone": "0532 123 45 67",
            "country": {"code": "TR"},
        },
    }
    data.update(overrides)
    return Checkout.model_validate(data)


def _order(order_id="T3JkZXI6MQ==", amount="100.50", status="UNFULFILLED", phone="05321234567"):
    return Order.model_validate(
        {
            "id": order_id,
            "created": "2026-11-20T10:00:00+00:00",
            "status": status,
            "userEmail": "ayse@example.com",
            "billingAddress": {"phone": phone, "country": {"code": "TR"}},
            "total": {"gross": {"amount": amount, "currency": "TRY"}},
        }
    )


def test_a_turkish_checkout_is_normalised_with_locale_and_zone(session):
    store = make_store(session)
    contact = service.upsert_from_checkout(session=session, store=store, checkout=_checkout())
    assert contact.phone_e164 == "+905321234567"
    assert contact.phone_raw == "0532 123 45 67"
    assert (contact.locale, contact.country, contact.timezone) == ("tr", "TR", "Europe/Istanbul")


def test_a_number_without_country_uses_the_store_region(session):
    store = make_store(session, default_region="TR")
    checkout = _checkout(billingAddress={"phone": "5321234567"})
    contact = service.upsert_from_checkout(session=session, store=store, checkout=checkout)
    assert contact.phone_e164 == "+905321234567"


def test_an_invalid_number_is_kept_with_its_reason(session):
    store = make_store(session)
    checkout = _checkout(billingAddress={"phone": "12", "country": {"code": "TR"}})
    contact = service.upsert_from_checkout(session=session, store=store, checkout=checkout)
    assert contact.id is not None
    assert (contact.phone_e164, contact.phone_raw) == (None, "12")
    assert (contact.phone_status, contact.phone_invalid_reason) == (
        PhoneStatus.INVALID,
        "too_short",
    )
    # the same shopper later types a valid number: the same contact gets it
    again = service.upsert_from_checkout(session=session, store=store, checkout=_checkout())
    assert again.id == contact.id
    assert (again.phone_e164, again.phone_status, again.phone_invalid_reason) == (
        "+905321234567",
        PhoneStatus.VALID,
        None,
    )


def test_the_shipping_number_is_used_when_billing_has_none(session):
    store = make_store(session)
    checkout = _checkout(
        billingAddress={"phone": "", "country": {"code": "TR"}},
        shippingAddress={"phone": "+90 533 765 43 21", "country": {"code": "TR"}},
    )
    contact = service.upsert_from_checkout(session=session, store=store, checkout=checkout)
    assert contact.phone_e164 == "+905337654321"


def test_a_checkout_that_identifies_nobody_makes_no_contact(session):
    store = make_store(session)
    checkout = Checkout.model_validate({"id": "Q2hlY2tvdXQ6Mg=="})
    assert service.upsert_from_checkout(session=session, store=store, checkout=checkout) is None
    assert session.exec(select(Contact)).all() == []


def test_order_figures_are_incremental_idempotent_and_per_currency(session):
    store = make_store(session)
    first = _order("T3JkZXI6MQ==", "100.50")
    # the same order from ORDER_CREATED, ORDER_FULLY_PAID and a redelivery
    for _ in range(3):
        contact = service.upsert_from_order(session=session, store=store, order=first)
    service.upsert_from_order(session=session, store=store, order=_order("T3JkZXI6Mg==", "20"))
    usd = Order.model_validate(
        {
            **first.model_dump(by_alias=True),
            "id": "T3JkZXI6Mw==",
            "total": {"gross": {"amount": "5", "currency": "USD"}},
        }
    )
    service.upsert_from_order(session=session, store=store, order=usd)
    assert contact.orders_count == 3
    assert contact.total_spent == {"TRY": "120.50", "USD": "5.00"}
    # a cancellation takes the order out once
    cancelled = _order("T3JkZXI6Mg==", "20", status="CANCELED")
    for _ in range(2):
        service.upsert_from_order(session=session, store=store, order=cancelled)
    assert contact.orders_count == 2
    assert Decimal(contact.total_spent["TRY"]) == Decimal("100.50")


def test_contact_for_phone_finds_or_creates(session):
    store = make_store(session)
    created = service.contact_for_phone(session, store_id=store.id, phone_e164="+905321234567")
    assert created.timezone == "Europe/Istanbul"
    same = service.contact_for_phone(session, store_id=store.id, phone_e164="+905321234567")
    assert same.id == created.id
    assert (
        service.contact_for_phone(
            session, store_id=store.id, phone_e164="+905329999999", create=False
        )
        is None
    )


def test_list_contacts_searches_number_email_and_name(session):
    store = make_store(session)
    service.upsert_from_checkout(session=session, store=store, checkout=_checkout())
    service.upsert_from_checkout(
        session=session,
        store=store,
        checkout=_checkout(
            id="Q2hlY2tvdXQ6OQ==",
            email="mehmet@example.com",
            billingAddress={
                "firstName": "Mehmet",
                "phone": "05337654321",
                "country": {"code": "TR"},
            },
        ),
    )

    def names(term):
        return [c.email for c in service.list_contacts(session, store_id=store.id, search=term)]

    assert names("0532 123 45 67") == ["ayse@example.com"]
    assert names("mehmet") == ["mehmet@example.com"]
    assert names("AYSE@") == ["ayse@example.com"]
    assert names(None) == ["mehmet@example.com", "ayse@example.com"]


def test_a_number_another_writer_stored_first_is_that_writers_contact(session):
    # given a contact another writer stored for a number after this one looked it up
    store = make_store(session)
    theirs = Contact(store_id=store.id, phone_e164="+905321112233", phone_status="valid")
    session.add(theirs)
    session.flush()
    # when this writer inserts its own contact for the same number
    mine = service._insert_contact(
        session, Contact(store_id=store.id, phone_e164="+905321112233", first_name="Ayşe")
    )
    # then it gets the stored one, and no second row
    assert mine.id == theirs.id
    assert len(session.exec(select(Contact).where(Contact.store_id == store.id)).all()) == 1

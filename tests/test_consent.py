"""The consent ledger: derivation, double opt-in, one-step opt-out, every source."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from plugin import clock
from plugin.consent import answers, service
from plugin.consent import state as consent_state
from plugin.consent.answers import InboundOutcome
from plugin.consent.keywords import OPTIN_YES_PAYLOAD, RESUME_PAYLOAD, STOP_PAYLOAD
from plugin.consent.models import ConsentAction, ConsentEvent, ConsentSource, Purpose
from plugin.delivery.models import (
    MessageKind,
    MessagePurpose,
    MessageStatus,
    OutboundMessage,
)
from plugin.events import replies
from plugin.events import saleor as saleor_events
from plugin.stores.models import DEFAULT_OPTOUT_KEYWORDS
from tests.factories import make_contact, make_store

pytestmark = pytest.mark.sqlite

WEB_CONSENT = {
    "marketing": True,
    "transactional": True,
    "text_version": "v3",
    "text": "Kampanyalardan WhatsApp ile haberdar olmak istiyorum.",
}


def _events(session, contact):
    return session.exec(
        select(ConsentEvent).where(ConsentEvent.contact_id == contact.id).order_by(ConsentEvent.id)
    ).all()


def _outbound(session, contact):
    return session.exec(
        select(OutboundMessage)
        .where(OutboundMessage.contact_id == contact.id)
        .order_by(OutboundMessage.id)
    ).all()


def _marketing(session, contact):
    return service.current_state(session, contact=contact, purpose=Purpose.MARKETING)


def _inbound(session, store, contact, *, text=None, button=None, wamid="wamid.1"):
    return replies.consent_answer(
        session=session,
        store=store,
        contact=contact,
        text=text,
        button_payload=button,
        wamid=wamid,
        received_at=clock.now(),
    )


def _web_request(session, contact, key="checkout:Q2hlY2tvdXQ6MQ=="):
    return saleor_events.capture_consent(
        session=session,
        contact=contact,
        consent=WEB_CONSENT,
        source=ConsentSource.CHECKOUT,
        capture_key=key,
        evidence={"checkout_id": key},
    )


def test_no_fact_means_no_consent(session):
    store = make_store(session)
    contact = make_contact(session, store)
    state = _marketing(session, contact)
    assert (state.action, state.granted, state.at, state.source) == (None, False, None, None)


def test_the_state_is_the_last_fact_by_time_not_by_insertion(session):
    # given a STOP today and, imported later, a grant from last year
    store = make_store(session)
    contact = make_contact(session, store)
    now = clock.now()
    for action, at in (
        (ConsentAction.REVOKED, now),
        (ConsentAction.GRANTED, now - timedelta(days=365)),
    ):
        service.record(
            session,
            contact=contact,
            purpose=Purpose.MARKETING,
            action=action,
            source=ConsentSource.CSV_IMPORT,
            occurred_at=at,
        )
    # then the STOP still holds; transactional is untouched
    state = _marketing(session, contact)
    assert (state.action, state.granted) == (ConsentAction.REVOKED, False)
    transactional = service.current_state(session, contact=contact, purpose=Purpose.TRANSACTIONAL)
    assert transactional.action is None


def test_granted_contact_ids_for_a_batch(session):
    store = make_store(session)
    granted = make_contact(session, store, "+905321111111")
    revoked = make_contact(session, store, "+905322222222")
    requested = make_contact(session, store, "+905323333333")
    nothing = make_contact(session, store, "+905324444444")
    for contact, actions in (
        (granted, [ConsentAction.REQUESTED, ConsentAction.GRANTED]),
        (revoked, [ConsentAction.GRANTED, ConsentAction.REVOKED]),
        (requested, [ConsentAction.REQUESTED]),
    ):
        for action in actions:
            service.record(
                session,
                contact=contact,
                purpose=Purpose.MARKETING,
                action=action,
                source=ConsentSource.ADMIN,
            )
    ids = [granted.id, revoked.id, requested.id, nothing.id]
    assert consent_state.allowed_contact_ids(
        session, store_id=store.id, contact_ids=ids, purpose=Purpose.MARKETING
    ) == {granted.id}
    # a marketing grant also allows order updates (the send path's rule, now the only one)
    assert consent_state.allowed_contact_ids(
        session, store_id=store.id, contact_ids=ids, purpose=Purpose.TRANSACTIONAL
    ) == {granted.id}


def test_a_web_grant_is_only_requested_and_an_optin_request_is_scheduled(session):
    # given a checkout with both boxes ticked
    store = make_store(session)
    contact = make_contact(session, store, locale="en")
    # when it is captured
    events = _web_request(session, contact)
    # then transactional is granted, marketing only requested
    assert [(e.purpose, e.action, e.source) for e in events] == [
        (Purpose.TRANSACTIONAL, ConsentAction.GRANTED, ConsentSource.CHECKOUT),
        (Purpose.MARKETING, ConsentAction.REQUESTED, ConsentSource.CHECKOUT),
    ]
    request = events[1]
    assert request.text == WEB_CONSENT["text"]
    assert request.text_version == "v3"
    assert request.text_hash == service.text_hash(WEB_CONSENT["text"])
    assert _marketing(session, contact).granted is False
    # and one opt-in request waits for the delivery worker
    [message] = _outbound(session, contact)
    assert message.kind == MessageKind.OPTIN_REQUEST
    assert message.purpose == MessagePurpose.TRANSACTIONAL
    assert message.status in MessageStatus.waiting()  # due now: queued at commit
    assert message.template_name == "ulak_optin_request"
    assert message.template_language == "en"
    assert message.idempotency_key == f"optin:{contact.id}:{request.id}"
    assert [b["payload"] for b in message.parameters["buttons"]] == [
        OPTIN_YES_PAYLOAD,
        STOP_PAYLOAD,
    ]


def test_the_same_checkout_captured_again_adds_nothing_even_after_a_stop(session):
    store = make_store(session)
    contact = make_contact(session, store)
    _web_request(session, contact)
    assert _inbound(session, store, contact, text="DUR") == InboundOutcome.OPTED_OUT
    before = len(_events(session, contact))
    # when the same checkout is updated (Saleor sends CHECKOUT_UPDATED again)
    assert _web_request(session, contact) == []
    # then no new fact and no new opt-in request
    assert len(_events(session, contact)) == before
    assert [m.kind for m in _outbound(session, contact)] == [
        MessageKind.OPTIN_REQUEST,
        MessageKind.SERVICE_REPLY,
    ]


@pytest.mark.parametrize(
    ("text", "button", "source"),
    [
        ("EVET", None, ConsentSource.WHATSAPP_KEYWORD),
        ("evet!", None, ConsentSource.WHATSAPP_KEYWORD),
        ("Yes", None, ConsentSource.WHATSAPP_KEYWORD),
        (None, OPTIN_YES_PAYLOAD, ConsentSource.BUTTON_REPLY),
    ],
)
def test_the_reply_confirms_the_request(session, text, button, source):
    store = make_store(session)
    contact = make_contact(session, store)
    request = _web_request(session, contact)[1]
    # when the customer answers
    outcome = _inbound(session, store, contact, text=text, button=button, wamid="wamid.YES")
    # then marketing is granted with the reply as evidence
    assert outcome == InboundOutcome.OPTIN_CONFIRMED
    state = _marketing(session, contact)
    assert (state.action, state.granted, state.source) == (ConsentAction.GRANTED, True, source)
    grant = _events(session, contact)[-1]
    assert grant.evidence["wamid"] == "wamid.YES"
    assert grant.evidence["request_event_id"] == request.id
    assert contact.last_inbound_at is not None


def test_a_store_word_also_confirms(session):
    store = make_store(session, optin_keywords=["EVET", "YES", "TAMAM"])
    contact = make_contact(session, store)
    _web_request(session, contact)
    assert _inbound(session, store, contact, text="tamam") == InboundOutcome.OPTIN_CONFIRMED


def test_yes_without_a_pending_request_is_just_a_message(session):
    store = make_store(session)
    contact = make_contact(session, store)
    assert _inbound(session, store, contact, text="evet") == InboundOutcome.NONE
    assert _events(session, contact) == []


# the last two: STOP in Greek and Cyrillic look-alike letters with a zero for the O
@pytest.mark.parametrize("keyword", [*DEFAULT_OPTOUT_KEYWORDS, "ЅΤ0Р", "ѕтор!"])
def test_every_stop_keyword_revokes_suppresses_queued_marketing_and_confirms_once(session, keyword):
    # given a granted contact with a queued campaign message and a scheduled order update
    store = make_store(session)
    contact = make_contact(session, store, locale="tr")
    service.record(
        session,
        contact=contact,
        purpose=Purpose.MARKETING,
        action=ConsentAction.GRANTED,
        source=ConsentSource.ADMIN,
    )
    for key, purpose, status in (
        ("campaign:1", MessagePurpose.MARKETING, MessageStatus.QUEUED),
        ("recovery:1", MessagePurpose.MARKETING, MessageStatus.SCHEDULED),
        ("campaign:0", MessagePurpose.MARKETING, MessageStatus.SENT),
        ("order:1", MessagePurpose.TRANSACTIONAL, MessageStatus.SCHEDULED),
    ):
        session.add(
            OutboundMessage(
                store_id=store.id,
                contact_id=contact.id,
                purpose=purpose,
                kind=MessageKind.CAMPAIGN,
                idempotency_key=key,
                status=status,
            )
        )
    session.flush()
    # when the customer writes the keyword in lower case with punctuation
    outcome = _inbound(session, store, contact, text=f" {keyword.lower()}! ", wamid="wamid.STOP")
    # then marketing is revoked with the message as evidence
    assert outcome == InboundOutcome.OPTED_OUT
    state = _marketing(session, contact)
    assert (state.action, state.source) == (ConsentAction.REVOKED, ConsentSource.WHATSAPP_KEYWORD)
    assert _events(session, contact)[-1].evidence["wamid"] == "wamid.STOP"
    # and what was not sent yet is suppressed at once; sent and transactional rows are not
    session.expire_all()
    by_key = {m.idempotency_key: m for m in _outbound(session, contact)}
    assert (by_key["campaign:1"].status, by_key["campaign:1"].status_reason) == (
        MessageStatus.SUPPRESSED,
        "consent_revoked",
    )
    assert by_key["recovery:1"].status == MessageStatus.SUPPRESSED
    assert by_key["campaign:0"].status == MessageStatus.SENT
    assert by_key["order:1"].status == MessageStatus.SCHEDULED
    # and one confirmation in Turkish says how to rejoin
    [reply] = [m for m in by_key.values() if m.kind == MessageKind.SERVICE_REPLY]
    assert reply.purpose == MessagePurpose.TRANSACTIONAL
    assert "BAŞLA" in reply.text
    # a second STOP records nothing and sends nothing
    assert _inbound(session, store, contact, text=keyword, wamid="wamid.STOP2") == (
        InboundOutcome.OPTED_OUT
    )
    assert len([m for m in _outbound(session, contact) if m.kind == "service_reply"]) == 1
    assert sum(1 for e in _events(session, contact) if e.action == ConsentAction.REVOKED) == 1


def test_the_stop_button_revokes_and_replies_in_english(session):
    store = make_store(session)
    contact = make_contact(session, store, "+447700900123", locale="en")
    outcome = _inbound(session, store, contact, button=STOP_PAYLOAD)
    assert outcome == InboundOutcome.OPTED_OUT
    assert _marketing(session, contact).source == ConsentSource.BUTTON_REPLY
    [reply] = _outbound(session, contact)
    assert "START" in reply.text


@pytest.mark.parametrize(
    ("text", "button"), [("BAŞLA", None), ("start", None), (None, RESUME_PAYLOAD)]
)
def test_start_grants_again_with_its_own_evidence_and_confirms(session, text, button):
    store = make_store(session)
    contact = make_contact(session, store)
    _inbound(session, store, contact, text="STOP", wamid="wamid.a")
    outcome = _inbound(session, store, contact, text=text, button=button, wamid="wamid.b")
    assert outcome == InboundOutcome.RESUMED
    state = _marketing(session, contact)
    assert state.granted is True
    assert _events(session, contact)[-1].evidence["wamid"] == "wamid.b"
    assert [m.idempotency_key.split(":")[0] for m in _outbound(session, contact)] == [
        "optout",
        "resume",
    ]


def test_meta_user_preferences_stop_and_resume(session):
    store = make_store(session)
    contact = make_contact(session, store)
    # a resume with no earlier grant is not a consent
    assert (
        answers.handle_marketing_preference(
            session=session,
            store=store,
            contact=contact,
            value="resume",
            wamid=None,
            at=clock.now(),
        )
        == InboundOutcome.NONE
    )
    service.record(
        session,
        contact=contact,
        purpose=Purpose.MARKETING,
        action=ConsentAction.GRANTED,
        source=ConsentSource.ADMIN,
    )
    assert (
        answers.handle_marketing_preference(
            session=session, store=store, contact=contact, value="stop", wamid=None, at=clock.now()
        )
        == InboundOutcome.OPTED_OUT
    )
    assert _marketing(session, contact).source == ConsentSource.META_PREFERENCES
    assert _outbound(session, contact) == []  # Meta confirms to the customer itself
    assert (
        answers.handle_marketing_preference(
            session=session,
            store=store,
            contact=contact,
            value="resume",
            wamid=None,
            at=clock.now(),
        )
        == InboundOutcome.RESUMED
    )
    assert _marketing(session, contact).granted is True


def test_error_131050_revokes_marketing(session):
    store = make_store(session)
    contact = make_contact(session, store)
    service.record(
        session,
        contact=contact,
        purpose=Purpose.MARKETING,
        action=ConsentAction.GRANTED,
        source=ConsentSource.ADMIN,
    )
    event = answers.handle_opt_out_error(
        session=session, store=store, contact=contact, wamid="wamid.failed"
    )
    assert event.source == ConsentSource.META_ERROR
    assert event.evidence == {"wamid": "wamid.failed", "error_code": 131050}
    assert _marketing(session, contact).granted is False


def test_an_unconfirmed_request_lapses_after_the_store_period(session):
    store = make_store(session)
    old = make_contact(session, store, "+905321111111")
    recent = make_contact(session, store, "+905322222222")
    _web_request(session, old, key="checkout:old")
    clock.advance(6 * 86400)
    _web_request(session, recent, key="checkout:recent")
    clock.advance(1 * 86400 + 60)
    # when the tick runs 7 days after the first request
    lapsed = service.lapse_requests(session=session)
    # then only that one lapses, once
    assert lapsed == 1
    assert _marketing(session, old).action == ConsentAction.LAPSED
    assert _marketing(session, recent).action == ConsentAction.REQUESTED
    assert service.lapse_requests(session=session) == 0
    # a late YES no longer confirms
    assert _inbound(session, store, old, text="EVET") == InboundOutcome.NONE


def test_admin_records_and_revokes_with_the_staff_user_as_evidence(session):
    store = make_store(session)
    contact = make_contact(session, store)
    grant = service.record_by_admin(
        session=session,
        store_id=store.id,
        contact_id=contact.id,
        purpose=Purpose.MARKETING,
        granted=True,
        staff_user_id="VXNlcjox",
        staff_email="staff@example.com",
        note="signed form in store",
    )
    assert grant.source == ConsentSource.ADMIN
    assert grant.evidence == {
        "staff_user_id": "VXNlcjox",
        "staff_email": "staff@example.com",
        "note": "signed form in store",
    }
    service.record_by_admin(
        session=session,
        store_id=store.id,
        contact_id=contact.id,
        purpose=Purpose.MARKETING,
        granted=False,
        staff_user_id="VXNlcjox",
    )
    assert [
        e.action for e in service.timeline(session, store_id=store.id, contact_id=contact.id)
    ] == [
        ConsentAction.GRANTED,
        ConsentAction.REVOKED,
    ]
    other = make_store(session)
    with pytest.raises(LookupError):
        service.record_by_admin(
            session=session,
            store_id=other.id,
            contact_id=contact.id,
            purpose=Purpose.MARKETING,
            granted=True,
            staff_user_id="x",
        )


def test_customer_account_preference_false_revokes_marketing(session):
    store = make_store(session)
    contact = make_contact(session, store)
    _web_request(session, contact)
    events = saleor_events.capture_consent(
        session=session,
        contact=contact,
        consent={"marketing": False, "transactional": True},
        source=ConsentSource.CUSTOMER,
        capture_key="customer:VXNlcjo0Ng==:x",
    )
    assert [(e.purpose, e.action) for e in events] == [(Purpose.MARKETING, ConsentAction.REVOKED)]

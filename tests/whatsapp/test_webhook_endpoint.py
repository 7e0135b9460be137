"""Meta's webhooks through the real endpoint: every captured sample, signed with the app secret,
has its effect; bad signatures, changed bytes, duplicates and reordering are handled."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlmodel import Session, select

from plugin.contacts.models import Contact
from plugin.delivery.models import (
    InboundMessage,
    MessageKind,
    MessagePurpose,
    MessageStatus,
    OutboundMessage,
)
from plugin.events import replies
from plugin.inbox.models import InboxEvent, InboxSource, InboxStatus
from plugin.saleor.models import Store
from plugin.settings import DEV_WHATSAPP_APP_SECRET, DEV_WHATSAPP_VERIFY_TOKEN
from plugin.templates.models import MessageTemplate, TemplateCategory, TemplateStatus
from plugin.whatsapp.accounts import AccountStatus, WhatsAppAccount
from plugin.whatsapp.signature import sign_body
from tests.support import WHATSAPP_SAMPLES, drain_queue
from tests.whatsapp import listeners

pytestmark = pytest.mark.sqlite

URL = "/api/webhooks/whatsapp"
SAMPLES = sorted(p.name.removesuffix(".json") for p in WHATSAPP_SAMPLES.glob("*.json"))
# phone number id -> WABA id, as the samples name them
ACCOUNTS = {
    "1122334455667": "5467539754836534",
    "123456123": "1",
    "PHONE_NUMBER_ID": "244742992051543",
    "106540352242922": "102290129340398",
    "57438975935-number": "57438975935",
}
OUTBOUND_WAMIDS = ["wamid.xyzxyz", "ABGGFlA5Fpa", "wamid.MESSAGE_ID"]


def at(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def sample(name: str) -> bytes:
    return (WHATSAPP_SAMPLES / f"{name}.json").read_bytes()


def post(client, body: bytes, *, secret: str = DEV_WHATSAPP_APP_SECRET, signature=None):
    headers = {"content-type": "application/json"}
    headers["x-hub-signature-256"] = signature if signature is not None else sign_body(secret, body)
    return client.post(URL, content=body, headers=headers)


@pytest.fixture()
def listened() -> Iterator[list[tuple[str, dict[str, Any]]]]:
    listeners.CALLS.clear()
    replies.INBOUND_LISTENERS.append(listeners.inbound)
    replies.PREFERENCE_LISTENERS.append(listeners.preference)
    yield listeners.CALLS
    replies.INBOUND_LISTENERS.remove(listeners.inbound)
    replies.PREFERENCE_LISTENERS.remove(listeners.preference)


@pytest.fixture()
def world(installed_store, session: Session) -> dict[str, Any]:
    """A store with the samples' numbers, outbound messages with their wamids, and templates."""
    store = session.exec(select(Store)).one()
    for existing in session.exec(select(WhatsAppAccount)).all():
        session.delete(existing)  # the dev-mode sandbox number from the install
    session.flush()
    for pnid, waba in ACCOUNTS.items():
        session.add(
            WhatsAppAccount(
                store_id=store.id,
                phone_number_id=pnid,
                waba_id=waba,
                display_phone="+1 555 078 3881" if pnid == "106540352242922" else "",
                access_token_encrypted="x",
                quality_rating="GREEN",
                messaging_limit_tier="TIER_1K",
            )
        )
    recipient = Contact(store_id=store.id, phone_e164="+972987654321", wa_id="972987654321")
    session.add(recipient)
    session.flush()
    templates = {
        "my_message_template": MessageTemplate(
            store_id=store.id,
            name="my_message_template",
            language="he",
            category=TemplateCategory.UTILITY,
            status=TemplateStatus.APPROVED,
            meta_id="12345678",
        ),
        "welcome_template": MessageTemplate(
            store_id=store.id,
            name="welcome_template",
            language="en_US",
            category=TemplateCategory.MARKETING,
            status=TemplateStatus.APPROVED,
            meta_id="806312974732579",
            quality="GREEN",
        ),
        "order_confirmation": MessageTemplate(
            store_id=store.id,
            name="order_confirmation",
            language="en_US",
            category=TemplateCategory.UTILITY,
            status=TemplateStatus.PENDING,
        ),
        "abandoned_cart": MessageTemplate(
            store_id=store.id,
            name="abandoned_cart",
            language="en",
            category=TemplateCategory.MARKETING,
            status=TemplateStatus.PENDING,
            meta_id="1689556908129835",
        ),
    }
    for template in templates.values():
        session.add(template)
    session.flush()
    for index, wamid in enumerate(OUTBOUND_WAMIDS):
        session.add(
            OutboundMessage(
                store_id=store.id,
                contact_id=recipient.id,
                purpose=MessagePurpose.TRANSACTIONAL,
                kind=MessageKind.ORDER_UPDATE,
                idempotency_key=f"k{index}",
                status=MessageStatus.SENDING,
                wamid=wamid,
            )
        )
    session.add(
        OutboundMessage(
            store_id=store.id,
            contact_id=recipient.id,
            purpose=MessagePurpose.TRANSACTIONAL,
            kind=MessageKind.ORDER_UPDATE,
            idempotency_key="scheduled",
            template_id=templates["my_message_template"].id,
            template_name="my_message_template",
            status=MessageStatus.SCHEDULED,
        )
    )
    session.commit()
    return {"store_id": store.id, "recipient_id": recipient.id}


def outbound(session: Session, wamid: str) -> OutboundMessage:
    session.expire_all()
    return session.exec(select(OutboundMessage).where(OutboundMessage.wamid == wamid)).one()


def template(session: Session, name: str) -> MessageTemplate:
    session.expire_all()
    return session.exec(select(MessageTemplate).where(MessageTemplate.name == name)).one()


def inbound(session: Session) -> InboundMessage:
    session.expire_all()
    return session.exec(select(InboundMessage)).one()


def contact(session: Session, phone: str) -> Contact:
    session.expire_all()
    return session.exec(select(Contact).where(Contact.phone_e164 == phone)).one()


def inbox(session: Session) -> list[InboxEvent]:
    session.expire_all()
    return list(session.exec(select(InboxEvent).order_by(InboxEvent.id)).all())


# ------------------------------------------------------------------ what each sample does


def _inbound(wamid, type_, text, payload, context, epoch):
    def check(session: Session, world: dict[str, Any], calls) -> None:
        row = inbound(session)
        person = contact(session, "+972987654321")
        assert (row.wamid, row.type, row.text, row.button_payload, row.context_wamid) == (
            wamid,
            type_,
            text,
            payload,
            context,
        )
        assert row.contact_id == person.id == world["recipient_id"]
        assert row.received_at == at(epoch)
        assert person.last_inbound_at == at(epoch)
        assert person.bsuid == "US.13491208655302741918"
        assert [(kind, kw["inbound"].wamid, kw["contact"].id) for kind, kw in calls] == [
            ("inbound", wamid, person.id)
        ]

    return check


def _status(wamid, status, field, epoch, **expected):
    def check(session: Session, world: dict[str, Any], calls) -> None:
        row = outbound(session, wamid)
        assert row.status == status
        assert getattr(row, field) == at(epoch)
        for name, value in expected.items():
            assert getattr(row, name) == value, name
        assert calls == []

    return check


def _template(name, **expected):
    def check(session: Session, world: dict[str, Any], calls) -> None:
        row = template(session, name)
        for key, value in expected.items():
            assert getattr(row, key) == value, key

    return check


def _preference(value):
    def check(session: Session, world: dict[str, Any], calls) -> None:
        person = contact(session, "+16505551234")
        assert person.wa_id == "16505551234"
        assert [(kind, kw["contact"].id, kw["value"], kw["occurred_at"]) for kind, kw in calls] == [
            ("preference", person.id, value, at(1731705721))
        ]

    return check


def _recategorised(session: Session, world: dict[str, Any], calls) -> None:
    _template("my_message_template", category=TemplateCategory.MARKETING, status="APPROVED")(
        session, world, calls
    )
    held = session.exec(
        select(OutboundMessage).where(OutboundMessage.idempotency_key == "scheduled")
    ).one()
    assert (held.status, held.status_reason, held.purpose) == (
        MessageStatus.SCHEDULED,
        "template_recategorised",
        MessagePurpose.MARKETING,
    )


# the legacy conversation model reports only a category: its type reads "conversation"
# (plugin/whatsapp/pricing.py, the one mapping the webhook edge now uses)
CBP = {"pricing_category": "service", "pricing_type": "conversation", "billable": True}
EFFECTS = {
    "inbound_interactive_button_reply": _inbound(
        "wamid.xyzxyz", "interactive", "title", "callback_data", "wamid.xyzxyz", 1698266730
    ),
    "inbound_interactive_list_reply": _inbound(
        "wamid.zyzxyz", "interactive", "title", "callback_data", "wamid.xyzxyz", 1698266905
    ),
    "inbound_order": _inbound("wamid.xyzxyz", "order", None, None, None, 1697044668),
    "inbound_referral_ctwa": _inbound("wamid.ID", "text", "BODY", None, None, 1697045000),
    "inbound_template_quick_reply_button": _inbound(
        "wamid.xsidjw", "button", "title", "callback_data", "wamid.xyzxyz==", 1698269027
    ),
    "inbound_text": _inbound("wamid.xyzxyz", "text", "Body Text", None, None, 1697043223),
    "status_delivered_bsuid": _status(
        "ABGGFlA5Fpa", "delivered", "delivered_at", 1504902988, pricing_category=None
    ),
    "status_delivered_cbp_legacy": _status(
        "wamid.xyzxyz", "delivered", "delivered_at", 1698266945, **CBP
    ),
    "status_failed_130472": _status(
        "wamid.xyzxyz",
        "failed",
        "failed_at",
        1689380458,
        error_code=130472,
        error_message="Failed to send message because this user's phone number is part of an "
        "experiment",
    ),
    "status_failed_131047": _status(
        "wamid.MESSAGE_ID",
        "failed",
        "failed_at",
        1708603746,
        error_code=131047,
        error_message="Message failed to send because more than 24 hours have passed since the "
        "customer last replied to this number.",
    ),
    "status_read_cbp_legacy": _status("wamid.xyzxyz", "read", "read_at", 1689380458, **CBP),
    "status_sent_cbp_legacy": _status("wamid.xyzxyz", "sent", "sent_at", 1698266945, **CBP),
    "status_sent_pmp": _status(
        "ABGGFlA5Fpa",
        "sent",
        "sent_at",
        1504902988,
        pricing_category="marketing",
        pricing_type="regular",
        billable=True,
    ),
    "status_sent_with_biz_opaque_callback_data": _status(
        "wamid.xyzxyz", "sent", "sent_at", 1698266945, **CBP
    ),
    "template_category_update_marketing": _recategorised,
    "template_quality_update_yellow": _template("welcome_template", quality="YELLOW"),
    "template_status_update_approved": _template(
        "order_confirmation", status="APPROVED", meta_id="1689556908129832"
    ),
    "template_status_update_rejected": _template(
        "abandoned_cart",
        status="REJECTED",
        rejected_reason="Your template has parameters placed next to each other (like {{1}}{{2}})"
        " without text or punctuation between them.",
    ),
    "user_preferences_marketing_resume": _preference("resume"),
    "user_preferences_marketing_signup": _preference("signup"),
}


def test_every_sample_has_an_expected_effect():
    assert sorted(EFFECTS) == SAMPLES


@pytest.mark.parametrize("name", SAMPLES)
def test_every_sample_goes_through_the_endpoint_and_has_its_effect(
    client, world, session, listened, name
):
    # given a real Meta webhook body, signed with the app secret
    body = sample(name)
    # when it is posted and the queue runs
    response = post(client, body)
    drain_queue()
    # then it was recorded byte for byte for the store, processed, and did what it says
    assert response.status_code == 200, response.text
    rows = inbox(session)
    assert [(r.store_id, r.source, r.status, r.payload.encode()) for r in rows] == [
        (world["store_id"], InboxSource.WHATSAPP, InboxStatus.PROCESSED, body)
    ]
    EFFECTS[name](session, world, listened)


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda body: (body, sign_body("another-secret", body)), id="wrong-secret"),
        pytest.param(
            lambda body: (
                body.replace(b"Body Text", b"Body Texu"),
                sign_body(DEV_WHATSAPP_APP_SECRET, body),
            ),
            id="changed-byte",
        ),
        pytest.param(lambda body: (body, ""), id="missing"),
        pytest.param(
            lambda body: (body, "sha1=" + sign_body(DEV_WHATSAPP_APP_SECRET, body)[7:]),
            id="other-scheme",
        ),
    ],
)
def test_a_bad_signature_is_refused_and_nothing_is_recorded(client, world, session, mangle):
    # given a sample whose signature does not match its bytes
    body, signature = mangle(sample("inbound_text"))
    # when it is posted
    response = post(client, body, signature=signature)
    drain_queue()
    # then 401 and no trace
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "BAD_SIGNATURE"
    assert inbox(session) == []
    assert session.exec(select(InboundMessage)).all() == []


def test_malformed_json_is_400_and_too_large_is_413(client, world, session, settings):
    assert post(client, b"{not json").status_code == 400
    assert post(client, b'{"entry": "nope"}').status_code == 400
    huge = b" " * (settings.max_webhook_body_bytes + 1)
    assert post(client, huge).status_code == 413
    assert inbox(session) == []


def test_a_number_we_do_not_serve_is_answered_200_and_not_recorded(client, world, session):
    # given a webhook for a phone number id no store has
    body = sample("inbound_text").replace(b"1122334455667", b"9999999999999")
    # when it is posted
    response = post(client, body)
    # then Meta gets its 200 (it would retry for 7 days) and nothing is recorded
    assert response.status_code == 200
    assert response.json() == {"success": True, "routed": False}
    assert inbox(session) == []


def test_a_redelivered_body_is_recorded_once_and_acted_on_once(client, world, session, listened):
    body = sample("inbound_text")
    first = post(client, body)
    second = post(client, body)
    drain_queue()
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json() == {"success": True, "duplicate": True}
    assert len(inbox(session)) == 1
    assert len(listened) == 1


def test_the_same_message_in_another_body_is_recorded_once(client, world, session, listened):
    # given the same wamid delivered twice in bodies that differ (Meta re-batches)
    body = sample("inbound_text")
    again = json.dumps(json.loads(body)).encode()
    assert again != body
    post(client, body)
    post(client, again)
    drain_queue()
    # then two deliveries, one message, one hand-off
    assert [r.status for r in inbox(session)] == [InboxStatus.PROCESSED, InboxStatus.PROCESSED]
    assert inbound(session).wamid == "wamid.xyzxyz"
    assert len(listened) == 1


def test_statuses_out_of_order_never_move_a_message_back(client, world, session):
    # given read arrives before sent and delivered
    for name in ("status_read_cbp_legacy", "status_delivered_cbp_legacy", "status_sent_cbp_legacy"):
        assert post(client, sample(name)).status_code == 200
        drain_queue()
    # then the message is read, with every timestamp kept
    row = outbound(session, "wamid.xyzxyz")
    assert row.status == MessageStatus.READ
    assert (row.sent_at, row.delivered_at, row.read_at) == (
        at(1698266945),
        at(1698266945),
        at(1689380458),
    )


def test_failed_131026_marks_the_number_undeliverable(client, world, session):
    body = (
        sample("status_failed_131047")
        .replace(b"131047", b"131026")
        .replace(b"wamid.MESSAGE_ID", b"wamid.xyzxyz")
        .replace(b"PHONE_NUMBER_ID", b"1122334455667")
    )
    assert post(client, body).status_code == 200
    drain_queue()
    assert outbound(session, "wamid.xyzxyz").error_code == 131026
    assert contact(session, "+972987654321").undeliverable_at is not None


def test_a_paused_template_holds_scheduled_messages_until_approved_again(client, world, session):
    def status_body(event: str, time: int) -> bytes:
        data = json.loads(sample("template_status_update_approved"))
        data["entry"][0]["id"] = "57438975935"
        data["entry"][0]["time"] = time
        value = data["entry"][0]["changes"][0]["value"]
        value.update(
            event=event,
            message_template_id=12345678,
            message_template_name="my_message_template",
            message_template_language="he",
        )
        return json.dumps(data).encode()

    post(client, status_body("PAUSED", 1))
    drain_queue()
    held = session.exec(
        select(OutboundMessage).where(OutboundMessage.idempotency_key == "scheduled")
    ).one()
    assert (template(session, "my_message_template").status, held.status, held.status_reason) == (
        "PAUSED",
        "scheduled",
        "template_paused",
    )
    post(client, status_body("APPROVED", 2))
    drain_queue()
    session.expire_all()
    held = session.exec(
        select(OutboundMessage).where(OutboundMessage.idempotency_key == "scheduled")
    ).one()
    assert (held.status, held.status_reason) == ("scheduled", None)


def test_phone_quality_and_account_updates_change_the_account(client, world, session):
    def envelope(field: str, value: dict[str, Any]) -> bytes:
        return json.dumps(
            {
                "object": "whatsapp_business_account",
                "entry": [
                    {
                        "id": "102290129340398",
                        "time": 1,
                        "changes": [{"field": field, "value": value}],
                    }
                ],
            }
        ).encode()

    post(
        client,
        envelope(
            "phone_number_quality_update",
            {
                "display_phone_number": "15550783881",
                "event": "FLAGGED",
                "current_limit": "TIER_250",
            },
        ),
    )
    post(
        client,
        envelope(
            "account_update",
            {
                "event": "DISABLED_UPDATE",
                "phone_number": "15550783881",
                "ban_info": {"waba_ban_state": "DISABLE", "waba_ban_date": "2026-01-01"},
            },
        ),
    )
    drain_queue()
    session.expire_all()
    account = session.exec(
        select(WhatsAppAccount).where(WhatsAppAccount.phone_number_id == "106540352242922")
    ).one()
    # FLAGGED is Meta's warning (marketing at half speed), not a red rating (issue 18)
    assert (account.quality_rating, account.messaging_limit_tier, account.status) == (
        "FLAGGED",
        "TIER_250",
        AccountStatus.SUSPENDED,
    )
    other = session.exec(
        select(WhatsAppAccount).where(WhatsAppAccount.phone_number_id == "1122334455667")
    ).one()
    assert (other.quality_rating, other.status) == ("GREEN", AccountStatus.ACTIVE)


def test_a_username_user_without_wa_id_is_matched_by_user_id(client, world, session, listened):
    data = json.loads(sample("inbound_text"))
    value = data["entry"][0]["changes"][0]["value"]
    value["contacts"][0]["wa_id"] = ""
    value["messages"][0]["from"] = ""
    post(client, json.dumps(data).encode())
    drain_queue()
    session.expire_all()
    person = session.exec(select(Contact).where(Contact.bsuid == "US.13491208655302741918")).one()
    assert (person.phone_e164, person.wa_id) == (None, None)
    assert inbound(session).contact_id == person.id


def test_the_handshake_echoes_the_challenge_only_for_our_token(client):
    ok = client.get(
        URL,
        params={
            "hub.mode": "subscribe",
            "hub.verify_token": DEV_WHATSAPP_VERIFY_TOKEN,
            "hub.challenge": "1158201444",
        },
    )
    assert (ok.status_code, ok.text, ok.headers["content-type"]) == (
        200,
        "1158201444",
        "text/plain; charset=utf-8",
    )
    wrong = client.get(
        URL, params={"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"}
    )
    mode = client.get(
        URL,
        params={
            "hub.mode": "unsubscribe",
            "hub.verify_token": DEV_WHATSAPP_VERIFY_TOKEN,
            "hub.challenge": "1",
        },
    )
    bare = client.get(URL)
    assert [wrong.status_code, mode.status_code, bare.status_code] == [403, 403, 403]

"""The sandbox's webhooks (signed, ordered, Meta-shaped), template review, the JSON API and the
phone page."""

import asyncio

import httpx
import pytest

from plugin.whatsapp.client import CloudApiClient
from plugin.whatsapp.errors import WhatsAppError
from plugin.whatsapp.payloads.graph import TemplateDefinition
from plugin.whatsapp.payloads.outbound import (
    ButtonComponent,
    ButtonInteractive,
    ButtonsAction,
    InteractiveText,
    PayloadParameter,
    ReplyButton,
    ReplyButtonReply,
    TextParameter,
)
from plugin.whatsapp.payloads.webhook import MessagesChange, TemplateStatusChange, parse_webhook
from plugin.whatsapp.signature import verify_signature
from tests.whatsapp.conftest import APP_SECRET, CUSTOMER, PHONE_NUMBER_ID, WABA_ID


def signed(call) -> bool:
    return verify_signature(APP_SECRET, call.body, call.headers.get("x-hub-signature-256"))


async def send_order_update(server, to=CUSTOMER, payload="STOP_PROMO"):
    async with CloudApiClient(server.graph_url) as client:
        return await client.send_template(
            credentials=server.credentials,
            to=to,
            name="order_update",
            language="en",
            header=[TextParameter(text="#7")],
            body=[
                TextParameter(text="Can"),
                TextParameter(text="1 item"),
                TextParameter(text="Monday"),
            ],
            buttons=[
                ButtonComponent(
                    sub_type="quick_reply",
                    index="0",
                    parameters=[PayloadParameter(payload=payload)],
                ),
                ButtonComponent(sub_type="url", index="1", parameters=[TextParameter(text="x")]),
                ButtonComponent(
                    sub_type="copy_code",
                    index="2",
                    parameters=[{"type": "coupon_code", "coupon_code": "C"}],
                ),
            ],
        )


async def api(server, method, path, **kwargs):
    async with httpx.AsyncClient(base_url=server.url) as http:
        return await http.request(method, path, **kwargs)


async def test_status_webhooks_arrive_signed_batched_and_in_order(sandbox_server):
    # given two template sends
    first = await send_order_update(sandbox_server)
    second = await send_order_update(sandbox_server, to="+905550000009")
    receiver = sandbox_server.receiver
    # when the sandbox reports statuses
    receiver.wait_for(lambda calls: len(receiver.statuses()) == 6)
    # then every POST is signed with the app secret and parses as Meta's shape
    assert all(signed(call) for call in receiver.calls)
    for call in receiver.calls:
        change = parse_webhook(call.body).entry[0].changes[0]
        assert isinstance(change, MessagesChange)
        assert change.value.metadata.phone_number_id == PHONE_NUMBER_ID
        assert change.value.metadata.display_phone_number == "15550783881"
    # and statuses are batched (several per POST) and ordered sent -> delivered -> read
    assert len(receiver.calls) < 6
    for wamid in (first.wamid, second.wamid):
        assert [s["status"] for s in receiver.statuses() if s["id"] == wamid] == [
            "sent",
            "delivered",
            "read",
        ]
    sent = receiver.statuses()[0]
    assert sent["pricing"] == {
        "billable": True,
        "pricing_model": "PMP",
        "type": "regular",
        "category": "utility",
    }
    assert sent["recipient_id"] == "905551112233"
    # and the JSON API shows the final status
    response = await api(sandbox_server, "GET", "/sandbox/api/messages", params={"to": CUSTOMER})
    assert response.json()[0]["status"] == "read"


async def test_read_ratio_zero_stops_at_delivered(sandbox_server):
    sandbox_server.sandbox.set_config({"read_ratio": 0.0})
    result = await send_order_update(sandbox_server)
    receiver = sandbox_server.receiver
    receiver.wait_for(lambda calls: len(receiver.statuses()) == 2)
    await _settle()
    assert [s["status"] for s in receiver.statuses() if s["id"] == result.wamid] == [
        "sent",
        "delivered",
    ]


async def _settle():
    await asyncio.sleep(0.3)


async def test_free_form_outside_the_window_fails_with_131047_then_works_after_a_reply(
    sandbox_server,
):
    # given a customer who never wrote
    async with CloudApiClient(sandbox_server.graph_url) as client:
        creds = sandbox_server.credentials
        # when a text is sent, it is accepted but fails (as Meta reports it: a failed status)
        first = await client.send_text(credentials=creds, to=CUSTOMER, body="hello")
        receiver = sandbox_server.receiver
        receiver.wait_for(lambda calls: any(s["id"] == first.wamid for s in receiver.statuses()))
        [failed] = [s for s in receiver.statuses() if s["id"] == first.wamid]
        assert failed["status"] == "failed"
        assert failed["errors"][0]["code"] == 131047
        # and after the customer writes, the window is open
        await api(
            sandbox_server, "POST", "/sandbox/api/reply", json={"from": CUSTOMER, "text": "hi"}
        )
        second = await client.send_text(credentials=creds, to=CUSTOMER, body="hello again")
    receiver.wait_for(
        lambda calls: (
            [s["status"] for s in receiver.statuses() if s["id"] == second.wamid]
            == ["sent", "delivered", "read"]
        )
    )


async def test_reply_text_webhook_has_metas_shape(sandbox_server):
    # given a customer who received a message from our number
    await send_order_update(sandbox_server)
    # when they reply
    response = await api(
        sandbox_server, "POST", "/sandbox/api/reply", json={"from": CUSTOMER, "text": "STOP"}
    )
    # then the app got one signed `messages` webhook with contacts and the text
    assert response.status_code == 200
    assert response.json()["webhook_status"] == 200
    calls = [c for c in sandbox_server.receiver.calls if b'"messages":[' in c.body]
    assert len(calls) == 1
    assert signed(calls[0])
    value = parse_webhook(calls[0].body).entry[0].changes[0].value
    assert parse_webhook(calls[0].body).entry[0].id == WABA_ID
    contact = value.contacts[0]
    assert (contact.wa_id, contact.profile.name) == ("905551112233", "Sandbox User")
    assert contact.user_id.startswith("TR.")
    message = value.messages[0]
    assert (message.from_, message.type, message.text.body) == ("905551112233", "text", "STOP")
    assert message.id == response.json()["wamid"]


async def test_button_payload_reply_is_a_template_quick_reply(sandbox_server):
    # given a template with a quick reply button carrying a payload
    sent = await send_order_update(sandbox_server, payload="OPTIN_YES")
    # when the customer taps it
    await api(
        sandbox_server,
        "POST",
        "/sandbox/api/reply",
        json={"from": CUSTOMER, "button_payload": "OPTIN_YES"},
    )
    # then Meta's `button` message arrives with payload, the button's text and the context
    [call] = [c for c in sandbox_server.receiver.calls if b'"button"' in c.body]
    message = parse_webhook(call.body).entry[0].changes[0].value.messages[0]
    assert message.type == "button"
    assert (message.button.payload, message.button.text) == ("OPTIN_YES", "Stop promotions")
    assert (message.context.id, message.context.from_) == (sent.wamid, "15550783881")


async def test_interactive_reply_and_unknown_payload(sandbox_server):
    await api(sandbox_server, "POST", "/sandbox/api/reply", json={"from": CUSTOMER, "text": "hi"})
    async with CloudApiClient(sandbox_server.graph_url) as client:
        await client.send_interactive(
            credentials=sandbox_server.credentials,
            to=CUSTOMER,
            interactive=ButtonInteractive(
                body=InteractiveText(text="?"),
                action=ButtonsAction(
                    buttons=[ReplyButton(reply=ReplyButtonReply(id="yes", title="Evet"))]
                ),
            ),
        )
    await api(
        sandbox_server, "POST", "/sandbox/api/reply", json={"from": CUSTOMER, "reply_id": "yes"}
    )
    await api(
        sandbox_server,
        "POST",
        "/sandbox/api/reply",
        json={"from": CUSTOMER, "button_payload": "NEVER_SENT"},
    )
    inbound = [
        m
        for c in sandbox_server.receiver.calls
        for m in parse_webhook(c.body).entry[0].changes[0].value.messages
    ]
    assert [m.type for m in inbound] == ["text", "interactive", "button"]
    assert (inbound[1].interactive.button_reply.id, inbound[1].interactive.button_reply.title) == (
        "yes",
        "Evet",
    )
    assert (inbound[2].button.payload, inbound[2].button.text, inbound[2].context) == (
        "NEVER_SENT",
        "NEVER_SENT",
        None,
    )


async def test_template_review_approves_after_delay_and_rejects_by_rule(sandbox_server):
    # given a review delay
    sandbox_server.sandbox.set_config({"review_delay_seconds": 0.2})
    creds = sandbox_server.credentials
    async with CloudApiClient(sandbox_server.graph_url) as client:
        # when a good and a bad template are submitted
        good = await client.create_template(
            credentials=creds,
            template=TemplateDefinition(
                name="welcome",
                language="tr",
                category="UTILITY",
                components=[{"type": "BODY", "text": "Hoş geldin {{1}}"}],
            ),
        )
        bad = await client.create_template(
            credentials=creds,
            template=TemplateDefinition(
                name="promo",
                language="tr",
                category="MARKETING",
                components=[{"type": "BODY", "text": "REJECT_ME now"}],
            ),
        )
        pending = await client.list_templates(credentials=creds, name="welcome")
        # then both start PENDING and a status-update webhook reports each outcome
        assert (good.status, bad.status, pending[0].status) == ("PENDING", "PENDING", "PENDING")
        receiver = sandbox_server.receiver
        receiver.wait_for(lambda calls: len(calls) == 2)
        done = await client.list_templates(credentials=creds)
    events = {}
    for call in receiver.calls:
        assert signed(call)
        change = parse_webhook(call.body).entry[0].changes[0]
        assert isinstance(change, TemplateStatusChange)
        events[change.value.message_template_name] = (
            change.value.event,
            str(change.value.message_template_id),
            change.value.reason,
        )
    assert events == {
        "welcome": ("APPROVED", good.id, "NONE"),
        "promo": ("REJECTED", bad.id, "INVALID_FORMAT"),
    }
    assert {t.name: t.status for t in done if t.name in events} == {
        "welcome": "APPROVED",
        "promo": "REJECTED",
    }


async def test_rejected_template_by_name_and_not_sendable(sandbox_server):
    async with CloudApiClient(sandbox_server.graph_url) as client:
        created = await client.create_template(
            credentials=sandbox_server.credentials,
            template=TemplateDefinition(
                name="reject_this",
                language="en",
                category="UTILITY",
                components=[{"type": "BODY", "text": "Hi"}],
            ),
        )
        assert created.status == "REJECTED"
        with pytest.raises(WhatsAppError) as info:
            await client.send_template(
                credentials=sandbox_server.credentials,
                to=CUSTOMER,
                name="reject_this",
                language="en",
            )
    assert info.value.code == 132001


async def test_clock_moves_the_apps_clock(sandbox_server):
    response = await api(sandbox_server, "POST", "/sandbox/api/clock", json={"advance_seconds": 90})
    assert response.json() == {"now": "2030-01-01T00:00:00+00:00"}
    assert sandbox_server.clock_calls == [90.0]
    refused = await api(sandbox_server, "POST", "/sandbox/api/clock", json={"advance_seconds": -1})
    assert refused.status_code == 422


async def test_numbers_faults_and_reset_api(sandbox_server):
    created = await api(
        sandbox_server,
        "POST",
        "/sandbox/api/numbers",
        json={
            "phone_number_id": "222",
            "waba_id": "333",
            "display_phone_number": "+90 555 000 0000",
            "access_token": "tok-2",
            "throughput_level": "STANDARD",
        },
    )
    assert created.status_code == 201
    faults = await api(sandbox_server, "POST", "/sandbox/api/faults", json={"latency_ms": 5})
    assert faults.json()["latency_ms"] == 5.0
    assert (await api(sandbox_server, "GET", "/sandbox/api/faults")).json()["latency_ms"] == 5.0
    await send_order_update(sandbox_server)
    await api(sandbox_server, "POST", "/sandbox/api/reset")
    after = await api(sandbox_server, "GET", "/sandbox/api/messages", params={"to": CUSTOMER})
    assert after.json() == []
    assert (await api(sandbox_server, "GET", "/sandbox/api/faults")).json()["latency_ms"] == 0.0
    numbers = (await api(sandbox_server, "GET", "/sandbox/api/numbers")).json()["numbers"]
    assert [n["phone_number_id"] for n in numbers] == [PHONE_NUMBER_ID, "222"]


async def test_phone_page_renders_without_external_resources(sandbox_server):
    await send_order_update(sandbox_server)
    response = await api(sandbox_server, "GET", "/sandbox/phone")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "Gönder" in html and "Send" in html and "STOP" in html
    assert "<script src" not in html and "<link" not in html and "cdn" not in html.lower()
    chats = (await api(sandbox_server, "GET", "/sandbox/api/chats")).json()["chats"]
    assert chats[0]["to"] == CUSTOMER


async def test_stats_count_sends_and_the_status_webhooks_the_app_answered(sandbox_server):
    # given two accepted template sends whose statuses (sent, delivered, read) reached the app
    await send_order_update(sandbox_server)
    await send_order_update(sandbox_server, to="+905550000009")
    receiver = sandbox_server.receiver
    receiver.wait_for(lambda calls: len(receiver.statuses()) == 6)
    await _settle()
    # when a benchmark asks for the totals
    stats = (await api(sandbox_server, "GET", "/sandbox/api/stats")).json()
    # then they match what the app received
    assert stats == {
        "accepted": 2,
        "statuses_posted": 6,
        "webhooks_posted": len(receiver.calls),
        "webhooks_ok": len(receiver.calls),
        "webhooks_failed": 0,
        "pending_statuses": 0,
    }
    # and a reset starts them again
    await api(sandbox_server, "POST", "/sandbox/api/reset")
    after = (await api(sandbox_server, "GET", "/sandbox/api/stats")).json()
    assert after["accepted"] == after["statuses_posted"] == after["webhooks_posted"] == 0


# --------------------------------------------------------------------------- usernames (BSUID)

BSUID = "DE.48291038475610293847"


async def test_a_username_user_writes_without_a_number_and_is_listed_by_user_id(sandbox_server):
    """DESIGN.md's sandbox contract (`from_user_id` + `username`, no `from`) in Meta's shape
    (business-scoped user ids page): `from_user_id` on the message, `user_id` and
    `profile.username` on the contact, no `wa_id`."""
    response = await api(
        sandbox_server,
        "POST",
        "/sandbox/api/reply",
        json={"from_user_id": BSUID, "username": "@hanna", "text": "Hallo"},
    )
    assert response.status_code == 200, response.text
    calls = [c for c in sandbox_server.receiver.calls if b"Hallo" in c.body]
    value = parse_webhook(calls[0].body).entry[0].changes[0].value
    contact, message = value.contacts[0], value.messages[0]
    assert (contact.wa_id, contact.user_id, contact.profile.username) == ("", BSUID, "@hanna")
    assert (message.from_, message.from_user_id, message.text.body) == ("", BSUID, "Hallo")
    listed = await api(
        sandbox_server,
        "GET",
        "/sandbox/api/messages",
        params={"user_id": BSUID, "include_inbound": "true"},
    )
    assert [(m["from"], m["from_user_id"], m["text"]) for m in listed.json()] == [
        (None, BSUID, "Hallo")
    ]


async def test_a_send_by_recipient_reaches_the_username_user_and_its_status_has_no_number(
    sandbox_server,
):
    # given a username user inside the service window
    await api(
        sandbox_server, "POST", "/sandbox/api/reply", json={"from_user_id": BSUID, "text": "Hi"}
    )
    # when the business answers with `recipient` (Meta: the BSUID instead of `to`)
    async with CloudApiClient(sandbox_server.graph_url) as client:
        result = await client.send_message(
            {"to": None, "recipient": BSUID, "type": "text", "text": {"body": "Merhaba"}},
            credentials=sandbox_server.credentials,
        )
    # then the answer names the user by user_id, the phone shows it, the status has no number
    assert (result.wa_id, result.user_id) == ("", BSUID)
    listed = await api(sandbox_server, "GET", "/sandbox/api/messages", params={"user_id": BSUID})
    assert [(m["to"], m["user_id"], m["text"]) for m in listed.json()] == [(None, BSUID, "Merhaba")]
    statuses = sandbox_server.receiver.wait_for(
        lambda calls: any(b'"statuses"' in c.body for c in calls)
    )
    status = next(s for c in statuses for s in _statuses(c))
    assert status["recipient_user_id"] == BSUID and "recipient_id" not in status


def _statuses(call) -> list[dict]:
    return [
        s
        for e in call.json()["entry"]
        for ch in e["changes"]
        for s in ch["value"].get("statuses", [])
    ]


async def test_an_authentication_template_to_a_bsuid_is_refused_with_131062(sandbox_server):
    sandbox_server.sandbox.add_template(
        waba_id=WABA_ID,
        name="login_code",
        language="en",
        category="AUTHENTICATION",
        components=[{"type": "BODY", "text": "Code {{1}}"}],
    )
    async with CloudApiClient(sandbox_server.graph_url) as client:
        with pytest.raises(WhatsAppError) as info:
            await client.send_message(
                {
                    "recipient": BSUID,
                    "type": "template",
                    "template": {
                        "name": "login_code",
                        "language": {"code": "en"},
                        "components": [
                            {"type": "body", "parameters": [{"type": "text", "text": "1"}]}
                        ],
                    },
                },
                credentials=sandbox_server.credentials,
            )
    assert info.value.code == 131062


async def test_a_number_set_with_marketing_off_on_the_cloud_api_answers_131063(sandbox_server):
    # given the number set as Meta sets a business (DESIGN.md: POST /sandbox/api/numbers)
    changed = await api(
        sandbox_server,
        "POST",
        "/sandbox/api/numbers",
        json={"phone_number_id": PHONE_NUMBER_ID, "marketing_on_cloud_api": False},
    )
    assert changed.status_code == 201 and changed.json()["marketing_on_cloud_api"] is False
    sandbox_server.sandbox.add_template(
        waba_id=WABA_ID,
        name="big_sale",
        language="en",
        category="MARKETING",
        components=[{"type": "BODY", "text": "Sale!"}],
    )
    body = {
        "to": CUSTOMER,
        "type": "template",
        "template": {"name": "big_sale", "language": {"code": "en"}},
    }
    async with CloudApiClient(sandbox_server.graph_url) as client:
        # when a marketing template goes to /messages (not marked marketing: no MM API retry)
        with pytest.raises(WhatsAppError) as info:
            await client.send_message(body, credentials=sandbox_server.credentials)
    # then Meta's 131063, and nothing reached the phone
    assert info.value.code == 131063
    assert info.value.error_class.retryable is False


async def test_request_contact_info_shows_a_share_button_and_the_answer_is_a_contacts_message(
    sandbox_server,
):
    await api(
        sandbox_server, "POST", "/sandbox/api/reply", json={"from_user_id": BSUID, "text": "Hi"}
    )
    async with CloudApiClient(sandbox_server.graph_url) as client:
        await client.send_message(
            {
                "recipient": BSUID,
                "type": "interactive",
                "interactive": {
                    "type": "request_contact_info",
                    "body": {"text": "Numaranızı paylaşır mısınız?"},
                },
            },
            credentials=sandbox_server.credentials,
        )
    listed = await api(sandbox_server, "GET", "/sandbox/api/messages", params={"user_id": BSUID})
    assert listed.json()[-1]["buttons"] == [
        {"type": "request_contact_info", "text": "Share contact info"}
    ]
    shared = await api(
        sandbox_server,
        "POST",
        "/sandbox/api/reply",
        json={"from_user_id": BSUID, "shared_phone": "+905321112233"},
    )
    assert shared.status_code == 200
    call = next(c for c in sandbox_server.receiver.calls if b"contact_request" in c.body)
    message = parse_webhook(call.body).entry[0].changes[0].value.messages[0]
    assert message.type == "contacts"
    assert message.contacts[0].phones[0].wa_id == "905321112233"

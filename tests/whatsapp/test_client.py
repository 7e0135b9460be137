"""The client against the sandbox over real HTTP: sends, template management and every fault."""

import time
from datetime import timedelta

import httpx
import pytest

from plugin.whatsapp.client import CloudApiClient
from plugin.whatsapp.credentials import Credentials
from plugin.whatsapp.errors import Disposition, TransportError, WhatsAppError
from plugin.whatsapp.payloads.graph import TemplateDefinition
from plugin.whatsapp.payloads.outbound import (
    ButtonComponent,
    ButtonInteractive,
    ButtonsAction,
    CouponCodeParameter,
    CtaUrlAction,
    CtaUrlInteractive,
    CtaUrlParameters,
    DateTimeParameter,
    DateTimeValue,
    ImageMessage,
    ImageParameter,
    InteractiveText,
    ListAction,
    ListInteractive,
    ListRow,
    ListSection,
    MediaLink,
    PayloadParameter,
    ReplyButton,
    ReplyButtonReply,
    TextParameter,
)
from tests.services import free_port
from tests.whatsapp.conftest import CUSTOMER, PHONE_NUMBER_ID, WABA_ID


def client_for(server, **kwargs) -> CloudApiClient:
    return CloudApiClient(server.graph_url, **kwargs)


def order_update_kwargs():
    return {
        "name": "order_update",
        "language": "en",
        "header": [TextParameter(text="#1001")],
        "body": [
            TextParameter(text="Ayşe"),
            TextParameter(text="2 items"),
            DateTimeParameter(date_time=DateTimeValue(fallback_value="March 1")),
        ],
        "buttons": [
            ButtonComponent(
                sub_type="quick_reply",
                index="0",
                parameters=[PayloadParameter(payload="STOP_PROMO")],
            ),
            ButtonComponent(sub_type="url", index="1", parameters=[TextParameter(text="A1001")]),
            ButtonComponent(
                sub_type="copy_code",
                index="2",
                parameters=[CouponCodeParameter(coupon_code="SAVE10")],
            ),
        ],
    }


async def messages_of(server, to=CUSTOMER):
    async with httpx.AsyncClient() as http:
        response = await http.get(f"{server.url}/sandbox/api/messages", params={"to": to})
    return response.json()


async def test_send_template_with_header_body_and_buttons(sandbox_server):
    # given an approved template with a text header, three body params and three buttons
    async with client_for(sandbox_server) as client:
        # when it is sent
        result = await client.send_template(
            credentials=sandbox_server.credentials, to=CUSTOMER, **order_update_kwargs()
        )
    # then Meta's answer gives a wamid and the phone shows the rendered message
    assert result.wamid.startswith("wamid.")
    assert (result.wa_id, result.input, result.message_status) == (
        "905551112233",
        CUSTOMER,
        "accepted",
    )
    [message] = await messages_of(sandbox_server)
    assert message["wamid"] == result.wamid
    assert (message["type"], message["template_name"], message["template_language"]) == (
        "template",
        "order_update",
        "en",
    )
    assert message["text"] == "Order #1001\nHi Ayşe, your order of 2 items ships on March 1."
    assert message["footer"] == "Ulak Store"
    assert message["buttons"] == [
        {"type": "quick_reply", "text": "Stop promotions", "payload": "STOP_PROMO", "index": 0},
        {"type": "url", "text": "Track", "url": "https://shop.example/track/A1001", "index": 1},
        {"type": "copy_code", "text": "Copy code", "code": "SAVE10", "index": 2},
    ]


async def test_send_image_header_template_and_media_by_link(sandbox_server):
    async with client_for(sandbox_server) as client:
        await client.send_template(
            credentials=sandbox_server.credentials,
            to=CUSTOMER,
            name="cart_reminder",
            language="tr",
            header=[ImageParameter(image=MediaLink(link="https://cdn/x.png"))],
            body=[TextParameter(text="Ali")],
            marketing=True,
        )
        await client.send_message(
            ImageMessage(to=CUSTOMER, image=MediaLink(link="https://cdn/y.png", caption="Yeni")),
            credentials=sandbox_server.credentials,
        )
    first, second = await messages_of(sandbox_server)
    assert first["header"] == {"type": "image", "link": "https://cdn/x.png"}
    assert (first["text"], first["category"]) == ("Your cart misses you, Ali.", "marketing")
    assert (second["type"], second["text"], second["header"]["link"]) == (
        "image",
        "Yeni",
        "https://cdn/y.png",
    )


async def test_send_text_and_interactive_kinds(sandbox_server):
    creds = sandbox_server.credentials
    async with client_for(sandbox_server) as client:
        await client.send_text(credentials=creds, to=CUSTOMER, body="Merhaba")
        await client.send_interactive(
            credentials=creds,
            to=CUSTOMER,
            interactive=ButtonInteractive(
                body=InteractiveText(text="Onay?"),
                action=ButtonsAction(
                    buttons=[ReplyButton(reply=ReplyButtonReply(id="y", title="Evet"))]
                ),
            ),
        )
        await client.send_interactive(
            credentials=creds,
            to=CUSTOMER,
            interactive=ListInteractive(
                body=InteractiveText(text="Seçin"),
                action=ListAction(
                    button="Menü",
                    sections=[
                        ListSection(rows=[ListRow(id="r1", title="Kargo", description="Nerede?")])
                    ],
                ),
            ),
        )
        await client.send_interactive(
            credentials=creds,
            to=CUSTOMER,
            interactive=CtaUrlInteractive(
                body=InteractiveText(text="Takip"),
                action=CtaUrlAction(
                    parameters=CtaUrlParameters(display_text="Aç", url="https://t/1")
                ),
            ),
        )
    text, buttons, listing, cta = await messages_of(sandbox_server)
    assert (text["type"], text["text"]) == ("text", "Merhaba")
    assert buttons["buttons"] == [{"type": "reply", "text": "Evet", "id": "y"}]
    assert listing["buttons"][1] == {
        "type": "list_row",
        "text": "Kargo",
        "id": "r1",
        "description": "Nerede?",
    }
    assert cta["buttons"] == [{"type": "cta_url", "text": "Aç", "url": "https://t/1"}]


async def expect_error(coro) -> WhatsAppError:
    with pytest.raises(WhatsAppError) as info:
        await coro
    return info.value


async def test_meta_validation_errors_are_classified(sandbox_server):
    creds = sandbox_server.credentials
    async with client_for(sandbox_server) as client:
        # bad token
        bad = Credentials(phone_number_id=PHONE_NUMBER_ID, access_token="nope")
        err = await expect_error(client.send_text(credentials=bad, to=CUSTOMER, body="x"))
        assert (err.code, err.http_status, err.disposition) == (
            190,
            401,
            Disposition.ACCOUNT_PROBLEM,
        )
        # unknown phone number id
        other = Credentials(phone_number_id="999", access_token=creds.access_token)
        err = await expect_error(client.send_text(credentials=other, to=CUSTOMER, body="x"))
        assert (err.code, err.error_class.subcode, err.disposition) == (
            100,
            33,
            Disposition.ACCOUNT_PROBLEM,
        )
        # template that does not exist
        err = await expect_error(
            client.send_template(credentials=creds, to=CUSTOMER, name="nope", language="en")
        )
        assert (err.code, err.disposition) == (132001, Disposition.TEMPLATE_PROBLEM)
        assert err.error_class.details == "template name (nope) does not exist in en"
        # wrong parameter count
        kwargs = order_update_kwargs() | {"body": [TextParameter(text="only one")]}
        err = await expect_error(client.send_template(credentials=creds, to=CUSTOMER, **kwargs))
        assert (err.code, err.disposition) == (132000, Disposition.TEMPLATE_PROBLEM)
        # button index the template does not have
        kwargs = order_update_kwargs()
        kwargs["buttons"] = [
            *kwargs["buttons"],
            ButtonComponent(
                sub_type="quick_reply", index="7", parameters=[PayloadParameter(payload="x")]
            ),
        ]
        err = await expect_error(client.send_template(credentials=creds, to=CUSTOMER, **kwargs))
        assert (err.code, err.disposition) == (131009, Disposition.OUR_BUG)
        # text too long
        err = await expect_error(client.send_text(credentials=creds, to=CUSTOMER, body="a" * 4097))
        assert (err.code, err.disposition, err.http_status) == (100, Disposition.OUR_BUG, 400)
        assert err.raw["error_data"] == {
            "messaging_product": "whatsapp",
            "details": "Param text['body'] must be at most 4096 characters long.",
        }
        assert err.raw["type"] == "OAuthException"
    assert await messages_of(sandbox_server) == []


async def test_throughput_fault_gives_130429_retry_soon(sandbox_server):
    # given a sandbox limited to 3 sends per second per number
    sandbox_server.sandbox.set_faults({"throughput_per_second": 3})
    async with client_for(sandbox_server) as client:
        results, errors = [], []
        for i in range(6):
            try:
                results.append(
                    await client.send_text(
                        credentials=sandbox_server.credentials, to=f"+9055500000{i:02d}", body="x"
                    )
                )
            except WhatsAppError as exc:
                errors.append(exc)
    # then sends above the rate fail with 130429 (HTTP 429), to be retried soon
    assert len(results) >= 3
    assert errors
    assert {(e.code, e.http_status, e.disposition) for e in errors} == {
        (130429, 429, Disposition.RETRY_SOON)
    }


async def test_pair_rate_fault_gives_131056_after_six_seconds(sandbox_server):
    sandbox_server.sandbox.set_faults({"pair_rate_seconds": 6})
    async with client_for(sandbox_server) as client:
        await client.send_text(credentials=sandbox_server.credentials, to=CUSTOMER, body="1")
        err = await expect_error(
            client.send_text(credentials=sandbox_server.credentials, to=CUSTOMER, body="2")
        )
        other = await client.send_text(
            credentials=sandbox_server.credentials, to="+905550000001", body="3"
        )
    assert (err.code, err.disposition, err.error_class.retry_after) == (
        131056,
        Disposition.PAIR_RATE,
        timedelta(seconds=6),
    )
    assert err.error_class.scope == "recipient"
    assert other.wamid


async def test_undeliverable_number_gives_131026(sandbox_server):
    sandbox_server.sandbox.set_faults({"undeliverable": [CUSTOMER]})
    async with client_for(sandbox_server) as client:
        err = await expect_error(
            client.send_text(credentials=sandbox_server.credentials, to=CUSTOMER, body="x")
        )
    assert (err.code, err.disposition, err.error_class.marks_number_undeliverable) == (
        131026,
        Disposition.UNDELIVERABLE,
        True,
    )


async def test_recipient_error_injects_any_code(sandbox_server):
    sandbox_server.sandbox.set_faults({"recipient_errors": {CUSTOMER: 131050}})
    async with client_for(sandbox_server) as client:
        err = await expect_error(
            client.send_template(
                credentials=sandbox_server.credentials, to=CUSTOMER, **order_update_kwargs()
            )
        )
    assert (err.code, err.disposition, err.error_class.records_opt_out) == (
        131050,
        Disposition.MARKETING_OPT_OUT,
        True,
    )


@pytest.mark.parametrize(("with_body", "code"), [(False, None), (True, 2)])
async def test_server_errors_are_retry_soon(sandbox_server, with_body, code):
    sandbox_server.sandbox.set_faults(
        {"server_error_rate": 1.0, "server_error_status": 503, "server_error_body": with_body}
    )
    async with client_for(sandbox_server) as client:
        err = await expect_error(
            client.send_text(credentials=sandbox_server.credentials, to=CUSTOMER, body="x")
        )
    assert (err.code, err.http_status, err.disposition, err.error_class.retryable) == (
        code,
        503,
        Disposition.RETRY_SOON,
        True,
    )
    assert await messages_of(sandbox_server) == []


async def test_latency_is_added(sandbox_server):
    sandbox_server.sandbox.set_faults({"latency_ms": 300})
    async with client_for(sandbox_server) as client:
        started = time.monotonic()
        await client.send_text(credentials=sandbox_server.credentials, to=CUSTOMER, body="x")
        elapsed = time.monotonic() - started
    assert 0.3 <= elapsed < 5.0  # added once, not per retry (a loaded machine adds its own)


async def test_timeout_is_outcome_unknown_and_message_was_accepted(sandbox_server):
    # given a sandbox that accepts the send but answers after 2 s
    sandbox_server.sandbox.set_faults({"timeout_rate": 1.0, "timeout_seconds": 2.0})
    async with client_for(sandbox_server, timeout=0.3) as client:
        # when the client gives up first
        with pytest.raises(TransportError) as info:
            await client.send_text(credentials=sandbox_server.credentials, to=CUSTOMER, body="x")
    # then the outcome is unknown (must not be resent at-most-once) - and indeed it was sent
    assert info.value.disposition is Disposition.OUTCOME_UNKNOWN
    assert info.value.error_class.may_have_been_sent is True
    assert len(await messages_of(sandbox_server)) == 1


async def test_connection_refused_is_never_reached():
    client = CloudApiClient(f"http://127.0.0.1:{free_port()}/sandbox/graph")
    async with client:
        with pytest.raises(TransportError) as info:
            await client.send_text(
                credentials=Credentials(phone_number_id="1", access_token="t"),
                to=CUSTOMER,
                body="x",
            )
    assert info.value.disposition is Disposition.NEVER_REACHED
    assert info.value.error_class.retryable is True


async def test_dns_failure_is_never_reached():
    async with CloudApiClient("http://ulak-no-such-host.invalid/graph") as client:
        with pytest.raises(TransportError) as info:
            await client.send_text(
                credentials=Credentials(phone_number_id="1", access_token="t"),
                to=CUSTOMER,
                body="x",
            )
    assert info.value.disposition is Disposition.NEVER_REACHED


async def test_a_131063_sends_the_marketing_template_once_through_the_mm_api(sandbox_server):
    # given a business that turned marketing off on the Cloud API and onboarded to the
    # Marketing Messages API (Meta: /messages then answers 131063 to marketing templates)
    number = sandbox_server.sandbox.numbers[PHONE_NUMBER_ID]
    number.marketing_on_cloud_api, number.mm_api_onboarded = False, True
    creds = Credentials(
        phone_number_id=PHONE_NUMBER_ID, access_token="sandbox-token-1", waba_id=WABA_ID
    )
    kwargs = {
        "name": "cart_reminder",
        "language": "tr",
        "body": [TextParameter(text="Ali")],
        "header": [ImageParameter(image=MediaLink(link="https://cdn/x.png"))],
    }
    async with client_for(sandbox_server) as client:
        # when a marketing template goes out through /messages
        result = await client.send_template(
            credentials=creds, to=CUSTOMER, marketing=True, **kwargs
        )
        # and one with the STRICT product policy, the store now on /marketing_messages
        strict = Credentials(
            phone_number_id=PHONE_NUMBER_ID,
            access_token="sandbox-token-1",
            waba_id=WABA_ID,
            use_marketing_messages=True,
            product_policy="STRICT",
        )
        second = await client.send_template(
            credentials=strict, to=CUSTOMER, marketing=True, **kwargs
        )
    # then each reached the phone once, through the Marketing Messages API
    assert (result.endpoint, result.switched_to_marketing_messages) == ("marketing_messages", True)
    assert (second.endpoint, second.switched_to_marketing_messages) == (
        "marketing_messages",
        False,
    )
    assert [m["endpoint"] for m in await messages_of(sandbox_server)] == [
        "marketing_messages",
        "marketing_messages",
    ]


async def test_the_mm_api_refuses_a_business_not_onboarded(sandbox_server):
    creds = Credentials(
        phone_number_id=PHONE_NUMBER_ID,
        access_token="sandbox-token-1",
        waba_id=WABA_ID,
        use_marketing_messages=True,
    )
    async with client_for(sandbox_server) as client:
        with pytest.raises(WhatsAppError) as info:
            await client.send_template(
                credentials=creds,
                to=CUSTOMER,
                marketing=True,
                name="cart_reminder",
                language="tr",
                body=[TextParameter(text="Ali")],
                header=[ImageParameter(image=MediaLink(link="https://cdn/x.png"))],
            )
    assert info.value.code == 10 and not info.value.error_class.retryable
    assert await messages_of(sandbox_server) == []


async def test_template_management_with_paging(sandbox_server):
    creds = sandbox_server.credentials
    async with client_for(sandbox_server) as client:
        for i in range(5):
            created = await client.create_template(
                credentials=creds,
                template=TemplateDefinition(
                    name=f"promo_{i}",
                    language="tr",
                    category="MARKETING",
                    components=[{"type": "BODY", "text": "İndirim {{1}}"}],
                ),
            )
            assert (created.status, created.category) == ("APPROVED", "MARKETING")
        templates = await client.list_templates(credentials=creds, limit=2)
        deleted = await client.delete_template(credentials=creds, name="promo_3")
        after = await client.list_templates(credentials=creds, limit=3)
        err = await expect_error(client.delete_template(credentials=creds, name="promo_3"))
    assert [t.name for t in templates] == [
        "order_update",
        "cart_reminder",
        "promo_0",
        "promo_1",
        "promo_2",
        "promo_3",
        "promo_4",
    ]
    assert templates[2].components == [{"type": "BODY", "text": "İndirim {{1}}"}]
    assert deleted is True
    assert "promo_3" not in [t.name for t in after]
    assert len(after) == 6
    assert err.code == 100


async def test_create_template_validation(sandbox_server):
    async with client_for(sandbox_server) as client:
        err = await expect_error(
            client.create_template(
                credentials=sandbox_server.credentials,
                template=TemplateDefinition(
                    name="Bad Name",
                    language="tr",
                    category="UTILITY",
                    components=[{"type": "BODY", "text": "x"}],
                ),
            )
        )
        dup = await expect_error(
            client.create_template(
                credentials=sandbox_server.credentials,
                template=TemplateDefinition(
                    name="order_update",
                    language="en",
                    category="UTILITY",
                    components=[{"type": "BODY", "text": "x"}],
                ),
            )
        )
    assert err.code == 100
    assert (dup.code, dup.error_class.subcode) == (100, 2388024)


async def test_phone_number_facts(sandbox_server):
    async with client_for(sandbox_server) as client:
        info = await client.get_phone_number(credentials=sandbox_server.credentials)
    assert (info.id, info.quality_rating, info.throughput.level) == (
        PHONE_NUMBER_ID,
        "GREEN",
        "HIGH",
    )
    assert info.messaging_limit_tier == "TIER_2K"
    assert info.whatsapp_business_manager_messaging_limit == "TIER_2K"

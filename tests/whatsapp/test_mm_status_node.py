"""The sandbox's WABA node answers `marketing_messages_onboarding_status` as Meta's "Onboard"
page documents it (plugin/whatsapp/sandbox/nodes.py), and the client reads it."""

from __future__ import annotations

import httpx
import pytest

from plugin.whatsapp.client import CloudApiClient
from plugin.whatsapp.credentials import Credentials
from plugin.whatsapp.errors import WhatsAppError
from tests.whatsapp.conftest import PHONE_NUMBER_ID, TOKEN, WABA_ID

FIELD = "marketing_messages_onboarding_status"


async def _get(server, object_id: str, token: str = TOKEN, **params: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server.url) as http:
        return await http.get(
            f"/sandbox/graph/v23.0/{object_id}",
            params=params,
            headers={"Authorization": f"Bearer {token}"},
        )


async def _change(server, **fields: object) -> None:
    async with httpx.AsyncClient(base_url=server.url) as http:
        answer = await http.post(
            "/sandbox/api/numbers", json={"phone_number_id": PHONE_NUMBER_ID, **fields}
        )
    assert answer.status_code == 201, answer.text


async def test_a_waba_not_onboarded_reads_eligible_and_onboarded_once_it_is(sandbox_server):
    # given a business that has not onboarded to the Marketing Messages API
    # when the WABA node is asked for its onboarding status
    answer = await _get(sandbox_server, WABA_ID, fields=FIELD)
    # then Meta's shape: the id and the field, ELIGIBLE
    assert answer.status_code == 200
    assert answer.json() == {"id": WABA_ID, FIELD: "ELIGIBLE"}
    # when the business onboards (POST /sandbox/api/numbers, as Meta sets a business)
    await _change(sandbox_server, mm_api_onboarded=True)
    # then the client reads ONBOARDED
    async with CloudApiClient(sandbox_server.graph_url) as client:
        waba = await client.get_business_account(credentials=sandbox_server.credentials)
    assert (waba.id, waba.marketing_messages_onboarding_status) == (WABA_ID, "ONBOARDED")


async def test_a_pending_or_ineligible_business_reads_as_meta_names_it(sandbox_server):
    await _change(sandbox_server, mm_api_onboarding_status="PENDING_VALID_PAYMENT_METHOD")
    assert (await _get(sandbox_server, WABA_ID, fields=FIELD)).json()[FIELD] == (
        "PENDING_VALID_PAYMENT_METHOD"
    )
    # and a value Meta does not have is refused
    async with httpx.AsyncClient(base_url=sandbox_server.url) as http:
        wrong = await http.post(
            "/sandbox/api/numbers",
            json={"phone_number_id": PHONE_NUMBER_ID, "mm_api_onboarding_status": "NOT_STARTED"},
        )
    assert wrong.status_code == 422


async def test_the_waba_node_without_fields_answers_its_defaults_and_the_phone_node_is_unchanged(
    sandbox_server,
):
    plain = (await _get(sandbox_server, WABA_ID)).json()
    assert plain == {"id": WABA_ID, "name": "Ulak Sandbox"}
    phone = (await _get(sandbox_server, PHONE_NUMBER_ID, fields="quality_rating")).json()
    assert phone == {"id": PHONE_NUMBER_ID, "quality_rating": "GREEN"}


async def test_the_waba_node_is_authorised_as_meta_does(sandbox_server):
    # a token Meta does not know: 190
    async with CloudApiClient(sandbox_server.graph_url) as client:
        with pytest.raises(WhatsAppError) as bad:
            await client.get_business_account(
                credentials=Credentials(
                    phone_number_id=PHONE_NUMBER_ID, access_token="wrong", waba_id=WABA_ID
                )
            )
    assert bad.value.code == 190
    # a known token asking for a WABA it does not own: 100 (unknown object)
    sandbox_server.sandbox.register_number(
        sandbox_server.sandbox.numbers[PHONE_NUMBER_ID].model_copy(
            update={"phone_number_id": "222", "waba_id": "333", "access_token": "other-token"}
        )
    )
    answer = await _get(sandbox_server, "333", fields=FIELD)
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == 100


async def test_the_waba_node_answers_its_billing_currency_as_meta_documents_it(sandbox_server):
    # given a business Meta bills in the sandbox's default currency
    answer = await _get(sandbox_server, WABA_ID, fields="currency")
    # then Meta's shape: the id and the ISO 4217 code (Graph API "WhatsApp Business Account")
    assert answer.json() == {"id": WABA_ID, "currency": "USD"}
    # when the business is billed in euros (POST /sandbox/api/numbers billing_currency)
    await _change(sandbox_server, billing_currency="EUR")
    # then the client reads it with the onboarding status, in one call
    async with CloudApiClient(sandbox_server.graph_url) as client:
        waba = await client.get_business_account(credentials=sandbox_server.credentials)
    assert (waba.currency, waba.marketing_messages_onboarding_status) == ("EUR", "ELIGIBLE")
    # and a value that is not a currency code is refused
    async with httpx.AsyncClient(base_url=sandbox_server.url) as http:
        wrong = await http.post(
            "/sandbox/api/numbers",
            json={"phone_number_id": PHONE_NUMBER_ID, "billing_currency": "euro"},
        )
    assert wrong.status_code == 422

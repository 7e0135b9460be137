"""`GET /sandbox/graph/<version>/<id>?fields=...`: the Graph API's phone number and WhatsApp
Business Account nodes, as Meta answers them for the sandbox's numbers.

- Phone number node: `quality_rating`, `throughput.level` (STANDARD | HIGH),
  `whatsapp_business_manager_messaging_limit` (the portfolio's tier) and the deprecated
  `messaging_limit_tier` (same value). Sources: "Messaging limits" (via API), "Throughput";
  zernio's typed phone-number model (docs.rs `late`) for the field shapes.
- WABA node: `{"id", "name", "marketing_messages_onboarding_status"}`. ONBOARDED once the
  business is onboarded to the Marketing Messages API (`mm_api_onboarded`), else what the number
  says (ELIGIBLE by default; INELIGIBLE_* / PENDING_* on request). Source: Meta's "Onboard" page
  for the MM API for WhatsApp ("Check WABA onboarding status and eligibility": GET
  /<WHATSAPP_BUSINESS_ACCOUNT_ID> with that field; ELIGIBLE, ONBOARDED), the values as pywa
  types them (pywa/types/others.py, `MarketingMessagesOnboardingStatus`). The status is the
  WABA's: onboarded when any of its numbers is.
- WABA node `currency`: the ISO 4217 code Meta bills the account in (USD by default; set per
  sandbox number with `billing_currency` through POST /sandbox/api/numbers, the WABA reads its
  first number's). Source: Meta's Graph API reference "WhatsApp Business Account"
  (developers.facebook.com/docs/graph-api/reference/whats-app-business-account: fields id,
  name, currency, timezone_id, message_template_namespace, ...), and AWS End User Messaging
  Social's MetaFlowWhatsAppBusinessAccountInfo, which relays it as "The currency code for the
  WhatsApp Business Account (for example, USD)"; not among the node's default fields.

Like Meta, the answer holds `id` and the requested fields (the node's defaults without
`fields`); a wrong token is 190, an object the token cannot see 100/33.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from plugin.whatsapp.sandbox.config import SandboxNumber
from plugin.whatsapp.sandbox.graph import GraphError, unknown_object
from plugin.whatsapp.sandbox.records import dumps
from plugin.whatsapp.sandbox.state import Sandbox

JSON = "application/json"
_WABA_DEFAULT = {"id", "name"}


def phone_number_facts(number: SandboxNumber) -> dict[str, Any]:
    return {
        "id": number.phone_number_id,
        "display_phone_number": number.display_phone_number,
        "verified_name": number.verified_name,
        "quality_rating": number.quality_rating,
        "throughput": {"level": number.throughput_level},
        "messaging_limit_tier": number.messaging_limit_tier,
        "whatsapp_business_manager_messaging_limit": number.messaging_limit_tier,
        "name_status": "APPROVED",
        "status": "CONNECTED",
    }


def onboarding_status(numbers: list[SandboxNumber]) -> str:
    """The WABA's `marketing_messages_onboarding_status` from its numbers' settings."""
    if any(n.mm_api_onboarded for n in numbers):
        return "ONBOARDED"
    return numbers[0].mm_api_onboarding_status if numbers else "ELIGIBLE"


def waba_facts(waba_id: str, numbers: list[SandboxNumber]) -> dict[str, Any]:
    return {
        "id": waba_id,
        "name": numbers[0].verified_name if numbers else "Ulak Sandbox",
        "marketing_messages_onboarding_status": onboarding_status(numbers),
        "currency": numbers[0].billing_currency if numbers else "USD",
    }


def _select(facts: dict[str, Any], fields: str | None, default: set[str] | None) -> dict[str, Any]:
    wanted = {f.strip() for f in fields.split(",")} if fields else default
    if wanted is None:
        return facts
    return {k: v for k, v in facts.items() if k in wanted | {"id"}}


async def graph_node(sandbox: Sandbox, request: Request) -> Response:
    """GET /{id}: a WABA id the sandbox serves answers the WABA node, anything else the phone
    number node (or Meta's errors)."""
    object_id = request.path_params["pnid"]
    authorization = request.headers.get("authorization")
    fields = request.query_params.get("fields")
    numbers = [n for n in sandbox.numbers.values() if n.waba_id == object_id]
    try:
        if numbers and object_id not in sandbox.numbers:
            sandbox.authorize_waba(authorization, object_id)
            facts = _select(waba_facts(object_id, numbers), fields, _WABA_DEFAULT)
        else:
            number = sandbox.authorize(authorization, object_id)
            if number is None:
                raise unknown_object(object_id)
            facts = _select(phone_number_facts(number), fields, None)
    except GraphError as exc:
        return Response(dumps(exc.body()), status_code=exc.http_status, media_type=JSON)
    return Response(dumps(facts), media_type=JSON)

"""A STOP holds everywhere (issue 16), tried as a store and a shopper would: the real app under
uvicorn, signed Saleor webhooks, the sandbox phone and the merchant's admin API.

Ayşe opts in on WhatsApp, then replies STOP. The merchant later imports a consent CSV whose
row for her carries an older grant (collected on paper last year), and launches a campaign to
everyone. Her phone receives nothing new; another customer from the same CSV gets the
campaign; the admin shows her marketing consent as revoked, with the import kept as evidence.
"""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import Session

from plugin.db import get_engine
from plugin.stores.models import Plan
from plugin.stores.service import get_settings
from tests.admin_api_support import token_for
from tests.support import FakeSaleor, SigningKey
from tests.test_end_to_end import (
    _admin,
    _deliver,
    _messages,
    _morning_in_istanbul,
    _settle,
    driven_store,  # noqa: F401 - the fixture
)
from tests.whatsapp.test_sandbox_wiring import db, live_app, served_app  # noqa: F401 - fixtures

pytestmark = pytest.mark.sqlite

CONTROL = "+905329876543"
STAFF = "+905550000001"
ERRORS = "errors { field code message }"
PROMO = {
    "name": "bahar_indirimi",
    "language": "tr",
    "category": "MARKETING",
    "components": [
        {"type": "BODY", "text": "Bahar indirimi başladı: tüm ürünlerde %20 indirim!"},
        {"type": "FOOTER", "text": "Bu mesajları istemiyorsanız DUR yazın."},
    ],
    "variableMapping": {},
}


def _approved_campaign_template(app: str, merchant: str) -> str:
    """The merchant writes a marketing template, submits it, and Meta (the sandbox) approves;
    returns its id."""
    assert httpx.post(f"{app}/sandbox/api/config", json={"review_delay_seconds": 0}).is_success
    saved = _admin(
        app,
        merchant,
        f"mutation($input: TemplateDraftInput!) {{ saveTemplateDraft(input: $input) "
        f"{{ template {{ id }} {ERRORS} }} }}",
        {"input": PROMO},
    )["saveTemplateDraft"]
    assert saved["errors"] == []
    submitted = _admin(
        app,
        merchant,
        f'mutation {{ submitTemplate(id: "{saved["template"]["id"]}") {{ {ERRORS} }} }}',
    )["submitTemplate"]
    assert submitted["errors"] == []
    synced = _admin(app, merchant, f"mutation {{ syncTemplates {{ {ERRORS} }} }}")
    assert synced["syncTemplates"]["errors"] == []
    return saved["template"]["id"]


def _on_gold_plan() -> None:
    with Session(get_engine()) as session:  # campaigns are a paid feature
        settings = get_settings(session, session.exec(_store_ids()).one())
        settings.plan = Plan.GOLD
        session.add(settings)
        session.commit()


def _campaign_to_everyone(app: str, merchant: str) -> str:
    """The merchant saves a draft campaign of PROMO to every customer; returns its id."""
    campaign = {
        "name": "Bahar",
        "rule": {"field": "orders_count", "op": "gte", "value": 0},
        "variants": [{"templateName": PROMO["name"], "templateLanguage": "tr"}],
    }
    saved = _admin(
        app,
        merchant,
        f"mutation($input: CampaignInput!) {{ saveCampaign(input: $input) "
        f"{{ campaign {{ id }} {ERRORS} }} }}",
        {"input": campaign},
    )["saveCampaign"]
    assert saved["errors"] == []
    return saved["campaign"]["id"]


def _staff_test_numbers(app: str, merchant: str, *numbers: str) -> list[str]:
    """The merchant lists the staff's own phones: the only numbers test sends may go to."""
    saved = _admin(
        app,
        merchant,
        f"mutation($n: [String!]!) {{ setStaffTestNumbers(numbers: $n) {{ numbers {ERRORS} }} }}",
        {"n": list(numbers)},
    )["setStaffTestNumbers"]
    assert saved["errors"] == []
    return saved["numbers"]


def test_a_stop_holds_against_an_older_imported_grant_and_a_campaign(
    driven_store: str,  # noqa: F811 - the fixture
    fake_saleor: FakeSaleor,
    saleor_key: SigningKey,
) -> None:
    from tests.flows.support import PHONE as SHOPPER
    from tests.flows.support import checkout_event

    app = driven_store
    merchant = token_for(saleor_key, fake_saleor.api_url)
    _on_gold_plan()
    # given Ayşe, who opted in on WhatsApp after her checkout
    start = _morning_in_istanbul(app)
    _deliver(app, fake_saleor, saleor_key, "CHECKOUT_UPDATED", checkout_event(last_change=start))
    _settle(app)
    yes = {"from": SHOPPER, "button_payload": "ULAK_OPTIN_YES"}
    assert httpx.post(f"{app}/sandbox/api/reply", json=yes).status_code == 200
    _settle(app)
    # when she replies STOP
    assert httpx.post(f"{app}/sandbox/api/reply", json={"from": SHOPPER, "text": "STOP"}).is_success
    _settle(app)
    after_stop = [(m["wamid"], m["template_name"]) for m in _messages(app, SHOPPER)]
    assert after_stop[-1][1] is None  # the one opt-out confirmation (free text)
    # and the merchant imports a CSV with a grant she gave on paper last year
    csv = (
        "phone,first_name,marketing,consent_date\n"
        f"{SHOPPER},Ayşe,evet,2025-12-01T10:00:00+03:00\n"
        f"{CONTROL},Zeynep,evet,\n"
    )
    imported = _admin(
        app,
        merchant,
        "mutation($csv: String!) { importConsentCsv(csv: $csv) { imported failed "
        "rows { line status contactId } } }",
        {"csv": csv},
    )["importConsentCsv"]
    assert (imported["imported"], imported["failed"]) == (2, 0)
    ayse = imported["rows"][0]["contactId"]
    # and launches a campaign to everyone
    _approved_campaign_template(app, merchant)
    _staff_test_numbers(app, merchant, STAFF)
    campaign_id = _campaign_to_everyone(app, merchant)
    for step in (
        f'sendCampaignTest(id: "{campaign_id}", phone: "{STAFF}")',
        f'launchCampaign(id: "{campaign_id}")',
    ):
        done = _admin(app, merchant, f"mutation {{ {step} {{ {ERRORS} }} }}")
        assert next(iter(done.values()))["errors"] == [], step
    _settle(app)
    _settle(app)
    # then the campaign reached the other customer, and nothing new reached Ayşe's phone
    assert [m["template_name"] for m in _messages(app, CONTROL)] == [PROMO["name"]]
    assert [(m["wamid"], m["template_name"]) for m in _messages(app, SHOPPER)] == after_stop
    # and the admin shows her marketing consent revoked, the import kept as evidence
    contact = _admin(
        app,
        merchant,
        "query($id: ID!) { contact(id: $id) { consents { purpose action granted } "
        "consentTimeline { action source occurredAt } } }",
        {"id": ayse},
    )["contact"]
    marketing = next(c for c in contact["consents"] if c["purpose"] == "MARKETING")
    assert (marketing["action"], marketing["granted"]) == ("REVOKED", False)
    assert ("GRANTED", "CSV_IMPORT") in {
        (e["action"], e["source"]) for e in contact["consentTimeline"]
    }


def _store_ids():
    from sqlmodel import select

    from plugin.saleor.models import Store

    return select(Store.id)

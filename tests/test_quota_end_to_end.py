"""The plan's marketing quota (issue 19 point 5), tried as a merchant would: the real app under
uvicorn, the merchant's admin API, signed Meta status webhooks and the sandbox phone.

A Silver store (10,000 marketing messages a month) has 2 left and launches a campaign to five
customers. WhatsApp cannot deliver to the first: its unit comes back and goes to a held
message. Two messages reach phones; the other three wait with `quota_exceeded` and the first
instant of next month, which the admin shows beside a 100 % warning. Meta then reports one of
the sent messages as free (a free entry point): its unit comes back too and one more waits no
longer. The merchant upgrades to Gold and the rest go out at once. At every step the admin's
usage is the number of marketing messages on the phones.
"""

from __future__ import annotations

import json

import httpx
import pytest
from sqlmodel import Session, select

from plugin import clock
from plugin.db import get_engine
from plugin.settings import DEV_WHATSAPP_APP_SECRET
from plugin.stores import usage
from plugin.stores.models import Plan
from plugin.stores.service import get_settings
from plugin.whatsapp.accounts import WhatsAppAccount
from plugin.whatsapp.signature import sign_body
from tests.admin_api_support import token_for
from tests.support import FakeSaleor, SigningKey
from tests.test_consent_end_to_end import (
    ERRORS,
    PROMO,
    _approved_campaign_template,
    _campaign_to_everyone,
    _staff_test_numbers,
    _store_ids,
)
from tests.test_end_to_end import (
    _admin,
    _messages,
    _morning_in_istanbul,
    _settle,
    driven_store,  # noqa: F401 - the fixture
)
from tests.whatsapp.test_sandbox_wiring import db, live_app, served_app  # noqa: F401 - fixtures

pytestmark = pytest.mark.sqlite

STAFF = "+905550000001"
UNREACHABLE = "+905321110000"  # WhatsApp cannot deliver to this number (131026)
CUSTOMERS = ["+905321110001", "+905321110002", "+905321110003", "+905321110004"]
USAGE = "{ planUsage { plan usedThisMonth remaining warningLevel resetsAt resetsOn heldMessages } }"
CONVERSATION = (
    "query($id: ID!) { conversation(contactId: $id, first: 10) "
    "{ edges { node { status statusReason dueAt } } } }"
)
EXPLAIN = (
    "query($id: ID!) { deliveryExplanation(contactId: $id) { kind status statusReason dueAt "
    "statusReasonText { text textTr fix fixTr } } }"
)


def _silver_with_units_left(left: int) -> None:
    """The store is on Silver and the policy has reserved all but `left` units this month."""
    with Session(get_engine()) as session:
        store_id = session.exec(_store_ids()).one()
        settings = get_settings(session, store_id)
        settings.plan = Plan.SILVER
        session.add(settings)
        session.commit()
        usage.reserve(session=session, store_id=store_id, want=10_000 - left, now=clock.now())
        session.commit()


def _campaign_phones(app: str) -> list[str]:
    """The customers whose phone shows the campaign's message (once)."""
    got = {p: [m["template_name"] for m in _messages(app, p)] for p in CUSTOMERS}
    return [p for p, names in got.items() if names == [PROMO["name"]]]


def _explain(app: str, merchant: str, contact_id: str) -> dict:
    """The contact's campaign message as the admin explains it (status, reason, date)."""
    rows = _admin(app, merchant, EXPLAIN, {"id": contact_id})["deliveryExplanation"]
    [row] = [r for r in rows if r["kind"] == "campaign"]
    return row


def _free_entry_status(app: str, wamid: str, phone: str) -> None:
    """Meta's status webhook for a message it does not bill: the customer came from a
    click-to-WhatsApp ad (pricing type free_entry_point), signed with the app secret."""
    with Session(get_engine()) as session:
        number = session.exec(select(WhatsAppAccount.phone_number_id)).first()
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "905550000000", "phone_number_id": number},
        "statuses": [
            {
                "id": wamid,
                "status": "delivered",
                "timestamp": str(int(clock.now().timestamp())),
                "recipient_id": phone.lstrip("+"),
                "pricing": {
                    "billable": False,
                    "pricing_model": "PMP",
                    "category": "marketing",
                    "type": "free_entry_point",
                },
            }
        ],
    }
    body = json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
        }
    ).encode()
    response = httpx.post(
        f"{app}/api/webhooks/whatsapp",
        content=body,
        headers={
            "content-type": "application/json",
            "x-hub-signature-256": sign_body(DEV_WHATSAPP_APP_SECRET, body),
        },
    )
    assert response.status_code == 200, response.text


def test_over_quota_marketing_waits_with_its_date_and_goes_on_an_upgrade(
    driven_store: str,  # noqa: F811 - the fixture
    fake_saleor: FakeSaleor,
    saleor_key: SigningKey,
) -> None:
    app = driven_store
    merchant = token_for(saleor_key, fake_saleor.api_url)
    _morning_in_istanbul(app)
    # given five customers who gave marketing consent, the first unreachable on WhatsApp
    rows = "".join(f"{p},Müşteri,evet\n" for p in [UNREACHABLE, *CUSTOMERS])
    imported = _admin(
        app,
        merchant,
        "mutation($csv: String!) { importConsentCsv(csv: $csv) { imported rows { contactId } } }",
        {"csv": "phone,first_name,marketing\n" + rows},
    )["importConsentCsv"]
    assert imported["imported"] == 5
    contact_ids = [r["contactId"] for r in imported["rows"]]
    assert httpx.post(f"{app}/sandbox/api/faults", json={"undeliverable": [UNREACHABLE]}).is_success
    # and a Silver store with 2 of its 10,000 marketing messages left this month
    _silver_with_units_left(2)
    before = _admin(app, merchant, USAGE)["planUsage"]
    assert (before["usedThisMonth"], before["warningLevel"]) == (9_998, 80)
    # when the merchant tests and launches a campaign to everyone
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
    # then two messages reached phones (the staff test took no unit) and the admin's usage is
    # what was enforced; the unreachable customer's send, if it was tried, failed and gave its
    # unit back to a waiting message
    assert _messages(app, UNREACHABLE) == []
    reached = _campaign_phones(app)
    assert len(reached) == 2
    tried = _explain(app, merchant, contact_ids[0])
    failed = int(tried["status"] == "failed")
    assert tried["statusReason"] == ("undeliverable" if failed else "quota_exceeded")
    full = _admin(app, merchant, USAGE)["planUsage"]
    assert full["usedThisMonth"] == 9_998 + len(reached)
    assert (full["remaining"], full["warningLevel"]) == (0, 100)
    assert full["heldMessages"] == 5 - len(reached) - failed
    # and each waiting message says why, in Turkish and English, and the date it can go: the
    # first instant of next month in the store's time zone, the usage's own reset
    waiting = [
        row
        for row in (_explain(app, merchant, contact_id) for contact_id in contact_ids)
        if row["statusReason"] == "quota_exceeded"
    ]
    assert len(waiting) == full["heldMessages"]
    for contact_id in contact_ids:  # the contact page's conversation shows the same date
        conversation = _admin(app, merchant, CONVERSATION, {"id": contact_id})["conversation"]
        for node in (e["node"] for e in conversation["edges"]):
            if node["statusReason"] == "quota_exceeded":
                assert (node["status"], node["dueAt"]) == ("SCHEDULED", full["resetsAt"])
    for row in waiting:
        assert (row["kind"], row["status"]) == ("campaign", "scheduled")
        assert row["dueAt"] == full["resetsAt"]
        assert "next month" in row["statusReasonText"]["text"]
        assert "gelecek ay" in row["statusReasonText"]["textTr"]
        assert "upgrade" in row["statusReasonText"]["fix"]
    # when Meta reports one sent message as free (it does not bill it)
    wamid = _messages(app, reached[0])[0]["wamid"]
    _free_entry_status(app, wamid, reached[0])
    _settle(app)
    # then its unit comes back and one more waiting message goes with it
    assert len(_campaign_phones(app)) == 3
    after_free = _admin(app, merchant, USAGE)["planUsage"]
    assert after_free["usedThisMonth"] == 9_998 + 3 - 1  # the free one is not counted
    assert after_free["warningLevel"] == 100
    failed = int(_explain(app, merchant, contact_ids[0])["status"] == "failed")
    assert after_free["heldMessages"] == 5 - 3 - failed
    # when the merchant upgrades to Gold (50,000 a month)
    upgraded = _admin(
        app, merchant, f"mutation {{ changePlan(plan: GOLD) {{ usage {{ plan }} {ERRORS} }} }}"
    )["changePlan"]
    assert upgraded == {"usage": {"plan": "GOLD"}, "errors": []}
    _settle(app)
    # then the last waiting message goes out at once and the warning is gone
    assert sorted(_campaign_phones(app)) == sorted(CUSTOMERS)
    gold = _admin(app, merchant, USAGE)["planUsage"]
    assert gold["plan"] == "GOLD"
    assert gold["usedThisMonth"] == 9_998 + 4 - 1
    assert (gold["warningLevel"], gold["heldMessages"]) == (0, 0)

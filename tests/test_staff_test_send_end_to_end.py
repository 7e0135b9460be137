"""Staff test sends (issue 19 point 6), tried as a merchant would: the real app under uvicorn,
the merchant's admin API and the sandbox phone.

At 23:00 in Istanbul (quiet hours) the merchant tests a MARKETING template on a staff test
number: it reaches the phone at once, as marketing, and the number's consent ledger is
unchanged. The staff member's own marketing consent, revoked by the admin, stays revoked: the
next morning's campaign reaches a customer but not them. A test to a number that is not on the
staff list is refused, in Turkish and English.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from plugin.consent.models import ConsentEvent
from plugin.contacts.models import Contact
from plugin.db import get_engine
from plugin.delivery.models import MessageKind, OutboundMessage
from tests.admin_api_support import token_for
from tests.support import FakeSaleor, SigningKey
from tests.test_consent_end_to_end import (
    CONTROL,
    ERRORS,
    PROMO,
    _approved_campaign_template,
    _campaign_to_everyone,
    _on_gold_plan,
    _staff_test_numbers,
)
from tests.test_end_to_end import (
    _admin,
    _clock,
    _messages,
    _morning_in_istanbul,
    _settle,
    _until,
    _work_off,
    driven_store,  # noqa: F401 - the fixture
)
from tests.whatsapp.test_sandbox_wiring import db, live_app, served_app  # noqa: F401 - fixtures

pytestmark = pytest.mark.sqlite

STAFF = "+905559876543"  # the staff member's own phone, also a customer of the shop
COLLEAGUE = "+905559876544"  # a second staff phone, used for the campaign's test

TEST_MESSAGE = (
    "mutation($phone: String!, $id: ID) { sendTestMessage(phone: $phone, templateId: $id) "
    f"{{ message {{ kind status }} {ERRORS} messageTr: errors {{ messageTr }} }} }}"
)


def _ledger(phone: str) -> list[tuple[str, str, str]]:
    with Session(get_engine()) as session:
        contact = session.exec(select(Contact).where(Contact.phone_e164 == phone)).first()
        if contact is None:
            return []
        events = session.exec(
            select(ConsentEvent).where(ConsentEvent.contact_id == contact.id)
        ).all()
        return [(str(e.purpose), str(e.action), str(e.source)) for e in events]


def test_a_staff_test_of_a_marketing_template_goes_at_once_and_grants_nothing(
    driven_store: str,  # noqa: F811 - the fixture
    fake_saleor: FakeSaleor,
    saleor_key: SigningKey,
) -> None:
    app = driven_store
    merchant = token_for(saleor_key, fake_saleor.api_url)
    _on_gold_plan()
    # given a store whose staff listed their phones (typed as they would, without +90)
    assert _staff_test_numbers(app, merchant, "0555 987 65 43", COLLEAGUE) == [STAFF, COLLEAGUE]
    # and a staff member who is also a customer: imported with marketing consent, which the
    # merchant then revoked on the admin page
    csv = f"phone,first_name,marketing\n{STAFF},Ece,evet\n{CONTROL},Zeynep,evet\n"
    imported = _admin(
        app,
        merchant,
        "mutation($csv: String!) { importConsentCsv(csv: $csv) { imported rows { contactId } } }",
        {"csv": csv},
    )["importConsentCsv"]
    assert imported["imported"] == 2
    revoked = _admin(
        app,
        merchant,
        f"mutation($id: ID!) {{ recordConsent(contactId: $id, purpose: MARKETING, action: REVOKED) "
        f"{{ {ERRORS} }} }}",
        {"id": imported["rows"][0]["contactId"]},
    )["recordConsent"]
    assert revoked["errors"] == []
    template_id = _approved_campaign_template(app, merchant)
    staff_ledger, colleague_ledger = _ledger(STAFF), _ledger(COLLEAGUE)
    # when, at 23:00 in Istanbul (quiet hours), the merchant tests the marketing template
    night = _morning_in_istanbul(app) + timedelta(hours=13)
    _until(app, night)
    sent = _admin(app, merchant, TEST_MESSAGE, {"phone": "0555 987 65 43", "id": template_id})
    assert sent["sendTestMessage"]["errors"] == []
    assert sent["sendTestMessage"]["message"]["kind"] == "TEST"
    _work_off()
    # then it reaches the staff phone at once, sent as the marketing template it is
    assert [m["template_name"] for m in _messages(app, STAFF)] == [PROMO["name"]]
    with Session(get_engine()) as session:
        [row] = session.exec(
            select(OutboundMessage).where(OutboundMessage.kind == MessageKind.TEST)
        ).all()
        assert (row.purpose, row.status_reason) == ("marketing", None)
    # and the number's consent ledger is unchanged: the test granted nothing
    assert _ledger(STAFF) == staff_ledger
    # when a test goes to a number that is not on the staff list (a customer's)
    refused = _admin(app, merchant, TEST_MESSAGE, {"phone": CONTROL, "id": template_id})
    [error] = refused["sendTestMessage"]["errors"]
    # then it is refused with a clear reason, in English and Turkish, and nothing is queued
    assert (error["field"], error["code"]) == ("phone", "NOT_STAFF_NUMBER")
    assert "staff test numbers" in error["message"]
    [tr] = refused["sendTestMessage"]["messageTr"]
    assert "personel test numaralar" in tr["messageTr"]
    # when the merchant saves a campaign to everyone and tests it on the colleague's phone
    campaign_id = _campaign_to_everyone(app, merchant)
    off_list = _admin(
        app,
        merchant,
        f'mutation {{ sendCampaignTest(id: "{campaign_id}", phone: "{CONTROL}") {{ {ERRORS} }} }}',
    )["sendCampaignTest"]
    assert [e["code"] for e in off_list["errors"]] == ["NOT_STAFF_NUMBER"]
    tested = _admin(
        app,
        merchant,
        f'mutation {{ sendCampaignTest(id: "{campaign_id}", phone: "{COLLEAGUE}") '
        f"{{ {ERRORS} }} }}",
    )["sendCampaignTest"]
    assert tested["errors"] == []
    _settle(app)
    # then it too reaches the phone at once, still at night, and grants nothing
    assert _clock(app, 0) < night + timedelta(minutes=5)
    assert [m["template_name"] for m in _messages(app, COLLEAGUE)] == [PROMO["name"]]
    assert _ledger(COLLEAGUE) == colleague_ledger
    assert [m["template_name"] for m in _messages(app, CONTROL)] == []
    # when the campaign is launched the next morning
    _morning_in_istanbul(app)
    launched = _admin(
        app, merchant, f'mutation {{ launchCampaign(id: "{campaign_id}") {{ {ERRORS} }} }}'
    )
    assert launched["launchCampaign"]["errors"] == []
    _settle(app)
    _settle(app)
    # then the customer gets it, and the staff member whose consent the admin revoked does not
    assert [m["template_name"] for m in _messages(app, CONTROL)] == [PROMO["name"]]
    assert [m["template_name"] for m in _messages(app, STAFF)] == [PROMO["name"]]  # the test
    assert _ledger(STAFF) == staff_ledger

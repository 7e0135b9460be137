"""Usernames and business-scoped user ids (BSUID) through the real webhook endpoint and the
sandbox, as Meta's business-scoped user ids page and system-messages reference describe them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlmodel import Session, select

from plugin.consent.models import ConsentAction, ConsentEvent, ConsentSource, Purpose
from plugin.consent.state import allowed_contact_ids as granted_contact_ids
from plugin.contacts.models import Contact, PhoneStatus
from plugin.delivery.models import InboundMessage
from tests.support import drain_queue
from tests.whatsapp.test_webhook_endpoint import contact, post, sample, world  # noqa: F401

pytestmark = pytest.mark.sqlite

OLD_BSUID = "US.13491208655302741918"


def system_message(kind: str, system: dict[str, Any], *, sender: dict[str, str]) -> bytes:
    """Meta's system-message webhook (no contacts array), on the samples' number."""
    data = json.loads(sample("inbound_text"))
    value = data["entry"][0]["changes"][0]["value"]
    value.pop("contacts")
    value["messages"] = [
        {
            **sender,
            "id": f"wamid.system.{kind}",
            "timestamp": "1697043300",
            "type": "system",
            "system": {"type": kind, "body": "User changed", **system},
        }
    ]
    return json.dumps(data).encode()


def grant_marketing(session: Session, store_id: int, contact_id: int) -> None:
    session.add(
        ConsentEvent(
            store_id=store_id,
            contact_id=contact_id,
            purpose=Purpose.MARKETING,
            action=ConsentAction.GRANTED,
            source=ConsentSource.CHECKOUT,
        )
    )
    session.commit()


def test_a_changed_number_rekeys_the_contact_keeps_consent_and_opens_no_window(
    client,
    world,  # noqa: F811 - the fixture
    session,
):
    # given a contact with marketing consent and no conversation open
    grant_marketing(session, world["store_id"], world["recipient_id"])
    # when Meta reports that the user changed their number
    body = system_message(
        "user_changed_number", {"wa_id": "972987650000"}, sender={"from": "972987654321"}
    )
    assert post(client, body).status_code == 200
    drain_queue()
    # then the same contact now has the new number and still its consent
    moved = contact(session, "+972987650000")
    assert moved.id == world["recipient_id"] and moved.wa_id == "972987650000"
    assert granted_contact_ids(
        session, store_id=world["store_id"], contact_ids=[moved.id], purpose="marketing"
    ) == {moved.id}
    # and it is not a customer message: nothing stored, the 24-hour window stays shut
    assert moved.last_inbound_at is None
    assert session.exec(select(InboundMessage)).all() == []


def test_a_changed_bsuid_rekeys_a_username_contact(client, world, session):  # noqa: F811
    # given a username-only contact (no number)
    session.add(Contact(store_id=world["store_id"], bsuid=OLD_BSUID, phone_status="missing"))
    session.commit()
    # when Meta reports the user's new business-scoped user id
    new = "US.99991208655302741918"
    body = system_message(
        "user_changed_user_id", {"user_id": new}, sender={"from_user_id": OLD_BSUID}
    )
    assert post(client, body).status_code == 200
    drain_queue()
    # then the contact answers to the new one, with no window opened
    session.expire_all()
    rekeyed = session.exec(select(Contact).where(Contact.bsuid == new)).one()
    assert rekeyed.phone_e164 is None and rekeyed.last_inbound_at is None
    assert session.exec(select(Contact).where(Contact.bsuid == OLD_BSUID)).first() is None


def test_a_status_keeps_the_recipients_bsuid_on_the_contact(client, world, session):  # noqa: F811
    # given a customer we know by number only
    session.add(
        Contact(
            store_id=world["store_id"], phone_e164="+16315551181", phone_status=PhoneStatus.VALID
        )
    )
    session.commit()
    # when Meta's delivered status carries their recipient_user_id (a real sample)
    assert post(client, sample("status_delivered_bsuid")).status_code == 200
    drain_queue()
    # then the contact keeps it, reachable should they hide their number later
    assert contact(session, "+16315551181").bsuid == OLD_BSUID


def test_a_shared_number_makes_a_username_contact_reachable_by_phone(client, world, session):  # noqa: F811
    # given a username-only contact
    session.add(Contact(store_id=world["store_id"], bsuid=OLD_BSUID, phone_status="missing"))
    session.commit()
    # when they answer a request-contact-info button with their card
    data = json.loads(sample("inbound_text"))
    value = data["entry"][0]["changes"][0]["value"]
    value["contacts"] = [{"profile": {"name": "Ali", "username": "@ali"}, "user_id": OLD_BSUID}]
    value["messages"] = [
        {
            "from_user_id": OLD_BSUID,
            "id": "wamid.shared",
            "timestamp": "1697043300",
            "type": "contacts",
            "contacts": [
                {
                    "origin": "contact_request",
                    "phones": [{"phone": "+90 532 111 22 33", "wa_id": "905321112233"}],
                }
            ],
        }
    ]
    assert post(client, json.dumps(data).encode()).status_code == 200
    drain_queue()
    # then the contact has the number
    shared = contact(session, "+905321112233")
    assert (shared.bsuid, shared.phone_status) == (OLD_BSUID, PhoneStatus.VALID)

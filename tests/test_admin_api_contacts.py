"""Contacts, consent, customer support and test messages over the admin API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from plugin import clock
from plugin.consent.models import ConsentAction, ConsentEvent, ConsentSource, Purpose, Suppression
from plugin.contacts.models import Contact, ContactSync, PhoneStatus
from plugin.contacts.staff_numbers import set_staff_test_numbers
from plugin.db import get_engine
from plugin.delivery.models import MessageStatus, OutboundMessage
from plugin.saleor.models import Store
from plugin.stores.models import StoreSettings
from tests.admin_api_support import ok, seed_store_rows, token_for
from tests.support import QueryCounter

pytestmark = pytest.mark.sqlite


@pytest.fixture()
def token(installed_store, saleor_key) -> str:
    return token_for(saleor_key, installed_store["api_url"])


@pytest.fixture()
def store_id(installed_store, session) -> int:
    return session.exec(select(Store.id)).one()


def add_contact(session, store_id: int, **fields) -> Contact:
    values = {"phone_e164": "+905321112233", "phone_status": PhoneStatus.VALID, **fields}
    contact = Contact(store_id=store_id, **values)
    session.add(contact)
    session.commit()
    return contact


def outbox(session, store_id: int) -> list[OutboundMessage]:
    session.expire_all()
    return list(
        session.exec(
            select(OutboundMessage)
            .where(OutboundMessage.store_id == store_id)
            .order_by(OutboundMessage.id)
        ).all()
    )


SEARCH = """query($search: String, $first: Int, $after: String) {
  contacts(search: $search, first: $first, after: $after) {
    edges { node { id phone firstName email } }
    pageInfo { hasNextPage endCursor }
  }
}"""


def test_contacts_search_by_phone_name_or_email_and_page(client, token, session, store_id):
    # given three contacts and an erased one
    ayse = add_contact(session, store_id, first_name="Ayşe", email="ayse@example.com")
    add_contact(session, store_id, phone_e164="+905329998877", last_name="Yılmaz")
    add_contact(session, store_id, phone_e164="+4915112345678", email="emma@example.de")
    add_contact(session, store_id, phone_e164=None, erased_at=clock.now())

    # when searching
    def found(search):
        data = ok(client, token, SEARCH, {"search": search, "first": 10})
        return [e["node"]["phone"] for e in data["contacts"]["edges"]]

    # then number (as typed locally too), email and name all match; erased ones never
    assert found("0532 111 22 33") == ["+905321112233"]
    assert found("EMMA@") == ["+4915112345678"]
    assert found("yılmaz") == ["+905329998877"]
    assert found(None) == ["+4915112345678", "+905329998877", "+905321112233"]
    page = ok(client, token, SEARCH, {"first": 2})["contacts"]
    assert page["pageInfo"]["hasNextPage"] is True
    rest = ok(client, token, SEARCH, {"first": 2, "after": page["pageInfo"]["endCursor"]})
    assert [e["node"]["id"] for e in rest["contacts"]["edges"]] == [str(ayse.id)]


DETAIL = """query($id: ID!) {
  contact(id: $id) {
    phone phoneStatus firstName ordersCount totalSpent { currency amount }
    lastInboundAt serviceWindowOpenUntil serviceWindowOpen
    consents { purpose granted action source }
    consentTimeline { purpose action source textVersion textHash evidence occurredAt }
  }
}"""


def test_contact_detail_has_profile_consent_state_and_timeline(client, token, session, store_id):
    # given a contact who wrote an hour ago, with two consent facts
    now = clock.now()
    contact = add_contact(
        session,
        store_id,
        first_name="Ayşe",
        orders_count=2,
        total_spent={"TRY": "150.00", "EUR": "9.90"},
        last_inbound_at=now - timedelta(hours=1),
    )
    for action, minutes in ((ConsentAction.REQUESTED, 10), (ConsentAction.GRANTED, 5)):
        session.add(
            ConsentEvent(
                store_id=store_id,
                contact_id=contact.id,
                purpose=Purpose.MARKETING,
                action=action,
                source=ConsentSource.CHECKOUT,
                text_version="v2",
                text_hash="abc",
                evidence={"capture_key": "checkout:1"},
                occurred_at=now - timedelta(minutes=minutes),
            )
        )
    session.commit()
    # when the admin opens the contact
    data = ok(client, token, DETAIL, {"id": str(contact.id)})["contact"]
    # then
    assert data["phone"] == "+905321112233"
    assert data["phoneStatus"] == "VALID"
    assert data["totalSpent"] == [
        {"currency": "EUR", "amount": "9.90"},
        {"currency": "TRY", "amount": "150.00"},
    ]
    assert data["serviceWindowOpen"] is True
    assert data["consents"] == [
        {"purpose": "MARKETING", "granted": True, "action": "GRANTED", "source": "CHECKOUT"},
        {"purpose": "TRANSACTIONAL", "granted": False, "action": None, "source": None},
    ]
    assert [(e["action"], e["evidence"]) for e in data["consentTimeline"]] == [
        ("REQUESTED", {"capture_key": "checkout:1"}),
        ("GRANTED", {"capture_key": "checkout:1"}),
    ]
    assert data["consentTimeline"][0]["textVersion"] == "v2"


CONVERSATION = """query($id: ID!, $first: Int, $after: String) {
  conversation(contactId: $id, first: $first, after: $after) {
    edges { node { id direction at text kind status statusReason errorCode messageType } }
    pageInfo { hasNextPage endCursor }
  }
}"""


def test_conversation_merges_both_directions_newest_first_with_skip_reasons(
    client, token, session, store_id
):
    # given 3 inbound and 3 suppressed outbound messages, interleaved in time
    contact_id = seed_store_rows(
        session, store_id, accounts=0, inbox=0, contacts=0, messages=3, templates=0
    )
    # when the conversation is read in pages of 4
    first = ok(client, token, CONVERSATION, {"id": str(contact_id), "first": 4})["conversation"]
    second = ok(
        client,
        token,
        CONVERSATION,
        {"id": str(contact_id), "first": 4, "after": first["pageInfo"]["endCursor"]},
    )["conversation"]
    nodes = [e["node"] for e in first["edges"] + second["edges"]]
    # then inbound and outbound alternate, newest first, with why the outbound was not sent
    assert [n["direction"] for n in nodes] == ["INBOUND", "OUTBOUND"] * 3
    assert [n["text"] for n in nodes if n["direction"] == "INBOUND"] == [
        "question 0",
        "question 1",
        "question 2",
    ]
    assert {(n["status"], n["statusReason"], n["kind"]) for n in nodes[1::2]} == {
        ("SUPPRESSED", "quiet_hours", "CAMPAIGN")
    }
    assert first["pageInfo"]["hasNextPage"] is True
    assert second["pageInfo"]["hasNextPage"] is False
    assert len({n["id"] for n in nodes}) == 6


REPLY = """mutation($id: ID!, $text: String!) {
  sendSupportReply(contactId: $id, text: $text) {
    message { direction kind status text }
    errors { field code message messageTr }
  }
}"""


def test_support_reply_inside_the_window_is_scheduled_now(client, token, session, store_id):
    contact = add_contact(session, store_id, last_inbound_at=clock.now() - timedelta(hours=23))
    data = ok(client, token, REPLY, {"id": str(contact.id), "text": " Kargonuz yarın çıkıyor. "})
    assert data["sendSupportReply"] == {
        "message": {
            "direction": "OUTBOUND",
            "kind": "SERVICE_REPLY",
            "status": "QUEUED",  # due now: handed to the queue at commit
            "text": "Kargonuz yarın çıkıyor.",
        },
        "errors": [],
    }
    [row] = outbox(session, store_id)
    assert (row.purpose, row.source_type, row.source_id) == (
        "transactional",
        "support",
        "VXNlcjoyMQ==",
    )
    assert row.idempotency_key.startswith(f"support:{contact.id}:")
    assert row.due_at <= clock.now()


@pytest.mark.parametrize("hours_ago", [None, 24, 30])
def test_support_reply_outside_the_window_is_refused(client, token, session, store_id, hours_ago):
    last = clock.now() - timedelta(hours=hours_ago) if hours_ago is not None else None
    contact = add_contact(session, store_id, last_inbound_at=last)
    data = ok(client, token, REPLY, {"id": str(contact.id), "text": "Merhaba"})
    [error] = data["sendSupportReply"]["errors"]
    assert (error["field"], error["code"]) == ("contactId", "WINDOW_CLOSED")
    assert "24" in error["message"] and "24" in error["messageTr"]
    assert data["sendSupportReply"]["message"] is None
    assert outbox(session, store_id) == []


def test_support_reply_with_empty_text_is_refused(client, token, session, store_id):
    contact = add_contact(session, store_id, last_inbound_at=clock.now())
    data = ok(client, token, REPLY, {"id": str(contact.id), "text": "  "})
    assert [(e["field"], e["code"]) for e in data["sendSupportReply"]["errors"]] == [
        ("text", "REQUIRED")
    ]
    assert outbox(session, store_id) == []


RECORD = """mutation($id: ID!, $action: ConsentDecision!) {
  recordConsent(contactId: $id, purpose: MARKETING, action: $action, note: "signed form") {
    event { action source evidence }
    contact { consents { purpose granted } }
    errors { code }
  }
}"""


def test_record_consent_with_the_staff_user_as_evidence(client, token, session, store_id):
    contact = add_contact(session, store_id)
    granted = ok(client, token, RECORD, {"id": str(contact.id), "action": "GRANTED"})
    assert granted["recordConsent"]["event"] == {
        "action": "GRANTED",
        "source": "ADMIN",
        "evidence": {
            "staff_user_id": "VXNlcjoyMQ==",
            "staff_email": "admin@example.com",
            "note": "signed form",
        },
    }
    assert granted["recordConsent"]["contact"]["consents"][0] == {
        "purpose": "MARKETING",
        "granted": True,
    }
    # a queued marketing message is held at once by a revocation
    session.add(
        OutboundMessage(
            store_id=store_id,
            contact_id=contact.id,
            purpose="marketing",
            kind="campaign",
            idempotency_key="queued-1",
            status=MessageStatus.SCHEDULED,
        )
    )
    session.commit()
    revoked = ok(client, token, RECORD, {"id": str(contact.id), "action": "REVOKED"})
    assert revoked["recordConsent"]["event"]["action"] == "REVOKED"
    assert [(m.status, m.status_reason) for m in outbox(session, store_id)] == [
        ("suppressed", "consent_revoked")
    ]


def test_record_consent_for_an_unknown_contact_records_nothing(client, token, session, store_id):
    data = ok(client, token, RECORD, {"id": "999999", "action": "GRANTED"})
    assert data["recordConsent"]["errors"] == [{"code": "NOT_FOUND"}]
    assert session.exec(select(ConsentEvent)).all() == []


IMPORT = """mutation($csv: String!) {
  importConsentCsv(csv: $csv) {
    imported skipped failed rows { line status reason contactId } errors { code }
  }
}"""


def test_csv_import_reports_each_row(client, token, session, store_id):
    csv = "phone,marketing,transactional\n05321112233,yes,yes\nnot a phone,yes,\n+905329998877,,\n"
    data = ok(client, token, IMPORT, {"csv": csv})["importConsentCsv"]
    contact = session.exec(select(Contact)).one()
    assert data == {
        "imported": 1,
        "skipped": 1,
        "failed": 1,
        "rows": [
            {"line": 2, "status": "imported", "reason": None, "contactId": str(contact.id)},
            {"line": 3, "status": "error", "reason": data["rows"][1]["reason"], "contactId": None},
            {"line": 4, "status": "skipped", "reason": "no_consent_column", "contactId": None},
        ],
        "errors": [],
    }
    assert data["rows"][1]["reason"]
    events = session.exec(select(ConsentEvent)).all()
    assert sorted((e.purpose, e.source, e.evidence["staff_user_id"]) for e in events) == [
        ("marketing", "csv_import", "VXNlcjoyMQ=="),
        ("transactional", "csv_import", "VXNlcjoyMQ=="),
    ]


ERASE = """mutation($id: ID!, $confirm: Boolean!) {
  eraseContact(id: $id, confirm: $confirm) {
    contact { phone phoneStatus erasedAt } errors { field code message messageTr }
  }
}"""


def test_erase_without_confirmation_changes_nothing(client, token, session, store_id):
    contact = add_contact(session, store_id, first_name="Ayşe")
    data = ok(client, token, ERASE, {"id": str(contact.id), "confirm": False})["eraseContact"]
    assert data["contact"] is None
    assert [(e["field"], e["code"]) for e in data["errors"]] == [
        ("confirm", "CONFIRMATION_REQUIRED")
    ]
    session.expire_all()
    assert session.get(Contact, contact.id).first_name == "Ayşe"
    assert session.exec(select(Suppression)).all() == []


def test_export_then_erase_with_confirmation(client, token, session, store_id):
    contact = add_contact(session, store_id, first_name="Ayşe")
    exported = ok(
        client,
        token,
        "mutation($id: ID!) { exportContact(id: $id) { export errors { code } } }",
        {"id": str(contact.id)},
    )["exportContact"]
    assert exported["errors"] == []
    assert exported["export"]["phone"] == "+905321112233"
    assert exported["export"]["contact"]["first_name"] == "Ayşe"
    data = ok(client, token, ERASE, {"id": str(contact.id), "confirm": True})["eraseContact"]
    assert data["errors"] == []
    assert data["contact"]["phone"] is None and data["contact"]["phoneStatus"] == "ERASED"
    session.expire_all()
    assert session.get(Contact, contact.id).first_name is None
    assert len(session.exec(select(Suppression)).all()) == 1
    assert ok(client, token, SEARCH, {"search": "Ayşe"})["contacts"]["edges"] == []


def test_iys_export_and_alerts_list_the_late_ones_until_confirmed(client, token, session, store_id):
    contact = add_contact(session, store_id)
    session.add(
        ConsentEvent(
            store_id=store_id,
            contact_id=contact.id,
            purpose=Purpose.MARKETING,
            action=ConsentAction.GRANTED,
            source=ConsentSource.BUTTON_REPLY,
            occurred_at=clock.now() - timedelta(days=10),
        )
    )
    session.commit()
    alerts = ok(client, token, "{ iysAlerts { recipient status overdue } }")["iysAlerts"]
    assert alerts == [{"recipient": "+905321112233", "status": "ONAY", "overdue": True}]
    export = "mutation { iysExport { records { recipient source status recipientType } } }"
    assert ok(client, token, export)["iysExport"]["records"] == [
        {
            "recipient": "+905321112233",
            "source": "HS_MESAJ",
            "status": "ONAY",
            "recipientType": "BIREYSEL",
        }
    ]
    assert ok(client, token, export)["iysExport"]["records"] == []
    # exported but not confirmed as uploaded: still late
    assert len(ok(client, token, "{ iysAlerts { recipient } }")["iysAlerts"]) == 1
    batch = ok(client, token, "{ iysBatches { id } }")["iysBatches"][0]["id"]
    confirm = "mutation($id: ID!) { confirmIysBatch(id: $id) { errors { code } } }"
    assert ok(client, token, confirm, {"id": batch})["confirmIysBatch"]["errors"] == []
    assert ok(client, token, "{ iysAlerts { recipient } }")["iysAlerts"] == []


def test_contact_sync_status_and_storefront_key(client, token, session, store_id):
    query = "{ contactSyncStatus { status phase pages customersSeen finishedAt } }"
    # before any sync: null
    assert ok(client, token, query)["contactSyncStatus"] is None
    # given a sync in its orders phase
    session.add(ContactSync(store_id=store_id, status="running", phase="orders", pages=3))
    session.commit()
    assert ok(client, token, query)["contactSyncStatus"] == {
        "status": "running",
        "phase": "orders",
        "pages": 3,
        "customersSeen": 0,
        "finishedAt": None,
    }
    key_q = "mutation { storefrontKey { key errors { code } } }"
    first = ok(client, token, key_q)["storefrontKey"]["key"]
    assert first.startswith("pk_")
    assert ok(client, token, key_q)["storefrontKey"]["key"] == first
    session.expire_all()
    assert session.get(StoreSettings, store_id).storefront_public_key == first


TEST_MESSAGE = """mutation($phone: String!, $templateId: ID, $text: String) {
  sendTestMessage(phone: $phone, templateId: $templateId, text: $text) {
    message { kind status text templateName templateLanguage } errors { field code }
  }
}"""


def test_test_message_with_text_creates_the_contact_and_schedules_it(
    client, token, session, store_id
):
    set_staff_test_numbers(session, store_id=store_id, numbers=["+905321112233"])
    session.commit()
    data = ok(client, token, TEST_MESSAGE, {"phone": "0532 111 22 33", "text": "Deneme"})
    assert data["sendTestMessage"] == {
        "message": {
            "kind": "TEST",
            "status": "QUEUED",  # due now: handed to the queue at commit
            "text": "Deneme",
            "templateName": None,
            "templateLanguage": None,
        },
        "errors": [],
    }
    [row] = outbox(session, store_id)
    assert (row.purpose, row.source_type) == ("transactional", "test")
    assert session.get(Contact, row.contact_id).phone_e164 == "+905321112233"


def test_test_message_with_a_template_fills_sample_values_and_reads_as_sent(
    client, token, session, store_id
):
    seed_store_rows(session, store_id, accounts=0, inbox=0, contacts=0, messages=0, templates=1)
    set_staff_test_numbers(session, store_id=store_id, numbers=["+905321112233"])
    session.commit()
    template_id = ok(client, token, "{ templates(first: 1) { edges { node { id } } } }")
    template_id = template_id["templates"]["edges"][0]["node"]["id"]
    data = ok(client, token, TEST_MESSAGE, {"phone": "+905321112233", "templateId": template_id})
    assert data["sendTestMessage"]["message"]["templateName"] == "seed_0_0"
    [row] = outbox(session, store_id)
    assert row.parameters == {
        "components": [{"type": "body", "parameters": [{"type": "text", "text": "Ayşe"}]}]
    }
    # and the contact's conversation shows the message as the phone shows it, not a name
    query = (
        "query($id: ID!) { conversation(contactId: $id, first: 5)"
        " { edges { node { text templateName } } } }"
    )
    read = ok(client, token, query, {"id": str(row.contact_id)})["conversation"]["edges"]
    assert [e["node"] for e in read] == [{"text": "Merhaba Ayşe 0", "templateName": "seed_0_0"}]
    # and once retention blanks the values, no sample passes for what was sent
    from plugin.delivery.outbox import forget_bodies

    forget_bodies(session, store_id=store_id, contact_id=row.contact_id)
    session.commit()
    read = ok(client, token, query, {"id": str(row.contact_id)})["conversation"]["edges"]
    assert [e["node"] for e in read] == [{"text": None, "templateName": "seed_0_0"}]


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"phone": "12", "text": "x"}, [("phone", "INVALID_PHONE")]),
        ({"phone": "+905321112233"}, [(None, "INVALID")]),
        ({"phone": "+905321112233", "templateId": "999999"}, [("templateId", "NOT_FOUND")]),
        ({"phone": "+905329998877", "text": "x"}, [("phone", "NOT_STAFF_NUMBER")]),
    ],
)
def test_test_message_input_errors_schedule_nothing(
    client, token, session, store_id, variables, expected
):
    set_staff_test_numbers(session, store_id=store_id, numbers=["+905321112233"])
    session.commit()
    data = ok(client, token, TEST_MESSAGE, variables)
    assert [(e["field"], e["code"]) for e in data["sendTestMessage"]["errors"]] == expected
    assert outbox(session, store_id) == []
    assert session.exec(select(Contact)).all() == []


def _count(client, token, query, variables=None) -> int:
    with QueryCounter(get_engine()) as queries:
        ok(client, token, query, variables)
    return queries.count


def test_contacts_and_conversation_do_no_n_plus_one(client, token, session, store_id):
    contacts_q = (
        "{ contacts(first: 100) { edges { node { id phone totalSpent { amount }"
        " consents { granted } consentTimeline { action evidence } } } } }"
    )
    conversation_q = (
        "query($id: ID!) { conversation(contactId: $id, first: 100)"
        " { edges { node { id direction status statusReason text } } } }"
    )
    # given 1 row, then 100 rows of each
    first = seed_store_rows(
        session, store_id, accounts=0, inbox=0, contacts=1, messages=1, templates=0
    )
    small = (
        _count(client, token, contacts_q),
        _count(client, token, conversation_q, {"id": first}),
    )
    more = seed_store_rows(
        session, store_id, accounts=0, inbox=0, contacts=100, messages=50, templates=0, batch=1
    )
    large = (_count(client, token, contacts_q), _count(client, token, conversation_q, {"id": more}))
    # then the statement count does not grow
    assert large == small
    page = ok(client, token, conversation_q, {"id": more})["conversation"]["edges"]
    assert len(page) == 100

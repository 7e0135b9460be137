"""İYS export and CSV import."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from plugin import clock
from plugin.consent import iys, service
from plugin.consent import state as consent_state
from plugin.consent.models import ConsentAction, ConsentEvent, ConsentSource, Purpose
from plugin.contacts.suppression import suppress
from plugin.events.consent import import_csv
from plugin.saleor.models import Store
from tests.admin_api_support import ok, token_for
from tests.factories import make_contact, make_store

pytestmark = pytest.mark.sqlite


def _grant(session, contact, at, action=ConsentAction.GRANTED, source=ConsentSource.BUTTON_REPLY):
    return service.record(
        session,
        contact=contact,
        purpose=Purpose.MARKETING,
        action=action,
        source=source,
        occurred_at=at,
    )


def test_iys_batch_has_turkish_numbers_only_in_iys_format(session):
    store = make_store(session)
    turkish = make_contact(session, store, "+905321234567")
    foreign = make_contact(session, store, "+12125550199")
    _grant(session, turkish, datetime(2026, 11, 20, 21, 30, tzinfo=UTC))
    _grant(
        session,
        turkish,
        datetime(2026, 11, 21, 8, 0, tzinfo=UTC),
        ConsentAction.REVOKED,
        ConsentSource.WHATSAPP_KEYWORD,
    )
    _grant(session, foreign, datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    service.record(
        session,
        contact=turkish,
        purpose=Purpose.MARKETING,
        action=ConsentAction.REQUESTED,
        source=ConsentSource.CHECKOUT,
    )
    batch = iys.create_batch(session, store_id=store.id)
    assert batch is not None and batch.record_count == 2
    records = iys.batch_records(session, batch)
    assert records == [
        {
            "recipient": "+905321234567",
            "type": "MESAJ",
            "source": "HS_MESAJ",
            "status": "ONAY",
            "consentDate": "2026-11-21 00:30:00",  # Istanbul is UTC+3
            "recipientType": "BIREYSEL",
        },
        {
            "recipient": "+905321234567",
            "type": "MESAJ",
            "source": "HS_MESAJ",
            "status": "RET",
            "consentDate": "2026-11-21 11:00:00",
            "recipientType": "BIREYSEL",
        },
    ]
    # an open batch holds its facts: the next export offers nothing
    assert iys.create_batch(session, store_id=store.id) is None


def test_grants_near_the_three_business_day_limit_are_flagged(session):
    # Friday 10:00 Istanbul → the deadline is Wednesday 10:00 (weekend skipped)
    assert iys.business_deadline(datetime(2026, 11, 20, 7, 0, tzinfo=UTC)).isoformat() == (
        "2026-11-25T10:00:00+03:00"
    )
    store = make_store(session)
    old = make_contact(session, store, "+905321111111")
    fresh = make_contact(session, store, "+905322222222")
    _grant(session, old, clock.now() - timedelta(days=10))
    _grant(session, fresh, clock.now())
    # only the old, unexported grant is flagged (overdue); the fresh one has days left
    flagged = iys.nearing_limit(session, store_id=store.id)
    assert [(f.recipient, f.status, f.overdue) for f in flagged] == [
        ("+905321111111", "ONAY", True)
    ]
    # looking a week ahead both are near; exported but unconfirmed they still are (İYS has
    # not got them yet); once the upload is confirmed, neither is flagged
    assert len(iys.nearing_limit(session, store_id=store.id, within=timedelta(days=7))) == 2
    batch = iys.create_batch(session, store_id=store.id)
    assert batch is not None
    assert len(iys.nearing_limit(session, store_id=store.id, within=timedelta(days=7))) == 2
    iys.confirm_batch(session, batch)
    assert iys.nearing_limit(session, store_id=store.id, within=timedelta(days=7)) == []


def test_csv_import_reports_every_row(session):
    store = make_store(session)
    suppress(session, store_id=store.id, phone_e164="+905329999999", reason="erased")
    csv_text = (
        "Phone,Email,Marketing,Transactional,Consent_Date\n"
        "0532 123 45 67,ayse@example.com,evet,yes,2026-01-05T10:00:00+03:00\n"
        "12,,yes,,\n"
        "0532 999 99 99,,yes,,\n"
        "0533 765 43 21,,maybe,,\n"
        "0533 765 43 22,,,,\n"
        "+48 512 345 678,,no,yes,\n"
    )
    report = import_csv(session=session, store=store, csv_text=csv_text, staff_user_id="VXNlcjox")
    assert [(r.line, r.status, r.reason) for r in report.rows] == [
        (2, "imported", None),
        (3, "error", "too_short"),
        (4, "skipped", "suppressed"),
        (5, "error", "invalid_flag"),
        (6, "skipped", "no_consent_column"),
        (7, "imported", None),
    ]
    ayse = report.rows[0].contact_id
    state = consent_state.state(
        session, store_id=store.id, contact_id=ayse, purpose=Purpose.MARKETING
    )
    assert (state.granted, state.source) == (True, ConsentSource.CSV_IMPORT)
    assert state.at == datetime(2026, 1, 5, 7, 0, tzinfo=UTC)
    british = report.rows[-1].contact_id
    assert consent_state.state(
        session, store_id=store.id, contact_id=british, purpose=Purpose.MARKETING
    ).action == (ConsentAction.REVOKED)
    assert service.timeline(session, store_id=store.id, contact_id=ayse)[0].evidence == {
        "staff_user_id": "VXNlcjox",
        "line": 2,
        "consent_date": "2026-01-05T10:00:00+03:00",  # a re-import of the same line adds nothing
    }


def test_csv_without_a_phone_column_is_refused(session):
    store = make_store(session)
    report = import_csv(session=session, store=store, csv_text="email\na@b.c\n", staff_user_id="x")
    assert [(r.status, r.reason) for r in report.rows] == [("error", "missing_phone_column")]


BATCH_FIELDS = "id status recordCount records { recipient status consentDate } csv json"
EXPORT = f"mutation {{ iysExport {{ batch {{ {BATCH_FIELDS} }} errors {{ code }} }} }}"
BATCHES = "{ iysBatches { id status recordCount } }"
DOWNLOAD = f"query($id: ID!) {{ iysBatch(id: $id) {{ {BATCH_FIELDS} }} }}"
CONFIRM = "mutation($id: ID!) { confirmIysBatch(id: $id) { batch { status } errors { code } } }"
DISCARD = "mutation($id: ID!) { discardIysBatch(id: $id) { batch { status } errors { code } } }"


@pytest.fixture()
def admin(client, installed_store, saleor_key, session):
    """(call, store): GraphQL as a staff user with every permission, and the installed store."""
    token = token_for(saleor_key, installed_store["api_url"])
    store = session.exec(select(Store)).one()
    return (lambda query, variables=None: ok(client, token, query, variables)), store


def test_lost_export_is_downloaded_again_and_registered_only_when_confirmed(admin, session):
    gql, store = admin
    ayse = make_contact(session, store, "+905321234567")
    mehmet = make_contact(session, store, "+905329876543")
    _grant(session, ayse, datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    _grant(session, mehmet, datetime(2026, 11, 20, 10, 0, tzinfo=UTC))
    session.commit()

    # the response of this export is lost on the way: the merchant never sees it
    lost = gql(EXPORT)["iysExport"]["batch"]
    # an export while that batch is open does not hand its rows out a second time
    assert gql(EXPORT)["iysExport"]["batch"] is None
    # the batch list shows it, and it downloads again with the same rows, CSV and JSON
    assert gql(BATCHES)["iysBatches"] == [{"id": lost["id"], "status": "open", "recordCount": 2}]
    again = gql(DOWNLOAD, {"id": lost["id"]})["iysBatch"]
    assert again == lost
    assert [r["recipient"] for r in again["records"]] == ["+905321234567", "+905329876543"]
    assert again["csv"].splitlines() == [
        "recipient,type,source,status,consentDate,recipientType",
        "+905321234567,MESAJ,HS_MESAJ,ONAY,2026-11-20 12:00:00,BIREYSEL",
        "+905329876543,MESAJ,HS_MESAJ,ONAY,2026-11-20 13:00:00,BIREYSEL",
    ]
    assert [r["recipient"] for r in again["json"]] == ["+905321234567", "+905329876543"]
    # downloaded is not registered: İYS has not got them until the merchant says so
    session.expire_all()
    assert all(e.iys_exported_at is None for e in session.exec(select(ConsentEvent)).all())

    confirmed = gql(CONFIRM, {"id": lost["id"]})["confirmIysBatch"]
    assert confirmed == {"batch": {"status": "confirmed"}, "errors": []}
    session.expire_all()
    assert all(e.iys_exported_at is not None for e in session.exec(select(ConsentEvent)).all())
    # confirming twice changes nothing; a confirmed batch cannot be discarded
    assert gql(CONFIRM, {"id": lost["id"]})["confirmIysBatch"]["errors"] == []
    assert gql(DISCARD, {"id": lost["id"]})["discardIysBatch"]["errors"] == [
        {"code": "INVALID_TRANSITION"}
    ]

    # only facts after the confirmed batch go into the next one
    _grant(
        session,
        ayse,
        datetime(2026, 11, 22, 9, 0, tzinfo=UTC),
        ConsentAction.REVOKED,
        ConsentSource.WHATSAPP_KEYWORD,
    )
    session.commit()
    fresh = gql(EXPORT)["iysExport"]["batch"]
    assert fresh["id"] != lost["id"]
    assert fresh["records"] == [
        {"recipient": "+905321234567", "status": "RET", "consentDate": "2026-11-22 12:00:00"}
    ]
    # the confirmed batch still downloads, unchanged
    assert gql(DOWNLOAD, {"id": lost["id"]})["iysBatch"]["records"] == lost["records"]
    assert [b["status"] for b in gql(BATCHES)["iysBatches"]] == ["open", "confirmed"]


def test_a_discarded_batch_gives_its_rows_to_the_next_export(admin, session):
    gql, store = admin
    _grant(session, make_contact(session, store), datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    session.commit()
    first = gql(EXPORT)["iysExport"]["batch"]
    assert gql(DISCARD, {"id": first["id"]})["discardIysBatch"] == {
        "batch": {"status": "discarded"},
        "errors": [],
    }
    second = gql(EXPORT)["iysExport"]["batch"]
    assert second["id"] != first["id"] and second["records"] == first["records"]
    # the discarded one cannot be confirmed (its rows are in the new batch)
    assert gql(CONFIRM, {"id": first["id"]})["confirmIysBatch"]["errors"] == [
        {"code": "INVALID_TRANSITION"}
    ]
    assert gql(CONFIRM, {"id": "999999"})["confirmIysBatch"]["errors"] == [{"code": "NOT_FOUND"}]
    assert gql(DOWNLOAD, {"id": "999999"})["iysBatch"] is None

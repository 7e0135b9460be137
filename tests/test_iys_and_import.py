"""İYS export and CSV import."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from plugin import clock
from plugin.consent import iys, service
from plugin.consent import state as consent_state
from plugin.consent.importer import import_csv
from plugin.consent.models import ConsentAction, ConsentSource, Purpose
from plugin.consent.privacy import suppress
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


def test_iys_export_has_turkish_numbers_only_in_iys_format_and_marks_them(session):
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
    records = iys.export_records(session, store_id=store.id)
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
    assert iys.export_records(session, store_id=store.id) == []


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
    # looking a week ahead both are near; once exported, neither is flagged
    assert len(iys.nearing_limit(session, store_id=store.id, within=timedelta(days=7))) == 2
    iys.export_records(session, store_id=store.id)
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

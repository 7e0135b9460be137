"""A batch's contacts created up front (issue 21): which contact each payload maps to, and
what every contact holds, are the same as when the payloads are acted on one at a time.

The payloads are drawn from a few numbers (valid, written without +CC, invalid, erased),
emails and Saleor user ids, over stored contacts that already hold some of them, so the
identity rules' cases meet: a number's own contact, a person known by email or user id who
now gives a number, the newest match of several, an erased number.
"""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from plugin.contacts import service
from plugin.contacts.identity import Identity
from plugin.contacts.models import Contact, PhoneStatus
from plugin.contacts.suppression import suppress
from plugin.db import batch_scope, deferred_updates
from plugin.saleor.models import Store
from tests.factories import make_store
from tests.support import QueryCounter

pytestmark = pytest.mark.sqlite

PHONES = [None, "+905321000001", "+905321000002", "0532 100 00 03", "12", "+905321000009"]
ERASED = "+905321000009"
EMAILS = [None, "", "a@example.com", "b@example.com", "c@example.com"]
USERS = [None, "VXNlcjox", "VXNlcjoy"]
COLUMNS = (
    "phone_e164",
    "phone_raw",
    "phone_status",
    "phone_invalid_reason",
    "email",
    "first_name",
    "last_name",
    "saleor_user_id",
    "locale",
    "country",
    "timezone",
)

identities = st.builds(
    Identity,
    phones=st.lists(st.sampled_from(PHONES), max_size=2).map(tuple),
    country=st.sampled_from([None, "TR"]),
    email=st.sampled_from(EMAILS),
    first_name=st.sampled_from([None, "Ayşe", "Can"]),
    saleor_user_id=st.sampled_from(USERS),
    language_code=st.sampled_from([None, "TR_TR", "EN"]),
)
stored = st.tuples(
    st.sampled_from([None, "+905321000001", "+905321000002"]),
    st.sampled_from(EMAILS),
    st.sampled_from(USERS),
)


def _store(session: Session, contacts: list[tuple[str | None, str | None, str | None]]) -> Store:
    store = make_store(session)
    assert store.id is not None
    suppress(session, store_id=store.id, phone_e164=ERASED, reason="erased")
    taken: set[str] = set()
    for phone, email, user in contacts:
        if phone in taken:
            phone = None
        taken.add(phone or "")
        session.add(
            Contact(
                store_id=store.id,
                phone_e164=phone,
                phone_status=PhoneStatus.VALID if phone else PhoneStatus.MISSING,
                email=email or None,
                saleor_user_id=user,
            )
        )
    session.commit()
    return store


def _row(contact: Contact | None) -> tuple[Any, ...] | None:
    """A contact's values (a status read back is a plain string, one kept in memory an enum)."""
    if contact is None:
        return None
    return tuple(
        str(v) if isinstance(v, PhoneStatus) else v for v in (getattr(contact, c) for c in COLUMNS)
    )


def _act(session: Session, store: Store, payloads: list[Identity]) -> list[Any]:
    """What each payload maps to (the contact's final values), then every contact's values."""
    found = [service.upsert_contact(session=session, store=store, identity=i) for i in payloads]
    session.flush()
    everyone = session.exec(select(Contact).where(Contact.store_id == store.id)).all()
    return [[_row(c) for c in found], sorted((_row(c) for c in everyone), key=repr)]


@pytest.mark.timeout(400)
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    known=st.lists(stored, max_size=4),
    payloads=st.lists(identities, min_size=1, max_size=12),
    deferred=st.booleans(),
)
def test_a_batch_maps_its_payloads_to_the_contacts_one_at_a_time_would(
    session: Session, known: list[Any], payloads: list[Identity], deferred: bool
) -> None:
    # given two like stores with the same stored contacts and an erased number
    alone, together = _store(session, known), _store(session, known)
    assert together.id is not None
    # when one store's payloads are acted on one at a time, the other's as a batch whose
    # contacts are read and created up front (its contact writes deferred as a checkout run's)
    expected = _act(session, alone, payloads)
    with batch_scope(session), ExitStack() as run:
        if deferred:
            run.enter_context(deferred_updates(session, Contact))
        service.prefetch(session, store_id=together.id, identities=payloads)
        got = _act(session, together, payloads)
    session.rollback()
    # then each payload maps to a contact holding the same values, and the stores hold the same
    assert got == expected


def test_a_batch_of_guests_known_by_email_inserts_their_contacts_in_one_statement(
    session: Session,
) -> None:
    # given a batch of guest checkouts: an email first, then (for some) the number too
    store = make_store(session)
    assert store.id is not None
    session.commit()
    payloads = [Identity(phones=(), country=None, email=f"g{n}@example.com") for n in range(20)]
    payloads += [
        Identity(phones=(f"+9053220000{n:02d}",), country="TR", email=f"g{n}@example.com")
        for n in range(0, 20, 2)
    ]
    payloads += [Identity(phones=(f"+9053230000{n:02d}",), country="TR") for n in range(10)]
    # when the batch is acted on
    with QueryCounter(session.get_bind()) as counter, batch_scope(session):
        service.prefetch(session, store_id=store.id, identities=payloads)
        contacts = [
            service.upsert_contact(session=session, store=store, identity=i) for i in payloads
        ]
        session.flush()
    # then one INSERT made all 30 people's contacts, and the guests who gave a number kept theirs
    inserts = [
        s for s in counter.statements if s.lstrip().upper().startswith("INSERT INTO CONTACT")
    ]
    assert len(inserts) == 1, inserts
    assert len({c.id for c in contacts if c is not None}) == 30
    assert contacts[20].id == contacts[0].id and contacts[20].phone_e164 == "+905322000000"

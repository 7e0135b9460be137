"""What a batch of Saleor events reads about consent, it reads up front (issue 21).

`saleor_batch.prepare` hands consent the contacts it knows by number; a person the batch holds
by email or Saleor user id only (a checkout that has no address yet) is read with them, and a
checkout's later events, which repeat the value its first recorded, ask nothing. On PostgreSQL
the same statement reserves the ids of the facts the batch may record.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session

from plugin.consent import answers, captures
from plugin.consent import state as consent_state
from plugin.consent.models import ConsentAction, ConsentEvent, ConsentSource, Purpose
from plugin.contacts import batch as contacts_batch
from plugin.contacts.models import Contact
from plugin.db import batch_scope, get_engine
from tests.factories import make_contact, make_store
from tests.support import QueryCounter

YES = {"transactional": True, "marketing": True, "text": "Kabul", "text_version": "v1"}


def _capture(session: Session, contact: Contact, key: str) -> list[ConsentEvent]:
    """A checkout's consent value saying yes to both, as its webhook captures it."""
    return answers.capture_web_consent(
        session=session,
        contact=contact,
        consent=YES,
        source=ConsentSource.CHECKOUT,
        capture_key=key,
    )


@pytest.mark.sqlite
def test_a_contact_held_without_a_number_is_read_with_the_batch(session: Session) -> None:
    # given a contact known by email only, with consent recorded from an earlier checkout
    store = make_store(session)
    contact = make_contact(session, store, phone=None, email="ayse@example.com")
    assert store.id is not None and contact.id is not None
    first = _capture(session, contact, "checkout:A")
    assert [(e.purpose, e.action) for e in first] == [
        (Purpose.TRANSACTIONAL, ConsentAction.GRANTED),
        (Purpose.MARKETING, ConsentAction.REQUESTED),
    ]
    session.commit()
    with batch_scope(session):
        # when a batch holding it (and knowing nobody by number) prefetches consent
        contacts_batch.remember(session, contact)
        consent_state.prefetch(session, store_id=store.id, contact_ids=[])
        # then its state and its capture keys are the batch's, and its checkout's next events
        # (the same carrier, and a new checkout while its consent stands) ask nothing
        for purpose in Purpose:
            held = consent_state.known(
                session, store_id=store.id, contact_id=contact.id, purpose=purpose
            )
            assert held is not None and held.event_id is not None
        assert captures.captured(session, contact_id=contact.id, capture_key="checkout:A:marketing")
        with QueryCounter(get_engine()) as queries:
            for key in ("checkout:A", "checkout:A", "checkout:B"):
                again = _capture(session, contact, key)
                assert again == []
        assert queries.count == 0, queries.statements


@pytest.mark.sqlite
def test_a_batch_of_new_people_reads_no_capture_keys(session: Session) -> None:
    # given contacts with no consent fact at all
    store = make_store(session)
    people = [make_contact(session, store, phone=f"+90532123456{i}") for i in range(3)]
    session.commit()
    ids = [c.id for c in people if c.id is not None]
    assert store.id is not None
    with batch_scope(session), QueryCounter(get_engine()) as queries:
        # when a batch prefetches their consent
        consent_state.prefetch(session, store_id=store.id, contact_ids=ids)
        # then one statement read their states, and their capture keys are known to be none
        assert queries.count == 1, queries.statements
        assert all(
            captures.captured(session, contact_id=c, capture_key="checkout:A:marketing") is False
            for c in ids
        )


def test_the_first_facts_of_a_batch_take_ids_its_prefetch_reserved(session: Session) -> None:
    # given a new person and one whose consent stands
    store = make_store(session)
    new = make_contact(session, store, phone="+905321234560")
    known = make_contact(session, store, phone="+905321234561")
    assert store.id is not None and new.id is not None and known.id is not None
    _capture(session, known, "checkout:K")
    session.commit()
    with batch_scope(session):
        # when a batch prefetches their consent (PostgreSQL: one statement)
        with QueryCounter(get_engine()) as prefetch:
            consent_state.prefetch(session, store_id=store.id, contact_ids=[new.id, known.id])
        assert prefetch.count == 1, prefetch.statements
        # then the new person's consent is recorded with no statement until the batch ends
        with QueryCounter(get_engine()) as queries:
            facts = _capture(session, new, "checkout:N")
        assert queries.count == 0, queries.statements
        assert len(facts) == 2 and facts[0].id is not None and facts[1].id is not None
        assert facts[0].id < facts[1].id  # in recording order
    session.commit()
    # and once the batch has ended both are in the ledger with those ids, read as recorded
    stored = consent_state.states(session, store_id=store.id, contact_ids=[new.id])
    assert {stored[(new.id, p)].event_id for p in Purpose} == {f.id for f in facts}

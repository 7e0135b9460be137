"""A batch's consent state moved in memory equals the ledger's (issue 21, docs/adr/0005).

In a batch (plugin.db.batch_scope) recording a fact moves the contact's memoised state by the
rule's in-memory step (plugin/consent/rule.py `following`) instead of reading it again; where
the step needs the ledger's history it declines and the state is read again. Hypothesis writes
random ledgers — every purpose, action and source, ties to the second, backdated facts — some
recorded before the batch, the rest in it, for a contact the batch created, one whose state it
prefetched and one it never read; after every fact the state the batch holds must be what a
fresh read of the ledger (`states`, the SQL) says, and the facts the batch held back must all
be in the ledger, with their ids, once it ends.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, col, select

from plugin import clock
from plugin.consent import service as consent
from plugin.consent import state as consent_state
from plugin.consent.models import ConsentAction, ConsentEvent, ConsentSource, Purpose
from plugin.contacts import batch as contacts_batch
from plugin.db import batch_scope
from tests.factories import make_contact, make_store

pytestmark = pytest.mark.sqlite

# Instants a few minutes apart (ties are likely) and one a year back (a backdated fact).
OFFSETS = [timedelta(0), timedelta(minutes=1), timedelta(minutes=2), timedelta(days=365)]
# Rule 2 lives in a few pairings of action and source (the customer's own "no" or "yes", a
# grant or request vouched for by others, the system's lapse): drawn half the time, so their
# interplay is common; any action from any source the other half.
TELLING = [
    (ConsentAction.REVOKED, ConsentSource.WHATSAPP_KEYWORD),
    (ConsentAction.DECLINED, ConsentSource.BUTTON_REPLY),
    (ConsentAction.GRANTED, ConsentSource.META_PREFERENCES),
    (ConsentAction.GRANTED, ConsentSource.CHECKOUT),
    (ConsentAction.GRANTED, ConsentSource.ADMIN),
    (ConsentAction.REQUESTED, ConsentSource.STOREFRONT),
    (ConsentAction.REVOKED, ConsentSource.CSV_IMPORT),
    (ConsentAction.LAPSED, ConsentSource.SYSTEM),
]
said = st.one_of(
    st.sampled_from(TELLING),
    st.tuples(st.sampled_from(list(ConsentAction)), st.sampled_from(list(ConsentSource))),
)
fact = st.builds(
    lambda purpose, pair, offset: (purpose, *pair, offset),
    st.sampled_from([Purpose.MARKETING, Purpose.MARKETING, Purpose.TRANSACTIONAL]),
    said,
    st.sampled_from(OFFSETS),
)
REVOKED, REQUESTED, GRANTED = ConsentAction.REVOKED, ConsentAction.REQUESTED, ConsentAction.GRANTED
KEYWORD, CHECKOUT, ADMIN = (
    ConsentSource.WHATSAPP_KEYWORD,
    ConsentSource.CHECKOUT,
    ConsentSource.ADMIN,
)
NOW, MIN1, MIN2 = OFFSETS[0], OFFSETS[1], OFFSETS[2]


def _m(action: ConsentAction, source: ConsentSource, offset: timedelta) -> tuple[Any, ...]:
    """A marketing fact, as the strategy draws it."""
    return (Purpose.MARKETING, action, source, offset)


# How the batch came to know the contact: it created it (no fact yet), it read its state
# before the first fact (as saleor_batch.prepare does), or it never asked.
KNOWN_BY = ["created", "prefetched", "unread"]


def _record(session: Session, contact: Any, facts: list[Any], base: Any) -> list[ConsentEvent]:
    """Each drawn fact recorded through the one way consent changes, `service.record`."""
    names = ("purpose", "action", "source")
    recorded = []
    for *said, offset in facts:
        fact = dict(zip(names, said, strict=True))
        recorded.append(consent.record(session, contact=contact, occurred_at=base - offset, **fact))
    return recorded


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    earlier=st.lists(fact, max_size=5),
    during=st.lists(fact, min_size=1, max_size=7),
    known_by=st.sampled_from(KNOWN_BY),
)
# the cases where the step must decline, kept whatever the search finds: a vouched grant after
# the customer's "no" and a vouched request (is the "no" their latest word?), a grant at the
# instant of a demoted one (which reads `requested`: is it a grant, and the earlier by id?)
@example(
    earlier=[],
    during=[_m(REVOKED, KEYWORD, MIN2), _m(REQUESTED, CHECKOUT, MIN1), _m(GRANTED, ADMIN, NOW)],
    known_by="created",
)
@example(
    earlier=[_m(REVOKED, KEYWORD, MIN2), _m(GRANTED, ADMIN, MIN1)],
    during=[_m(GRANTED, CHECKOUT, MIN1)],
    known_by="prefetched",
)
@example(
    earlier=[_m(GRANTED, ADMIN, MIN1)],
    during=[_m(REVOKED, KEYWORD, MIN2), _m(GRANTED, KEYWORD, MIN2)],
    known_by="prefetched",
)
def test_the_state_a_batch_moves_in_memory_is_what_the_ledger_reads(
    session: Session, earlier: list[Any], during: list[Any], known_by: str
) -> None:
    # given a contact, and for one the batch did not create, facts recorded before the batch
    store = make_store(session)
    contact = make_contact(session, store)
    assert store.id is not None and contact.id is not None
    store_id, contact_id = store.id, contact.id
    base = clock.now() - timedelta(days=1)
    if known_by != "created":
        _record(session, contact, earlier, base)
    session.commit()
    recorded: list[ConsentEvent] = []
    with batch_scope(session):
        if known_by == "created":
            contacts_batch.note_created(session, contact_id)
        elif known_by == "prefetched":
            consent_state.prefetch(session, store_id=store_id, contact_ids=[contact_id])
        # when the batch records facts one after another
        for step in during:
            recorded += _record(session, contact, [step], base)
            # then whatever state it holds is the one a fresh read of the ledger gives
            fresh = consent_state.states(session, store_id=store_id, contact_ids=[contact_id])
            for purpose in Purpose:
                held = consent_state.known(
                    session, store_id=store_id, contact_id=contact_id, purpose=purpose
                )
                assert held is None or held == fresh[(contact_id, purpose)], (purpose, step)
                asked = consent_state.state(
                    session, store_id=store_id, contact_id=contact_id, purpose=purpose
                )
                assert asked == fresh[(contact_id, purpose)]
    session.commit()
    # and every fact it recorded is in the ledger with the id it was given
    ids = set(
        session.exec(select(col(ConsentEvent.id)).where(ConsentEvent.contact_id == contact_id))
    )
    assert {e.id for e in recorded} <= ids


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(during=st.lists(fact, min_size=1, max_size=7))
def test_a_contact_the_batch_created_is_read_only_for_rule_2_and_written_at_the_end(
    session: Session, during: list[Any]
) -> None:
    # given a contact the batch created: its ledger is what the batch records
    store = make_store(session)
    contact = make_contact(session, store)
    session.commit()
    assert store.id is not None and contact.id is not None
    base = clock.now() - timedelta(days=1)
    recorded: list[ConsentEvent] = []
    with batch_scope(session):
        contacts_batch.note_created(session, contact.id)
        # when it records facts, reading nothing in between
        for purpose, action, source, offset in during:
            recorded += _record(session, contact, [(purpose, action, source, offset)], base)
            held = consent_state.known(
                session, store_id=store.id, contact_id=contact.id, purpose=purpose
            )
            # then it still holds the state, unless rule 2 (the customer's own "no" against a
            # vouched grant) may be in play: a marketing fact; transactional ones never ask
            assert held is not None or purpose is Purpose.MARKETING, (purpose, action, source)
            if held is None:  # read again, so the next fact moves it in memory
                consent_state.state(
                    session, store_id=store.id, contact_id=contact.id, purpose=purpose
                )
        final = {
            p: consent_state.known(session, store_id=store.id, contact_id=contact.id, purpose=p)
            for p in Purpose
        }
    session.commit()
    # and once the batch has ended its facts are in the ledger, with their ids, saying the same
    fresh = consent_state.states(session, store_id=store.id, contact_ids=[contact.id])
    assert final == {p: fresh[(contact.id, p)] for p in Purpose}
    stored = session.exec(select(ConsentEvent).where(ConsentEvent.contact_id == contact.id))
    # (an identical standing grant is not recorded twice: `record` returns the same fact)
    assert {(e.id, e.purpose, e.action) for e in stored} == {
        (e.id, e.purpose, e.action) for e in recorded
    }

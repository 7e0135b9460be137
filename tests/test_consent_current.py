"""`consent_current` is the read model's rule, kept (docs/adr/0005): after any sequence of facts —
ties to the second, backdated imports, facts arriving out of order, erasures — the maintained
row of every contact and purpose equals the rule evaluated on the ledger, and equals what the
migration's set-based backfill computes; two writers racing on one contact leave it right."""

from __future__ import annotations

import itertools
import threading
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from plugin import clock
from plugin.consent import current, privacy
from plugin.consent import service as consent
from plugin.consent import state as consent_state
from plugin.consent.models import (
    ConsentAction,
    ConsentCurrent,
    ConsentEvent,
    ConsentSource,
    Purpose,
)
from plugin.contacts.models import Contact
from tests.delivery.test_consent_agreement import Fact, expected
from tests.factories import make_contact, make_store

# Instants minutes apart (ties likely), one a year back (a backdated import).
OFFSETS = [timedelta(0), timedelta(minutes=1), timedelta(minutes=2), timedelta(days=365)]
fact = st.tuples(
    st.integers(0, 1),  # which of two contacts: their facts interleave
    st.sampled_from(list(Purpose)),
    st.sampled_from(list(ConsentAction)),
    st.sampled_from(list(ConsentSource)),
    st.sampled_from(OFFSETS),
)
step = st.one_of(fact, st.tuples(st.integers(0, 1)))  # a 1-tuple: erase that contact
_phones = itertools.count(1)


def _rows(session: Session, store_id: int) -> dict[tuple[int, str], tuple[Any, ...]]:
    rows = session.exec(select(ConsentCurrent).where(ConsentCurrent.store_id == store_id)).all()
    return {
        (r.contact_id, str(r.purpose)): (str(r.action), r.event_id, r.occurred_at, str(r.source))
        for r in rows
    }


def _by_the_ledger(session: Session, store_id: int, contact_ids: list[int]) -> dict[Any, Any]:
    """The rule evaluated on the ledger (its as-of form, which ranks the facts), and the
    ADR's rule stated independently in Python."""
    found: dict[tuple[int, str], tuple[Any, ...]] = {}
    later = clock.now() + timedelta(days=1)
    for contact_id in contact_ids:
        events = session.exec(select(ConsentEvent).where(ConsentEvent.contact_id == contact_id))
        facts = [
            Fact(e.id, str(e.purpose), str(e.action), str(e.source), e.occurred_at) for e in events
        ]
        for purpose in Purpose:
            at = {"contact_id": contact_id, "store_id": store_id, "as_of": later}
            action, event_id = session.execute(
                sa.select(
                    consent_state.effective_action(purpose, **at),
                    consent_state.deciding_id(purpose, **at),
                )
            ).one()
            assert action == expected(facts, purpose.value)
            if event_id is not None:
                event = session.get(ConsentEvent, event_id)
                assert event is not None
                found[(contact_id, purpose.value)] = (
                    action,
                    event_id,
                    event.occurred_at,
                    str(event.source),
                )
    return found


@pytest.mark.sqlite
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, max_size=8))
def test_the_maintained_row_is_always_the_rule_on_the_ledger(session, steps):
    # given a store of two people
    store = make_store(session)
    assert store.id is not None
    people = [make_contact(session, store, f"+90533{next(_phones):07d}") for _ in range(2)]
    ids = [p.id for p in people]
    base = clock.now() - timedelta(hours=1)
    # when facts arrive in a random order, each committed on its own (as webhooks do)
    for item in steps:
        person = session.get(Contact, ids[item[0]])
        if len(item) == 1:
            privacy.erase_contact(session, store_id=store.id, contact_id=person.id)
        else:
            _, purpose, action, source, offset = item
            consent.record(
                session,
                contact=person,
                purpose=purpose,
                action=action,
                source=source,
                occurred_at=base - offset,
            )
        session.commit()
    # then every maintained row is the rule's answer on the ledger, and no other row exists
    maintained = _rows(session, store.id)
    assert maintained == _by_the_ledger(session, store.id, ids)
    # and the migration's set-based backfill computes the same rows
    current.rebuild(session, store_id=store.id)
    session.commit()
    assert _rows(session, store.id) == maintained


def test_two_writers_racing_on_one_contact_leave_the_later_fact_deciding(session):
    # given a granted customer
    from plugin.db import get_engine

    store = make_store(session)
    person = make_contact(session, store, f"+90534{next(_phones):07d}")
    consent.record(
        session,
        contact=person,
        purpose=Purpose.MARKETING,
        action=ConsentAction.GRANTED,
        source=ConsentSource.BUTTON_REPLY,
        occurred_at=clock.now() - timedelta(days=2),
    )
    session.commit()
    store_id, contact_id = store.id, person.id
    # when her STOP is being recorded (not committed yet) ...
    first = Session(get_engine(), expire_on_commit=False)
    consent.revoke_marketing(
        first,
        contact=first.get(Contact, contact_id),
        source=ConsentSource.WHATSAPP_KEYWORD,
        evidence={"wamid": "w1"},
        confirm=False,
    )
    pid = first.execute(sa.text("SELECT pg_backend_pid()")).scalar()

    # ... while an older grant from a CSV import arrives on another connection
    def import_old_grant() -> None:
        with Session(get_engine()) as second:
            consent.record(
                second,
                contact=second.get(Contact, contact_id),
                purpose=Purpose.MARKETING,
                action=ConsentAction.GRANTED,
                source=ConsentSource.CSV_IMPORT,
                evidence={"row": 2},
                occurred_at=clock.now() - timedelta(days=1),
            )
            second.commit()

    racer = threading.Thread(target=import_old_grant)
    racer.start()
    with get_engine().connect() as watcher:  # the import waits for the STOP's row lock
        for _ in range(600):
            blocked = watcher.execute(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE :p = ANY(pg_blocking_pids(pid))"
                ),
                {"p": pid},
            ).scalar()
            if blocked:
                break
            threading.Event().wait(0.05)
        assert blocked
    first.commit()
    first.close()
    racer.join()
    # then the STOP, the later fact, decides — in the maintained row as in the ledger
    session.expire_all()
    row = session.get(ConsentCurrent, (store_id, contact_id, Purpose.MARKETING.value))
    assert row is not None and row.action == ConsentAction.REVOKED
    assert _rows(session, store_id) == _by_the_ledger(session, store_id, [contact_id])
